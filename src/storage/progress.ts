import { sql, type Kysely } from 'kysely';
import { dialectOf } from './db.ts';
import type { Database } from './schema.ts';

/** One drawn target of a task, as far as its results go: when it was first inspected and who has entered. */
export interface TargetStandingRow {
  taskId: string;
  team: number;
  uscc: string;
  /** The earliest inspection date any department entered, or null while none has. */
  firstInspectedOn: string | null;
  /** The departments with a result saved for it. */
  entered: string[];
}

/** Tasks per query: well under both dialects' parameter limits. */
const TASKS_PER_QUERY = 500;

/**
 * Every drawn target of these tasks (by task, team and draw position) with its results grouped in the database —
 * earliest inspection date and departments entered — instead of whole result rows: the weekly digest and the
 * reminder tick read a province's 100,000 parts at once, and whole rows cost ten times more to read than the
 * grouped ones (BENCHMARKS.md, "Weekly digest and reminder tick"). Department codes are `[A-Za-z0-9_-]`, so a
 * comma joins them safely.
 */
export async function targetStandings(
  db: Kysely<Database>,
  taskIds: readonly string[],
): Promise<TargetStandingRow[]> {
  const out: TargetStandingRow[] = [];
  const joined =
    dialectOf(db) === 'postgres'
      ? sql<string | null>`string_agg(r.dept, ',')`
      : sql<string | null>`group_concat(r.dept, ',')`;
  for (let i = 0; i < taskIds.length; i += TASKS_PER_QUERY) {
    const rows = await db
      .selectFrom('team_targets as t')
      .leftJoin('results as r', (j) => j.onRef('r.task_id', '=', 't.task_id').onRef('r.uscc', '=', 't.uscc'))
      .select(['t.task_id', 't.team_no', 't.uscc'])
      .select((eb) => [eb.fn.min('r.inspected_on').as('first_on'), joined.as('depts')])
      .where('t.task_id', 'in', taskIds.slice(i, i + TASKS_PER_QUERY))
      // The primary key: each drawn target once, in visiting order (and `t.uscc` depends on it, for PostgreSQL).
      .groupBy(['t.task_id', 't.team_no', 't.position'])
      .orderBy('t.task_id')
      .orderBy('t.team_no')
      .orderBy('t.position')
      .execute();
    for (const r of rows)
      out.push({
        taskId: r.task_id,
        team: Number(r.team_no),
        uscc: r.uscc,
        firstInspectedOn: r.first_on ?? null,
        entered: r.depts ? r.depts.split(',') : [],
      });
  }
  return out;
}
