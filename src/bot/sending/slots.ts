import type { Check } from './rate-gate.ts';

/**
 * Shared pacing's one rule, pure: given what the database holds for a call's keys, when may the call leave, and
 * what must be written so that the next call — from any instance — goes after it? The storage side
 * (src/storage/send-pace.ts) reads and locks the keys, asks this, and writes the answer in one transaction.
 *
 * Unlike the in-process gate, which admits a call when it is due, a shared slot is *reserved*, possibly a little
 * ahead: the instance sleeps until then. Calls are spaced exactly (`next = at + interval`, no make-up for lateness:
 * lateness in one process must not let another's call come closer), a window key counts the call at its slot,
 * and a pause (after a rate-limit answer) holds every instance back.
 */

/** One key's state as stored. Times are ms since the epoch; 0 when unset. */
export interface KeyPace {
  nextAt: number;
  pausedUntil: number;
}

/** What the database holds for the keys of one call. */
export interface PaceView {
  /** The key's state; undefined when it was never used, or forgotten (the same thing). */
  pace(key: string): KeyPace | undefined;
  /**
   * For a window check: the time of the `limit`-th most recent call counted under the key after `now - windowMs`
   * (the one that must leave the window before another call fits), or null when fewer are counted.
   */
  kthRecent(key: string): number | null;
}

export type SlotPlan =
  /** The call may leave at `at`; the rate keys' next times and the window keys to count it under. */
  | { kind: 'reserve'; at: number; nextAt: Map<string, number>; counted: string[] }
  /** Nothing reserved: `key` holds the call back; ask again in `ms`. */
  | { kind: 'wait'; ms: number; key: string };

/**
 * @param horizonMs how far ahead a slot may be reserved: beyond it the caller waits instead (a full minute window
 *   must not pin a claimed row for 40 s).
 * @example
 * planSlot(checksFor(row, limits), now, view, 2000)
 * // → { kind: 'reserve', at: now + 12.3, nextAt: Map { 'send:app' → now + 33.6, 'to:open_id:ou_1' → now + 262.3 }, counted: ['send:app:minute'] }
 */
export function planSlot(checks: readonly Check[], now: number, view: PaceView, horizonMs: number): SlotPlan {
  // The app's own limits decide when the app's next call may go; a receiver's or a message's limit may only delay
  // the call by about one app interval — more, and the app's place goes to another call instead of idling.
  let wide = { at: now, key: checks[0]?.key ?? '' };
  let narrow = { at: -Infinity, key: '' };
  let tolerance = 0;
  for (const c of checks) {
    const p = view.pace(c.key);
    let at = p?.pausedUntil ?? 0;
    if ('perSecond' in c) at = Math.max(at, p?.nextAt ?? 0);
    else {
      const kth = view.kthRecent(c.key);
      if (kth !== null) at = Math.max(at, kth + c.windowMs);
    }
    if (c.appWide) {
      if ('perSecond' in c) tolerance = Math.max(tolerance, 1000 / c.perSecond);
      if (at > wide.at) wide = { at, key: c.key };
    } else if (at > narrow.at) narrow = { at, key: c.key };
  }
  if (wide.at > now + horizonMs)
    return { kind: 'wait', ms: Math.max(1, wide.at - horizonMs - now), key: wide.key };
  // Ask again when the app's schedule, running as far ahead of the clock as now, has caught up with the key.
  if (narrow.at > wide.at + tolerance)
    return { kind: 'wait', ms: Math.max(1, narrow.at - wide.at - tolerance), key: narrow.key };
  const at = Math.max(wide.at, narrow.at);
  const nextAt = new Map<string, number>();
  const counted: string[] = [];
  for (const c of checks) {
    if ('perSecond' in c) nextAt.set(c.key, at + 1000 / c.perSecond);
    else counted.push(c.key);
  }
  return { kind: 'reserve', at, nextAt, counted };
}
