import type { Kysely, Selectable, Transaction } from 'kysely';
import type { SubstitutionRecord } from '../domain/draw/index.ts';
import type { SubstitutionRequest, SubstitutionState } from '../domain/substitution-request.ts';
import type { TaskState } from '../domain/task.ts';
import { dialectOf } from './db.ts';
import { prepared } from './prepared.ts';
import type { Database, SubstitutionsTable } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

type Row = Selectable<SubstitutionsTable> & { task_state: string; void_reason: string | null };

function toRequest(r: Row): SubstitutionRequest {
  return {
    id: r.id,
    taskId: r.task_id,
    taskState: r.task_state as TaskState,
    voidReason: r.void_reason,
    team: Number(r.team_no),
    dept: r.dept,
    outCert: r.out_cert,
    reason: r.reason,
    note: r.note,
    state: r.state as SubstitutionState,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    decider: {
      openId: r.decider_open_id ?? '',
      role: r.decider_role ?? 'head',
      why: r.decider_why ?? null,
    },
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    comment: r.comment,
    inCert: r.in_cert,
    version: Number(r.version),
  };
}

function requests(db: Db) {
  return db
    .selectFrom('substitutions as s')
    .innerJoin('tasks as t', 't.id', 's.task_id')
    .selectAll('s')
    .select(['t.state as task_state', 't.void_reason']);
}

/** One request with its task's state, or null. */
export async function getRequest(db: Db, id: string): Promise<SubstitutionRequest | null> {
  const row = await requests(db).where('s.id', '=', id).executeTakeFirst();
  return row ? toRequest(row as Row) : null;
}

/** The newest request on one assignment (any state), or null: what the inspector's card shows. */
export async function latestRequestFor(
  db: Db,
  key: { taskId: string; team: number; certNo: string },
): Promise<SubstitutionRequest | null> {
  const row = await requests(db)
    .where('s.task_id', '=', key.taskId)
    .where('s.team_no', '=', key.team)
    .where('s.out_cert', '=', key.certNo)
    .orderBy('s.requested_at', 'desc')
    .orderBy('s.id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toRequest(row as Row) : null;
}

/** The newest request of every member of a task (one team's with `team`), keyed `team\tcert`. */
export async function latestRequestsOfTask(
  db: Db,
  taskId: string,
  team?: number,
): Promise<Map<string, SubstitutionRequest>> {
  // One team's (the card a button press answers with) is compiled once.
  const rows =
    team !== undefined
      ? (await oneTeamsRequests.run(db, { taskId, team })).rows
      : await requests(db)
          .where('s.task_id', '=', taskId)
          .orderBy('s.requested_at')
          .orderBy('s.id')
          .execute();
  const out = new Map<string, SubstitutionRequest>();
  for (const row of rows) {
    const r = toRequest(row as Row);
    out.set(`${r.team}\t${r.outCert}`, r);
  }
  return out;
}

const oneTeamsRequests = prepared((db, p: { taskId: string; team: number }) =>
  requests(db)
    .where('s.task_id', '=', p.taskId)
    .where('s.team_no', '=', p.team)
    .orderBy('s.requested_at')
    .orderBy('s.id'),
);

/** Every request of a task in the order they were made: the team histories `task show` prints. */
export async function requestsOfTask(db: Db, taskId: string): Promise<SubstitutionRequest[]> {
  const rows = await requests(db)
    .where('s.task_id', '=', taskId)
    .orderBy('s.team_no')
    .orderBy('s.requested_at')
    .orderBy('s.id')
    .execute();
  return rows.map((r) => toRequest(r as Row));
}

/** Every pending request on a locked task, oldest first, with the task's window end: what the scheduler checks. */
export async function pendingRequests(db: Db): Promise<(SubstitutionRequest & { taskDefinition: string })[]> {
  const rows = await requests(db)
    .select('t.definition')
    .where('s.state', '=', 'pending')
    .orderBy('s.requested_at')
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({ ...toRequest(r as Row), taskDefinition: r.definition }));
}

/**
 * Inserts a new pending request. False when one is already pending for that assignment: the partial unique index
 * (migration 005) decides, so two presses of 提交申请 at once insert one.
 */
export async function insertRequest(trx: Transaction<Database>, r: SubstitutionRequest): Promise<boolean> {
  const res = await trx
    .insertInto('substitutions')
    .values({
      id: r.id,
      task_id: r.taskId,
      team_no: r.team,
      dept: r.dept,
      out_cert: r.outCert,
      reason: r.reason,
      note: r.note,
      state: 'pending',
      requested_by: r.requestedBy,
      requested_at: r.requestedAt,
      decided_by: null,
      decided_at: null,
      comment: null,
      n: null,
      in_cert: null,
      approval_seq: null,
      version: r.version,
      decider_open_id: r.decider.openId,
      decider_role: r.decider.role,
      decider_why: r.decider.why,
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/**
 * Saves a decision (rejected, withdrawn, expired) if the request is still pending at the version it was read at;
 * false when another decision got there first.
 */
export async function saveDecision(
  trx: Transaction<Database>,
  next: SubstitutionRequest,
  readVersion: number,
): Promise<boolean> {
  const res = await trx
    .updateTable('substitutions')
    .set({
      state: next.state,
      decided_by: next.decidedBy,
      decided_at: next.decidedAt,
      comment: next.comment,
      version: next.version,
    })
    .where('id', '=', next.id)
    .where('state', '=', 'pending')
    .where('version', '=', readVersion)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Serialises approvals of one task: the replacement draw depends on every earlier approval (n, loads), so two
 * approvals on the same task must not both read the same earlier ones. A row lock on PostgreSQL; SQLite's
 * BEGIN IMMEDIATE already serialises writers.
 */
export async function lockTaskSubstitutions(trx: Transaction<Database>, taskId: string): Promise<void> {
  if (dialectOf(trx) !== 'postgres') return;
  await trx.selectFrom('draws').select('task_id').where('task_id', '=', taskId).forUpdate().execute();
}

/**
 * Records an approved replacement: the pending request becomes approved (with n, who came in and its place in the
 * replay order), the leaving member is marked inactive and the new member added in the leaving one's role. The
 * lock triggers allow exactly this change to a locked team, and only once the approved row exists — so it is
 * written first. False when the request was no longer pending at `readVersion` (another decision won).
 */
export async function recordApprovedSubstitution(
  trx: Transaction<Database>,
  taskId: string,
  sub: SubstitutionRecord,
  request: { id: string; readVersion: number },
): Promise<boolean> {
  const last = await trx
    .selectFrom('substitutions')
    .select((eb) => eb.fn.max('approval_seq').as('seq'))
    .where('task_id', '=', taskId)
    .executeTakeFirst();
  const approved = await trx
    .updateTable('substitutions')
    .set((eb) => ({
      state: 'approved',
      decided_by: sub.approvedBy,
      decided_at: sub.approvedAt,
      n: sub.n,
      in_cert: sub.in,
      approval_seq: Number(last?.seq ?? 0) + 1,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', request.id)
    .where('state', '=', 'pending')
    .where('version', '=', request.readVersion)
    .executeTakeFirst();
  if (Number(approved.numUpdatedRows) !== 1) return false;
  const leaving = await trx
    .selectFrom('team_members')
    .select(['leader'])
    .where('task_id', '=', taskId)
    .where('team_no', '=', sub.team)
    .where('cert_no', '=', sub.out)
    .executeTakeFirstOrThrow();
  const position = await trx
    .selectFrom('team_members')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('task_id', '=', taskId)
    .where('team_no', '=', sub.team)
    .executeTakeFirst();
  await trx
    .updateTable('team_members')
    .set((eb) => ({ active: 0, version: eb('version', '+', 1) }))
    .where('task_id', '=', taskId)
    .where('team_no', '=', sub.team)
    .where('cert_no', '=', sub.out)
    .execute();
  await trx
    .insertInto('team_members')
    .values({
      task_id: taskId,
      team_no: sub.team,
      cert_no: sub.in,
      dept: sub.dept,
      leader: Number(leaving.leader),
      position: Number(position?.max ?? 0) + 1,
      source: 'substitution',
      active: 1,
      confirmed_at: null,
      confirmed_by: null,
      version: 1,
    })
    .execute();
  return true;
}
