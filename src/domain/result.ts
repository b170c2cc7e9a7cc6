/**
 * Inspection results (检查结果): each department on a team enters its own part of each target's result
 * (谁检查、谁录入、谁负责); a target is complete when every department on its team has. The categories are data
 * (`config/result-categories.json`, loaded by the service and passed in): `exclusive` ones (未发现问题) stand alone,
 * `needsFollowup` ones (发现问题待后续处理) need a follow-up note. Pure: today and now are passed in.
 */
import { normalizeDate } from './date-input.ts';
import { INSPECTION_METHODS } from './directory.ts';
import type { TaskState } from './task.ts';
import { refuse, type Refusal, type Transition } from './transition.ts';

export interface ResultCategory {
  code: string;
  /** The national wording, as the public notice prints it. */
  zh: string;
  en: string;
  /** Excludes every other category (未发现问题). */
  exclusive?: boolean;
  /** Needs a follow-up note (发现问题待后续处理). */
  needsFollowup?: boolean;
}

export interface CategoryList {
  version: string;
  categories: readonly ResultCategory[];
}

/** Longest note or follow-up kept. */
export const MAX_RESULT_TEXT = 500;

/** One department's part of one target's result. */
export interface Result {
  taskId: string;
  uscc: string;
  dept: string;
  team: number;
  /** Category codes, in the list's order. */
  categories: string[];
  /** `YYYY-MM-DD`. */
  inspectedOn: string;
  methods: string[];
  note: string | null;
  followup: string | null;
  enteredBy: string;
  /** ISO time. */
  enteredAt: string;
  source: 'chat' | 'import';
  version: number;
}

/** What a person (or an import row) gives: raw values, checked here. */
export interface ResultInput {
  /** Codes or national wording. */
  categories: readonly string[];
  inspectedOn: string;
  methods: readonly string[];
  note: string;
  followup: string;
}

/** Where a result is entered: the task's window and state, the methods its items use, and today (office time). */
export interface ResultContext {
  taskState: TaskState;
  voidReason: string | null;
  window: { start: string; end: string };
  /** The methods of the task's items; empty → any of the five methods. */
  itemMethods: readonly string[];
  /** `YYYY-MM-DD` in LIANCHA_TZ. */
  today: string;
}

/** A field that is wrong: which one, and why (a code for chat toasts, a sentence for import lines). */
export interface ResultProblem {
  field: 'categories' | 'inspectedOn' | 'methods' | 'note' | 'followup';
  code:
    | 'RESULT.CATEGORY_MISSING'
    | 'RESULT.CATEGORY_UNKNOWN'
    | 'RESULT.CATEGORY_EXCLUSIVE'
    | 'RESULT.FOLLOWUP_REQUIRED'
    | 'RESULT.DATE_INVALID'
    | 'RESULT.DATE_OUTSIDE_WINDOW'
    | 'RESULT.DATE_IN_FUTURE'
    | 'RESULT.METHOD_UNKNOWN'
    | 'RESULT.TEXT_TOO_LONG';
  message: string;
}

/** The category for a code or its national wording (trimmed), or undefined. */
export function findCategory(list: CategoryList, raw: string): ResultCategory | undefined {
  const v = raw.trim();
  return list.categories.find((c) => c.code === v || c.zh === v);
}

/** Methods a result may name: the task items' own, or all five when the items name none. */
export function allowedMethods(itemMethods: readonly string[]): string[] {
  const own = [...new Set(itemMethods.filter((m) => m !== ''))];
  return own.length > 0 ? own : [...INSPECTION_METHODS];
}

/**
 * Every problem with a result as given, in field order; empty when it may be saved. The normalised values (codes
 * in the list's order, trimmed texts) come back with it.
 */
export function checkResult(
  input: ResultInput,
  ctx: Pick<ResultContext, 'window' | 'itemMethods' | 'today'>,
  list: CategoryList,
): {
  problems: ResultProblem[];
  categories: string[];
  /** `YYYY-MM-DD` ('' when it is not a date). */
  inspectedOn: string;
  methods: string[];
  note: string;
  followup: string;
} {
  const problems: ResultProblem[] = [];
  const raw = input.categories.map((c) => c.trim()).filter((c) => c !== '');
  const found = raw.map((r) => ({ raw: r, category: findCategory(list, r) }));
  const unknown = found.filter((f) => !f.category).map((f) => f.raw);
  const chosen = new Set(found.flatMap((f) => (f.category ? [f.category.code] : [])));
  const categories = list.categories.filter((c) => chosen.has(c.code));
  const note = input.note.trim();
  const followup = input.followup.trim();

  if (raw.length === 0)
    problems.push({
      field: 'categories',
      code: 'RESULT.CATEGORY_MISSING',
      message: 'at least one result is needed',
    });
  else if (unknown.length > 0)
    problems.push({
      field: 'categories',
      code: 'RESULT.CATEGORY_UNKNOWN',
      message: `unknown result ${unknown.map((u) => `"${u}"`).join(', ')}; accepted: ${list.categories
        .map((c) => `${c.zh} (${c.code})`)
        .join(', ')}`,
    });
  const exclusive = categories.find((c) => c.exclusive);
  if (exclusive && categories.length > 1)
    problems.push({
      field: 'categories',
      code: 'RESULT.CATEGORY_EXCLUSIVE',
      message: `"${exclusive.zh}" cannot be combined with any other result`,
    });
  const needing = categories.find((c) => c.needsFollowup);
  if (needing && followup === '')
    problems.push({
      field: 'followup',
      code: 'RESULT.FOLLOWUP_REQUIRED',
      message: `"${needing.zh}" needs a follow-up note (后续处置)`,
    });

  const date = normalizeDate(input.inspectedOn.trim());
  const d = date.date ?? '';
  if (date.problem)
    problems.push({ field: 'inspectedOn', code: 'RESULT.DATE_INVALID', message: date.problem });
  else if (d > ctx.today)
    problems.push({
      field: 'inspectedOn',
      code: 'RESULT.DATE_IN_FUTURE',
      message: `${d} is in the future (today is ${ctx.today})`,
    });
  else if (d < ctx.window.start || d > ctx.window.end)
    problems.push({
      field: 'inspectedOn',
      code: 'RESULT.DATE_OUTSIDE_WINDOW',
      message: `${d} is outside the inspection window ${ctx.window.start} to ${ctx.window.end}`,
    });

  const allowed = allowedMethods(ctx.itemMethods);
  const methods = [...new Set(input.methods.map((m) => m.trim()).filter((m) => m !== ''))];
  const badMethods = methods.filter((m) => !allowed.includes(m));
  if (badMethods.length > 0)
    problems.push({
      field: 'methods',
      code: 'RESULT.METHOD_UNKNOWN',
      message: `method ${badMethods.map((m) => `"${m}"`).join(', ')} is not one of this task's: ${allowed.join(', ')}`,
    });
  for (const [field, text] of [
    ['note', note],
    ['followup', followup],
  ] as const)
    if ([...text].length > MAX_RESULT_TEXT)
      problems.push({
        field,
        code: 'RESULT.TEXT_TOO_LONG',
        message: `at most ${MAX_RESULT_TEXT} characters`,
      });
  return {
    problems,
    categories: categories.map((c) => c.code),
    inspectedOn: d,
    methods: allowed.filter((m) => methods.includes(m)),
    note,
    followup,
  };
}

export type EnterRefusal = Refusal<
  | 'TASK.VOID'
  | 'TASK.CLOSED'
  | 'TASK.NOT_LOCKED'
  | 'RESULT.NOT_ON_TEAM'
  | 'RESULT.TARGET_NOT_ON_TEAM'
  | 'RESULT.CARD_STALE'
  | ResultProblem['code']
>;

/** The person entering in chat: who they are, and their places on the task's teams (department per team). */
export interface ResultActor {
  openId: string;
  /** Active memberships on this task: team → the department they serve it for. */
  teams: ReadonlyMap<number, string>;
}

/**
 * Why a task in this state takes no result (void, closed, or not yet drawn), or null while it is locked: checked by
 * `enterResult` and again by the save inside its transaction, where a close or void since may have landed.
 */
export function taskTakesNoResults(state: TaskState, voidReason: string | null): EnterRefusal | null {
  if (state === 'void') return refuse('TASK.VOID', { reason: voidReason ?? '' });
  if (state === 'closed') return refuse('TASK.CLOSED');
  if (state !== 'locked') return refuse('TASK.NOT_LOCKED', { state });
  return null;
}

/**
 * 提交 on a result-entry form: an active member of the target's team enters (or edits) their own department's part,
 * while the task is locked (a closed task takes no more edits). `current` is the saved part, if any; the card
 * carries its version so that an edit from a stale card is refused and the person sees the current one.
 */
export function enterResult(
  current: Result | null,
  input: ResultInput & { version: number | null },
  where: { taskId: string; uscc: string; team: number; teamTargets: readonly string[] },
  actor: ResultActor,
  ctx: ResultContext,
  list: CategoryList,
  now: Date,
): Transition<Result> | EnterRefusal {
  if (ctx.taskState === 'void') return refuse('TASK.VOID', { reason: ctx.voidReason ?? '' });
  const dept = actor.teams.get(where.team);
  if (!dept) return refuse('RESULT.NOT_ON_TEAM');
  const shut = taskTakesNoResults(ctx.taskState, ctx.voidReason);
  if (shut) return shut;
  if (!where.teamTargets.includes(where.uscc)) return refuse('RESULT.TARGET_NOT_ON_TEAM');
  if ((current?.version ?? null) !== input.version) return refuse('RESULT.CARD_STALE');
  const checked = checkResult(input, ctx, list);
  const first = checked.problems[0];
  if (first) return refuse(first.code, { field: first.field, message: first.message });
  const next: Result = {
    taskId: where.taskId,
    uscc: where.uscc,
    dept,
    team: where.team,
    categories: checked.categories,
    inspectedOn: checked.inspectedOn,
    methods: checked.methods,
    note: checked.note || null,
    followup: checked.followup || null,
    enteredBy: actor.openId,
    enteredAt: now.toISOString(),
    source: 'chat',
    version: (current?.version ?? 0) + 1,
  };
  return { ok: true, next, effects: [resultAudit(next, current ? 'result.edit' : 'result.enter')] };
}

/** The audit entry of one version of a result: everything it says, so every version is in the log. */
export function resultAudit(r: Result, action: string) {
  return {
    kind: 'audit' as const,
    action,
    subject: r.taskId,
    details: {
      uscc: r.uscc,
      dept: r.dept,
      team: r.team,
      categories: r.categories,
      inspectedOn: r.inspectedOn,
      methods: r.methods,
      ...(r.note ? { note: r.note } : {}),
      ...(r.followup ? { followup: r.followup } : {}),
      version: r.version,
      source: r.source,
    },
  };
}

/** Where one target stands: the departments of its team that have entered, and those still missing. */
export interface TargetProgress {
  uscc: string;
  team: number;
  entered: string[];
  missing: string[];
  complete: boolean;
}

/** A target's progress from its team's departments (initiator first, then participants) and the saved parts. */
export function targetProgress(
  target: { uscc: string; team: number },
  teamDepartments: readonly string[],
  saved: readonly Pick<Result, 'uscc' | 'dept'>[],
): TargetProgress {
  const have = new Set(saved.filter((r) => r.uscc === target.uscc).map((r) => r.dept));
  const entered = teamDepartments.filter((d) => have.has(d));
  const missing = teamDepartments.filter((d) => !have.has(d));
  return { ...target, entered, missing, complete: missing.length === 0 };
}
