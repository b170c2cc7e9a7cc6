import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Result } from '../domain/result.ts';
import type { Database, ResultsTable } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Rows per multi-row statement: well under SQLite's bound-parameter limit (14 columns each). */
const BATCH = 500;

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

/**
 * Writes many results at once (an import): new ones inserted, existing ones replaced with their version bumped.
 * `rows` carry the version they will have. Batched multi-row upserts, inside the caller's transaction.
 */
export async function upsertResults(trx: Transaction<Database>, rows: readonly Result[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await trx
      .insertInto('results')
      .values(rows.slice(i, i + BATCH).map(toRow))
      .onConflict((oc) =>
        oc.columns(['task_id', 'uscc', 'dept']).doUpdateSet((eb) => ({
          team_no: eb.ref('excluded.team_no'),
          categories: eb.ref('excluded.categories'),
          inspected_on: eb.ref('excluded.inspected_on'),
          methods: eb.ref('excluded.methods'),
          note: eb.ref('excluded.note'),
          followup: eb.ref('excluded.followup'),
          entered_by: eb.ref('excluded.entered_by'),
          entered_at: eb.ref('excluded.entered_at'),
          source: eb.ref('excluded.source'),
          version: eb.ref('excluded.version'),
        })),
      )
      .execute();
  }
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
