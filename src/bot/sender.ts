import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Clock } from '../app.ts';
import type { Store } from '../storage/db.ts';
import {
  nextDueAt,
  outboxCounts,
  reclaimOwnClaims,
  type OutboxHealth,
  type OutboxRow,
} from '../storage/outbox.ts';
import type { FeishuClient } from './feishu/client.ts';
import { DEFAULT_RETRY_POLICY } from './sending/backoff.ts';
import { ClaimQueue } from './sending/claims.ts';
import { senderClock, type SenderClock } from './sending/clock.ts';
import { deliver, type Delivery } from './sending/deliver.ts';
import { awaitPlace, localGate, sharedGate, type SendGate } from './sending/gate.ts';
import { checksFor, DEFAULT_SENDER_LIMITS, pauseKeyFor, type SenderLimits } from './sending/limits.ts';
import { addReports, emptyReport, type DrainReport } from './sending/report.ts';

/**
 * The sender drains the outbox into Feishu under Feishu's limits (./sending/limits.ts). Rows are claimed with a
 * lease (several instances share one outbox; a crashed instance's claims are taken over when the lease ends);
 * every send carries the row's uuid, so a retry or a take-over never posts twice (Feishu keeps uuids 1 hour and
 * every retry of a row happens well within that hour). Every call gets its place from a gate
 * (./sending/gate.ts): on PostgreSQL one shared by every instance through the database, so that several instances
 * together keep to the app's limits; on SQLite this process's own. This file is the loop: claim
 * (./sending/claims.ts), take a place, send and record (./sending/deliver.ts). See docs/sending.md.
 */

export { DEFAULT_SENDER_LIMITS, type SenderLimits } from './sending/limits.ts';
export { oversizedCard } from './sending/deliver.ts';
export type { DrainReport } from './sending/report.ts';
export type { SenderClock } from './sending/clock.ts';

export interface SenderOptions {
  store: Store;
  feishu: FeishuClient;
  /**
   * Where time comes from, for stamping rows, pacing and sleeping alike: the app's clock (with real timers) or a
   * whole `SenderClock` (tests pass a virtual one). It must move on, or pacing waits forever.
   */
  clock: Clock | SenderClock;
  log: Logger;
  /**
   * Written to `claimed_by`. A server passes one that survives its restarts (host and port), so that on start it
   * takes back what it claimed before a crash at once; default host:pid:random (a one-off `outbox flush`).
   */
  instanceId?: string;
  /** Calls in flight at once (enough for ~50/s at Feishu's latency). Default 16. */
  concurrency?: number;
  /** Rows claimed at a time. Default 100 (about two seconds of sending). */
  batchSize?: number;
  /** How long a claim holds. Default 60 s. */
  leaseMs?: number;
  /** start(): how often to look for due rows. Default 500 ms. */
  pollMs?: number;
  /** A row that still fails after this many attempts is marked failed. Default 15 (≈ 15–30 min of retries). */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt up to `maxBackoffMs`, with jitter. Default 500 ms. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  limits?: Partial<SenderLimits>;
  /**
   * Who counts the calls: `shared`, every instance on the database together (PostgreSQL: the default there), or
   * `local`, this process alone (the default on SQLite, one process by design).
   */
  pacing?: 'shared' | 'local';
}

export interface Sender {
  readonly instanceId: string;
  /** Sends everything due now; resolves when nothing is due (rows rescheduled for later stay pending). */
  drainOnce(): Promise<DrainReport>;
  /** Drains, waiting for retries, until no row is pending or in flight, or `maxWaitMs` (default 60 s) passes. */
  drainUntilIdle(options?: { maxWaitMs?: number }): Promise<DrainReport>;
  /** Takes back this instance's own claims left by a crash, then polls every `pollMs` and drains. */
  start(): void;
  /** Stops polling, hands unsent claims back, and waits for calls in flight. */
  stop(): Promise<void>;
  /** Call right after enqueueing (after the commit): drains now instead of at the next poll. */
  wake(): void;
}

/** Outbox counts for /healthz. */
export function outboxHealth(store: Store): Promise<OutboxHealth> {
  return outboxCounts(store.db);
}

/**
 * @example
 * const sender = createSender({ store: app.store, feishu, clock: app.clock, log: app.log });
 * sender.start();                 // in the bot
 * … await enqueueMessage(trx, …); // then, after the commit:
 * sender.wake();
 */
export function createSender(options: SenderOptions): Sender {
  const { store, feishu, log } = options;
  const clock = senderClock(options.clock);
  const instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const concurrency = options.concurrency ?? 16;
  const limits = { ...DEFAULT_SENDER_LIMITS, ...options.limits };
  const pacing = options.pacing ?? (store.dialect === 'postgres' ? 'shared' : 'local');
  const gate: SendGate =
    pacing === 'shared'
      ? sharedGate({ store, clock, log, maxWindowMs: limits.appMinuteWindowMs })
      : localGate(clock, limits.appMinuteWindowMs);
  const delivery: Delivery = {
    store,
    feishu,
    clock,
    log,
    instanceId,
    policy: {
      maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
      baseBackoffMs: options.baseBackoffMs ?? DEFAULT_RETRY_POLICY.baseBackoffMs,
      maxBackoffMs: options.maxBackoffMs ?? DEFAULT_RETRY_POLICY.maxBackoffMs,
    },
    // Replaced per call (it gives that call's place back).
    onRateLimited: async () => {},
  };
  const claimOptions = {
    store,
    clock,
    log,
    instanceId,
    batchSize: options.batchSize ?? 100,
    leaseMs: options.leaseMs ?? 60_000,
  };

  /** Set by stop(); every worker and loop checks it before its next step. */
  let stopped = false;

  async function runPass(): Promise<DrainReport> {
    const report = emptyReport();
    const queue = new ClaimQueue(claimOptions);
    // Fetch the tenant token before pacing starts, so that the first calls do not wait for it and then arrive
    // together. A failure here shows again, classified, on the first call.
    await feishu.warmUp().catch(() => undefined);
    const checks = (row: OutboxRow) => checksFor(row, limits, queue.targets.get(row.id)?.messageId);
    const isStopped = () => stopped;
    /** Rows whose place came when this process was too busy to send on time: the next may be late. */
    const late = new Set<string>();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (;;) {
          const row = await queue.next((r, now) => gate.ready(checks(r), now), isStopped);
          if (!row) return;
          let place;
          try {
            place = await awaitPlace(gate, clock, checks(row), {
              stopped: isStopped,
              lateAllowed: late.has(row.id),
            });
          } catch (err) {
            // The database failed us: this worker stops; the row goes back, to be handed back at the pass's end.
            log.error({ err, id: row.id }, 'outbox pacing failed');
            queue.putBack(row);
            return;
          }
          if (place.kind !== 'go') {
            queue.putBack(row);
            if (place.kind === 'stop') return;
            if (place.kind === 'late') late.add(row.id);
            continue;
          }
          const { giveBack } = place;
          const onRateLimited = async (r: OutboxRow, until: number) => {
            try {
              await gate.pause(pauseKeyFor(r), until);
              await giveBack();
            } catch (err) {
              log.warn({ err, id: r.id }, 'could not share a rate-limit pause');
            }
          };
          try {
            await deliver({ ...delivery, onRateLimited }, row, queue.targets.get(row.id), report);
          } catch (err) {
            // The database failed us: the row stays claimed and is taken up again when its lease ends.
            log.error({ err, id: row.id }, 'outbox dispatch failed');
          } finally {
            queue.done(row);
          }
        }
      }),
    );
    await queue.close();
    await gate.sweep(clock.now()).catch(() => undefined);
    return report;
  }

  const drains = coalesced(runPass, () => !stopped);

  async function drainUntilIdle(opts: { maxWaitMs?: number } = {}): Promise<DrainReport> {
    const deadline = clock.now() + (opts.maxWaitMs ?? 60_000);
    let total = emptyReport();
    for (;;) {
      total = addReports(total, await drains.run());
      const next = await nextDueAt(store.db);
      if (!next || stopped) return total;
      const left = deadline - clock.now();
      if (left <= 0) return total;
      await clock.sleep(Math.max(20, Math.min(next.getTime() - clock.now(), 250, left)));
    }
  }

  let loop: Promise<void> | null = null;
  /** Aborts the poll's sleep (wake, stop). */
  let poll: AbortController | null = null;

  async function run(): Promise<void> {
    try {
      const reclaimed = await reclaimOwnClaims(store.db, instanceId, new Date(clock.now()));
      if (reclaimed > 0) log.info({ reclaimed, instanceId }, 'took back messages claimed before a restart');
    } catch (err) {
      log.error({ err }, 'could not take back earlier claims; they are retried when their lease ends');
    }
    while (!stopped) {
      try {
        await drains.run();
      } catch (err) {
        log.error({ err }, 'outbox drain failed');
      }
      if (stopped) break;
      poll = new AbortController();
      await clock.sleep(options.pollMs ?? 500, poll.signal);
      poll = null;
    }
  }

  return {
    instanceId,
    drainOnce: () => drains.run(),
    drainUntilIdle,
    start() {
      if (loop) return;
      stopped = false;
      loop = run();
    },
    async stop() {
      stopped = true;
      poll?.abort();
      await loop;
      await drains.current();
      loop = null;
      stopped = false;
    },
    wake() {
      drains.again();
      poll?.abort();
    },
  };
}

/**
 * One drain at a time: a caller during a drain gets that drain's promise, and the drain runs another pass when
 * asked to (`again`) while it ran — rows enqueued meanwhile are not left for the next poll.
 */
function coalesced(pass: () => Promise<DrainReport>, mayRepeat: () => boolean) {
  let current: Promise<DrainReport> | null = null;
  let again = false;
  return {
    run(): Promise<DrainReport> {
      if (current) {
        again = true;
        return current;
      }
      current = (async () => {
        let total = emptyReport();
        try {
          do {
            again = false;
            total = addReports(total, await pass());
          } while (again && mayRepeat());
          return total;
        } finally {
          current = null;
        }
      })();
      return current;
    },
    again() {
      if (current) again = true;
    },
    current: () => current,
  };
}
