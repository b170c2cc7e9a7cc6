/**
 * The official PRC working-day calendar (public holidays off, adjusted working weekends 调休 on), as pure data
 * and rules. Years that no source covers fall back to Monday–Friday and make any date computed through them
 * *provisional* (暂定) — never silently wrong.
 */

export interface CalendarData {
  /** Years whose holidays and adjusted working days are known. */
  coveredYears: ReadonlySet<number>;
  /** ISO dates that are public holidays (days off even on a weekday). */
  holidays: ReadonlySet<string>;
  /** ISO dates that are adjusted working days (working even on a weekend). */
  workdays: ReadonlySet<string>;
}

export interface WorkingDayResult {
  /** ISO date. */
  date: string;
  /** True when a day counted lies in a year the calendar does not cover. */
  provisional: boolean;
}

export const DAY_MS = 86_400_000;

/** Midnight UTC of an ISO date: day arithmetic on office dates without any zone. */
export function toUtcMs(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`);
}

function toIso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `iso` moved by `days` calendar days (negative: earlier). */
export function addDays(iso: string, days: number): string {
  return toIso(toUtcMs(iso) + days * DAY_MS);
}

export function isWorkingDay(cal: CalendarData, iso: string): boolean {
  if (cal.workdays.has(iso)) return true;
  if (cal.holidays.has(iso)) return false;
  const weekday = new Date(toUtcMs(iso)).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/**
 * The n-th working day after `from` ("within n working days of day E": E itself not counted).
 *
 * @example addWorkingDays(cal, '2026-09-30', 1) // → { date: '2026-10-09', provisional: false }
 */
export function addWorkingDays(cal: CalendarData, from: string, n: number): WorkingDayResult {
  const memo = memoOf(cal).add;
  const key = `${from}|${n}`;
  let found = memo.get(key);
  if (!found) memo.set(key, (found = walkWorkingDays(cal, from, n)));
  return { ...found };
}

/**
 * Answers remembered per calendar (the data never changes once built): a province's digest and reminder tick ask
 * for the same few hundred deadlines and countdowns tens of thousands of times, each a walk over the days
 * (measured: 0.5 s of a 1.5 s digest over 100,000 parts).
 */
const memos = new WeakMap<
  CalendarData,
  { add: Map<string, WorkingDayResult>; between: Map<string, number> }
>();

function memoOf(cal: CalendarData) {
  let m = memos.get(cal);
  if (!m) memos.set(cal, (m = { add: new Map(), between: new Map() }));
  return m;
}

function walkWorkingDays(cal: CalendarData, from: string, n: number): WorkingDayResult {
  let ms = toUtcMs(from);
  let provisional = false;
  let counted = 0;
  while (counted < n) {
    ms += DAY_MS;
    const iso = toIso(ms);
    if (!cal.coveredYears.has(Number(iso.slice(0, 4)))) provisional = true;
    if (isWorkingDay(cal, iso)) counted++;
  }
  return { date: toIso(ms), provisional };
}

/** Working days from `from` (exclusive) to `to` (inclusive); negative when `to` is before `from`. */
export function workingDaysBetween(cal: CalendarData, from: string, to: string): number {
  const memo = memoOf(cal).between;
  const key = `${from}|${to}`;
  let found = memo.get(key);
  if (found === undefined) memo.set(key, (found = countWorkingDays(cal, from, to)));
  return found;
}

function countWorkingDays(cal: CalendarData, from: string, to: string): number {
  const sign = to >= from ? 1 : -1;
  let [a, b] = sign === 1 ? [from, to] : [to, from];
  let count = 0;
  for (let ms = toUtcMs(a) + DAY_MS; ms <= toUtcMs(b); ms += DAY_MS)
    if (isWorkingDay(cal, toIso(ms))) count++;
  [a, b] = [b, a];
  return sign * count;
}

export interface CalendarOverride {
  /** Where the corrections come from, e.g. the State Council notice (国务院办公厅关于2027年部分节假日安排的通知). */
  source: string;
  years: Record<string, { holidays: string[]; workdays: string[] }>;
}

/** Merges a base calendar with a reviewed override: an override year replaces the base year entirely. */
export function mergeCalendar(base: CalendarData, override: CalendarOverride | null): CalendarData {
  if (!override) return base;
  const years = new Set(Object.keys(override.years).map(Number));
  const keep = (iso: string) => !years.has(Number(iso.slice(0, 4)));
  const holidays = new Set([...base.holidays].filter(keep));
  const workdays = new Set([...base.workdays].filter(keep));
  for (const y of Object.values(override.years)) {
    y.holidays.forEach((d) => holidays.add(d));
    y.workdays.forEach((d) => workdays.add(d));
  }
  return { coveredYears: new Set([...base.coveredYears, ...years]), holidays, workdays };
}
