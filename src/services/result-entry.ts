import type { App } from '../app.ts';
import { RESULT_PAGE_SIZE, type ResultEntryCardData } from '../cards/index.ts';
import { enterResult, taskTakesNoResults, type ResultActor, type ResultInput } from '../domain/result.ts';
import { localDate, localTime } from '../domain/time.ts';
import { refuse, type Refusal } from '../domain/transition.ts';
import { directoryNames, targetsByUscc } from '../storage/directory.ts';
import { loadMembers, teamRegions, teamTargets } from '../storage/draws.ts';
import { certNosForOpenId } from '../storage/people.ts';
import { getResult, saveResult, taskStateForSave } from '../storage/results.ts';
import { getTask, type TaskRecord } from '../storage/tasks.ts';
import { taskSummary } from './card-data.ts';
import { applyEffects } from './effects.ts';
import { resultCategories } from './result-categories.ts';
import { taskItemMethods, taskResults } from './result-progress.ts';
import type { CardOutcome } from './substitution-requests.ts';

/**
 * Result entry in chat (结果录入): 录入结果 opens the card for the officer's own department on their team, a page of
 * the team's targets at a time; each target's form saves that department's part. Who may enter is decided by the
 * domain rule (`domain/result.ts` `enterResult`): an active member of the target's team, for the department they
 * serve it for, while the task is locked.
 */

export interface EntryKey {
  operatorOpenId: string;
  taskId: string;
  team: number;
  page: number;
}

/** The operator's active places on this team: their certificate and the department they serve it for. */
async function placeOn(app: App, key: EntryKey) {
  const certs = await certNosForOpenId(app.store.db, key.operatorOpenId);
  const members = await loadMembers(app.store.db, key.taskId, key.team);
  const me = members.find((m) => m.active && certs.includes(m.certNo)) ?? null;
  const actor: ResultActor = {
    openId: key.operatorOpenId,
    teams: new Map(me ? [[key.team, me.dept]] : []),
  };
  return { me, actor };
}

/** The result-entry card's data for one member's department on their team, page `page`, as it is now. */
async function entryCardData(
  app: App,
  task: TaskRecord,
  me: { certNo: string; name: string | null; dept: string },
  team: number,
  page: number,
): Promise<ResultEntryCardData> {
  const { db } = app.store;
  const tz = app.config.LIANCHA_TZ;
  const today = localDate(app.clock(), tz);
  const names = (await directoryNames(db)).departments;
  const deptName = (code: string) => names.get(code) ?? code;
  const targets = await taskResults(db, task.definition, today, { team });
  const pages = Math.max(1, Math.ceil(targets.length / RESULT_PAGE_SIZE));
  const shown = Math.min(Math.max(0, page), pages - 1);
  const list = resultCategories();
  return {
    task: await taskSummary(db, task.definition),
    team: { no: team, region: (await teamRegions(db, task.id, team)).get(team) ?? '' },
    dept: { code: me.dept, name: deptName(me.dept) },
    you: { certNo: me.certNo, name: me.name ?? me.certNo },
    categories: list.categories.map((c) => ({ ...c })),
    methods: await taskItemMethods(db, task.definition).then((m) => [...new Set(m)]),
    today,
    page: shown,
    pages,
    pageSize: RESULT_PAGE_SIZE,
    totals: {
      targets: targets.length,
      entered: targets.filter((t) => t.parts.some((p) => p.dept === me.dept && p.result)).length,
    },
    targets: targets.slice(shown * RESULT_PAGE_SIZE, (shown + 1) * RESULT_PAGE_SIZE).map((t) => {
      const mine = t.parts.find((p) => p.dept === me.dept)!;
      return {
        uscc: t.uscc,
        name: t.name,
        address: t.address,
        mine: mine.result
          ? {
              categories: mine.result.categories,
              inspectedOn: mine.result.inspectedOn,
              methods: mine.result.methods,
              note: mine.result.note,
              followup: mine.result.followup,
              enteredAt: localTime(mine.result.enteredAt, tz),
              version: mine.result.version,
            }
          : null,
        enteredDepts: t.parts.filter((p) => p.result).map((p) => deptName(p.dept)),
        missingDepts: t.parts.filter((p) => !p.result).map((p) => deptName(p.dept)),
        deadline: mine.deadline,
        overdue: mine.overdue,
      };
    }),
    editable: task.state === 'locked',
  };
}

/** 录入结果 (and the card's 上一页 / 下一页): the entry card for the operator's department, or why not. */
export async function openResultEntry(app: App, key: EntryKey): Promise<CardOutcome<ResultEntryCardData>> {
  const task = await getTask(app.store.db, key.taskId);
  if (!task) return { ok: false, refusal: refuse('ASSIGNMENT.NOT_FOUND') };
  if (task.state === 'void')
    return { ok: false, refusal: refuse('TASK.VOID', { reason: task.voidReason ?? '' }) };
  const { me } = await placeOn(app, key);
  if (!me) return { ok: false, refusal: refuse('RESULT.NOT_ON_TEAM') };
  return { ok: true, card: await entryCardData(app, task, me, key.team, key.page) };
}

/**
 * 提交 / 修改 on one target's form: saves this department's part if the rule allows it, with its audit entry (every
 * version is kept there), and answers with the card showing what is entered and what is missing. A refusal names
 * the field and the target; a save that loses to another edit shows the current card.
 */
export async function submitResult(
  app: App,
  key: EntryKey & { uscc: string; version: number; input: ResultInput },
): Promise<CardOutcome<ResultEntryCardData>> {
  const { db } = app.store;
  const task = await getTask(db, key.taskId);
  if (!task) return { ok: false, refusal: refuse('ASSIGNMENT.NOT_FOUND') };
  const { me, actor } = await placeOn(app, key);
  const current = me ? await getResult(db, { taskId: task.id, uscc: key.uscc, dept: me.dept }) : null;
  const teamTargetList = (await teamTargets(db, task.id, key.team)).get(key.team) ?? [];
  const now = app.clock();
  const verdict = enterResult(
    current,
    { ...key.input, version: key.version === 0 ? null : key.version },
    { taskId: task.id, uscc: key.uscc, team: key.team, teamTargets: teamTargetList },
    actor,
    {
      taskState: task.state,
      voidReason: task.voidReason,
      window: task.definition.window,
      itemMethods: await taskItemMethods(db, task.definition),
      today: localDate(now, app.config.LIANCHA_TZ),
    },
    resultCategories(),
    now,
  );
  const card = async () => (me ? await entryCardData(app, task, me, key.team, key.page) : undefined);
  if (!verdict.ok) {
    const target = (await targetsByUscc(db, [key.uscc])).get(key.uscc);
    const refusal: Refusal = {
      ...verdict,
      details: {
        ...verdict.details,
        target: target?.name ?? key.uscc,
        start: task.definition.window.start,
        end: task.definition.window.end,
        today: localDate(now, app.config.LIANCHA_TZ),
      },
    };
    // Someone not on the team learns nothing more; a member sees the card as it is now.
    return me ? { ok: false, refusal, card: await card() } : { ok: false, refusal };
  }
  const refused = await db.transaction().execute(async (trx): Promise<Refusal | null> => {
    // The task as it is now (held until commit): a close, void or import since the check is seen, not raced.
    const now = await taskStateForSave(trx, task.id);
    const shut = now ? taskTakesNoResults(now.state, now.voidReason) : refuse('ASSIGNMENT.NOT_FOUND');
    if (shut) return shut;
    if (!(await saveResult(trx, verdict.next, current?.version ?? null))) return refuse('RESULT.CARD_STALE');
    await applyEffects(app, trx, verdict.effects, { actor: actor.openId, at: verdict.next.enteredAt });
    return null;
  });
  if (refused) return { ok: false, refusal: refused, card: await card() };
  return { ok: true, card: (await card())! };
}
