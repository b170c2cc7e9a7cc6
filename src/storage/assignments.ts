import { sql, type Kysely, type Transaction } from 'kysely';
import type { Assignment } from '../domain/assignment.ts';
import type { TaskDefinition, TaskState } from '../domain/task.ts';
import { prepared } from './prepared.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** One person's place on one team of a locked task, for 我的任务 / my tasks. */
export interface MyAssignment {
  task: TaskDefinition;
  team: number;
  /** The certificate this place is held under (a person normally has one). */
  certNo: string;
  /** The department this place is held for. */
  dept: string;
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
      'm.cert_no',
      'm.dept',
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
    certNo: r.cert_no,
    dept: r.dept,
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

/** One member row with its task's state, for the confirmation rule; null when there is no such member. */
export async function getAssignment(
  db: Db,
  key: { taskId: string; team: number; certNo: string },
): Promise<Assignment | null> {
  const row = await db
    .selectFrom('team_members as m')
    .innerJoin('tasks as t', 't.id', 'm.task_id')
    .select(['m.active', 'm.confirmed_at', 'm.confirmed_by', 'm.version', 't.state', 't.void_reason'])
    .where('m.task_id', '=', key.taskId)
    .where('m.team_no', '=', key.team)
    .where('m.cert_no', '=', key.certNo)
    .orderBy('m.active', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  return {
    ...key,
    taskState: row.state as TaskState,
    voidReason: row.void_reason,
    active: Number(row.active) === 1,
    confirmedAt: row.confirmed_at,
    confirmedBy: row.confirmed_by,
    version: Number(row.version),
  };
}

/** What a click on 确认 needs to know, read in one statement: see `assignmentAsClicked`. */
export interface ClickedAssignment {
  assignment: Assignment;
  /** The clicking open_id is this member: imported with it, or with a mobile/e-mail that resolved to it. */
  byAssignee: boolean;
  /** The task's definition (written once, when the task is created), for the card the click answers with. */
  definition: TaskDefinition;
}

/**
 * The member row with its task's state (as `getAssignment`), whether `openId` is that member (what
 * `certNosForOpenId(openId).includes(certNo)` says, asked of this one inspector by primary key instead of scanning
 * for every certificate of the open_id) and the task's definition — one statement instead of three on every click;
 * null when there is no such member.
 *
 * @example const read = await assignmentAsClicked(db, { taskId, team: 1, certNo }, operatorOpenId)
 */
export async function assignmentAsClicked(
  db: Db,
  key: { taskId: string; team: number; certNo: string },
  openId: string,
): Promise<ClickedAssignment | null> {
  const { rows } = await clickedAssignment.run(db, { ...key, openId });
  const row = rows[0];
  if (!row) return null;
  return {
    assignment: {
      ...key,
      taskState: row.state as TaskState,
      voidReason: row.void_reason,
      active: Number(row.active) === 1,
      confirmedAt: row.confirmed_at,
      confirmedBy: row.confirmed_by,
      version: Number(row.version),
    },
    // 1 on SQLite, true on PostgreSQL.
    byAssignee: row.by_assignee === true || Number(row.by_assignee) === 1,
    definition: JSON.parse(row.definition) as TaskDefinition,
  };
}

const clickedAssignment = prepared(
  (db, p: { taskId: string; team: number; certNo: string; openId: string }) =>
    db
      .selectFrom('team_members as m')
      .innerJoin('tasks as t', 't.id', 'm.task_id')
      .select((eb) => [
        'm.active',
        'm.confirmed_at',
        'm.confirmed_by',
        'm.version',
        't.state',
        't.void_reason',
        't.definition',
        eb
          .exists(
            eb
              .selectFrom('inspectors as i')
              .select(sql<number>`1`.as('one'))
              .whereRef('i.cert_no', '=', 'm.cert_no')
              .where((w) =>
                w.or([
                  w('i.open_id', '=', p.openId),
                  // `mobile in (resolved identities of the open_id)`, as certNosForOpenId, by the identities' key.
                  w.exists(
                    w
                      .selectFrom('identities as d')
                      .select(sql<number>`1`.as('one'))
                      .whereRef('d.raw', '=', 'i.mobile')
                      .where('d.open_id', '=', p.openId)
                      .where('d.status', '=', 'resolved'),
                  ),
                ]),
              ),
          )
          .as('by_assignee'),
      ])
      .where('m.task_id', '=', p.taskId)
      .where('m.team_no', '=', p.team)
      // The key is team_members' primary key: one row at most, so neither ORDER BY nor LIMIT. The `order by
      // m.active desc limit ?` this had cost SQLite 15 µs on every click (measured: 21 µs a call with them, 5.5 µs
      // without; a bound `limit ?` alone was as slow).
      .where('m.cert_no', '=', p.certNo),
);

/**
 * Saves a confirmation if the row is still the version it was read at and unconfirmed; false when another click
 * got there first (the caller shows the current card).
 */
export async function saveConfirmation(
  trx: Transaction<Database>,
  next: Assignment,
  readVersion: number,
): Promise<boolean> {
  const res = await confirmation.run(trx, {
    confirmedAt: next.confirmedAt,
    confirmedBy: next.confirmedBy,
    version: next.version,
    taskId: next.taskId,
    team: next.team,
    certNo: next.certNo,
    readVersion,
  });
  return Number(res.numAffectedRows) === 1;
}

const confirmation = prepared(
  (
    db,
    p: {
      confirmedAt: string | null;
      confirmedBy: string | null;
      version: number;
      taskId: string;
      team: number;
      certNo: string;
      readVersion: number;
    },
  ) =>
    db
      .updateTable('team_members')
      .set({ confirmed_at: p.confirmedAt, confirmed_by: p.confirmedBy, version: p.version })
      .where('task_id', '=', p.taskId)
      .where('team_no', '=', p.team)
      .where('cert_no', '=', p.certNo)
      .where('active', '=', 1)
      .where('version', '=', p.readVersion)
      .where('confirmed_at', 'is', null),
);
