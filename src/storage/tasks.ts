import type { Kysely, Transaction } from 'kysely';
import type { TaskDefinition, TaskState } from '../domain/task.ts';
import type { TaskStatus } from '../domain/task-lifecycle.ts';
import type { Database, TasksTable } from './schema.ts';

export interface TaskRecord {
  id: string;
  name: string;
  state: TaskState;
  definition: TaskDefinition;
  createdAt: string;
  createdBy: string;
  voidReason: string | null;
  voidedAt: string | null;
}

function toRecord(row: TasksTable): TaskRecord {
  return {
    id: row.id,
    name: row.name,
    state: row.state as TaskState,
    definition: JSON.parse(row.definition) as TaskDefinition,
    createdAt: row.created_at,
    createdBy: row.created_by,
    voidReason: row.void_reason,
    voidedAt: row.voided_at,
  };
}

export async function insertTask(
  trx: Transaction<Database>,
  task: TaskDefinition,
  at: string,
  by: string,
): Promise<void> {
  await trx
    .insertInto('tasks')
    .values({
      id: task.id,
      name: task.name,
      initiator: task.initiator,
      state: 'draft',
      definition: JSON.stringify(task),
      year: Number(task.window.start.slice(0, 4)),
      created_at: at,
      created_by: by,
      void_reason: null,
      voided_at: null,
    })
    .execute();
}

export async function getTask(db: Kysely<Database>, id: string): Promise<TaskRecord | null> {
  const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row) : null;
}

export async function listTasks(db: Kysely<Database>): Promise<TaskRecord[]> {
  const rows = await db.selectFrom('tasks').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toRecord);
}

export async function taskIdsWithPrefix(db: Kysely<Database>, prefix: string): Promise<string[]> {
  const rows = await db.selectFrom('tasks').select('id').where('id', 'like', `${prefix}%`).execute();
  return rows.map((r) => r.id);
}

/**
 * Saves a lifecycle step (`stepTask`) if the task is still in the state it was read in; false when another
 * command moved it first.
 */
export async function saveTaskState(
  trx: Transaction<Database>,
  from: TaskState,
  next: TaskStatus,
): Promise<boolean> {
  const res = await trx
    .updateTable('tasks')
    .set({ state: next.state, void_reason: next.voidReason, voided_at: next.voidedAt })
    .where('id', '=', next.id)
    .where('state', '=', from)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** The lifecycle view of a task record. */
export function taskStatus(t: TaskRecord): TaskStatus {
  return { id: t.id, state: t.state, voidReason: t.voidReason, voidedAt: t.voidedAt };
}
