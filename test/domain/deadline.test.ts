import { describe, expect, it } from 'vitest';
import { resultDeadline } from '../../src/domain/deadline.ts';
import { loadCalendar } from '../../src/services/calendar.ts';

const cal = loadCalendar();
const task = { window: { start: '2026-09-01', end: '2026-09-30' }, resultDays: 3 };

describe('the result-entry deadline', () => {
  it('counts from the inspection date across the 2026 National Day holiday and its working Saturday', () => {
    // 2026-10-01..07 off; Thu 10-08 (1), Fri 10-09 (2), Sat 10-10 is a 调休 working day (3).
    expect(resultDeadline(cal, task, '2026-09-30')).toEqual({ date: '2026-10-10', provisional: false });
  });
  it("counts from the window's end while no inspection date is known", () => {
    expect(resultDeadline(cal, task)).toEqual(resultDeadline(cal, task, '2026-09-30'));
    // Mon 09-28 + 3 working days: Tue 29, Wed 30, then the holiday until Thu 10-08.
    expect(resultDeadline(cal, task, '2026-09-28')).toEqual({ date: '2026-10-08', provisional: false });
  });
});
