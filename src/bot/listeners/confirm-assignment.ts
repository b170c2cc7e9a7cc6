import { z } from 'zod';
import { assignmentCard } from '../../cards/index.ts';
import { assignmentData } from '../../services/card-data.ts';
import { appendAudit } from '../../storage/audit.ts';
import { certNosForOpenId } from '../../storage/people.ts';
import { getTask } from '../../storage/tasks.ts';
import type { BotContext } from '../context.ts';
import { toast, type CallbackAnswer, type CardActionEvent } from '../events.ts';

const confirmValue = z.object({
  task: z.string(),
  team: z.number().int(),
  cert: z.string(),
  v: z.number().int(),
});

/**
 * 确认 / Confirm on an assignment card. Only the assigned inspector may confirm; confirming twice does it once;
 * a click on an outdated card gets a toast and the current card. The card updates in place (callback answer).
 */
export async function onConfirmAssignment(ctx: BotContext, e: CardActionEvent): Promise<CallbackAnswer> {
  const { app } = ctx;
  const parsed = confirmValue.safeParse(e.value);
  if (!parsed.success) return { toast: toast('error', '无法识别的按钮', 'Unrecognised button') };
  const { task: taskId, team, cert, v } = parsed.data;
  const task = await getTask(app.store.db, taskId);
  if (!task) return { toast: toast('error', '任务不存在', 'This task no longer exists') };
  if (task.state === 'void')
    return {
      toast: toast(
        'warning',
        `任务已作废：${task.voidReason ?? ''}`,
        `This task was voided: ${task.voidReason ?? ''}`,
      ),
    };

  // Who may act is checked first: a refusal needs no card, and costs one query.
  const mine = await certNosForOpenId(app.store.db, e.operatorOpenId);
  if (!mine.includes(cert)) {
    app.log.warn(
      { operator: e.operatorOpenId, task: taskId, team, cert, code: 'ASSIGNMENT.NOT_ASSIGNEE' },
      'confirmation refused: not the assigned inspector',
    );
    return {
      toast: toast(
        'error',
        '只有被抽中的执法人员本人可以确认',
        'Only the inspector this assignment is for can confirm it',
      ),
    };
  }

  const current = async () =>
    (await assignmentData(app.store.db, task.definition, { team, certNo: cert }))[0];
  const before = await current();
  if (!before)
    return {
      toast: toast('warning', '您已不在该检查组（已更换）', 'You are no longer on this team (replaced)'),
    };
  const card = (d: typeof before) => ({ type: 'raw' as const, data: assignmentCard(d) });
  if (before.confirmation)
    return {
      toast: toast(
        'info',
        `已于 ${before.confirmation.at} 确认`,
        `Already confirmed at ${before.confirmation.at}`,
      ),
      card: card(before),
    };
  if (before.version !== v)
    return {
      toast: toast(
        'info',
        '卡片已更新，请查看最新内容',
        'This card was out of date; here is the current one',
      ),
      card: card(before),
    };

  const at = app.clock().toISOString();
  const changed = await app.store.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('team_members')
      .set((eb) => ({ confirmed_at: at, confirmed_by: e.operatorOpenId, version: eb('version', '+', 1) }))
      .where('task_id', '=', taskId)
      .where('team_no', '=', team)
      .where('cert_no', '=', cert)
      .where('active', '=', 1)
      .where('confirmed_at', 'is', null)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    await appendAudit(trx, app.store.dialect, {
      at,
      actor: e.operatorOpenId,
      action: 'assignment.confirm',
      subject: taskId,
      details: { team, certNo: cert },
    });
    return true;
  });
  if (!changed)
    return { toast: toast('info', '已确认', 'Already confirmed'), card: card((await current()) ?? before) };
  // Exactly what the update wrote: no need to read the card's data again.
  const after = { ...before, confirmation: { at, by: e.operatorOpenId }, version: before.version + 1 };
  return { toast: toast('success', '已确认，感谢！', 'Confirmed, thank you'), card: card(after) };
}
