import { addWorkingDays, type CalendarData, type WorkingDayResult } from './calendar.ts';
import type { TaskDefinition } from './task.ts';

/**
 * The result-entry deadline (docs/domain.md "Deadline"): `resultDays` working days after the inspection date — or after
 * the window's end while no inspection date is known — on the official calendar; E itself is not counted.
 * `provisional` when the deadline falls in a year no calendar source covers. The one rule: cards, `task show`
 * and exports all call it.
 *
 * @example resultDeadline(calendar, task)              // { date: '2027-01-29', provisional: true }
 * @example resultDeadline(calendar, task, '2026-12-08') // due 20 working days after the visit
 */
export function resultDeadline(
  calendar: CalendarData,
  task: Pick<TaskDefinition, 'window' | 'resultDays'>,
  inspectedOn: string | null = null,
): WorkingDayResult {
  return addWorkingDays(calendar, inspectedOn ?? task.window.end, task.resultDays);
}
