/**
 * ISO 8601 weeks of office dates (`YYYY-MM-DD`, already in `LIANCHA_TZ`): the weekly
 * digest goes out once per ISO week (`digest:<chat>:2026-W49`). Pure: dates in, labels out; the zone was applied
 * when the date was read (`localDate`), so the server's zone never matters.
 */

import { DAY_MS, toUtcMs } from './calendar.ts';

/**
 * The ISO week of an office date: weeks start on Monday, and week 1 is the week holding the year's first Thursday
 * (so 2026-12-31 is in 2026-W53 and 2027-01-04 in 2027-W01).
 *
 * @example isoWeek('2026-12-07') // '2026-W50'
 */
export function isoWeek(date: string): string {
  const ms = toUtcMs(date);
  const weekday = (new Date(ms).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(ms + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}
