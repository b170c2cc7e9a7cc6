import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Result } from '../domain/result.ts';
import type { TaskState } from '../domain/task.ts';
import { dialectOf, type Store } from './db.ts';
import { Bulk, type DbValue } from './import/bulk.ts';
import type { Database, ResultsTable } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

function toResult(r: Selectable<ResultsTable>): Result {
  return {
    taskId: r.task_id,
    uscc: r.uscc,
    dept: r.dept,
    team: Number(r.team_no),
    categories: JSON.parse(r.categories) as string[],
    inspectedOn: r.inspected_on,
    methods: JSON.parse(r.methods) as string[],
    note: r.note,
    followup: r.followup,
    enteredBy: r.entered_by,
    enteredAt: r.entered_at,
    source: r.source,
    version: Number(r.version),
  };
}

function toRow(r: Result): ResultsTable {
  return {
    task_id: r.taskId,
    uscc: r.uscc,
    dept: r.dept,
    team_no: r.team,
    categories: JSON.stringify(r.categories),
    inspected_on: r.inspectedOn,
    methods: JSON.stringify(r.methods),
    note: r.note,
    followup: r.followup,
    entered_by: r.enteredBy,
    entered_at: r.enteredAt,
    source: r.source,
    version: r.version,
  };
}

/** One department's part of one target's result, or null. */
export async function getResult(
  db: Db,
  key: { taskId: string; uscc: string; dept: string },
): Promise<Result | null> {
  const row = await db
    .selectFrom('results')
    .selectAll()
    .where('task_id', '=', key.taskId)
    .where('uscc', '=', key.uscc)
    .where('dept', '=', key.dept)
    .executeTakeFirst();
  return row ? toResult(row) : null;
}

/** Every saved part of a task's results (one team's with `team`), by team, target and department. */
export async function resultsOfTask(db: Db, taskId: string, team?: number): Promise<Result[]> {
  let q = db.selectFrom('results').selectAll().where('task_id', '=', taskId);
  if (team !== undefined) q = q.where('team_no', '=', team);
  const rows = await q.orderBy('team_no').orderBy('uscc').orderBy('dept').execute();
  return rows.map(toResult);
}

/**
 * The task's state as a chat save sees it inside its transaction. On PostgreSQL the task row is share-locked
 * (`FOR SHARE`) until the transaction ends, before anything is written: a results import (which holds it
 * `FOR UPDATE`) or a close or void of the task runs wholly before or wholly after the save — without the lock,
 * the insert's foreign-key check waited on the import's lock and then deadlocked against its write of the same
 * part. (SQLite write transactions are BEGIN IMMEDIATE: one writer at a time already.)
 */
export async function taskStateForSave(
  trx: Transaction<Database>,
  taskId: string,
): Promise<{ state: TaskState; voidReason: string | null } | null> {
  let q = trx.selectFrom('tasks').select(['state', 'void_reason']).where('id', '=', taskId);
  if (dialectOf(trx) === 'postgres') q = q.forShare();
  const row = await q.executeTakeFirst();
  return row ? { state: row.state as TaskState, voidReason: row.void_reason } : null;
}

/**
 * Saves a result entered in chat: inserted when `readVersion` is null and none exists yet, otherwise replaced only
 * if it is still the version read. False when someone else saved first (the caller shows the current card).
 */
export async function saveResult(
  trx: Transaction<Database>,
  next: Result,
  readVersion: number | null,
): Promise<boolean> {
  if (readVersion === null) {
    const res = await trx
      .insertInto('results')
      .values(toRow(next))
      .onConflict((oc) => oc.columns(['task_id', 'uscc', 'dept']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }
  const { task_id, uscc, dept, ...rest } = toRow(next);
  const res = await trx
    .updateTable('results')
    .set(rest)
    .where('task_id', '=', task_id)
    .where('uscc', '=', uscc)
    .where('dept', '=', dept)
    .where('version', '=', readVersion)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** The columns of `results` in the order `resultParams` gives them. */
const RESULT_COLUMNS = [
  'task_id',
  'uscc',
  'dept',
  'team_no',
  'categories',
  'inspected_on',
  'methods',
  'note',
  'followup',
  'entered_by',
  'entered_at',
  'source',
  'version',
] as const;

/** One result as the bound parameters of a `results` row, in `RESULT_COLUMNS` order. */
const resultParams = (r: Result): DbValue[] => [
  r.taskId,
  r.uscc,
  r.dept,
  r.team,
  JSON.stringify(r.categories),
  r.inspectedOn,
  JSON.stringify(r.methods),
  r.note,
  r.followup,
  r.enteredBy,
  r.enteredAt,
  r.source,
  r.version,
];

/**
 * Writes many results at once (an import): new ones inserted, existing ones replaced with their version bumped.
 * `rows` carry the version they will have. Inside the caller's transaction, through `Bulk.write` as the directory
 * imports write: one prepared single-row upsert on SQLite (0.39 s for 100,000 parts against 0.55 s with kysely's
 * 500-row statements, measured 2026-12-01), multi-row statements on PostgreSQL.
 */
export async function upsertResults(
  trx: Transaction<Database>,
  store: Store,
  rows: readonly Result[],
): Promise<void> {
  await new Bulk(trx, store).write(
    'upsert:results',
    rows.map(resultParams),
    RESULT_COLUMNS.length,
    upsertStatement(trx),
  );
}

/** The upsert of n parts, `RESULT_COLUMNS` row after row: every column but the key replaced on conflict. */
const upsertStatement = (trx: Transaction<Database>) => (n: number) =>
  (trx as unknown as Kysely<Record<string, Record<string, DbValue>>>)
    .insertInto('results')
    .values(Array.from({ length: n }, () => Object.fromEntries(RESULT_COLUMNS.map((c) => [c, '']))))
    .onConflict((oc) =>
      oc
        .columns(['task_id', 'uscc', 'dept'])
        .doUpdateSet((eb) =>
          Object.fromEntries(
            RESULT_COLUMNS.filter((c) => c !== 'task_id' && c !== 'uscc' && c !== 'dept').map((c) => [
              c,
              eb.ref(`excluded.${c}`),
            ]),
          ),
        ),
    );

/** A part as an import gives it: its cells, checked (who and when are the import's). */
export type ImportedPart = Omit<Result, 'enteredBy' | 'enteredAt' | 'source' | 'version'>;

/**
 * `upsertResults` for an import's parts (source `import`), each with the version it will have, without a
 * `Result` object per part: their parameters are built straight from the parts, and category or method lists
 * that parts share (an import's rows do) are serialised once. (A RETURNING clause numbering the versions in the
 * upsert itself, instead of the caller reading them first, made SQLite's writes twice as slow: 0.8 s against
 * 0.37 s for 100,000 new parts, measured 2026-12-02.)
 */
export async function writeImportedResults(
  trx: Transaction<Database>,
  store: Store,
  parts: readonly ImportedPart[],
  versions: readonly number[],
  entered: { by: string; at: string },
): Promise<void> {
  const json = new Map<readonly string[], string>();
  const toJson = (list: readonly string[]) => {
    let text = json.get(list);
    if (text === undefined) json.set(list, (text = JSON.stringify(list)));
    return text;
  };
  const params = parts.map((r, i): DbValue[] => [
    r.taskId,
    r.uscc,
    r.dept,
    r.team,
    toJson(r.categories),
    r.inspectedOn,
    toJson(r.methods),
    r.note,
    r.followup,
    entered.by,
    entered.at,
    'import',
    versions[i]!,
  ]);
  await new Bulk(trx, store).write('upsert:results', params, RESULT_COLUMNS.length, upsertStatement(trx));
}

/** When a task was closed, and the reason when it was forced with results missing (the state is saved by moveTask). */
export async function recordTaskClose(
  trx: Transaction<Database>,
  taskId: string,
  at: string,
  reason: string | null,
): Promise<void> {
  await trx
    .updateTable('tasks')
    .set({ closed_at: at, close_reason: reason })
    .where('id', '=', taskId)
    .execute();
}
