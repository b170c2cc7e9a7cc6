import type { Logger } from 'pino';
import type { Store } from '../../storage/db.ts';
import {
  forgetIdlePace,
  pausePace,
  reservePace,
  uncountCalls,
  type PaceWrite,
} from '../../storage/send-pace.ts';
import { RateGate, type Check } from './rate-gate.ts';
import type { SenderClock } from './clock.ts';
import { planSlot, type SlotPlan } from './slots.ts';

/**
 * Where the sender's calls get their places under Feishu's limits (docs/sending.md). Two kinds:
 * - `localGate`: this process alone counts (SQLite, one process by design): ./rate-gate.ts.
 * - `sharedGate`: every instance on one PostgreSQL reserves each call in the database (./slots.ts decides,
 *   src/storage/send-pace.ts stores), so that all of them together keep to the app's limits, a receiver's and a
 *   message's.
 */
export interface SendGate {
  /**
   * Without I/O: 0 when a call under `checks` is worth asking for now, else how many ms until it might be (what
   * this instance knows: its own count, or the waits the database told it).
   */
  ready(checks: readonly Check[], now: number): number;
  /**
   * Counts one call: when it may leave (now, or a little later: sleep until then), or how long to wait with
   * nothing counted. A call counted and then not made only costs its place.
   */
  take(checks: readonly Check[]): Promise<Taken>;
  /** A rate-limit answer: no call under `key` before `until`, on any instance. */
  pause(key: string, until: number): Promise<void>;
  /** Forgets what is no longer needed (after each pass). */
  sweep(now: number): Promise<void>;
}

export type Taken =
  /** `giveBack`: Feishu refused the call; its place in the windows is returned (Feishu did not count it). */
  { ok: true; at: number; giveBack(): Promise<void> } | { ok: false; wait: number };

/** This process's own count, for one process per database. */
export function localGate(clock: SenderClock, minuteWindowMs: number): SendGate {
  const gate = new RateGate();
  return {
    ready: (checks, now) => gate.wait(now, checks),
    // Synchronous up to the answer, so that a row found ready is counted before any other worker looks.
    take(checks) {
      const now = clock.now();
      const wait = gate.tryTake(now, checks);
      if (wait > 0) return Promise.resolve({ ok: false, wait });
      const windows = checks.filter((c) => 'windowMs' in c).map((c) => c.key);
      return Promise.resolve({
        ok: true,
        at: now,
        giveBack: async () => windows.forEach((key) => gate.refund(key)),
      });
    },
    async pause(key, until) {
      gate.pause(key, until);
    },
    async sweep(now) {
      gate.sweep(now, minuteWindowMs);
    },
  };
}

export interface SharedGateOptions {
  store: Store;
  clock: SenderClock;
  log: Logger;
  /** How far ahead a call may be reserved (beyond, it waits unreserved). Default 2 s. */
  horizonMs?: number;
  /** The longest window of any check (the minute's 60.5 s): counted calls older than that are deleted. */
  maxWindowMs: number;
  /**
   * A slot is at least this long after the moment it is decided, so that the instance has it (written, committed,
   * answered) before it comes; otherwise the first calls of a burst, decided while others queued for the lock,
   * would leave late and arrive bunched with the calls after them. Default 10 ms.
   */
  settleMs?: number;
}

/**
 * Pacing shared through the database. Every `take` is one short transaction that reserves the call's slot; a
 * wait the database answers is remembered here (a pause on that key), so that rows held back by the same key do
 * not ask again before it can have changed.
 */
export function sharedGate(options: SharedGateOptions): SendGate {
  const { store, clock, log } = options;
  const horizonMs = options.horizonMs ?? 2000;
  const settleMs = options.settleMs ?? 10;
  /** Only pauses: the waits the database told this instance. */
  const hints = new RateGate();
  let lastForget = 0;
  return {
    ready: (checks, now) => hints.wait(now, checks),
    async take(checks) {
      const asked = clock.now();
      const windows = checks.flatMap((c) =>
        'windowMs' in c ? [{ key: c.key, limit: c.limit, since: asked - c.windowMs }] : [],
      );
      const { result: plan, counted } = await reservePace(
        store,
        {
          keys: checks.map((c) => c.key),
          windows,
          // A little slack for instances whose clocks run behind this one's.
          forgetBefore: asked - options.maxWindowMs - 5000,
        },
        (read): { result: SlotPlan; write: PaceWrite | null } => {
          // The time once the keys are locked: waiting for the lock must not leave the slot in the past.
          const plan = planSlot(
            checks,
            clock.now() + settleMs,
            { pace: (key) => read.pace.get(key), kthRecent: (key) => read.kthRecent.get(key) ?? null },
            horizonMs,
          );
          if (plan.kind === 'wait') return { result: plan, write: null };
          const count = plan.counted.map((key) => ({ key, at: plan.at }));
          return { result: plan, write: { nextAt: plan.nextAt, count } };
        },
      );
      if (plan.kind === 'wait') {
        hints.pause(plan.key, clock.now() + plan.ms);
        return { ok: false, wait: plan.ms };
      }
      return { ok: true, at: plan.at, giveBack: () => uncountCalls(store.db, counted) };
    },
    async pause(key, until) {
      hints.pause(key, until);
      await pausePace(store.db, key, until);
    },
    async sweep(now) {
      hints.sweep(now, options.maxWindowMs);
      if (now - lastForget < 10_000) return;
      lastForget = now;
      try {
        await forgetIdlePace(store, now - 5000);
      } catch (err) {
        log.warn({ err }, 'could not forget idle pacing keys; tried again after the next pass');
      }
    },
  };
}

/** What became of a call's place: it has come (`go`), or the row goes back to the queue (the others). */
export type Placed = { kind: 'go'; giveBack(): Promise<void> } | { kind: 'again' | 'late' | 'stop' };

/**
 * A call that would leave more than this after its slot gives it back and asks for another: it would arrive
 * bunched with the calls after it (another instance's among them) and make a burst the limit refuses.
 */
export const LATE_MS = 20;

/**
 * Takes a place for one call and sleeps until it comes. `again`: no place yet. `late`: this process woke more
 * than `LATE_MS` after it (the place is given back; pass `lateAllowed` once that happened to the row, so that a
 * process always late still sends). `stop`: the sender stops (the place is given back).
 */
export async function awaitPlace(
  gate: SendGate,
  clock: SenderClock,
  checks: readonly Check[],
  o: { stopped(): boolean; lateAllowed: boolean },
): Promise<Placed> {
  const place = await gate.take(checks);
  if (!place.ok) return { kind: 'again' };
  const wait = place.at - clock.now();
  if (wait > 0) await clock.sleep(wait);
  if (o.stopped()) {
    await place.giveBack();
    return { kind: 'stop' };
  }
  if (!o.lateAllowed && clock.now() - place.at > LATE_MS) {
    await place.giveBack();
    return { kind: 'late' };
  }
  return { kind: 'go', giveBack: place.giveBack };
}
