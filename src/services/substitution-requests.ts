import { randomUUID } from 'node:crypto';
import type { App } from '../app.ts';
import type { AssignmentCardData, SubstitutionRequestCardData } from '../cards/index.ts';
import type { Actor } from '../domain/assignment.ts';
import { DrawError } from '../domain/draw/index.ts';
import {
  chooseDecider,
  decideSubstitution as decideRule,
  requestRefusal,
  requestSubstitution as requestRule,
  withdrawSubstitution as withdrawRule,
  type RequestableAssignment,
  type SubstitutionRequest,
} from '../domain/substitution-request.ts';
import { localDate, localTime } from '../domain/time.ts';
import { refuse, type Refusal } from '../domain/transition.ts';
import { directoryNames } from '../storage/directory.ts';
import { loadMembers } from '../storage/draws.ts';
import { claimOccasion } from '../storage/job-runs.ts';
import { certNosForOpenId } from '../storage/people.ts';
import {
  getRequest,
  insertRequest,
  latestRequestFor,
  lockTaskSubstitutions,
  saveDecision,
} from '../storage/substitutions.ts';
import { getTask } from '../storage/tasks.ts';
import { assignmentData } from './card-data.ts';
import { applyEffects } from './effects.ts';
import {
  departmentOpenIds,
  patchRequestCards,
  queueApprovalNotices,
  queueClosedNotice,
  queueRequestCard,
  queueShortfallNotice,
  requestCardData,
} from './substitution-cards.ts';
import { drawAndRecordReplacement } from './substitutions.ts';

/**
 * The substitution request workflow (更换申请), one function per thing a person does on a card: open the form,
 * send the request, withdraw it, approve or reject it. Each loads the state, applies the rule in
 * `domain/substitution-request.ts`, and saves the next state, the audit entry and the cards it sends in one
 * transaction; it returns the card the clicked message should now show.
 */

/** Which assignment a button is about: the task, the team and the inspector's certificate. */
export interface AssignmentKey {
  taskId: string;
  team: number;
  certNo: string;
}

/** The outcome a listener shows: the clicked card in its new state, or a coded refusal (with the card when useful). */
export type CardOutcome<D> = { ok: true; card: D } | { ok: false; refusal: Refusal; card?: D };

async function actorOf(app: App, openId: string): Promise<Actor> {
  return { openId, certNos: await certNosForOpenId(app.store.db, openId) };
}

const today = (app: App) => localDate(app.clock(), app.config.LIANCHA_TZ);

async function requestable(app: App, key: AssignmentKey): Promise<RequestableAssignment | null> {
  const task = await getTask(app.store.db, key.taskId);
  if (!task) return null;
  const member = (await loadMembers(app.store.db, key.taskId, key.team)).find((m) => m.certNo === key.certNo);
  if (!member) return null;
  return {
    taskId: task.id,
    taskState: task.state,
    voidReason: task.voidReason,
    windowEnd: task.definition.window.end,
    team: key.team,
    dept: member.dept,
    certNo: member.certNo,
    active: member.active,
    version: member.version,
  };
}

/** The assignment card as it is in the database now (`mode` to show the request form). */
export async function assignmentCardNow(
  app: App,
  key: AssignmentKey,
  mode: AssignmentCardData['mode'] = 'view',
): Promise<AssignmentCardData | undefined> {
  const task = await getTask(app.store.db, key.taskId);
  if (!task) return undefined;
  const [data] = await assignmentData(app.store.db, task.definition, {
    only: { team: key.team, certNo: key.certNo },
    tz: app.config.LIANCHA_TZ,
  });
  return data ? { ...data, mode } : undefined;
}

async function pendingOf(app: App, key: AssignmentKey): Promise<SubstitutionRequest | null> {
  const latest = await latestRequestFor(app.store.db, key);
  return latest?.state === 'pending' ? latest : null;
}

/** Refusals after which the person may still see their own card as it is now. */
const SHOWS_OWN_CARD = new Set([
  'ASSIGNMENT.REPLACED',
  'SUBSTITUTION.ALREADY_PENDING',
  'SUBSTITUTION.WINDOW_ENDED',
  'TASK.NOT_LOCKED',
]);

/** A refusal's times (ISO in the rule) as people read them. */
function readable(refusal: Refusal, tz: string): Refusal {
  if (!refusal.details?.at) return refusal;
  return { ...refusal, details: { ...refusal.details, at: localTime(refusal.details.at, tz) } };
}

/**
 * 申请更换 (open) and 取消 (close) on an assignment card: shows the card with the request form, or without it.
 * Nothing is saved; the form opens only for someone who may send it.
 */
export async function toggleRequestForm(
  app: App,
  input: AssignmentKey & { operatorOpenId: string; open: boolean },
): Promise<CardOutcome<AssignmentCardData>> {
  const actor = await actorOf(app, input.operatorOpenId);
  const refused = requestRefusal(
    await requestable(app, input),
    await pendingOf(app, input),
    actor,
    today(app),
  );
  // Closing the form is always allowed for the inspector (the card returns to what it was).
  if (
    refused &&
    (input.open || refused.code === 'ASSIGNMENT.NOT_ASSIGNEE' || refused.code === 'ASSIGNMENT.NOT_FOUND')
  )
    return refusedWithCard(app, input, refused);
  const card = await assignmentCardNow(app, input, input.open ? 'request-form' : 'view');
  return card ? { ok: true, card } : { ok: false, refusal: refuse('ASSIGNMENT.NOT_FOUND') };
}

async function refusedWithCard(
  app: App,
  key: AssignmentKey,
  refusal: Refusal,
): Promise<CardOutcome<AssignmentCardData>> {
  const shown = readable(refusal, app.config.LIANCHA_TZ);
  if (!SHOWS_OWN_CARD.has(refusal.code)) return { ok: false, refusal: shown };
  return { ok: false, refusal: shown, card: await assignmentCardNow(app, key) };
}

/**
 * 提交申请: the request is saved and its approval card queued to the head of the inspector's department (or the
 * liaison, when the head is the requester or cannot be reached) in one transaction. Two submissions at once save
 * one: the second is told a request is already pending.
 */
export async function requestSubstitution(
  app: App,
  input: AssignmentKey & { operatorOpenId: string; reason: string; note: string },
): Promise<CardOutcome<AssignmentCardData>> {
  const actor = await actorOf(app, input.operatorOpenId);
  const assignment = await requestable(app, input);
  const contacts = assignment
    ? await departmentOpenIds(app.store.db, assignment.dept)
    : { headOpenId: null, liaisonOpenId: null };
  const verdict = requestRule(
    assignment,
    await pendingOf(app, input),
    { reason: input.reason, note: input.note, id: randomUUID(), today: today(app) },
    actor,
    chooseDecider(contacts, input.operatorOpenId),
    app.clock(),
  );
  if (!verdict.ok) return refusedWithCard(app, input, verdict);
  const saved = await app.store.db.transaction().execute(async (trx) => {
    if (!(await insertRequest(trx, verdict.next))) return false;
    await applyEffects(app, trx, verdict.effects, { actor: actor.openId, at: verdict.next.requestedAt });
    await queueRequestCard(trx, app, verdict.next);
    return true;
  });
  if (!saved) {
    const pending = await pendingOf(app, input);
    return refusedWithCard(
      app,
      input,
      refuse('SUBSTITUTION.ALREADY_PENDING', { at: pending?.requestedAt ?? verdict.next.requestedAt }),
    );
  }
  return { ok: true, card: (await assignmentCardNow(app, input))! };
}

/** 撤回申请: the requester takes a pending request back; the decider's card shows it was withdrawn. */
export async function withdrawSubstitution(
  app: App,
  input: { operatorOpenId: string; id: string },
): Promise<CardOutcome<AssignmentCardData>> {
  const actor = await actorOf(app, input.operatorOpenId);
  const current = await getRequest(app.store.db, input.id);
  const verdict = withdrawRule(current, actor, app.clock());
  const key = current ? { taskId: current.taskId, team: current.team, certNo: current.outCert } : null;
  if (!verdict.ok) {
    if (!key || verdict.code === 'SUBSTITUTION.NOT_REQUESTER') return { ok: false, refusal: verdict };
    return { ok: false, refusal: verdict, card: await assignmentCardNow(app, key) };
  }
  const saved = await app.store.db.transaction().execute(async (trx) => {
    if (!(await saveDecision(trx, verdict.next, current!.version))) return false;
    await applyEffects(app, trx, verdict.effects, { actor: actor.openId, at: verdict.next.decidedAt! });
    await patchRequestCards(trx, app, verdict.next);
    return true;
  });
  if (!saved) {
    const now = await getRequest(app.store.db, input.id);
    return {
      ok: false,
      refusal: refuse('SUBSTITUTION.ALREADY_DECIDED', { state: now?.state ?? 'approved' }),
      card: await assignmentCardNow(app, key!),
    };
  }
  return { ok: true, card: (await assignmentCardNow(app, key!))! };
}

/**
 * 同意 / 驳回 on the approval card. Everything happens in one transaction that first takes the task's
 * substitution lock: the request is re-read there, so of two decisions racing (a double click, two devices)
 * exactly one is saved and the other sees it. An approval draws the replacement in that same transaction; when
 * nobody is left to draw, the approval is refused with the department and region, the request stays pending and
 * the initiating department's liaison is told (once).
 */
export async function decideSubstitution(
  app: App,
  input: { operatorOpenId: string; id: string; approve: boolean; comment: string },
): Promise<CardOutcome<SubstitutionRequestCardData>> {
  const actor = await actorOf(app, input.operatorOpenId);
  const tz = app.config.LIANCHA_TZ;
  type Step = { ok: true; next: SubstitutionRequest } | { ok: false; refusal: Refusal; showCard: boolean };
  const step = await app.store.db.transaction().execute(async (trx): Promise<Step> => {
    const current = await getRequest(trx, input.id);
    if (current) await lockTaskSubstitutions(trx, current.taskId);
    const fresh = current ? await getRequest(trx, input.id) : null;
    const verdict = decideRule(fresh, { approve: input.approve, comment: input.comment }, actor, app.clock());
    if (!verdict.ok) {
      // Only the decider sees the card; anyone else learns nothing about the request.
      const showCard =
        verdict.code === 'SUBSTITUTION.ALREADY_DECIDED' || verdict.code === 'SUBSTITUTION.COMMENT_REQUIRED';
      return { ok: false, refusal: verdict, showCard };
    }
    const next = verdict.next;
    if (!input.approve) {
      if (!(await saveDecision(trx, next, fresh!.version)))
        return {
          ok: false,
          refusal: refuse('SUBSTITUTION.ALREADY_DECIDED', { state: 'decided' }),
          showCard: true,
        };
      await applyEffects(app, trx, verdict.effects, { actor: actor.openId, at: next.decidedAt! });
      await queueClosedNotice(trx, app, next);
      await patchRequestCards(trx, app, next);
      return { ok: true, next };
    }
    // The approval's audit entry is written by drawAndRecordReplacement, with what the draw decided (n, who came
    // in, the seed) — the rule's own audit effect would say less, so it is not applied here.
    let record;
    try {
      record = await drawAndRecordReplacement(trx, app, next.taskId, {
        id: next.id,
        readVersion: fresh!.version,
        team: next.team,
        dept: next.dept,
        out: next.outCert,
        reason: next.reason,
        approvedBy: actor.openId,
        approvedAt: next.decidedAt!,
      });
    } catch (err) {
      if (!(err instanceof DrawError) || err.code !== 'SUB.SHORTFALL') throw err;
      const region = String(err.details.region ?? '');
      if (await claimOccasion(trx, `sub-shortfall:${next.id}`, app.clock(), 'approval-click'))
        await queueShortfallNotice(trx, app, fresh!, {
          region,
          why: '该部门在此区域已无符合条件（执法资格、执法区域、无回避关系、未曾在本组）的执法人员',
        });
      return {
        ok: false,
        refusal: refuse('SUBSTITUTION.NO_REPLACEMENT', {
          dept: (await directoryNames(trx)).departments.get(next.dept) ?? next.dept,
          region,
        }),
        showCard: true,
      };
    }
    if (!record)
      return {
        ok: false,
        refusal: refuse('SUBSTITUTION.ALREADY_DECIDED', { state: 'decided' }),
        showCard: true,
      };
    const approved = { ...next, inCert: record.in };
    const { replacementReachable } = await queueApprovalNotices(trx, app, approved, record);
    if (!replacementReachable)
      app.log.warn(
        { task: next.taskId, team: next.team, cert: record.in },
        'the replacement has no Feishu identity: their liaison must tell them (liancha users check)',
      );
    await patchRequestCards(trx, app, approved);
    return { ok: true, next: approved };
  });
  const now = await getRequest(app.store.db, input.id);
  const card = now ? await requestCardData(app.store.db, now, tz) : undefined;
  if (!step.ok) {
    let refusal = step.refusal;
    if (refusal.code === 'SUBSTITUTION.ALREADY_DECIDED' && now)
      refusal = refuse('SUBSTITUTION.ALREADY_DECIDED', { state: now.state });
    return step.showCard && card ? { ok: false, refusal, card } : { ok: false, refusal };
  }
  return { ok: true, card: card! };
}
