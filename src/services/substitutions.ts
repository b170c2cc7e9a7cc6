import type { App } from '../app.ts';
import {
  applySubstitutions,
  DrawError,
  type SubstitutionRecord,
  type SubstitutionRequest,
} from '../domain/draw/index.ts';
import { UserError } from '../errors.ts';
import { appendAudit } from '../storage/audit.ts';
import { approvedSubstitutions, getDraw, loadOutcome } from '../storage/draws.ts';
import { recordApprovedSubstitution } from '../storage/substitutions.ts';

/**
 * Draws and records the replacement for an approved substitution request (docs/draw-algorithm.md "Substitutions"): the
 * earlier approved ones are replayed first, since each changes who is on which team and the loads.
 * The request/approval conversation in chat builds on this.
 */
export async function approveSubstitution(
  app: App,
  taskId: string,
  request: SubstitutionRequest & { requestedBy: string; requestedAt: string; note?: string | null },
): Promise<SubstitutionRecord> {
  return app.store.db.transaction().execute(async (trx) => {
    const draw = await getDraw(trx, taskId);
    if (!draw?.seed)
      throw new UserError(
        'SUB.NOT_DRAWN',
        `the draw of task ${taskId} has not run; there is nobody to replace`,
      );
    const earlier = await approvedSubstitutions(trx, taskId);
    let record: SubstitutionRecord;
    try {
      const replay = applySubstitutions(await loadOutcome(trx, draw), draw.snapshots, [...earlier, request]);
      record = replay.substitutions.at(-1)!;
    } catch (err) {
      if (err instanceof DrawError) throw new UserError(err.code, err.message);
      throw err;
    }
    await recordApprovedSubstitution(trx, taskId, record, request);
    await appendAudit(trx, {
      at: app.clock().toISOString(),
      actor: request.approvedBy,
      action: 'substitution.approve',
      subject: taskId,
      details: { ...record, seed: draw.seed },
    });
    return record;
  });
}
