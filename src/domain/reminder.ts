import { isWorkingDay, workingDaysBetween, type CalendarData } from './calendar.ts';

/**
 * When results still missing are chased (录入提醒 and 逾期督办), as pure rules over the working-day calendar.
 *
 * - An officer with pending results is reminded at 5, 3, 1 and 0 working days before the deadline, then every
 *   working day while it is overdue.
 * - The head of a department with overdue results is told at 1 and 5 working days overdue.
 * - Nothing is sent on a non-working day (weekends and holidays off, 调休 working weekends on).
 *
 * Each function answers with the *occasion* due today, or null: after downtime the most recent occasion is the
 * one due (a reminder whose day was missed is sent once, late, and never a backlog of them). The caller makes
 * each occasion's key unique in `job_runs`, so an occasion is sent once ever.
 */

/** Working days before the deadline on which an officer is reminded. */
export const REMINDER_DAYS = [5, 3, 1, 0] as const;

/** Working days overdue on which the department head is told. */
export const ESCALATION_DAYS = [1, 5] as const;

export interface Occasion {
  /** Stable within one deadline: `before-3`, `overdue-2026-12-09`, `escalate-5`. */
  key: string;
  /**
   * Working days from today to the deadline: 0 on the deadline itself, negative once overdue (-1 on the first
   * working day after it).
   */
  daysLeft: number;
}

/**
 * The reminder occasion due `today` for results due on `deadline` (both `YYYY-MM-DD`, office time), or null.
 *
 * @example reminderOccasion(cal, '2026-12-24', '2026-12-31') // { key: 'before-5', daysLeft: 5 }
 * @example reminderOccasion(cal, '2026-12-28', '2026-12-31') // { key: 'before-3', daysLeft: 3 }
 * @example reminderOccasion(cal, '2027-01-04', '2026-12-31') // { key: 'overdue-2027-01-04', daysLeft: -1 }
 */
export function reminderOccasion(cal: CalendarData, today: string, deadline: string): Occasion | null {
  if (!isWorkingDay(cal, today)) return null;
  const daysLeft = workingDaysBetween(cal, today, deadline);
  if (daysLeft < 0) return { key: `overdue-${today}`, daysLeft };
  // The latest of 5, 3, 1, 0 already reached: 4 days left is still the 5-day occasion (sent, or missed and due).
  const reached = [...REMINDER_DAYS].reverse().find((d) => d >= daysLeft);
  return reached === undefined ? null : { key: `before-${reached}`, daysLeft };
}

/**
 * The escalation occasion due `today` for results due on `deadline` that are still missing, or null: `escalate-1`
 * from the first working day overdue, `escalate-5` from the fifth.
 *
 * @example escalationOccasion(cal, '2027-01-04', '2026-12-31') // { key: 'escalate-1', daysLeft: -1 }
 */
export function escalationOccasion(cal: CalendarData, today: string, deadline: string): Occasion | null {
  if (!isWorkingDay(cal, today)) return null;
  const daysLeft = workingDaysBetween(cal, today, deadline);
  const reached = [...ESCALATION_DAYS].reverse().find((d) => -daysLeft >= d);
  return reached === undefined ? null : { key: `escalate-${reached}`, daysLeft };
}
