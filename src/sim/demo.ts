/**
 * Demo data for local mode: on the first start with an empty database, the Wuhai sample directories
 * (`examples/wuhai/`) and both sample tasks, the food task drawn, so that every kind of card is there the moment
 * the /sim page opens. Everything goes through the code the CLI and the bot's buttons use — the directory import,
 * `task create`, `draw freeze` / `draw run`, 确认, 提交 on the result-entry card, 提交申请 — so the audit log and the
 * outbox hold what production would write. Nothing here writes SQL.
 *
 * Two steps, because the simulator must learn the people (their mobiles) in between, and liancha resolve their
 * identities, before cards can be addressed to them:
 * 1. `importDemoDirectories` — the five directory files, only into a database that has no departments yet.
 * 2. `seedDemoTasks` — right after a fresh import, with identities resolved and JOINT_CHAT_ID set:
 *    - both tasks created; the hazchem task stays a draft;
 *    - the food task frozen and drawn with a fixed entropy source and entropy (`DEMO_ENTROPY_SOURCE`,
 *      `DEMO_ENTROPY`): the freeze announcement and the draw card are queued to the joint-meeting group, an
 *      assignment card to each drawn officer;
 *    - team 1's three officers confirm (确认), and enter four results on its first two targets: the first one
 *      complete (未发现问题, 发现问题已责令改正, 未发现问题), the second with the initiator's 发现问题待后续处理 only;
 *    - the participant officer of the last team asks to be replaced (工作冲突, with a note): the request is pending
 *      and its approval card is queued to the head of that officer's department.
 *    A confirmation or a request made by a button press leaves the pressed card showing it (the callback answers
 *    with the new card). Here nobody pressed anything, so the card that officer will see is updated the way a
 *    substitution decision updates it: a patch of their assignment card, chained in the outbox to its send.
 *
 * Dates. The demo tells one morning's story, its steps a few minutes apart (`STEP`): the directories imported an
 * hour before the "demo moment", then the tasks created, the draw frozen and run, the confirmations, the results and
 * finally, five minutes before it, the request — so the audit log reads in order and every outbox row is already
 * due (a row dated later would wait for its time). The demo moment is `now`. The food task keeps the sample
 * file's window (December 2026) while today is in it; on any other day it runs over the calendar month of today
 * (`demoWindow`), so the demo always shows a task under way — after the window no replacement can be asked for
 * (SUBSTITUTION.WINDOW_ENDED), before it no result entered (RESULT.DATE_IN_FUTURE). The draw never depends on the
 * date. Inspection dates (`inspectionDates`) are the day before today and today, kept inside the window; on the
 * window's first day both are that day.
 *
 * Deterministic: the same directories, task ids, draw (fixed entropy), teams, confirmations, results and request,
 * and the same times for a given `now`. Only the ids the services make up themselves differ from run to run
 * (outbox rows, the substitution request).
 *
 * @example
 * if (await importDemoDirectories(app)) {
 *   await resolveIdentities(app, feishu); // after the simulator knows everyone's mobile
 *   const demo = await seedDemoTasks(app, { now: app.clock() });
 *   app.log.info({ demo }, `demo data: ${demo.description}`);
 * }
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { App } from '../app.ts';
import { addDays } from '../domain/calendar.ts';
import type { ResultInput } from '../domain/result.ts';
import { substitutionReason } from '../domain/substitution-request.ts';
import { taskDepartments, type TaskDefinition, type TaskState } from '../domain/task.ts';
import type { Refusal } from '../domain/transition.ts';
import { localDate } from '../domain/time.ts';
import { UserError } from '../errors.ts';
import { projectPath } from '../paths.ts';
import type { ImportKind } from '../import/kinds/index.ts';
import { runImport } from '../import/run-import.ts';
import { confirmAssignment } from '../services/assignments.ts';
import { assignmentData, deciderLabel } from '../services/card-data.ts';
import { freezeDraw, runTaskDraw } from '../services/draws.ts';
import { submitResult } from '../services/result-entry.ts';
import { taskItemMethods, taskResults } from '../services/result-progress.ts';
import { patchAssignmentCard } from '../services/substitution-cards.ts';
import { requestSubstitution } from '../services/substitution-requests.ts';
import { readTaskFile } from '../services/task-file.ts';
import { createTask, requireTask } from '../services/tasks.ts';
import { departmentContacts } from '../storage/directory.ts';
import { getRequest } from '../storage/substitutions.ts';

/** The sample files, shipped with the repository. */
export const DEMO_DIR = projectPath('examples', 'wuhai');

/** The five directory files in the order their references need. */
export const DEMO_DIRECTORIES: readonly (readonly [ImportKind, string])[] = [
  ['departments', 'departments.csv'],
  ['items', 'items.csv'],
  ['targets', 'targets.csv'],
  ['inspectors', 'inspectors.csv'],
  ['conflicts', 'conflicts.csv'],
];

export const DEMO_TASK_FILES = { food: 'task-food.yaml', hazchem: 'task-hazchem.yaml' } as const;

/** Printed on the group cards: it says plainly that this is no public lottery. */
export const DEMO_ENTROPY_SOURCE = '本地演示 — 固定熵';
export const DEMO_ENTROPY = 'liancha-demo-entropy';

/** Who the audit log names for the operator's steps (the imports, task create, freeze, run). */
export const DEMO_ACTOR = 'local-mode:demo';

const MINUTE = 60_000;

/** The steps, minutes before the demo moment: the operator's steps, then the officers'. */
const STEP = {
  importDirectories: 60,
  createFood: 50,
  createHazchem: 49,
  freeze: 45,
  run: 40,
  confirm: 30,
  results: 20,
  request: 5,
} as const;

/**
 * Imports the five Wuhai directory files through the directory import (`liancha import`), in order, when the
 * database has no departments yet; returns false, doing nothing, when it has. Each file is all or nothing (the
 * import checks the whole file before it writes any of it), and all five must be readable before the first is
 * imported; a database failure between two files leaves the earlier ones imported, and the error says so.
 */
export async function importDemoDirectories(app: App): Promise<boolean> {
  if ((await departmentContacts(app.store.db)).length > 0) return false;
  const paths = DEMO_DIRECTORIES.map(([kind, file]) => [kind, join(DEMO_DIR, file)] as const);
  for (const file of [...paths.map(([, p]) => p), join(DEMO_DIR, DEMO_TASK_FILES.food)])
    await access(file).catch((err: Error) => {
      throw new UserError(
        'DEMO.FILE_MISSING',
        `demo data: cannot read ${file} (${err.message}); nothing was imported`,
      );
    });
  const at = app.clock();
  const done: string[] = [];
  for (const [i, [kind, path]] of paths.entries()) {
    const moment = new Date(at.getTime() - (STEP.importDirectories - i) * MINUTE);
    try {
      await runImport({ ...app, actor: DEMO_ACTOR, clock: () => moment }, { kind, path });
    } catch (err) {
      const before = done.length > 0 ? `; ${done.join(', ')} had been imported before it` : '';
      throw new UserError(
        'DEMO.IMPORT_FAILED',
        `demo data: importing ${path} failed: ${(err as Error).message}${before} — to start over, stop liancha and delete the database`,
        err,
      );
    }
    done.push(kind);
  }
  return true;
}

/** A drawn officer the demo acted as. */
export interface DemoOfficer {
  name: string;
  certNo: string;
  dept: string;
  deptName: string;
  team: number;
  openId: string;
}

/** What `seedDemoTasks` made, for one log line (`describeDemo`) and the tests. */
export interface DemoSummary {
  /** ISO time the last step is dated: `now`. */
  at: string;
  food: {
    taskId: string;
    name: string;
    state: TaskState;
    entropySource: string;
    entropy: string;
    teams: number;
    targets: number;
    /** Active team members (teams × departments). */
    members: number;
    /** Assignment cards queued (one per member liancha can reach). */
    assignmentCards: number;
    /** Members no card could be addressed to (no resolved Feishu identity). */
    undeliverable: number;
    /** Freeze announcement and draw card queued to JOINT_CHAT_ID (0 when it is not set). */
    groupCards: number;
    confirmed: DemoOfficer[];
    /** Result parts entered (one department's part of one target each). */
    results: number;
    /** Targets every department of their team has entered. */
    completeTargets: number;
  };
  hazchem: { taskId: string; name: string; state: TaskState };
  pendingRequest: {
    id: string;
    officer: DemoOfficer;
    reason: string;
    decider: { openId: string; role: 'head' | 'liaison'; label: string };
  } | null;
  /** What the demo left out, and why (e.g. results before the window opens). */
  skipped: string[];
  /** All of the above in one line, for the log (`describeDemo`). */
  description: string;
}

/**
 * The food task's window in the demo: the sample file's (December 2026) while today (office date) is in it, else
 * the calendar month of today — so that a demo started on any day has a task under way, where a replacement can
 * still be asked for and results entered, instead of one whose window ended long ago.
 */
export function demoWindow(
  file: { start: string; end: string },
  today: string,
): { start: string; end: string } {
  if (today >= file.start && today <= file.end) return file;
  const [y, m] = today.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const month = `${y}-${String(m).padStart(2, '0')}`;
  return { start: `${month}-01`, end: `${month}-${String(last).padStart(2, '0')}` };
}

/**
 * Two inspection dates for results entered on office date `today`: the day before and the day itself, each kept
 * inside the window (so both may be one day); null when the window has not opened by `today`.
 */
export function inspectionDates(
  today: string,
  window: { start: string; end: string },
): { earlier: string; later: string } | null {
  if (today < window.start) return null;
  const later = today < window.end ? today : window.end;
  const before = addDays(later, -1);
  return { earlier: before < window.start ? window.start : before, later };
}

/** The results team 1 enters: which target (by position), which department (by task order), what. */
const RESULTS: readonly {
  target: number;
  dept: number;
  day: 'earlier' | 'later';
  input: Omit<ResultInput, 'inspectedOn' | 'methods'>;
  method: string;
}[] = [
  {
    target: 0,
    dept: 0,
    day: 'earlier',
    method: '书面检查',
    input: { categories: ['NO_ISSUE'], note: '', followup: '' },
  },
  {
    target: 0,
    dept: 1,
    day: 'earlier',
    method: '书面检查',
    input: { categories: ['CORRECTED'], note: '后厨卫生不达标，已责令改正', followup: '' },
  },
  {
    target: 0,
    dept: 2,
    day: 'earlier',
    method: '网络检查',
    input: { categories: ['NO_ISSUE'], note: '', followup: '' },
  },
  {
    target: 1,
    dept: 0,
    day: 'later',
    method: '书面检查',
    input: {
      categories: ['PENDING_FOLLOWUP'],
      note: '未公示食品经营许可',
      followup: '移交执法大队立案调查',
    },
  },
];

const REQUEST = { reason: 'WORK_CONFLICT', note: '本月上旬参加自治区集中培训，无法按期参加检查' } as const;

/**
 * Creates both sample tasks, draws the food task and acts on its cards as described at the top of this file.
 * Call it only right after `importDemoDirectories` returned true, once identities are resolved (cards go only to
 * people liancha can reach) and with JOINT_CHAT_ID set (the group cards are queued only then). Throws when a step
 * is refused — that would be a bug in the demo, not something to carry on from.
 */
export async function seedDemoTasks(app: App, opts: { now: Date }): Promise<DemoSummary> {
  const tz = app.config.LIANCHA_TZ;
  const skipped: string[] = [];
  const foodPath = join(DEMO_DIR, DEMO_TASK_FILES.food);
  const hazchemPath = join(DEMO_DIR, DEMO_TASK_FILES.hazchem);

  const at = opts.now;
  const window = demoWindow(readTaskFile(foodPath).window, localDate(at, tz));
  /** The app as the step `minutesBefore` the demo moment sees it: its clock stopped there, the demo as operator. */
  const stepApp = (minutesBefore: number): App => {
    const moment = new Date(at.getTime() - minutesBefore * MINUTE);
    return { ...app, actor: DEMO_ACTOR, clock: () => moment };
  };
  const warn = (w: string) => app.log.warn(`demo data: ${w}`);
  const food = await createTask(stepApp(STEP.createFood), foodPath, { onWarning: warn, window });
  const hazchem = await createTask(stepApp(STEP.createHazchem), hazchemPath, { onWarning: warn });
  const def = food.definition;

  await freezeDraw(stepApp(STEP.freeze), food.id, DEMO_ENTROPY_SOURCE);
  const drawn = await runTaskDraw(stepApp(STEP.run), food.id, DEMO_ENTROPY);
  const groupCards = app.config.JOINT_CHAT_ID ? 2 : 0;
  if (!app.config.JOINT_CHAT_ID) skipped.push('the group cards: JOINT_CHAT_ID is not set');

  const cards = await assignmentData(app.store.db, def, { tz });
  const depts = taskDepartments(def);
  /** The active member of `team` serving it for `dept`, when liancha can reach them. */
  const officer = (team: number, dept: string): DemoOfficer | null => {
    for (const c of cards) {
      const me = c.members.find((m) => m.certNo === c.you.certNo);
      if (c.team.no !== team || me?.dept !== dept) continue;
      return c.openId
        ? { name: me.name, certNo: me.certNo, dept, deptName: me.deptName, team, openId: c.openId }
        : null;
    }
    return null;
  };
  const firstTeam = drawn.outcome.teams[0]!;
  const lastTeam = drawn.outcome.teams.at(-1)!;
  const nobody = drawn.cards.assignments === 0;
  if (nobody)
    skipped.push(
      'confirmations, results and the request: no drawn officer has a resolved Feishu identity (resolve identities before seeding)',
    );
  const unreachable = (what: string, team: number, dept: string) =>
    skipped.push(`${what}: team ${team}'s ${dept} officer has no resolved Feishu identity`);

  // 确认: team 1's officers, in task order (the leader first), a minute apart.
  const confirmed: DemoOfficer[] = [];
  for (const [i, dept] of nobody ? [] : depts.entries()) {
    const o = officer(firstTeam.no, dept);
    if (!o) {
      unreachable('a confirmation', firstTeam.no, dept);
      continue;
    }
    const stepped = stepApp(STEP.confirm - i);
    const version = cards.find((c) => c.team.no === o.team && c.you.certNo === o.certNo)!.version;
    const out = await confirmAssignment(stepped, {
      operatorOpenId: o.openId,
      taskId: food.id,
      team: o.team,
      certNo: o.certNo,
      version,
    });
    if (!out.ok) refused('确认', o, out.refusal);
    await showCardAsPressed(stepped, def, o);
    confirmed.push(o);
  }

  // 提交 on team 1's result-entry card, each officer for their own department, a minute apart.
  let results = 0;
  const dates = inspectionDates(localDate(stepApp(STEP.results).clock(), tz), def.window);
  const methods = await taskItemMethods(app.store.db, def);
  if (!dates && !nobody)
    skipped.push(
      `results: the window opens ${def.window.start}, and an inspection date may be neither before it nor in the future`,
    );
  for (const [i, r] of dates && !nobody ? RESULTS.entries() : []) {
    const dept = depts[r.dept]!;
    const o = officer(firstTeam.no, dept);
    const uscc = firstTeam.targets[r.target];
    if (!o) {
      unreachable(`result ${i + 1}`, firstTeam.no, dept);
      continue;
    }
    if (!uscc) continue; // a team smaller than the plan: nothing to enter there
    const out = await submitResult(stepApp(STEP.results - i), {
      operatorOpenId: o.openId,
      taskId: food.id,
      team: o.team,
      page: 0,
      uscc,
      version: 0,
      input: {
        ...r.input,
        inspectedOn: dates![r.day],
        methods: [methods.includes(r.method) ? r.method : methods[0]!],
      },
    });
    if (!out.ok) refused(`提交 (result ${i + 1})`, o, out.refusal);
    results++;
  }
  const entered = await taskResults(app.store.db, def, localDate(at, tz), { team: firstTeam.no });
  const completeTargets = entered.filter((t) => t.complete).length;

  // 提交申请: the last team's first participant officer asks to be replaced; their department's head decides.
  let pendingRequest: DemoSummary['pendingRequest'] = null;
  const requesterDept = depts[1] ?? depts[0]!;
  const requester = nobody ? null : officer(lastTeam.no, requesterDept);
  if (!requester && !nobody) unreachable('the substitution request', lastTeam.no, requesterDept);
  if (requester) {
    const stepped = stepApp(STEP.request);
    const out = await requestSubstitution(stepped, {
      operatorOpenId: requester.openId,
      taskId: food.id,
      team: requester.team,
      certNo: requester.certNo,
      ...REQUEST,
    });
    if (!out.ok) refused('提交申请', requester, out.refusal);
    await showCardAsPressed(stepped, def, requester);
    const request = (await getRequest(app.store.db, out.card.substitution!.id))!;
    pendingRequest = {
      id: request.id,
      officer: requester,
      reason: substitutionReason(REQUEST.reason)!.zh,
      decider: {
        openId: request.decider.openId,
        role: request.decider.role,
        label: deciderLabel(requester.deptName, request.decider.role),
      },
    };
  }

  const summary: Omit<DemoSummary, 'description'> = {
    at: at.toISOString(),
    food: {
      taskId: food.id,
      name: food.name,
      state: (await requireTask(app, food.id)).state,
      entropySource: DEMO_ENTROPY_SOURCE,
      entropy: DEMO_ENTROPY,
      teams: drawn.outcome.teams.length,
      targets: drawn.outcome.teams.reduce((n, t) => n + t.targets.length, 0),
      members: cards.length,
      assignmentCards: drawn.cards.assignments,
      undeliverable: drawn.cards.undeliverable.length,
      groupCards,
      confirmed,
      results,
      completeTargets,
    },
    hazchem: { taskId: hazchem.id, name: hazchem.name, state: hazchem.state },
    pendingRequest,
    skipped,
  };
  return { ...summary, description: describeDemo(summary) };
}

/** The officer's assignment card as their press would have left it on screen (see the top of this file). */
async function showCardAsPressed(app: App, task: TaskDefinition, o: DemoOfficer): Promise<void> {
  await app.store.db
    .transaction()
    .execute((trx) => patchAssignmentCard(trx, app, task, { team: o.team, certNo: o.certNo }));
}

function refused(step: string, o: DemoOfficer, refusal: Refusal): never {
  throw new Error(
    `demo data: ${step} as ${o.name} (${o.certNo}, team ${o.team}) was refused: ${refusal.code} ${JSON.stringify(refusal.details ?? {})}`,
  );
}

/** One line for the log: what the demo made. */
export function describeDemo(s: Omit<DemoSummary, 'description'>): string {
  const f = s.food;
  const parts = [
    `task ${f.taskId} drawn with a fixed demo entropy: ${f.teams} teams, ${f.targets} targets, ${f.assignmentCards} assignment cards${f.groupCards ? ' and the freeze and draw cards to the group' : ''} queued`,
    `${f.confirmed.length} confirmed`,
    `${f.results} results entered`,
    s.pendingRequest
      ? `1 substitution request pending (${s.pendingRequest.officer.name}, ${s.pendingRequest.officer.deptName}, team ${s.pendingRequest.officer.team}; ${s.pendingRequest.decider.label} decides)`
      : 'no substitution request',
    `task ${s.hazchem.taskId} a draft`,
  ];
  return parts.join('; ') + (s.skipped.length ? ` (left out: ${s.skipped.join('; ')})` : '');
}
