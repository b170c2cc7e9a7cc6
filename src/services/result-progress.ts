import type { Kysely } from 'kysely';
import { resultDeadline } from '../domain/deadline.ts';
import type { WorkingDayResult } from '../domain/calendar.ts';
import { targetProgress, type Result } from '../domain/result.ts';
import { taskDepartments, type TaskDefinition } from '../domain/task.ts';
import { listItems, targetsByUscc } from '../storage/directory.ts';
import { teamTargets } from '../storage/draws.ts';
import { targetStandings } from '../storage/progress.ts';
import { resultsOfTask } from '../storage/results.ts';
import type { Database } from '../storage/schema.ts';
import { loadCalendar } from './calendar.ts';

type Db = Kysely<Database>;

/** One department's part of one target: what it entered (or null), and when it is (or was) due. */
export interface PartProgress {
  dept: string;
  result: Result | null;
  /** Due `resultDays` working days after the target's inspection date, or after the window's end while unknown. */
  deadline: WorkingDayResult;
  /** Still missing after its deadline (`today` is past it). */
  overdue: boolean;
}

export interface TargetResults {
  uscc: string;
  name: string;
  address: string | null;
  team: number;
  /** The inspection date, once any department of the team has entered one (one visit: 进一次门、查多项事). */
  inspectedOn: string | null;
  parts: PartProgress[];
  complete: boolean;
}

/**
 * Where every target of a task stands, part by part, with deadlines from the one domain rule
 * (`domain/deadline.ts`). `today` (`YYYY-MM-DD`, office time) decides what is overdue. `team` limits it to one team.
 * `task show`, the result-entry card, the export and the reminders read this.
 */
export async function taskResults(
  db: Db,
  task: TaskDefinition,
  today: string,
  opts: { team?: number } = {},
): Promise<TargetResults[]> {
  const calendar = loadCalendar();
  const depts = taskDepartments(task);
  const targets = [...(await teamTargets(db, task.id, opts.team))].flatMap(([team, usccs]) =>
    usccs.map((uscc) => ({ uscc, team })),
  );
  const saved = await resultsOfTask(db, task.id, opts.team);
  const byTarget = new Map<string, Result[]>();
  for (const r of saved) {
    const list = byTarget.get(r.uscc);
    if (list) list.push(r);
    else byTarget.set(r.uscc, [r]);
  }
  const names = await targetsByUscc(
    db,
    targets.map((t) => t.uscc),
  );
  return targets.map((t) => {
    const mine = byTarget.get(t.uscc) ?? [];
    const dates = mine.map((r) => r.inspectedOn).sort();
    const inspectedOn = dates[0] ?? null;
    const progress = targetProgress(t, depts, mine);
    const parts = depts.map((dept): PartProgress => {
      const result = mine.find((r) => r.dept === dept) ?? null;
      const deadline = resultDeadline(calendar, task, result?.inspectedOn ?? inspectedOn);
      return { dept, result, deadline, overdue: !result && today > deadline.date };
    });
    return {
      uscc: t.uscc,
      name: names.get(t.uscc)?.name ?? t.uscc,
      address: names.get(t.uscc)?.address ?? null,
      team: t.team,
      inspectedOn,
      parts,
      complete: progress.complete,
    };
  });
}

/** A target's standing without its results' content: who entered, and what is missing with its deadline. */
export interface TargetStanding {
  uscc: string;
  team: number;
  inspectedOn: string | null;
  /** The task's departments with a result saved. */
  entered: string[];
  /** The task's departments still missing, each due from the target's inspection date (or the window's end). */
  missing: Omit<PartProgress, 'result'>[];
}

/**
 * Where every target of these tasks stands, by task id — what `taskResults` says of each part, without reading the
 * results themselves: the weekly digest and the reminder tick read every locked task at once.
 */
export async function standingOfTasks(
  db: Db,
  tasks: readonly TaskDefinition[],
  today: string,
): Promise<Map<string, TargetStanding[]>> {
  const calendar = loadCalendar();
  const out = new Map<string, TargetStanding[]>(tasks.map((t) => [t.id, []]));
  const byId = new Map(tasks.map((t) => [t.id, { task: t, depts: taskDepartments(t) }]));
  for (const row of await targetStandings(
    db,
    tasks.map((t) => t.id),
  )) {
    const { task, depts } = byId.get(row.taskId)!;
    const have = new Set(row.entered);
    const missingDepts = depts.filter((d) => !have.has(d));
    // Every missing part of a target is due from the same date: the target's inspection, or the window's end.
    const deadline = missingDepts.length > 0 ? resultDeadline(calendar, task, row.firstInspectedOn) : null;
    const missing = missingDepts.map((dept) => ({
      dept,
      deadline: deadline!,
      overdue: today > deadline!.date,
    }));
    out.get(row.taskId)!.push({
      uscc: row.uscc,
      team: row.team,
      inspectedOn: row.firstInspectedOn,
      entered: depts.filter((d) => have.has(d)),
      missing,
    });
  }
  return out;
}

/** The inspection methods of the task's items (检查方式), for the methods a result may name. */
export async function taskItemMethods(db: Db, task: TaskDefinition): Promise<string[]> {
  const items = await listItems(db);
  return items.filter((i) => task.items.includes(i.code) && i.method).map((i) => i.method!);
}
