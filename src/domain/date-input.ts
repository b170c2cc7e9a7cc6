/**
 * Dates as people type them or spreadsheets store them, normalised to ISO `YYYY-MM-DD`. Accepts
 * `2026-01-05`, `2026/1/5`, `2026.1.5`, `2026年1月5日` (optionally followed by a time of day, which is dropped),
 * a spreadsheet date cell (a Date at UTC midnight, as exceljs delivers it) and an Excel serial day number.
 */

export type DateInput = string | number | Date;

export type DateResult = { date: string; problem?: undefined } | { date?: undefined; problem: string };

const MS_PER_DAY = 86_400_000;
/** Excel's day 0 in the 1900 system is 1899-12-30 (it counts the non-existent 1900-02-29). */
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const MIN_YEAR = 1900;
const MAX_YEAR = 2199;

const TEXT_DATE =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The ISO date for a cell value, or why it is not a date.
 *
 * @example normalizeDate('2026/1/5') // { date: '2026-01-05' }
 * @example normalizeDate(46027)      // { date: '2026-01-05' } (an Excel serial)
 */
export function normalizeDate(value: DateInput): DateResult {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) return { problem: 'not a valid date' };
    // Spreadsheet dates arrive as UTC midnight; round away float noise of up to half a second.
    return fromDayNumber(Math.floor((ms + 500) / MS_PER_DAY));
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 1 || value >= 2_958_466)
      return { problem: `${value} is not a date (use YYYY-MM-DD)` };
    return fromDayNumber(Math.floor((EXCEL_EPOCH_MS + Math.round(value * MS_PER_DAY)) / MS_PER_DAY));
  }
  const m = TEXT_DATE.exec(value.trim());
  if (!m) return { problem: `'${value}' is not a date (use YYYY-MM-DD)` };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!isCalendarDate(y, mo, d)) return { problem: `'${value}' is not a calendar date` };
  if (y < MIN_YEAR || y > MAX_YEAR)
    return { problem: `'${value}': year must be between ${MIN_YEAR} and ${MAX_YEAR}` };
  return { date: iso(y, mo, d) };
}

function fromDayNumber(days: number): DateResult {
  const dt = new Date(days * MS_PER_DAY);
  const y = dt.getUTCFullYear();
  if (y < MIN_YEAR || y > MAX_YEAR) return { problem: `year ${y} is out of range (${MIN_YEAR}–${MAX_YEAR})` };
  return { date: iso(y, dt.getUTCMonth() + 1, dt.getUTCDate()) };
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const iso = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
