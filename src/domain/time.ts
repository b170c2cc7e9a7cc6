import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/**
 * How times and dates are shown to people: in the office's zone (`LIANCHA_TZ`), never the server's, never raw
 * ISO — `2026-12-01 14:03` and `2026-12-01`. Machine output (`--json`, exports) keeps ISO 8601 with an offset
 * (`isoInZone`). Pure: the moment is passed in.
 */
export function localTime(at: Date | string, tz: string): string {
  return dayjs(at).tz(tz).format('YYYY-MM-DD HH:mm');
}

export function localDate(at: Date | string, tz: string): string {
  return dayjs(at).tz(tz).format('YYYY-MM-DD');
}

/** ISO 8601 in the office's zone with its offset, e.g. `2026-12-01T14:03:04+08:00`. */
export function isoInZone(at: Date | string, tz: string): string {
  return dayjs(at).tz(tz).format('YYYY-MM-DDTHH:mm:ssZ');
}
