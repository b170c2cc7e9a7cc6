import type { Transaction } from 'kysely';
import { basename } from 'node:path';
import type { App } from '../app.ts';
import { allItemsGeneral, type TaskDefinition } from '../domain/task.ts';
import { UserError } from '../errors.ts';
import type { Inspector } from '../domain/directory.ts';
import { eligibleOfficers } from '../domain/draw/eligibility.ts';
import { officersNeeded, whyNoOfficers } from '../domain/draw/staffing.ts';
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
  options: { onWarning?: (warning: string) => void } = {},
): Promise<TaskRecord> {
  const file = readTaskFile(path);
  const name = basename(path);
  const { db } = app.store;

  const departments = new Set((await departmentContacts(db)).map((d) => d.code));
  const items = new Map((await listItems(db)).map((i) => [i.code, i.category as string]));
  const problems: string[] = [];
  const needDepartment = (field: string, code: string) => {
    if (!departments.has(code))
      problems.push(`${field}: department ${code} is not in the department directory`);
  };
  needDepartment('initiator', file.initiator);
  file.participants.forEach((p, i) => {
    needDepartment(`participants[${i}]`, p);
    if (p === file.initiator)
      problems.push(
        `participants[${i}]: ${p} is the initiator; the initiator leads every team and is not also a participant`,
      );
    if (file.participants.indexOf(p) !== i) problems.push(`participants[${i}]: ${p} is listed twice`);
  });
  file.scope.directories?.forEach((d, i) => needDepartment(`scope.directories[${i}]`, d));
  file.items.forEach((code, i) => {
    if (!items.has(code)) problems.push(`items[${i}]: inspection item ${code} is not in the item list`);
    if (file.items.indexOf(code) !== i) problems.push(`items[${i}]: ${code} is listed twice`);
  });
  const categories = file.items.map((c) => items.get(c)).filter((c): c is string => c !== undefined);
  if (file.ratio !== undefined && categories.length === file.items.length && allItemsGeneral(categories)) {
    const cap = app.config.LIANCHA_GENERAL_RATIO_CAP;
    const ratios = typeof file.ratio === 'number' ? { all: file.ratio } : file.ratio;
    for (const [cls, r] of Object.entries(ratios)) {
      if (r !== undefined && r > cap) {
        problems.push(
          `ratio${cls === 'all' ? '' : '.' + cls}: ${r} is above the cap of ${cap} for a task whose items are all general (一般) — LIANCHA_GENERAL_RATIO_CAP`,
        );
      }
    }
  }
  const inspectors = await listInspectors(db);
  if (file.specialty !== undefined && !inspectors.some((i) => i.specialties.includes(file.specialty!))) {
    const known = [...new Set(inspectors.flatMap((i) => i.specialties))].sort();
    problems.push(
      `specialty: no inspector in the directory has the specialty "${file.specialty}"` +
        (known.length
          ? ` (specialties there: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''})`
          : ' (no inspector has any specialty)'),
    );
  }
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
  for (const w of smallPools(definition, inspectors))
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

/**
 * Warnings for departments whose eligible officers (active officers with a certificate valid through the
 * window's end, and the specialty if the task names one) are few: none or fewer than a team needs means
 * `draw freeze` will refuse; no spare means a conflict or a replacement may leave a team short.
 */
function smallPools(task: TaskDefinition, inspectors: Inspector[]): string[] {
  const eligible = eligibleOfficers(task, inspectors);
  const warnings: string[] = [];
  for (const [dept, m] of officersNeeded(task)) {
    const n = eligible.filter((i) => i.department === dept).length;
    if (n < m)
      warnings.push(
        `department ${dept} has ${n} eligible officer(s) for this task and every team needs ${m}` +
          `${n === 0 ? ` (${whyNoOfficers(task, dept, inspectors)})` : ''}: draw freeze will refuse it until the inspector directory changes`,
      );
    else if (n < 2 * m)
      warnings.push(
        `department ${dept} has only ${n} eligible officer(s) for this task (every team needs ${m}): with no spare, a conflict or a replacement may leave a team short`,
      );
  }
  return warnings;
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
