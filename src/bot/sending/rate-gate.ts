/**
 * Pacing for calls to Feishu: sliding windows and evenly spaced rates per key, plus pauses after a rate-limit
 * answer. Pure bookkeeping — the caller passes `now` and does the waiting — so it is tested without timers.
 */

export type Check =
  /** At most `limit` calls in any `windowMs` (counted when taken; `refund` gives one back). */
  | { key: string; limit: number; windowMs: number; appWide?: boolean }
  /** Calls spaced at `perSecond`, no bursts (GCRA with a burst of one). */
  | { key: string; perSecond: number; appWide?: boolean };
// `appWide`: one of the app's own limits, which every call of its kind shares (`send:app`, the minute window),
// rather than one receiver's or one message's. Shared pacing (./slots.ts) never lets a receiver's limit hold the
// app's schedule back.

/**
 * @example
 * const gate = new RateGate();
 * const wait = gate.tryTake(now, [{ key: 'send:app', perSecond: 47 }]);
 * if (wait === 0) call(); else retryIn(wait);
 */
export class RateGate {
  private readonly hits = new Map<string, number[]>();
  /** Rate keys: the earliest time the next call may go. */
  private readonly nextAt = new Map<string, number>();
  private readonly pausedUntil = new Map<string, number>();

  /** 0 when the call may go now (and it is counted under every check); otherwise how many ms to wait. */
  tryTake(now: number, checks: readonly Check[]): number {
    const wait = this.wait(now, checks);
    if (wait > 0) return wait;
    this.count(now, checks);
    return 0;
  }

  /** What `tryTake` would answer, without counting anything. */
  wait(now: number, checks: readonly Check[]): number {
    let wait = 0;
    for (const c of checks) {
      const paused = this.pausedUntil.get(c.key) ?? 0;
      if (paused > now) wait = Math.max(wait, paused - now);
      if ('perSecond' in c) {
        wait = Math.max(wait, (this.nextAt.get(c.key) ?? 0) - now);
      } else {
        const list = this.hits.get(c.key);
        if (!list) continue;
        while (list.length > 0 && list[0]! <= now - c.windowMs) list.shift();
        if (list.length >= c.limit) wait = Math.max(wait, list[list.length - c.limit]! + c.windowMs - now);
      }
    }
    return wait;
  }

  private count(now: number, checks: readonly Check[]): void {
    for (const c of checks) {
      if ('perSecond' in c) {
        // A call taken a little late (timers fire late) does not push the schedule back: up to half an interval
        // of lateness is made up, so the rate holds without ever allowing a burst.
        const interval = 1000 / c.perSecond;
        this.nextAt.set(c.key, Math.max(now - interval / 2, this.nextAt.get(c.key) ?? 0) + interval);
      } else {
        const list = this.hits.get(c.key);
        if (list) list.push(now);
        else this.hits.set(c.key, [now]);
      }
    }
  }

  /** Gives back the latest call counted in a window (Feishu refused it, so it did not count there either). */
  refund(key: string): void {
    this.hits.get(key)?.pop();
  }

  /** No call under `key` goes before `until` (a later pause wins over an earlier one). */
  pause(key: string, until: number): void {
    this.pausedUntil.set(key, Math.max(until, this.pausedUntil.get(key) ?? 0));
  }

  /** Forgets keys not used for a while, so that the maps do not grow forever. */
  sweep(now: number, maxWindowMs: number): void {
    for (const [key, list] of this.hits) if ((list.at(-1) ?? 0) <= now - maxWindowMs) this.hits.delete(key);
    for (const [key, at] of this.nextAt) if (at <= now - 1000) this.nextAt.delete(key);
    for (const [key, at] of this.pausedUntil) if (at <= now) this.pausedUntil.delete(key);
  }

  /** How many keys it remembers (for tests of `sweep`). */
  get size(): number {
    return this.hits.size + this.nextAt.size + this.pausedUntil.size;
  }
}
