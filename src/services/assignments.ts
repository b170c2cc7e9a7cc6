import type { App } from '../app.ts';
import type { AssignmentCardData } from '../cards/index.ts';
import { confirmAssignment as confirmRule, type ConfirmRefusal } from '../domain/assignment.ts';
import { localTime } from '../domain/time.ts';
import type { TaskDefinition } from '../domain/task.ts';
import { assignmentAsClicked, getAssignment, saveConfirmation } from '../storage/assignments.ts';
import { assignmentData } from './card-data.ts';
import { applyEffects } from './effects.ts';

export interface ConfirmInput {
  operatorOpenId: string;
  taskId: string;
  team: number;
  certNo: string;
  /** The version the clicked card shows. */
  version: number;
}

/** The outcome a listener shows: the card in its current state, or a refusal (with the current card when useful). */
export type ConfirmOutcome =
  { ok: true; card: AssignmentCardData } | { ok: false; refusal: ConfirmRefusal; card?: AssignmentCardData };

/**
 * An inspector confirms their assignment (确认). Loads the assignment, applies the domain rule, and saves the
 * confirmation and its audit entry in one transaction; a click that loses a race sees the winner's card.
 *
 * @example const out = await confirmAssignment(app, { operatorOpenId, taskId, team: 1, certNo, version: 1 })
 */
export async function confirmAssignment(app: App, input: ConfirmInput): Promise<ConfirmOutcome> {
  const { db } = app.store;
  const tz = app.config.LIANCHA_TZ;
  const key = { taskId: input.taskId, team: input.team, certNo: input.certNo };
  // One statement: the row, whether the operator is its inspector, and the task's definition for the card.
  const read = await assignmentAsClicked(db, key, input.operatorOpenId);
  const current = read?.assignment ?? null;
  // The rule asks only whether the operator holds this certificate, so that is all the actor carries.
  const actor = { openId: input.operatorOpenId, certNos: read?.byAssignee ? [input.certNo] : [] };
  const verdict = confirmRule(current, { version: input.version }, actor, app.clock());
  if (!verdict.ok) {
    // The person may see the card as it is now only if it is theirs and still shown to them.
    const withCard = verdict.code === 'ASSIGNMENT.ALREADY_CONFIRMED' || verdict.code === 'CARD.STALE';
    const refusal =
      verdict.code === 'ASSIGNMENT.ALREADY_CONFIRMED'
        ? { ...verdict, details: { at: localTime(verdict.details!.at!, tz) } }
        : verdict;
    return withCard
      ? { ok: false, refusal, card: await cardFor(app, read!.definition, key) }
      : { ok: false, refusal };
  }
  const saved = await db.transaction().execute(async (trx) => {
    if (!(await saveConfirmation(trx, verdict.next, current!.version))) return false;
    await applyEffects(app, trx, verdict.effects, {
      actor: input.operatorOpenId,
      at: verdict.next.confirmedAt!,
    });
    return true;
  });
  if (!saved) {
    // Another click (a second device, a double tap) confirmed first: show what it did.
    const now = await getAssignment(db, key);
    return {
      ok: false,
      refusal: {
        ok: false,
        code: 'ASSIGNMENT.ALREADY_CONFIRMED',
        details: { at: localTime(now?.confirmedAt ?? verdict.next.confirmedAt!, tz) },
      },
      card: await cardFor(app, read!.definition, key),
    };
  }
  return { ok: true, card: await cardFor(app, read!.definition, key) };
}

/** The assignment card's data as it is in the database now, times in the office's zone. */
async function cardFor(
  app: App,
  definition: TaskDefinition,
  key: { taskId: string; team: number; certNo: string },
): Promise<AssignmentCardData> {
  const [data] = await assignmentData(app.store.db, definition, {
    only: { team: key.team, certNo: key.certNo },
    tz: app.config.LIANCHA_TZ,
  });
  return data!;
}
