import { randomUUID } from 'node:crypto';
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SqlBool,
  type Transaction,
} from 'kysely';
import type { Store } from './db.ts';
import type { Database, OutboxRow } from './schema.ts';

export type { OutboxRow } from './schema.ts';

/** How Feishu addresses a receiver (`receive_id_type`). */
export type ReceiveIdType = 'open_id' | 'chat_id' | 'user_id' | 'union_id' | 'email';
export type MsgType = 'interactive' | 'text' | 'post';

/** A message to deliver. `content` is an object (stringified here) or the JSON string Feishu takes. */
export type OutboxMessage =
  | {
      kind: 'send';
      receiveIdType: ReceiveIdType;
      receiveId: string;
      msgType: MsgType;
      content: string | object;
      ref?: string | null;
    }
  | { kind: 'reply'; messageId: string; msgType: MsgType; content: string | object; ref?: string | null }
  | {
      kind: 'patch';
      /** The Feishu message to update, when it is known… */
      messageId?: string;
      /** …or the outbox row whose message is to be updated: the patch waits until that row is sent. */
      patchOf?: string;
      content: string | object;
      ref?: string | null;
    };

type Db = Kysely<Database> | Transaction<Database>;

let counter = 0;

/** The uuid Feishu deduplicates sends on (≤ 50 chars): the same for every attempt of one row, on any instance. */
export function uuidForRow(id: string): string {
  return `lc-${id}`;
}

/**
 * Queues a message. Call it inside the transaction of the change that caused it, so that the change and the
 * message commit together (or not at all); the sender delivers it afterwards.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await saveConfirmation(trx, …);
 *   await enqueueMessage(trx, { kind: 'send', receiveIdType: 'open_id', receiveId: 'ou_1', msgType: 'interactive',
 *     content: card, ref: `assignment:${task}:${team}:${certNo}` }, now);
 * });
 */
export async function enqueueMessage(db: Db, message: OutboxMessage, now: Date): Promise<OutboxRow> {
  const id = randomUUID();
  const createdAt = now.toISOString();
  const content = typeof message.content === 'string' ? message.content : JSON.stringify(message.content);
  const base = {
    id,
    seq: `${createdAt}#${(counter++ % 1e12).toString().padStart(12, '0')}#${id}`,
    ref: message.ref ?? null,
    content,
    state: 'pending' as const,
    attempts: 0,
    next_attempt_at: createdAt,
    last_error: null,
    claimed_by: null,
    lease_until: null,
    sent_message_id: null,
    created_at: createdAt,
    sent_at: null,
  };
  let row: OutboxRow;
  switch (message.kind) {
    case 'send':
      row = {
        ...base,
        kind: 'send',
        receive_id_type: message.receiveIdType,
        receive_id: message.receiveId,
        target_message_id: null,
        patch_of: null,
        msg_type: message.msgType,
        uuid: uuidForRow(id),
      };
      break;
    case 'reply':
      row = {
        ...base,
        kind: 'reply',
        receive_id_type: null,
        receive_id: null,
        target_message_id: message.messageId,
        patch_of: null,
        msg_type: message.msgType,
        uuid: uuidForRow(id),
      };
      break;
    case 'patch':
      if (!message.messageId === !message.patchOf)
        throw new Error('a patch names exactly one of messageId and patchOf');
      row = {
        ...base,
        kind: 'patch',
        receive_id_type: null,
        receive_id: null,
        target_message_id: message.messageId ?? null,
        patch_of: message.patchOf ?? null,
        msg_type: 'interactive',
        uuid: null,
      };
      break;
  }
  await db.insertInto('outbox').values(row).execute();
  return row;
}

/**
 * The newest outbox row with this `ref` (any state), e.g. to update the card sent for an assignment: patch
 * `sent_message_id` when it is set, or enqueue `{ kind: 'patch', patchOf: row.id }` while it is still on its way.
 */
export async function latestByRef(db: Db, ref: string): Promise<OutboxRow | undefined> {
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('ref', '=', ref)
    .where('kind', '!=', 'patch')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Queues an update of the card sent for `ref`: straight to its message when it was sent, or chained to the
 * outbox row when it is still pending. Returns null when nothing was ever sent for `ref`.
 */
export async function enqueuePatchByRef(
  db: Db,
  ref: string,
  card: string | object,
  now: Date,
): Promise<OutboxRow | null> {
  const original = await latestByRef(db, ref);
  if (!original) return null;
  return enqueueMessage(
    db,
    original.sent_message_id
      ? { kind: 'patch', messageId: original.sent_message_id, content: card, ref }
      : { kind: 'patch', patchOf: original.id, content: card, ref },
    now,
  );
}

/** A patch chained to a row that is neither sent nor failed waits for it. */
function notWaitingForParent(eb: ExpressionBuilder<Database, 'outbox'>): Expression<SqlBool> {
  return eb.or([
    eb('outbox.kind', '!=', 'patch'),
    eb('outbox.patch_of', 'is', null),
    eb.exists(
      eb
        .selectFrom('outbox as parent')
        .select(sql`1`.as('one'))
        .whereRef('parent.id', '=', 'outbox.patch_of')
        .where('parent.state', 'in', ['sent', 'failed']),
    ),
  ]);
}

export interface ClaimOptions {
  /** Who claims: written to `claimed_by`. */
  instanceId: string;
  now: Date;
  limit: number;
  /** How long the claim holds; after it another instance may take the row over. */
  leaseMs: number;
}

/**
 * Claims up to `limit` rows that are due — pending rows whose time has come, and rows another instance claimed
 * but whose lease ran out (it crashed) — marks them `sending` with a lease, and returns them oldest first. A patch
 * whose `patch_of` row is neither sent nor failed is not due. PostgreSQL: `FOR UPDATE SKIP LOCKED`, so concurrent
 * instances never claim the same row; SQLite: one `UPDATE … RETURNING` inside a BEGIN IMMEDIATE transaction.
 */
export async function claimDue(store: Store, options: ClaimOptions): Promise<OutboxRow[]> {
  const now = options.now.toISOString();
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs).toISOString();
  const rows = await store.db.transaction().execute(async (trx) => {
    const due = trx
      .selectFrom('outbox')
      .select('outbox.id')
      .where((eb) =>
        eb.or([
          eb.and([eb('outbox.state', '=', 'pending'), eb('outbox.next_attempt_at', '<=', now)]),
          eb.and([eb('outbox.state', '=', 'sending'), eb('outbox.lease_until', '<=', now)]),
        ]),
      )
      .where(notWaitingForParent)
      .orderBy('outbox.seq')
      .limit(options.limit);
    const claim = {
      state: 'sending' as const,
      claimed_by: options.instanceId,
      lease_until: leaseUntil,
      attempts: sql<number>`attempts + 1`,
    };
    if (store.dialect === 'postgres') {
      const ids = (await due.forUpdate().skipLocked().execute()).map((r) => r.id);
      if (ids.length === 0) return [];
      return trx.updateTable('outbox').set(claim).where('id', 'in', ids).returningAll().execute();
    }
    return trx.updateTable('outbox').set(claim).where('id', 'in', due).returningAll().execute();
  });
  return rows.map(normalize).sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
}

/** Records a delivery. Only a row still in flight changes (a late answer never undoes another outcome). */
export async function markSent(
  db: Db,
  id: string,
  messageId: string,
  now: Date,
  note?: string,
): Promise<boolean> {
  const res = await db
    .updateTable('outbox')
    .set({
      state: 'sent',
      sent_message_id: messageId,
      sent_at: now.toISOString(),
      lease_until: null,
      last_error: note ?? null,
    })
    .where('id', '=', id)
    .where('state', 'in', ['sending', 'pending'])
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Puts a row in flight back to pending, to be tried again at `nextAt`. */
export async function reschedule(
  db: Db,
  id: string,
  nextAt: Date,
  error: string,
  instanceId?: string,
): Promise<boolean> {
  let q = db
    .updateTable('outbox')
    .set({
      state: 'pending',
      next_attempt_at: nextAt.toISOString(),
      last_error: error,
      lease_until: null,
    })
    .where('id', '=', id)
    .where('state', '=', 'sending');
  if (instanceId) q = q.where('claimed_by', '=', instanceId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * Hands claimed rows back untouched (e.g. on shutdown, before they were tried): pending again, due now, and the
 * claim not counted as an attempt.
 */
export async function releaseClaims(db: Db, ids: string[], instanceId: string): Promise<number> {
  if (ids.length === 0) return 0;
  const res = await db
    .updateTable('outbox')
    .set({ state: 'pending', lease_until: null, attempts: sql<number>`attempts - 1` })
    .where('id', 'in', ids)
    .where('state', '=', 'sending')
    .where('claimed_by', '=', instanceId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * After a crash and restart: the rows this instance itself had claimed (same instance id) can be taken back at
 * once instead of after the lease — nobody else is sending them. They stay counted as attempts (a call may have
 * reached Feishu; the row's uuid keeps a second send from posting twice).
 */
export async function reclaimOwnClaims(db: Db, instanceId: string, now: Date): Promise<number> {
  const res = await db
    .updateTable('outbox')
    .set({ state: 'pending', lease_until: null, next_attempt_at: now.toISOString() })
    .where('state', '=', 'sending')
    .where('claimed_by', '=', instanceId)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** When the next waiting row becomes due (a pending row's next attempt, or a claim's lease end), or null. */
export async function nextDueAt(db: Db): Promise<Date | null> {
  const pending = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.min('next_attempt_at').as('at'))
    .where('state', '=', 'pending')
    // A patch waiting for its parent is due when the parent is: the parent's time counts.
    .where(notWaitingForParent)
    .executeTakeFirst();
  const sending = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.min('lease_until').as('at'))
    .where('state', '=', 'sending')
    .executeTakeFirst();
  const times = [pending?.at, sending?.at].filter((t): t is string => typeof t === 'string');
  if (times.length === 0) return null;
  return new Date(times.sort()[0]!);
}

/** For patches chained to another row: that row's state and sent message id. */
export async function patchTargets(
  db: Db,
  parentIds: string[],
): Promise<
  Map<string, { state: OutboxRow['state']; sentMessageId: string | null; lastError: string | null }>
> {
  const out = new Map<
    string,
    { state: OutboxRow['state']; sentMessageId: string | null; lastError: string | null }
  >();
  if (parentIds.length === 0) return out;
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'state', 'sent_message_id', 'last_error'])
    .where('id', 'in', [...new Set(parentIds)])
    .execute();
  for (const r of rows)
    out.set(r.id, { state: r.state, sentMessageId: r.sent_message_id, lastError: r.last_error });
  return out;
}

/** Gives up on a row: it stays `failed` with the reason until someone retries it (`liancha outbox --retry`). */
export async function markFailed(db: Db, id: string, reason: string, instanceId?: string): Promise<boolean> {
  let q = db
    .updateTable('outbox')
    .set({ state: 'failed', last_error: reason, lease_until: null })
    .where('id', '=', id)
    .where('state', 'in', ['sending', 'pending']);
  if (instanceId) q = q.where('claimed_by', '=', instanceId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Puts a failed row back to pending, due now, with a fresh attempt count. False when it is not failed. */
export async function retryFailed(db: Db, id: string, now: Date): Promise<boolean> {
  const res = await db
    .updateTable('outbox')
    .set({ state: 'pending', attempts: 0, next_attempt_at: now.toISOString(), claimed_by: null })
    .where('id', '=', id)
    .where('state', '=', 'failed')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function getOutboxRow(db: Db, id: string): Promise<OutboxRow | undefined> {
  const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return row && normalize(row);
}

/** Waiting rows (pending or in flight), or with `failed` the failed ones; oldest first. */
export async function listOutbox(
  db: Db,
  options: { failed?: boolean; limit?: number } = {},
): Promise<OutboxRow[]> {
  const rows = await db
    .selectFrom('outbox')
    .selectAll()
    .where('state', 'in', options.failed ? ['failed'] : ['pending', 'sending'])
    .orderBy('seq')
    .limit(options.limit ?? 1000)
    .execute();
  return rows.map(normalize);
}

/** Every message Feishu accepted (sent, replied, patched), oldest first: local mode rebuilds its chats from them. */
export async function sentRows(db: Db): Promise<OutboxRow[]> {
  const rows = await db.selectFrom('outbox').selectAll().where('state', '=', 'sent').orderBy('seq').execute();
  return rows.map(normalize);
}

/**
 * Is there a newer update of the same message, not failed? Then this one need not be sent (every patch carries
 * the whole card), and sending it after the newer one would show a stale card.
 */
export async function newerPatchExists(db: Db, row: OutboxRow, targetMessageId: string): Promise<boolean> {
  const newer = await db
    .selectFrom('outbox')
    .select('id')
    .where('kind', '=', 'patch')
    .where('seq', '>', row.seq)
    .where('state', '!=', 'failed')
    .where((eb) => {
      const sameTarget: Expression<SqlBool>[] = [
        eb('target_message_id', '=', targetMessageId),
        eb(
          'patch_of',
          'in',
          eb.selectFrom('outbox as o').select('o.id').where('o.sent_message_id', '=', targetMessageId),
        ),
      ];
      if (row.patch_of) sameTarget.push(eb('patch_of', '=', row.patch_of));
      return eb.or(sameTarget);
    })
    .limit(1)
    .executeTakeFirst();
  return newer !== undefined;
}

export interface OutboxHealth {
  pending: number;
  sending: number;
  failed: number;
  /** created_at of the oldest row still waiting, or null. */
  oldestWaitingSince: string | null;
}

/** Counts for /healthz. */
export async function outboxCounts(db: Db): Promise<OutboxHealth> {
  const rows = await db
    .selectFrom('outbox')
    .select(['state', (eb) => eb.fn.countAll<number | string | bigint>().as('n')])
    .where('state', 'in', ['pending', 'sending', 'failed'])
    .groupBy('state')
    .execute();
  const count = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
  const oldest = await db
    .selectFrom('outbox')
    .select('created_at')
    .where('state', 'in', ['pending', 'sending'])
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  return {
    pending: count('pending'),
    sending: count('sending'),
    failed: count('failed'),
    oldestWaitingSince: oldest?.created_at ?? null,
  };
}

function normalize(row: OutboxRow): OutboxRow {
  return { ...row, attempts: Number(row.attempts) };
}

/** Up to `limit` outbox ids that start with `prefix` (LIKE wildcards in it are taken literally, by removal). */
export async function outboxIdsWithPrefix(db: Db, prefix: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('outbox')
    .select('id')
    .where('id', 'like', `${prefix.replace(/[%_\\]/g, '')}%`)
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
