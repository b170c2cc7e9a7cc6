import { sql, type Kysely, type Transaction } from 'kysely';
import type { Store } from './db.ts';
import type { Database } from './schema.ts';

/**
 * Marks one scheduled occasion as done (`sub-remind:<request>`, `remind:<…>`, `digest:<chat>:<ISO week>`, …).
 * Returns true only the first time the key is ever claimed. Call it inside the transaction that queues the
 * occasion's outbox rows: the key and the messages commit together, so a repeated tick, a restart or a second
 * instance finds the key taken and sends nothing; a transaction that rolls back leaves the key free.
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   if (!(await claimOccasion(trx, `sub-remind:${id}`, now, instance))) return 0;
 *   await enqueueMessage(trx, reminder, now);
 *   return 1;
 * });
 */
export async function claimOccasion(
  trx: Transaction<Database>,
  key: string,
  now: Date,
  instance: string,
): Promise<boolean> {
  const res = await trx
    .insertInto('job_runs')
    .values({ key, ran_at: now.toISOString(), instance })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Keys per statement: three parameters each, well under both dialects' limits. */
const KEYS_PER_INSERT = 500;

/**
 * `claimOccasion` for many keys at once (a reminder tick claims thousands): the keys claimed now, i.e. the ones
 * never claimed before. Same rule — call it inside the transaction that queues the occasions' outbox rows.
 */
export async function claimOccasions(
  trx: Transaction<Database>,
  keys: readonly string[],
  now: Date,
  instance: string,
): Promise<Set<string>> {
  const fresh = new Set<string>();
  const ranAt = now.toISOString();
  for (let i = 0; i < keys.length; i += KEYS_PER_INSERT) {
    const rows = await trx
      .insertInto('job_runs')
      .values(keys.slice(i, i + KEYS_PER_INSERT).map((key) => ({ key, ran_at: ranAt, instance })))
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .execute();
    for (const r of rows) fresh.add(r.key);
  }
  return fresh;
}

/**
 * The PostgreSQL advisory lock the scheduler's tick runs under. liancha's advisory lock numbers:
 * 4242001 migrations (`migrate.ts`), 4242002 audit appends (`audit.ts`), 4242003 the scheduler (here).
 */
export const SCHEDULER_LOCK = 4242003;

export type Locked<T> = { ran: true; value: T } | { ran: false };

/**
 * Runs `fn` unless another instance is running scheduled work right now. On PostgreSQL a session advisory lock
 * (`pg_try_advisory_lock`, never waiting) is held on one dedicated connection while `fn` runs on the pool as
 * usual (`store.db`), and released in `finally`; when another session holds it the answer is `{ ran: false }`
 * and `fn` is not called. A session that dies (the instance crashed) releases the lock with its connection.
 * On SQLite `fn` just runs: one file has one writer at a time, and the `job_runs` keys (`claimOccasion`) keep
 * an occasion from being sent twice.
 */
export async function withSchedulerLock<T>(store: Store, fn: () => Promise<T>): Promise<Locked<T>> {
  if (store.dialect !== 'postgres') return { ran: true, value: await fn() };
  return store.db.connection().execute(async (conn) => {
    const lock = sql<{ locked: boolean }>`select pg_try_advisory_lock(${sql.lit(SCHEDULER_LOCK)}) as locked`;
    const { rows } = await lock.execute(conn);
    if (rows[0]?.locked !== true) return { ran: false } as const;
    try {
      return { ran: true, value: await fn() } as const;
    } finally {
      await sql`select pg_advisory_unlock(${sql.lit(SCHEDULER_LOCK)})`.execute(conn);
    }
  });
}

/**
 * Whether a scheduled occasion was already claimed (`claimOccasion`): a cheap look before the digest is built, so
 * that the minutes after Monday's digest do not rebuild it only to find it sent. The claim itself stays the
 * authority (two instances may both look and see it free).
 */
export async function occasionTaken(db: Kysely<Database>, key: string): Promise<boolean> {
  const row = await db.selectFrom('job_runs').select('key').where('key', '=', key).executeTakeFirst();
  return row !== undefined;
}
