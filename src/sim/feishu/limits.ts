/** Feishu's rate limits as the fake enforces them: sliding windows of accepted requests per key. */

export interface Limits {
  /** create + reply per app, per second (Feishu: 50). */
  appPerSecond: number;
  /** create + reply per app, per minute (Feishu: 1000). */
  appPerMinute: number;
  /** create + reply per receiving user or chat, per second (Feishu: 5). */
  perReceiverPerSecond: number;
  /** patch per message, per second (Feishu: 5). */
  patchPerMessagePerSecond: number;
}

export const FEISHU_LIMITS: Limits = {
  appPerSecond: 50,
  appPerMinute: 1000,
  perReceiverPerSecond: 5,
  patchPerMessagePerSecond: 5,
};

export interface WindowCheck {
  key: string;
  limit: number;
  windowMs: number;
}

/**
 * Counts accepted requests per key in sliding windows. `admit` either records the request in every window it
 * checks, or refuses it and says when the fullest window frees a place.
 */
export class SlidingWindows {
  private readonly hits = new Map<string, number[]>();

  admit(now: number, checks: WindowCheck[]): { ok: true } | { ok: false; resetMs: number; key: string } {
    for (const c of checks) {
      const list = this.prune(c.key, now, c.windowMs);
      if (list.length >= c.limit) {
        const oldest = list[list.length - c.limit]!;
        return { ok: false, resetMs: Math.max(1, oldest + c.windowMs - now), key: c.key };
      }
    }
    for (const c of checks) {
      const list = this.hits.get(c.key) ?? [];
      list.push(now);
      this.hits.set(c.key, list);
    }
    return { ok: true };
  }

  private prune(key: string, now: number, windowMs: number): number[] {
    const list = this.hits.get(key);
    if (!list) return [];
    let drop = 0;
    while (drop < list.length && list[drop]! <= now - windowMs) drop++;
    if (drop > 0) list.splice(0, drop);
    return list;
  }
}
