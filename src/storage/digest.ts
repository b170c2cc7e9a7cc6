import { sql, type Kysely } from 'kysely';
import type { TaskDefinition } from '../domain/task.ts';
import type { Database } from './schema.ts';

/**
 * The weekly digest's reads (周报): each one query over every active (locked) task at once, grouped in SQL —
 * never a query per task, team or person. The per-target progress comes from `services/result-progress.ts`.
 */

type Db = Kysely<Database>;

/** Every locked task (drawn, taking results), oldest first. */
export async function activeTasks(
  db: Db,
): Promise<{ id: string; name: string; definition: TaskDefinition }[]> {
  const rows = await db
    .selectFrom('tasks')
    .select(['id', 'name', 'definition'])
    .where('state', '=', 'locked')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    definition: JSON.parse(r.definition) as TaskDefinition,
  }));
}

/** Per department, over the locked tasks: current team places (active members) and those not yet confirmed. */
export async function memberCountsByDept(
  db: Db,
): Promise<Map<string, { officers: number; unconfirmed: number }>> {
  const rows = await db
    .selectFrom('team_members as m')
    .innerJoin('tasks as t', 't.id', 'm.task_id')
    .select([
      'm.dept',
      sql<number>`count(*)`.as('officers'),
      sql<number>`sum(case when m.confirmed_at is null then 1 else 0 end)`.as('unconfirmed'),
    ])
    .where('t.state', '=', 'locked')
    .where('m.active', '=', 1)
    .groupBy('m.dept')
    .execute();
  return new Map(
    rows.map((r) => [r.dept, { officers: Number(r.officers), unconfirmed: Number(r.unconfirmed) }]),
  );
}

/** Per department, over the locked tasks: substitution requests by state (`pending`, `approved`, …). */
export async function substitutionCountsByDept(db: Db): Promise<Map<string, Map<string, number>>> {
  const rows = await db
    .selectFrom('substitutions as s')
    .innerJoin('tasks as t', 't.id', 's.task_id')
    .select(['s.dept', 's.state', sql<number>`count(*)`.as('n')])
    .where('t.state', '=', 'locked')
    .groupBy(['s.dept', 's.state'])
    .execute();
  const out = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const byState = out.get(r.dept) ?? new Map<string, number>();
    byState.set(r.state, Number(r.n));
    out.set(r.dept, byState);
  }
  return out;
}

export interface PendingApprovalRow {
  taskId: string;
  taskName: string;
  team: number;
  dept: string;
  certNo: string;
  inspector: string | null;
  requestedAt: string;
  deciderRole: 'head' | 'liaison';
}

/** Every pending substitution request on a locked task, oldest first, with the inspector's name. */
export async function pendingApprovals(db: Db): Promise<PendingApprovalRow[]> {
  const rows = await db
    .selectFrom('substitutions as s')
    .innerJoin('tasks as t', 't.id', 's.task_id')
    .leftJoin('inspectors as i', 'i.cert_no', 's.out_cert')
    .select([
      's.task_id',
      't.name as task_name',
      's.team_no',
      's.dept',
      's.out_cert',
      'i.name as inspector',
      's.requested_at',
      's.decider_role',
    ])
    .where('t.state', '=', 'locked')
    .where('s.state', '=', 'pending')
    .orderBy('s.requested_at')
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({
    taskId: r.task_id,
    taskName: r.task_name,
    team: Number(r.team_no),
    dept: r.dept,
    certNo: r.out_cert,
    inspector: r.inspector,
    requestedAt: r.requested_at,
    deciderRole: r.decider_role ?? 'head',
  }));
}
