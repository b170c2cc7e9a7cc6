import type { FeishuClient } from '../../../src/bot/feishu/client.ts';
import type { SenderClock } from '../../../src/bot/sending/clock.ts';

/**
 * A clock for the sender whose sleeps are jumped over instead of waited for. Its time is the real time plus every
 * jump so far, so it never runs behind rows stamped with `new Date()`, and `onAdvance` lets the fake Feishu jump
 * with it (`fake.advance`): both then read the same time, and the fake's rate limits judge what the sender paced.
 *
 * Time only jumps while a driver runs (`run`, `until`) and no Feishu call is in flight (`track`): jumping during
 * a call would let the next call leave before the fake has counted this one. Undriven, a sleep ends in real time.
 *
 * @example
 * const clock = virtualClock({ onAdvance: (ms) => fake.advance(ms) });
 * const sender = createSender({ …, clock, feishu: clock.track(feishu) });
 * const report = await clock.run(sender.drainUntilIdle());   // seconds of pacing, milliseconds of real time
 */
export interface VirtualClock extends SenderClock {
  /** Milliseconds jumped so far: how far the clock is ahead of the real time. */
  readonly jumped: number;
  /** Jumps ahead now, ending the sleeps that fall due. */
  advance(ms: number): void;
  /** The sleeps pending, each by the milliseconds it asked for. */
  sleeping(): number[];
  /** Drives the clock until `work` settles; jumps only to sleeps due within `maxMs` (default: any). */
  run<T>(work: Promise<T>, options?: DriveOptions): Promise<T>;
  /** Drives the clock until `ready()` holds; rejects if it does not within `maxMs` of clock time. */
  until(ready: () => boolean, options?: DriveOptions): Promise<void>;
  /** The client, with its calls counted as in flight (the clock does not jump during one). */
  track(feishu: FeishuClient): FeishuClient;
}

export interface DriveOptions {
  /** Jump no further than this many ms of clock time from now. */
  maxMs?: number;
  /** Give up after this much real time (a test that hangs names why). Default 10 s. */
  realMs?: number;
}

interface Timer {
  at: number;
  ms: number;
  end(): void;
}

export function virtualClock(options: { onAdvance?: (ms: number) => void } = {}): VirtualClock {
  let jumped = 0;
  let inFlight = 0;
  const timers = new Set<Timer>();
  const now = () => Date.now() + jumped;

  const endDue = () => {
    const t = now();
    for (const timer of [...timers].sort((a, b) => a.at - b.at)) if (timer.at <= t) timer.end();
  };
  const advance = (ms: number) => {
    if (ms > 0) {
      jumped += ms;
      options.onAdvance?.(ms);
    }
    endDue();
  };

  async function drive(done: () => boolean, o: DriveOptions, what: string): Promise<void> {
    const limit = o.maxMs === undefined ? Infinity : now() + o.maxMs;
    const giveUpAt = Date.now() + (o.realMs ?? 10_000);
    while (!done()) {
      // Let callbacks and I/O that are ready run first: time moves only when the work waits on it.
      await new Promise<void>((r) => setImmediate(r));
      if (done()) return;
      const next = [...timers].reduce<Timer | null>((a, b) => (a && a.at <= b.at ? a : b), null);
      if (inFlight === 0 && next && next.at <= limit) {
        advance(next.at - now());
        continue;
      }
      if (Date.now() > giveUpAt)
        throw new Error(`virtual clock: ${what} did not happen in ${o.realMs ?? 10_000} ms`);
      await new Promise<void>((r) => setTimeout(r, 1)); // a call or a query is under way: give it real time
    }
  }

  return {
    now,
    get jumped() {
      return jumped;
    },
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const timer: Timer = {
          at: now() + Math.max(0, ms),
          ms,
          end() {
            timers.delete(timer);
            clearTimeout(fallback);
            signal?.removeEventListener('abort', timer.end);
            resolve();
          },
        };
        const fallback = setTimeout(timer.end, Math.max(0, ms));
        fallback.unref();
        timers.add(timer);
        signal?.addEventListener('abort', timer.end, { once: true });
      });
    },
    advance,
    sleeping: () => [...timers].map((t) => t.ms),
    async run(work, o = {}) {
      let settled = false;
      const mark = () => (settled = true);
      work.then(mark, mark);
      await drive(() => settled, o, 'the work');
      return work;
    },
    async until(ready, o = {}) {
      const limit = o.maxMs === undefined ? Infinity : now() + o.maxMs;
      await drive(() => ready() || now() > limit, o, 'the condition');
      if (!ready()) throw new Error(`virtual clock: the condition did not hold within ${o.maxMs} ms`);
    },
    track(feishu) {
      const tracked = { ...feishu } as Record<string, unknown>;
      for (const [key, value] of Object.entries(feishu))
        if (typeof value === 'function')
          tracked[key] = async (...args: unknown[]) => {
            inFlight++;
            try {
              return await (value as (...a: unknown[]) => Promise<unknown>).apply(feishu, args);
            } finally {
              inFlight--;
            }
          };
      return tracked as unknown as FeishuClient;
    },
  };
}
