import type { Clock } from '../../app.ts';

/**
 * The sender's one clock: it stamps rows, paces calls and sleeps. Tests pass a virtual one that jumps over
 * sleeps, so that pacing and back-off are checked without waiting for them.
 */
export interface SenderClock {
  /** Milliseconds since the epoch. Must move on: pacing waits for it. */
  now(): number;
  /** Resolves after `ms` of this clock's time, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The app's clock with real timers. */
export function timerClock(wall: Clock): SenderClock {
  return {
    now: () => wall().getTime(),
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms));
        signal?.addEventListener('abort', done, { once: true });
      });
    },
  };
}

/** Accepts the app's `Clock` (wrapped with real timers) or a whole `SenderClock`. */
export function senderClock(clock: Clock | SenderClock): SenderClock {
  return typeof clock === 'function' ? timerClock(clock) : clock;
}
