/**
 * What a results row is checked against: its task, loaded once per import the first time a row names it — the
 * task's state, its drawn targets and their teams, its departments (every department of a task is on every
 * team), its window and its items' methods.
 */
import type { Kysely } from 'kysely';
import type { ResultContext } from '../../domain/result.ts';
import { taskDepartments } from '../../domain/task.ts';
import { taskItemMethods } from '../../services/result-progress.ts';
import { teamTargets } from '../../storage/draws.ts';
import type { Database } from '../../storage/schema.ts';
import { getTask, type TaskRecord } from '../../storage/tasks.ts';

export interface TaskContext {
  task: TaskRecord;
  /** Why the task takes no results now (it is not locked), or null. */
  refusal: string | null;
  /** Each drawn target's team. */
  teamOf: Map<string, number>;
  /** The initiator, then the participants. */
  departments: string[];
  check: Pick<ResultContext, 'window' | 'itemMethods' | 'today'>;
}

/** Why a task in `state` takes no results, or null when it does (locked). */
export function stateRefusal(task: Pick<TaskRecord, 'id' | 'state' | 'voidReason'>): string | null {
  switch (task.state) {
    case 'locked':
      return null;
    case 'draft':
      return `task ${task.id} is a draft: its draw has not run (draw freeze, then draw run), so it has no targets yet`;
    case 'frozen':
      return `task ${task.id} is frozen: its draw has not run yet (draw run), so it has no targets yet`;
    case 'closed':
      return `task ${task.id} is closed: a closed task takes no more results`;
    case 'void':
      return `task ${task.id} is void${task.voidReason ? ` (${task.voidReason})` : ''}: it takes no results`;
  }
}

/**
 * The tasks a file names, loaded on first use and kept for the rest of the file (null: no such task).
 *
 * @example const tasks = new TaskContexts(db, '2026-12-20'); await tasks.load(['WH-2026-FOOD-01']); tasks.get(id)
 */
export class TaskContexts {
  private readonly loaded = new Map<string, TaskContext | null>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly today: string,
  ) {}

  /** Loads the tasks among `ids` not seen before. */
  async load(ids: Iterable<string>): Promise<void> {
    for (const id of new Set(ids)) {
      if (this.loaded.has(id)) continue;
      this.loaded.set(id, await this.fetch(id));
    }
  }

  /** A loaded task, or null when there is no such task. */
  get(id: string): TaskContext | null {
    return this.loaded.get(id) ?? null;
  }

  private async fetch(id: string): Promise<TaskContext | null> {
    const task = await getTask(this.db, id);
    if (!task) return null;
    const d = task.definition;
    const refusal = stateRefusal(task);
    // A task that takes no results is not checked further: its state is the problem.
    if (refusal !== null)
      return {
        task,
        refusal,
        teamOf: new Map(),
        departments: taskDepartments(d),
        check: { window: d.window, itemMethods: [], today: this.today },
      };
    return {
      task,
      refusal,
      teamOf: new Map(
        [...(await teamTargets(this.db, id))].flatMap(([team, usccs]) =>
          usccs.map((u) => [u, team] as const),
        ),
      ),
      departments: taskDepartments(d),
      check: { window: d.window, itemMethods: await taskItemMethods(this.db, d), today: this.today },
    };
  }
}
