/**
 * Office-time helpers for the sim page: the page shows and sets the simulated clock in the office's zone
 * (`clock.tz`, e.g. Asia/Shanghai), never the browser's, and a date picker's value carries that zone's offset.
 * Offsets come from Intl, so any IANA zone works.
 *
 *   zoneOffsetMinutes('Asia/Shanghai', Date.UTC(2026, 11, 1))   // 480
 *   localToIso('2026-12-02T09:00', 'Asia/Shanghai')             // '2026-12-02T09:00:00+08:00'
 */

const FIELDS = {
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
};
const formats = new Map();

/** The wall-clock parts of an instant in `tz` (numbers), or null for an unknown zone. */
export function zoneParts(tz, ms) {
  try {
    let f = formats.get(tz);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', { ...FIELDS, timeZone: tz });
      formats.set(tz, f);
    }
    const p = {};
    for (const part of f.formatToParts(new Date(ms))) p[part.type] = Number(part.value);
    return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second };
  } catch {
    return null;
  }
}

/** Minutes `tz` is ahead of UTC at the instant `ms` (the browser's zone if `tz` is unknown). */
export function zoneOffsetMinutes(tz, ms) {
  const p = tz ? zoneParts(tz, ms) : null;
  if (!p) return -new Date(ms).getTimezoneOffset();
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60000);
}

/** `+08:00` (iso) or `+0800` (compact, as Feishu's date picker writes it). */
export function formatOffset(minutes, compact = false) {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return compact ? `${sign}${hh}${mm}` : `${sign}${hh}:${mm}`;
}

/** A wall-clock time in `tz` (`YYYY-MM-DDTHH:mm`, as a datetime-local input gives it) → ISO 8601 with offset. */
export function localToIso(local, tz) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '00'] = m;
  const guess = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  // The offset at the instant this wall time names: try the offset at the guess, then correct once (DST edges).
  let offset = zoneOffsetMinutes(tz, guess);
  const second = zoneOffsetMinutes(tz, guess - offset * 60000);
  if (second !== offset) offset = second;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${formatOffset(offset)}`;
}

const pad = (n) => String(n).padStart(2, '0');

/** `2026-12-01 14:03` for an instant, in `tz`. */
export function formatLocal(ms, tz) {
  const p = zoneParts(tz, ms);
  if (!p) return '';
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** A calendar day `YYYY-MM-DD` plus `days` (calendar arithmetic, no zone involved). */
export function addDays(day, days) {
  const [y, m, d] = day.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** 0 = Sunday … 6 = Saturday, of a calendar day. */
export function weekday(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/** The next Monday to Friday after `day` (weekends only: the page does not know the holiday calendar). */
export function nextWeekday(day) {
  let next = addDays(day, 1);
  while (weekday(next) === 0 || weekday(next) === 6) next = addDays(next, 1);
  return next;
}

/** The Monday after `day` (a week on when `day` is a Monday). */
export function nextMonday(day) {
  const w = weekday(day);
  return addDays(day, w === 1 ? 7 : (8 - w) % 7 || 7);
}
