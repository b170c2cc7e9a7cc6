import type { Transaction } from 'kysely';
import { basename } from 'node:path';
import type { App } from '../app.ts';
import type { TaskDefinition } from '../domain/task.ts';
import { smallPoolWarnings, taskProblems } from '../domain/task-validation.ts';
import { UserError } from '../errors.ts';
import { appendAudit } from '../storage/audit.ts';
import { departmentContacts, listInspectors, listItems } from '../storage/directory.ts';
import { stepTask, type TaskStatus, type TaskStep } from '../domain/task-lifecycle.ts';
import type { Transition } from '../domain/transition.ts';
import { applyEffects } from './effects.ts';
import type { Database } from '../storage/schema.ts';
import {
  getTask,
  insertTask,
  saveTaskState,
  taskIdsWithPrefix,
  taskStatus,
  type TaskRecord,
} from '../storage/tasks.ts';
import { ratioBasisPoints, readTaskFile, type TaskFile } from './task-file.ts';

/**
 * `task create FILE`: validates the task file against the directories and stores the task as a draft.
 * Every problem names its field: `participants[1]: department GAJ is not in the department directory`.
 */
export async function createTask(
  app: App,
  path: string,
  options: {
    onWarning?: (warning: string) => void;
    /** Instead of the file's window (checked the same way): local mode's demo keeps its sample task current. */
    window?: { start: string; end: string };
  } = {},
): Promise<TaskRecord> {
  const read = readTaskFile(path);
  const file = options.window ? { ...read, window: options.window } : read;
  const name = basename(path);
  const { db } = app.store;

  const departments = new Set((await departmentContacts(db)).map((d) => d.code));
  const items = new Map((await listItems(db)).map((i) => [i.code, i.category as string]));
  const inspectors = await listInspectors(db);
  const problems = taskProblems(
    file,
    { departments, itemCategories: items, inspectors },
    {
      generalRatioCap: app.config.LIANCHA_GENERAL_RATIO_CAP,
    },
  );
  if (file.id && (await getTask(db, file.id)))
    problems.push(`id: a task ${file.id} already exists (a voided task keeps its id; choose a new one)`);
  if (problems.length > 0)
    throw new UserError(
      'TASK.INVALID',
      `${name}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`,
      problems,
    );

  const id = file.id ?? (await nextTaskId(app, file));
  const definition = toDefinition(id, file);
  for (const w of smallPoolWarnings(definition, inspectors))
    (options.onWarning ?? ((text: string) => app.log.warn(text)))(w);
  const at = app.clock().toISOString();
  await db.transaction().execute(async (trx) => {
    await insertTask(trx, definition, at, app.actor);
    await appendAudit(trx, {
      at,
      actor: app.actor,
      action: 'task.create',
      subject: id,
      details: { file: name, definition },
    });
  });
  return (await getTask(db, id))!;
}

function toDefinition(id: string, f: TaskFile): TaskDefinition {
  return {
    id,
    name: f.name,
    initiator: f.initiator,
    participants: f.participants,
    items: f.items,
    scope: f.scope,
    ratioBp: ratioBasisPoints(f.ratio),
    count: f.count ?? null,
    window: f.window,
    targetsPerTeam: f.team.targetsPerTeam,
    officersPerParticipant: f.team.officersPerParticipant,
    specialty: f.specialty ?? null,
    resultDays: f.resultDays,
  };
}

/** `<initiator>-<year>-<NNN>`, the next free number for that department and year. */
async function nextTaskId(app: App, f: TaskFile): Promise<string> {
  const prefix = `${f.initiator}-${f.window.start.slice(0, 4)}-`;
  const taken = await taskIdsWithPrefix(app.store.db, prefix);
  const max = Math.max(0, ...taken.map((id) => Number(id.slice(prefix.length))).filter(Number.isFinite));
  return `${prefix}${String(max + 1).padStart(3, '0')}`;
}

/** `task void ID --reason TEXT`: the record stays; the task can be created again under a new id. */
export async function voidTask(app: App, id: string, reason: string): Promise<TaskRecord> {
  const task = await requireTask(app, id);
  if (task.state === 'void')
    throw new UserError('TASK.ALREADY_VOID', `task ${id} is already void (${task.voidReason})`);
  const now = app.clock();
  await app.store.db.transaction().execute(async (trx) => {
    const step = await moveTask(trx, task, 'void', now, reason);
    await applyEffects(app, trx, step.effects, { actor: app.actor, at: now.toISOString() });
  });
  return (await getTask(app.store.db, id))!;
}

const PAST: Record<TaskStep, string> = { freeze: 'frozen', lock: 'locked', close: 'closed', void: 'voided' };

/**
 * Takes one lifecycle step (domain `stepTask`) and saves it inside `trx`, or throws the user error that says why
 * not — including when another command moved the task since it was read.
 */
export async function moveTask(
  trx: Transaction<Database>,
  task: TaskRecord,
  step: TaskStep,
  now: Date,
  reason?: string,
): Promise<Transition<TaskStatus>> {
  const t = stepTask(taskStatus(task), step, now, reason);
  if (!t.ok) {
    if (t.code === 'TASK.VOID_NEEDS_REASON')
      throw new UserError(t.code, `a reason is required to void a task (--reason TEXT)`);
    throw new UserError(t.code, `task ${task.id} is ${task.state} and cannot be ${PAST[step]}`);
  }
  if (!(await saveTaskState(trx, task.state, t.next)))
    throw new UserError('TASK.STATE_CHANGED', `task ${task.id} changed state meanwhile; try again`);
  return t;
}

export async function requireTask(app: App, id: string): Promise<TaskRecord> {
  const task = await getTask(app.store.db, id);
  if (!task) throw new UserError('TASK.NOT_FOUND', `no task with id ${id} (see: liancha task list)`);
  return task;
}
