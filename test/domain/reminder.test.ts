import { describe, expect, it } from 'vitest';
import { escalationOccasion, reminderOccasion } from '../../src/domain/reminder.ts';
import { loadCalendar } from '../../src/services/calendar.ts';

const cal = loadCalendar();

/**
 * Results due Monday 2026-10-12, across the 2026 National Day holiday (10-01 … 10-07 off) and the working Saturday
 * 10-10 (调休). Working days counted by hand from the State Council notice for 2026.
 */
const DEADLINE = '2026-10-12';

describe('reminder occasions', () => {
  it.each([
    ['2026-09-28', null], // 6 working days left (09-29, 09-30, 10-08, 10-09, 10-10, 10-12)
    ['2026-09-29', { key: 'before-5', daysLeft: 5 }],
    ['2026-09-30', { key: 'before-5', daysLeft: 4 }], // still the 5-day occasion: sent once, the day before
    ['2026-10-01', null], // National Day
    ['2026-10-07', null],
    ['2026-10-08', { key: 'before-3', daysLeft: 3 }],
    ['2026-10-09', { key: 'before-3', daysLeft: 2 }],
    ['2026-10-10', { key: 'before-1', daysLeft: 1 }], // a working Saturday sends
    ['2026-10-11', null], // Sunday
    ['2026-10-12', { key: 'before-0', daysLeft: 0 }],
    ['2026-10-13', { key: 'overdue-2026-10-13', daysLeft: -1 }],
    ['2026-10-14', { key: 'overdue-2026-10-14', daysLeft: -2 }], // every working day while overdue
    ['2026-10-17', null], // Saturday
  ])('on %s', (today, expected) => {
    expect(reminderOccasion(cal, today, DEADLINE)).toEqual(expected);
  });
});

describe('escalation occasions', () => {
  it.each([
    ['2026-10-12', null], // due today: not overdue yet
    ['2026-10-13', { key: 'escalate-1', daysLeft: -1 }],
    ['2026-10-16', { key: 'escalate-1', daysLeft: -4 }],
    ['2026-10-18', null], // Sunday
    ['2026-10-19', { key: 'escalate-5', daysLeft: -5 }], // 10-13, 14, 15, 16, 19
    ['2026-10-26', { key: 'escalate-5', daysLeft: -10 }],
  ])('on %s', (today, expected) => {
    expect(escalationOccasion(cal, today, DEADLINE)).toEqual(expected);
  });
});
