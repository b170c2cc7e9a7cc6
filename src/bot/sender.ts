import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Clock } from '../app.ts';
import type { Store } from '../storage/db.ts';
import {
  claimDue,
  markFailed,
  markSent,
  newerPatchExists,
  nextDueAt,
  outboxCounts,
  patchTargets,
  reclaimOwnClaims,
  releaseClaims,
  reschedule,
  type OutboxHealth,
  type OutboxRow,
  type ReceiveIdType,
} from '../storage/outbox.ts';
import { MAX_CARD_BYTES, requestBytes } from '../cards/limits.ts';
import type { FeishuClient, SendResult } from './feishu/client.ts';

/**
 * The sender drains the outbox into Feishu under Feishu's limits: ≤ 50 sends per second and 1000 per minute per
 * app, ≤ 5 per second per receiving user or chat, ≤ 5 updates per second per message. Rows are claimed with a
 * lease (several instances share one outbox; a crashed instance's claims are taken over when the lease ends);
 * every send carries the row's uuid, so a retry or a take-over never posts twice (Feishu keeps uuids 1 hour and
 * every retry of a row happens well within that hour).
 */

/**
 * The sender's own pacing. Calls are spaced evenly (a rate with a burst of one) rather than sent in bursts that
 * fill a window: Feishu counts calls when they arrive, and a burst held up on the way (a token fetch, a busy event
 * loop) would arrive together with the next second's calls.
 */
export interface SenderLimits {
  /** Sends (create + reply) per second per app. Feishu allows 50: stay under it. */
  appPerSecond: number;
  /** Sends per minute per app (Feishu: 1000), counted over `appMinuteWindowMs`. */
  appPerMinute: number;
  appMinuteWindowMs: number;
  /** Sends per second to one user or chat (Feishu: 5; spaced at 4 so that a late call never makes 6 in Feishu's second). */
  perReceiverPerSecond: number;
  /** Updates per second of one message (Feishu: 5). */
  perMessagePerSecond: number;
  /** Updates per second per app. */
  patchesPerSecond: number;
}

export const DEFAULT_SENDER_LIMITS: SenderLimits = {
  appPerSecond: 47,
  appPerMinute: 1000,
  appMinuteWindowMs: 60_500,
  perReceiverPerSecond: 4,
  perMessagePerSecond: 4,
  patchesPerSecond: 47,
};

export interface SenderOptions {
  store: Store;
  feishu: FeishuClient;
  clock: Clock;
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
}

export interface DrainReport {
  sent: number;
  failed: number;
  /** Rescheduled after a transient failure. */
  retried: number;
  /** Of the retried: refused by a rate limit. */
  rateLimited: number;
  /** Updates not sent because a newer update of the same card follows. */
  superseded: number;
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

/** Why a card cannot be sent (its request body is over Feishu's 30 KB), or null. */
export function oversizedCard(row: OutboxRow): string | null {
  if (row.msg_type !== 'interactive') return null;
  const bytes = requestBytes(row.content);
  return bytes > MAX_CARD_BYTES
    ? `card too large: the request would be ${bytes} bytes, Feishu accepts ${MAX_CARD_BYTES} (230025); not sent`
    : null;
}

/** Outbox counts for /healthz. */
export function outboxHealth(store: Store): Promise<OutboxHealth> {
  return outboxCounts(store.db);
}

type Check =
  /** At most `limit` calls in any `windowMs` (counted when taken; `refund` gives one back). */
  | { key: string; limit: number; windowMs: number }
  /** Calls spaced at `perSecond`, no bursts (GCRA with a burst of one). */
  | { key: string; perSecond: number };

/** The sender's pacing: sliding windows and evenly spaced rates per key, plus pauses after a rate-limit answer. */
class Gate {
  private readonly hits = new Map<string, number[]>();
  /** Rate keys: the earliest time the next call may go. */
  private readonly nextAt = new Map<string, number>();
  private readonly pausedUntil = new Map<string, number>();

  /** 0 when the call may go now (and it is counted everywhere); otherwise how many ms to wait. */
  tryTake(now: number, checks: Check[]): number {
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
    if (wait > 0) return wait;
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
    return 0;
  }

  /** Gives back the latest call counted in a window (Feishu refused it, so it did not count there either). */
  refund(key: string): void {
    this.hits.get(key)?.pop();
  }

  pause(key: string, until: number): void {
    this.pausedUntil.set(key, Math.max(until, this.pausedUntil.get(key) ?? 0));
  }

  /** Forgets keys not used for a while, so that the maps do not grow forever. */
  sweep(now: number, maxWindowMs: number): void {
    for (const [key, list] of this.hits) if ((list.at(-1) ?? 0) <= now - maxWindowMs) this.hits.delete(key);
    for (const [key, at] of this.nextAt) if (at <= now - 1000) this.nextAt.delete(key);
    for (const [key, at] of this.pausedUntil) if (at <= now) this.pausedUntil.delete(key);
  }
}

interface Pass {
  queue: OutboxRow[];
  /** patch row id → the message it updates (null: the row it was chained to failed). */
  targets: Map<string, { messageId: string | null; why?: string }>;
  exhausted: boolean;
  refilling: Promise<void> | null;
  report: DrainReport;
}

const MINUTE_KEY = 'send:app:minute';
const emptyReport = (): DrainReport => ({ sent: 0, failed: 0, retried: 0, rateLimited: 0, superseded: 0 });
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * @example
 * const sender = createSender({ store: app.store, feishu, clock: app.clock, log: app.log });
 * sender.start();                 // in the bot
 * … await enqueueMessage(trx, …); // then, after the commit:
 * sender.wake();
 */
export function createSender(options: SenderOptions): Sender {
  const { store, feishu, clock, log } = options;
  const instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const concurrency = options.concurrency ?? 16;
  const batchSize = options.batchSize ?? 100;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollMs = options.pollMs ?? 500;
  const maxAttempts = options.maxAttempts ?? 15;
  const baseBackoffMs = options.baseBackoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 300_000;
  const limits = { ...DEFAULT_SENDER_LIMITS, ...options.limits };
  const gate = new Gate();

  let stopped = false;
  let current: Promise<DrainReport> | null = null;
  let again = false;
  let loop: Promise<void> | null = null;
  let wakeUp: (() => void) | null = null;

  const receiverKey = (row: OutboxRow) =>
    row.kind === 'send' ? `to:${row.receive_id_type}:${row.receive_id}` : `to:reply:${row.target_message_id}`;

  function checksFor(row: OutboxRow, pass: Pass): Check[] {
    if (row.kind === 'patch') {
      const target = pass.targets.get(row.id)?.messageId ?? row.target_message_id ?? row.id;
      return [
        { key: 'patch:app', perSecond: limits.patchesPerSecond },
        { key: `msg:${target}`, perSecond: limits.perMessagePerSecond },
      ];
    }
    return [
      { key: 'send:app', perSecond: limits.appPerSecond },
      { key: MINUTE_KEY, limit: limits.appPerMinute, windowMs: limits.appMinuteWindowMs },
      { key: receiverKey(row), perSecond: limits.perReceiverPerSecond },
    ];
  }

  async function refill(pass: Pass): Promise<void> {
    const rows = await claimDue(store, {
      instanceId,
      now: clock(),
      limit: batchSize - pass.queue.length,
      leaseMs,
    });
    if (rows.length === 0) {
      pass.exhausted = true;
      return;
    }
    const chained = rows.filter((r) => r.kind === 'patch' && r.patch_of);
    const parents = await patchTargets(
      store.db,
      chained.map((r) => r.patch_of!),
    );
    for (const r of chained) {
      const parent = parents.get(r.patch_of!);
      pass.targets.set(
        r.id,
        parent?.sentMessageId
          ? { messageId: parent.sentMessageId }
          : {
              messageId: null,
              why: `the message to update was never sent (${parent?.lastError ?? 'unknown'})`,
            },
      );
    }
    pass.queue.push(...rows);
  }

  /** The next row whose limits allow a call now; null when the pass is over. */
  async function nextRow(pass: Pass): Promise<OutboxRow | null> {
    for (;;) {
      if (stopped) return null;
      if (pass.queue.length < batchSize / 2 && !pass.exhausted && !pass.refilling)
        pass.refilling = refill(pass)
          .catch((err: unknown) => {
            // The database failed us: end this pass; the next one claims again.
            log.error({ err }, 'outbox claim failed');
            pass.exhausted = true;
          })
          .finally(() => (pass.refilling = null));
      if (pass.queue.length === 0) {
        if (pass.refilling) {
          await pass.refilling;
          continue;
        }
        if (pass.exhausted) return null;
        continue;
      }
      const now = performance.now();
      let wait = Infinity;
      for (let i = 0; i < pass.queue.length; i++) {
        const row = pass.queue[i]!;
        const w = gate.tryTake(now, checksFor(row, pass));
        if (w === 0) {
          pass.queue.splice(i, 1);
          return row;
        }
        wait = Math.min(wait, w);
      }
      await sleep(Math.min(Math.max(Math.ceil(wait), 1), 100));
    }
  }

  function backoff(attempts: number): number {
    const exp = Math.min(maxBackoffMs, baseBackoffMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(exp * (0.5 + Math.random() / 2));
  }

  async function call(row: OutboxRow, pass: Pass): Promise<SendResult | 'done'> {
    switch (row.kind) {
      case 'send':
        return feishu.sendMessage(
          row.receive_id_type as ReceiveIdType,
          row.receive_id!,
          row.msg_type,
          row.content,
          row.uuid ?? undefined,
        );
      case 'reply':
        return feishu.replyMessage(row.target_message_id!, row.msg_type, row.content, row.uuid ?? undefined);
      case 'patch': {
        const chained = pass.targets.get(row.id);
        const target = row.target_message_id ?? chained?.messageId ?? null;
        if (!target) {
          if (await markFailed(store.db, row.id, chained?.why ?? 'nothing to update', instanceId))
            pass.report.failed++;
          return 'done';
        }
        if (await newerPatchExists(store.db, row, target)) {
          if (
            await markSent(store.db, row.id, target, clock(), 'superseded by a newer update of the same card')
          )
            pass.report.superseded++;
          return 'done';
        }
        return feishu.patchCard(target, row.content);
      }
    }
  }

  async function dispatch(row: OutboxRow, pass: Pass): Promise<void> {
    if (row.lease_until && clock().getTime() >= Date.parse(row.lease_until) - 1000) {
      log.warn({ id: row.id }, 'outbox claim expired before it was sent: left for the next claim');
      return;
    }
    const tooLarge = oversizedCard(row);
    if (tooLarge) {
      // Feishu would refuse it (230025) on every attempt: fail it now, with the reason, for `outbox --failed`.
      if (await markFailed(store.db, row.id, tooLarge, instanceId)) pass.report.failed++;
      log.error({ id: row.id, kind: row.kind, ref: row.ref, reason: tooLarge }, 'outbox message failed');
      return;
    }
    const result = await call(row, pass);
    if (result === 'done') return;
    const now = clock();
    if (result.kind === 'ok') {
      if (await markSent(store.db, row.id, result.messageId, now)) pass.report.sent++;
      log.debug(
        { id: row.id, kind: row.kind, ref: row.ref, messageId: result.messageId },
        'outbox message delivered',
      );
      return;
    }
    if (result.kind === 'permanent') {
      if (await markFailed(store.db, row.id, result.reason, instanceId)) pass.report.failed++;
      log.warn(
        { id: row.id, kind: row.kind, ref: row.ref, code: result.code, reason: result.reason },
        'outbox message failed',
      );
      return;
    }
    if (row.attempts >= maxAttempts) {
      const reason = `gave up after ${row.attempts} attempts: ${result.reason}`;
      if (await markFailed(store.db, row.id, reason, instanceId)) pass.report.failed++;
      log.warn({ id: row.id, kind: row.kind, ref: row.ref, reason }, 'outbox message failed');
      return;
    }
    if (result.rateLimited) {
      // Someone (another instance, or Feishu's own accounting) is over the limit: hold this kind of call back.
      const until = performance.now() + (result.retryAfterMs ?? 1000);
      gate.pause(row.kind === 'patch' ? 'patch:app' : 'send:app', until);
      if (row.kind !== 'patch') gate.refund(MINUTE_KEY);
      pass.report.rateLimited++;
    }
    const delay = Math.max(result.retryAfterMs ?? 0, backoff(row.attempts));
    if (await reschedule(store.db, row.id, new Date(now.getTime() + delay), result.reason, instanceId))
      pass.report.retried++;
    log.info(
      { id: row.id, kind: row.kind, attempts: row.attempts, delayMs: delay, reason: result.reason },
      'outbox message will be retried',
    );
  }

  async function runPass(): Promise<DrainReport> {
    const pass: Pass = {
      queue: [],
      targets: new Map(),
      exhausted: false,
      refilling: null,
      report: emptyReport(),
    };
    // Fetch the tenant token before pacing starts, so that the first calls do not wait for it and then arrive
    // together. A failure here shows again, classified, on the first call.
    await feishu.warmUp().catch(() => undefined);
    {
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let row = await nextRow(pass); row; row = await nextRow(pass)) {
            try {
              await dispatch(row, pass);
            } catch (err) {
              // The database failed us: the row stays claimed and is taken up again when its lease ends.
              log.error({ err, id: row.id }, 'outbox dispatch failed');
            }
          }
        }),
      );
      if (pass.refilling) await pass.refilling;
      if (pass.queue.length > 0) {
        await releaseClaims(
          store.db,
          pass.queue.map((r) => r.id),
          instanceId,
        );
        pass.queue.length = 0;
      }
      gate.sweep(performance.now(), limits.appMinuteWindowMs);
      return pass.report;
    }
  }

  const add = (a: DrainReport, b: DrainReport): DrainReport => ({
    sent: a.sent + b.sent,
    failed: a.failed + b.failed,
    retried: a.retried + b.retried,
    rateLimited: a.rateLimited + b.rateLimited,
    superseded: a.superseded + b.superseded,
  });

  function drainOnce(): Promise<DrainReport> {
    if (current) {
      again = true;
      return current;
    }
    current = (async () => {
      let total = emptyReport();
      try {
        do {
          again = false;
          total = add(total, await runPass());
        } while (again && !stopped);
        return total;
      } finally {
        current = null;
      }
    })();
    return current;
  }

  async function drainUntilIdle(opts: { maxWaitMs?: number } = {}): Promise<DrainReport> {
    const deadline = performance.now() + (opts.maxWaitMs ?? 60_000);
    let total = emptyReport();
    for (;;) {
      total = add(total, await drainOnce());
      const next = await nextDueAt(store.db);
      if (!next || stopped) return total;
      const left = deadline - performance.now();
      if (left <= 0) return total;
      await sleep(Math.max(20, Math.min(next.getTime() - clock().getTime(), 250, left)));
    }
  }

  return {
    instanceId,
    drainOnce,
    drainUntilIdle,
    start() {
      if (loop) return;
      stopped = false;
      loop = (async () => {
        try {
          const reclaimed = await reclaimOwnClaims(store.db, instanceId, clock());
          if (reclaimed > 0)
            log.info({ reclaimed, instanceId }, 'took back messages claimed before a restart');
        } catch (err) {
          log.error({ err }, 'could not take back earlier claims; they are retried when their lease ends');
        }
        while (!stopped) {
          try {
            await drainOnce();
          } catch (err) {
            log.error({ err }, 'outbox drain failed');
          }
          if (stopped) break;
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, pollMs);
            wakeUp = () => {
              clearTimeout(t);
              resolve();
            };
          });
          wakeUp = null;
        }
      })();
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
      await current;
      loop = null;
      stopped = false;
    },
    wake() {
      if (current) again = true;
      wakeUp?.();
    },
  };
}
