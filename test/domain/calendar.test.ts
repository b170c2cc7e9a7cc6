import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  isWorkingDay,
  mergeCalendar,
  workingDaysBetween,
} from '../../src/domain/calendar.ts';
import { loadCalendar } from '../../src/services/calendar.ts';

const cal = loadCalendar();

describe('working-day calendar', () => {
  it('skips the National Day holiday and counts the adjusted working Saturday', () => {
    // 2026 National Day: 1–7 October off; Saturday 10 October is an adjusted working day (调休).
    expect(isWorkingDay(cal, '2026-10-01')).toBe(false);
    expect(isWorkingDay(cal, '2026-10-10')).toBe(true);
    expect(isWorkingDay(cal, '2026-10-11')).toBe(false);
    // Wednesday 30 September + 1 working day → Thursday 8 October; + 3 → Saturday 10 October.
    expect(addWorkingDays(cal, '2026-09-30', 1)).toEqual({ date: '2026-10-08', provisional: false });
    expect(addWorkingDays(cal, '2026-09-30', 3)).toEqual({ date: '2026-10-10', provisional: false });
  });

  it('does not count day E itself', () => {
    expect(addWorkingDays(cal, '2026-12-01', 1).date).toBe('2026-12-02');
    expect(addWorkingDays(cal, '2026-12-04', 1).date).toBe('2026-12-07'); // Friday → Monday
  });

  it('marks a deadline provisional when it runs into a year no source covers', () => {
    const r = addWorkingDays(cal, '2026-12-31', 20);
    expect(r.provisional).toBe(true);
    expect(r.date.startsWith('2027-01')).toBe(true);
    expect(addWorkingDays(cal, '2026-11-02', 20).provisional).toBe(false);
  });

  it('an override year makes it covered and applies its holidays', () => {
    const merged = mergeCalendar(cal, {
      source: 'test notice',
      years: { '2027': { holidays: ['2027-01-01'], workdays: [] } },
    });
    expect(isWorkingDay(merged, '2027-01-01')).toBe(false);
    expect(addWorkingDays(merged, '2026-12-31', 1)).toEqual({ date: '2027-01-04', provisional: false });
  });

  it('counts working days between two dates', () => {
    expect(workingDaysBetween(cal, '2026-12-01', '2026-12-08')).toBe(5);
    expect(workingDaysBetween(cal, '2026-12-08', '2026-12-01')).toBe(-5);
  });
});
