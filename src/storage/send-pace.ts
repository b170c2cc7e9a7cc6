import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Store } from './db.ts';
import type { Database } from './schema.ts';

/**
 * The sender's shared pacing (migration 007, docs/sending.md): several bot instances on one PostgreSQL reserve
 * each Feishu call here, so that together they keep to the app's limits. The rule deciding a slot is the
 * sender's (src/bot/sending/slots.ts); this module reads, locks and writes.
 */

type Db = Kysely<Database> | Transaction<Database>;

export interface PaceRequest {
  /** Every key of the call: their rows are locked for the reservation. */
  keys: readonly string[];
  /** Window keys: the `limit`-th most recent call counted after `since` is read. */
  windows: readonly { key: string; limit: number; since: number }[];
  /** Counted calls before this time are deleted while the window's key is locked (nobody needs them). */
  forgetBefore: number;
}

export interface PaceRead {
  pace: Map<string, { nextAt: number; pausedUntil: number }>;
  /** Per window key: the `limit`-th most recent call after `since`, or null when fewer were counted. */
  kthRecent: Map<string, number | null>;
}

export interface PaceWrite {
  nextAt: ReadonlyMap<string, number>;
  /** Calls to count: one row each (their ids are returned, to give them back after a refusal). */
  count: readonly { key: string; at: number }[];
}

/**
 * Reserves a call: in one transaction, locks the rows of `request.keys` (creating missing ones; always in key
 * order, so that two reservations never wait on each other in a cycle), reads them and the windows, lets
 * `decide` choose, and writes what it chose. Two instances reserving at once are served one after the other, each
 * seeing what the other wrote. PostgreSQL: row locks (`INSERT … ON CONFLICT DO UPDATE` locks each row it meets);
 * SQLite: BEGIN IMMEDIATE.
 *
 * @example
 * const { result, counted } = await reservePace(store, { keys: ['send:app', 'to:open_id:ou_1'], windows: [],
 *   forgetBefore: now - 61_000 }, (read) => ({ result: 'ok', write: { nextAt: new Map([['send:app', now + 21]]), count: [] } }));
 */
export async function reservePace<T>(
  store: Store,
  request: PaceRequest,
  decide: (read: PaceRead) => { result: T; write: PaceWrite | null },
): Promise<{ result: T; counted: string[] }> {
  const keys = [...new Set(request.keys)].sort();
  return store.db.transaction().execute(async (trx) => {
    // The rows stay locked until the commit: do not make every other instance wait for a WAL flush too. Pacing
    // lost in a database crash only costs a rate-limit answer or two, which the sender backs off from.
    if (store.dialect === 'postgres') await sql`set local synchronous_commit = off`.execute(trx);
    const rows = await trx
      .insertInto('send_pace')
      .values(keys.map((key) => ({ key, next_at: 0, paused_until: 0 })))
      .onConflict((oc) => oc.column('key').doUpdateSet({ next_at: (eb) => eb.ref('send_pace.next_at') }))
      .returning(['key', 'next_at', 'paused_until'])
      .execute();
    const pace = new Map(
      rows.map((r) => [r.key, { nextAt: Number(r.next_at), pausedUntil: Number(r.paused_until) }]),
    );
    const kthRecent = new Map<string, number | null>();
    for (const w of request.windows) {
      const kth = await trx
        .selectFrom('send_calls')
        .select('at')
        .where('key', '=', w.key)
        .where('at', '>', w.since)
        .orderBy('at', 'desc')
        .limit(1)
        .offset(Math.max(0, w.limit - 1))
        .executeTakeFirst();
      kthRecent.set(w.key, kth ? Number(kth.at) : null);
    }
    const { result, write } = decide({ pace, kthRecent });
    const counted: string[] = [];
    if (write) {
      for (const [key, nextAt] of write.nextAt)
        await trx.updateTable('send_pace').set({ next_at: nextAt }).where('key', '=', key).execute();
      if (write.count.length > 0) {
        const values = write.count.map((c) => ({ id: randomUUID(), key: c.key, at: c.at }));
        await trx.insertInto('send_calls').values(values).execute();
        counted.push(...values.map((v) => v.id));
      }
    }
    if (request.windows.length > 0)
      await trx
        .deleteFrom('send_calls')
        .where(
          'key',
          'in',
          request.windows.map((w) => w.key),
        )
        .where('at', '<', request.forgetBefore)
        .execute();
    return { result, counted };
  });
}

/**
 * Holds `key` back until `until` for every instance (a rate-limit answer: Feishu's count is ahead of ours). A
 * later pause wins over an earlier one.
 */
export async function pausePace(db: Db, key: string, until: number): Promise<void> {
  await db
    .insertInto('send_pace')
    .values({ key, next_at: 0, paused_until: until })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({ paused_until: (eb) => eb.ref('excluded.paused_until') })
        .where('send_pace.paused_until', '<', until),
    )
    .execute();
}

/** Gives counted calls back (Feishu refused them, so its window does not hold them either). */
export async function uncountCalls(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .deleteFrom('send_calls')
    .where('id', 'in', [...ids])
    .execute();
}

/**
 * Forgets keys with nothing left to say at `before` (next time and pause both past): a forgotten key paces
 * exactly as one that has been idle. Rows another instance is reserving right now are skipped, not waited for.
 */
export async function forgetIdlePace(store: Store, before: number): Promise<number> {
  let idle = store.db
    .selectFrom('send_pace')
    .select('key')
    .where('next_at', '<=', before)
    .where('paused_until', '<=', before);
  if (store.dialect === 'postgres') idle = idle.forUpdate().skipLocked();
  const res = await store.db.deleteFrom('send_pace').where('key', 'in', idle).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Forgets all pacing (tests that reuse one database). */
export async function clearPace(db: Db): Promise<void> {
  await db.deleteFrom('send_calls').execute();
  await db.deleteFrom('send_pace').execute();
}

/** What is stored for `key` (tests, diagnostics). */
export async function paceOf(db: Db, key: string): Promise<{ nextAt: number; pausedUntil: number } | null> {
  const row = await db.selectFrom('send_pace').selectAll().where('key', '=', key).executeTakeFirst();
  return row ? { nextAt: Number(row.next_at), pausedUntil: Number(row.paused_until) } : null;
}

/** The times of the calls counted under `key` after `since`, oldest first (tests, diagnostics). */
export async function countedCalls(db: Db, key: string, since: number): Promise<number[]> {
  const rows = await db
    .selectFrom('send_calls')
    .select('at')
    .where('key', '=', key)
    .where('at', '>', since)
    .orderBy('at')
    .execute();
  return rows.map((r) => Number(r.at));
}
