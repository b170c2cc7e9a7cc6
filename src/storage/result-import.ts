/**
 * The queries only the results import needs beside `storage/results.ts`: the saved versions of a task's results
 * (to number the versions an import writes), and the row locks that keep its one write transaction consistent
 * with chat entry and `task close` / `task void` on PostgreSQL. (SQLite write transactions are BEGIN IMMEDIATE:
 * one writer at a time, so what is read inside one cannot change before it commits.)
 */
import type { Kysely, Transaction } from 'kysely';
import type { TaskState } from '../domain/task.ts';
import { dialectOf } from './db.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The key of one department's part of one target within a task. */
export const partKey = (uscc: string, dept: string): string => `${uscc}\t${dept}`;

/**
 * The version of every saved part of a task's results, by `partKey`. Inside a transaction with `lock`, the rows
 * are locked on PostgreSQL (`FOR UPDATE`) so that a chat edit of one waits and then finds its version gone.
 */
export async function resultVersions(
  db: Db,
  taskId: string,
  opts: { lock?: boolean } = {},
): Promise<Map<string, number>> {
  let q = db.selectFrom('results').select(['uscc', 'dept', 'version']).where('task_id', '=', taskId);
  if (opts.lock && dialectOf(db) === 'postgres') q = q.forUpdate();
  const rows = await q.execute();
  return new Map(rows.map((r) => [partKey(r.uscc, r.dept), Number(r.version)]));
}

/**
 * Each task's state as it is now, its row locked on PostgreSQL (`FOR UPDATE`, in id order) until the transaction
 * ends: a concurrent close or void waits for the import, and two imports into one task run one after the other.
 */
export async function lockTasksForResults(
  trx: Transaction<Database>,
  taskIds: readonly string[],
): Promise<Map<string, { state: TaskState; voidReason: string | null }>> {
  const ids = [...new Set(taskIds)].sort();
  if (ids.length === 0) return new Map();
  let q = trx.selectFrom('tasks').select(['id', 'state', 'void_reason']).where('id', 'in', ids).orderBy('id');
  if (dialectOf(trx) === 'postgres') q = q.forUpdate();
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.id, { state: r.state as TaskState, voidReason: r.void_reason }]));
}
