import type { Logger } from 'pino';
import { MAX_CARD_BYTES, requestBytes } from '../../cards/limits.ts';
import type { Store } from '../../storage/db.ts';
import {
  markFailed,
  markSent,
  newerPatchExists,
  reschedule,
  type OutboxRow,
  type ReceiveIdType,
} from '../../storage/outbox.ts';
import type { FeishuClient, SendResult } from '../feishu/client.ts';
import { nextStep, type RetryPolicy, type Step } from './backoff.ts';
import type { PatchTarget } from './claims.ts';
import type { SenderClock } from './clock.ts';
import type { DrainReport } from './report.ts';

/**
 * Everything one delivery needs; `onRateLimited` lets the caller hold back calls of the same kind (and give the
 * refused call's place back).
 */
export interface Delivery {
  store: Store;
  feishu: FeishuClient;
  clock: SenderClock;
  log: Logger;
  instanceId: string;
  policy: RetryPolicy;
  onRateLimited(row: OutboxRow, until: number): Promise<void>;
}

/** Why a card cannot be sent (its request body is over Feishu's 30 KB), or null. */
export function oversizedCard(row: OutboxRow): string | null {
  if (row.msg_type !== 'interactive') return null;
  const bytes = requestBytes(row.content);
  return bytes > MAX_CARD_BYTES
    ? `card too large: the request would be ${bytes} bytes, Feishu accepts ${MAX_CARD_BYTES} (230025); not sent`
    : null;
}

/**
 * Sends one claimed row and records what became of it (sent, rescheduled, failed), counting it in `report`.
 * Only a row still claimed by this instance changes, so a late answer never undoes another instance's work.
 */
export async function deliver(
  d: Delivery,
  row: OutboxRow,
  chained: PatchTarget | undefined,
  report: DrainReport,
): Promise<void> {
  if (row.lease_until && d.clock.now() >= Date.parse(row.lease_until) - 1000) {
    d.log.warn({ id: row.id }, 'outbox claim expired before it was sent: left for the next claim');
    return;
  }
  const tooLarge = oversizedCard(row);
  if (tooLarge) {
    // Feishu would refuse it (230025) on every attempt: fail it now, with the reason, for `outbox --failed`.
    if (await markFailed(d.store.db, row.id, tooLarge, d.instanceId)) report.failed++;
    d.log.error({ id: row.id, kind: row.kind, ref: row.ref, reason: tooLarge }, 'outbox message failed');
    return;
  }
  const result = await call(d, row, chained, report);
  if (result === 'done') return;
  await record(d, row, nextStep(result, row.attempts, d.clock.now(), d.policy), report);
}

/** The Feishu call for the row, or 'done' when a patch needed none (nothing to update, or superseded). */
async function call(
  d: Delivery,
  row: OutboxRow,
  chained: PatchTarget | undefined,
  report: DrainReport,
): Promise<SendResult | 'done'> {
  const uuid = row.uuid ?? undefined;
  switch (row.kind) {
    case 'send':
      return d.feishu.sendMessage(
        row.receive_id_type as ReceiveIdType,
        row.receive_id!,
        row.msg_type,
        row.content,
        uuid,
      );
    case 'reply':
      return d.feishu.replyMessage(row.target_message_id!, row.msg_type, row.content, uuid);
    case 'patch': {
      const target = row.target_message_id ?? chained?.messageId ?? null;
      if (!target) {
        if (await markFailed(d.store.db, row.id, chained?.why ?? 'nothing to update', d.instanceId))
          report.failed++;
        return 'done';
      }
      if (await newerPatchExists(d.store.db, row, target)) {
        const note = 'superseded by a newer update of the same card';
        if (await markSent(d.store.db, row.id, target, new Date(d.clock.now()), note)) report.superseded++;
        return 'done';
      }
      return d.feishu.patchCard(target, row.content);
    }
  }
}

async function record(d: Delivery, row: OutboxRow, step: Step, report: DrainReport): Promise<void> {
  const { db } = d.store;
  const about = { id: row.id, kind: row.kind, ref: row.ref };
  switch (step.kind) {
    case 'sent':
      if (await markSent(db, row.id, step.messageId, new Date(d.clock.now()))) report.sent++;
      d.log.debug({ ...about, messageId: step.messageId }, 'outbox message delivered');
      return;
    case 'failed':
      if (await markFailed(db, row.id, step.reason, d.instanceId)) report.failed++;
      d.log.warn({ ...about, code: step.code, reason: step.reason }, 'outbox message failed');
      return;
    case 'retry':
      if (step.pauseUntil !== undefined) {
        // Someone (another instance, or Feishu's own accounting) is over the limit: hold this kind of call back.
        await d.onRateLimited(row, step.pauseUntil);
        report.rateLimited++;
      }
      if (await reschedule(db, row.id, new Date(step.at), step.reason, d.instanceId)) report.retried++;
      d.log.info(
        { id: row.id, kind: row.kind, attempts: row.attempts, delayMs: step.delayMs, reason: step.reason },
        'outbox message will be retried',
      );
  }
}
