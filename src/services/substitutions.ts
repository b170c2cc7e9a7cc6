import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Transaction } from 'kysely';
import type { App } from '../app.ts';
import {
  indexSnapshots,
  parseCompactSnapshots,
  SubstitutionReplayer,
  type SubstitutionRecord,
  type SubstitutionRequest as ApprovedRequest,
} from '../domain/draw/index.ts';
import { appendAudit } from '../storage/audit.ts';
import { approvedSubstitutions, getDraw, loadOutcome } from '../storage/draws.ts';
import type { Database } from '../storage/schema.ts';
import {
  insertRequest,
  lockTaskSubstitutions,
  recordApprovedSubstitution,
} from '../storage/substitutions.ts';
import { UserError } from '../errors.ts';
import { getTask } from '../storage/tasks.ts';

/**
 * The replacement draw behind an approval (docs/draw-algorithm.md "Substitutions"): the earlier approved
 * replacements of the task are replayed first, in approval order, since each changes who is on which team and
 * the loads. The chat workflow (`substitution-requests.ts`) and the draw vector test both come through here.
 */

/**
 * The task's teams as they stand now: the draw replayed through every approved substitution so far, with the
 * draw's seed. Null when the draw has not run.
 */
export async function replayedDraw(
  db: Kysely<Database>,
  taskId: string,
): Promise<{ replayer: SubstitutionReplayer; seed: string } | null> {
  const draw = await getDraw(db, taskId);
  if (!draw?.seed) return null;
  const outcome = await loadOutcome(db, draw);
  const replayer = new SubstitutionReplayer(
    Buffer.from(draw.seed, 'hex'),
    // The targets as a TargetTable, as the draw and the verifier hold them (not an object per target).
    indexSnapshots(parseCompactSnapshots(draw.snapshots)),
    outcome.teams,
  );
  for (const earlier of await approvedSubstitutions(db, taskId)) replayer.apply(earlier);
  return { replayer, seed: draw.seed };
}

/**
 * Draws the replacement for a pending request and records the approval, the team change and the audit entry in
 * the caller's transaction. Returns null when the request was no longer pending at `readVersion` (another
 * decision won the race).
 * @throws DrawError SUB.SHORTFALL when nobody is left to draw (nothing is written then).
 */
export async function drawAndRecordReplacement(
  trx: Transaction<Database>,
  app: App,
  taskId: string,
  request: ApprovedRequest & { id: string; readVersion: number },
): Promise<SubstitutionRecord | null> {
  await lockTaskSubstitutions(trx, taskId);
  const replayed = await replayedDraw(trx, taskId);
  if (!replayed)
    throw new UserError(
      'SUB.NOT_DRAWN',
      `the draw of task ${taskId} has not run; there is nobody to replace`,
    );
  const record = replayed.replayer.apply(request);
  if (!(await recordApprovedSubstitution(trx, taskId, record, request))) return null;
  await appendAudit(trx, {
    at: app.clock().toISOString(),
    actor: request.approvedBy,
    action: 'substitution.approve',
    subject: taskId,
    details: { request: request.id, ...record, seed: replayed.seed },
  });
  return record;
}

/**
 * Records an approval decided outside chat in one step (a pending request and its approval at once), for replaying
 * a published record such as the draw test vector. The chat workflow never uses it: there the request, the
 * decider's card and the approval are separate steps (`substitution-requests.ts`).
 * @throws UserError when the task is unknown or not drawn; DrawError for a shortfall or a wrong member.
 */
export async function recordExternalApproval(
  app: App,
  taskId: string,
  request: ApprovedRequest & { requestedBy: string; requestedAt: string; note?: string | null },
): Promise<SubstitutionRecord> {
  const task = await getTask(app.store.db, taskId);
  if (!task) throw new UserError('TASK.NOT_FOUND', `there is no task ${taskId}`);
  return app.store.db.transaction().execute(async (trx) => {
    const id = randomUUID();
    await insertRequest(trx, {
      id,
      taskId,
      taskState: task.state,
      voidReason: task.voidReason,
      team: request.team,
      dept: request.dept,
      outCert: request.out,
      reason: request.reason,
      note: request.note ?? null,
      state: 'pending',
      requestedBy: request.requestedBy,
      requestedAt: request.requestedAt,
      decider: { openId: request.approvedBy, role: 'head', why: null },
      decidedBy: null,
      decidedAt: null,
      comment: null,
      inCert: null,
      version: 1,
    });
    const record = await drawAndRecordReplacement(trx, app, taskId, { ...request, id, readVersion: 1 });
    return record!;
  });
}
