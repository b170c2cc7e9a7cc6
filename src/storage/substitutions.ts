import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { SubstitutionRecord } from '../domain/draw/index.ts';
import type { Database } from './schema.ts';

/**
 * Records an approved replacement: the request row (state approved, with n and who came in), the leaving
 * member marked inactive and the new member added in the leaving one's role. The lock triggers allow exactly
 * this change to a locked team, and only once the approved row exists — so it is written first.
 */
export async function recordApprovedSubstitution(
  trx: Transaction<Database>,
  taskId: string,
  sub: SubstitutionRecord,
  request: { id?: string; requestedBy: string; requestedAt: string; note?: string | null },
): Promise<void> {
  const last = await trx
    .selectFrom('substitutions')
    .select((eb) => eb.fn.max('approval_seq').as('seq'))
    .where('task_id', '=', taskId)
    .executeTakeFirst();
  await trx
    .insertInto('substitutions')
    .values({
      id: request.id ?? randomUUID(),
      task_id: taskId,
      team_no: sub.team,
      dept: sub.dept,
      out_cert: sub.out,
      reason: sub.reason,
      note: request.note ?? null,
      state: 'approved',
      requested_by: request.requestedBy,
      requested_at: request.requestedAt,
      decided_by: sub.approvedBy,
      decided_at: sub.approvedAt,
      comment: null,
      n: sub.n,
      in_cert: sub.in,
      approval_seq: Number(last?.seq ?? 0) + 1,
      version: 1,
    })
    .execute();
  const leaving = await trx
    .selectFrom('team_members')
    .select(['leader'])
    .where('task_id', '=', taskId)
    .where('team_no', '=', sub.team)
    .where('cert_no', '=', sub.out)
    .executeTakeFirstOrThrow();
  const position = await trx
    .selectFrom('team_members')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('task_id', '=', taskId)
    .where('team_no', '=', sub.team)
    .executeTakeFirst();
  await trx
    .updateTable('team_members')
    .set((eb) => ({ active: 0, version: eb('version', '+', 1) }))
    .where('task_id', '=', taskId)
    .where('team_no', '=', sub.team)
    .where('cert_no', '=', sub.out)
    .execute();
  await trx
    .insertInto('team_members')
    .values({
      task_id: taskId,
      team_no: sub.team,
      cert_no: sub.in,
      dept: sub.dept,
      leader: Number(leaving.leader),
      position: Number(position?.max ?? 0) + 1,
      source: 'substitution',
      active: 1,
      confirmed_at: null,
      confirmed_by: null,
      version: 1,
    })
    .execute();
}
