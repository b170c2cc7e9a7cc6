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
  it('is provisional (暂定) in a year no calendar source covers, counted Monday to Friday', () => {
    // 2027 has no official notice in chinese-days or config/holidays.json yet. From Thu 2026-12-31, 20 weekdays:
    // Fri 01-01 (1, not known to be a holiday), 01-04..08 (2–6), 11..15 (7–11), 18..22 (12–16), 25..28 (17–20).
    const december = { window: { start: '2026-12-01', end: '2026-12-31' }, resultDays: 20 };
    expect(resultDeadline(cal, december)).toEqual({ date: '2027-01-28', provisional: true });
    // An inspection early in December is due inside 2026: nothing provisional about it.
    // From Tue 12-01: 12-02..04 (1–3), 07..11 (4–8), 14..18 (9–13), 21..25 (14–18), 28, 29 (19, 20).
    expect(resultDeadline(cal, december, '2026-12-01')).toEqual({ date: '2026-12-29', provisional: false });
  });
});
