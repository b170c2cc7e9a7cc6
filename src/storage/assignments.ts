import { sql, type Kysely, type Transaction } from 'kysely';
import type { TaskDefinition } from '../domain/task.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** One person's place on one team of a locked task, for 我的任务 / my tasks. */
export interface MyAssignment {
  task: TaskDefinition;
  team: number;
  leader: boolean;
  /** Targets on that team. */
  targets: number;
  confirmed: boolean;
}

/**
 * The active assignments of these certificates on locked tasks, oldest task first, each with its team's target
 * count — one query, however many assignments (no count per row).
 *
 * @example const mine = await activeAssignments(db, await certNosForOpenId(db, openId))
 */
export async function activeAssignments(db: Db, certNos: readonly string[]): Promise<MyAssignment[]> {
  if (certNos.length === 0) return [];
  const rows = await db
    .selectFrom('team_members as m')
    .innerJoin('tasks as t', 't.id', 'm.task_id')
    .select((eb) => [
      'm.team_no',
      'm.leader',
      'm.confirmed_at',
      't.definition',
      eb
        .selectFrom('team_targets as tt')
        .select(sql<number>`count(*)`.as('n'))
        .whereRef('tt.task_id', '=', 'm.task_id')
        .whereRef('tt.team_no', '=', 'm.team_no')
        .as('targets'),
    ])
    .where('m.cert_no', 'in', certNos)
    .where('m.active', '=', 1)
    .where('t.state', '=', 'locked')
    .orderBy('t.created_at')
    .orderBy('t.id')
    .orderBy('m.team_no')
    .execute();
  return rows.map((r) => ({
    task: JSON.parse(r.definition) as TaskDefinition,
    team: Number(r.team_no),
    leader: Number(r.leader) === 1,
    targets: Number(r.targets ?? 0),
    confirmed: r.confirmed_at !== null,
  }));
}

/** The name of an inspector, or null. */
export async function inspectorName(db: Db, certNo: string): Promise<string | null> {
  const row = await db
    .selectFrom('inspectors')
    .select('name')
    .where('cert_no', '=', certNo)
    .executeTakeFirst();
  return row?.name ?? null;
}
