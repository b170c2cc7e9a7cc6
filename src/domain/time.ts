/**
 * How times and dates are shown to people: in the office's zone (`LIANCHA_TZ`), never the server's, never raw
 * ISO — `2026-12-01 14:03` and `2026-12-01`. Machine output (`--json`, exports) keeps ISO 8601. Pure: the
 * moment is passed in.
 */
export function localTime(at: Date | string, tz: string): string {
  const p = wallClock(at, tz);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** `2026-12-01 14:03:27`: a log line's time, in the office's zone. */
export function localTimeWithSeconds(at: Date | string | number, tz: string): string {
  const p = wallClock(typeof at === 'number' ? new Date(at) : at, tz);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

export function localDate(at: Date | string, tz: string): string {
  const p = wallClock(at, tz);
  return `${p.year}-${p.month}-${p.day}`;
}

/**
 * Hand-written on purpose: dayjs's `tz()` builds its answer through `formatToParts` and a second parse on every
 * call, which profiled at half a millisecond per card on the callback path. One `Intl.DateTimeFormat` per zone,
 * kept, gives the same wall-clock parts. Pure: no clock read.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(at: Date | string, tz: string): WallClock {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(tz, f);
  }
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  // The parts change only from one second to the next: a moment already formatted in this second and zone is
  // answered from memory (a click logs a line and shows the same times as the click before it; formatToParts took
  // 0.031 ms a click in the in-process callback profile, BENCHMARKS.md). A few hundred entries at most, forgotten
  // all at once. Not a moment (NaN): formatToParts throws below, before anything is kept.
  const key = `${tz}\n${Math.floor(ms / 1000)}`;
  const known = recent.get(key);
  if (known) return known;
  const parts: Record<string, string> = {};
  for (const part of f.formatToParts(ms)) parts[part.type] = part.value;
  if (recent.size >= 512) recent.clear();
  recent.set(key, parts as WallClock);
  return parts as WallClock;
}

type WallClock = Readonly<Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string>>;
const recent = new Map<string, WallClock>();
