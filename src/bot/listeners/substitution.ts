import { z } from 'zod';
import { assignmentCard, substitutionRequestCard } from '../../cards/index.ts';
import { MAX_NOTE_CHARS } from '../../domain/substitution-request.ts';
import {
  decideSubstitution,
  requestSubstitution,
  toggleRequestForm,
  withdrawSubstitution,
  type CardOutcome,
} from '../../services/substitution-requests.ts';
import type { BotContext } from '../context.ts';
import { toast, type CallbackAnswer, type CardActionEvent } from '../events.ts';
import type { ListenerResult } from './result.ts';

/**
 * The buttons of the substitution workflow (更换申请): on the assignment card 申请更换 / 取消 / 提交申请 / 撤回申请,
 * on the approval card 同意 / 驳回. Values and form fields are parsed here; the services decide.
 */

const assignmentValue = z.object({
  task: z.string().max(64),
  team: z.number().int(),
  cert: z.string().max(64),
});
const requestValue = z.object({ id: z.string().uuid() });
/** Form values arrive as strings; anything longer than the rule allows is cut, not trusted. */
const text = z.unknown().transform((v) => (typeof v === 'string' ? v.slice(0, MAX_NOTE_CHARS + 1) : ''));
const requestForm = z.object({ reason: text, note: text }).partial();
const decisionForm = z.object({ comment: text }).partial();

const MALFORMED: ListenerResult = { refused: { ok: false, code: 'BUTTON.MALFORMED' } };

function answer<D>(
  out: CardOutcome<D>,
  render: (d: D) => Record<string, unknown>,
  success: CallbackAnswer['toast'],
): ListenerResult {
  const card = (d: D | undefined) => (d ? { type: 'raw' as const, data: render(d) } : undefined);
  if (!out.ok) return { refused: out.refusal, card: card(out.card) };
  return { ...(success ? { toast: success } : {}), card: card(out.card) };
}

function key(e: CardActionEvent) {
  const v = assignmentValue.safeParse(e.value);
  return v.success ? { taskId: v.data.task, team: v.data.team, certNo: v.data.cert } : null;
}

/** 申请更换 / 取消: the assignment card with the request form open, or closed again. */
export const onToggleRequestForm =
  (open: boolean) =>
  async (ctx: BotContext, e: CardActionEvent): Promise<ListenerResult> => {
    const k = key(e);
    if (!k) return MALFORMED;
    const out = await toggleRequestForm(ctx.app, { ...k, operatorOpenId: e.operatorOpenId, open });
    return answer(out, assignmentCard, undefined);
  };

/** 提交申请: the form's submit button. */
export async function onRequestSubstitution(ctx: BotContext, e: CardActionEvent): Promise<ListenerResult> {
  const k = key(e);
  const form = requestForm.safeParse(e.formValue ?? {});
  if (!k || !form.success) return MALFORMED;
  const out = await requestSubstitution(ctx.app, {
    ...k,
    operatorOpenId: e.operatorOpenId,
    reason: form.data.reason ?? '',
    note: form.data.note ?? '',
  });
  ctx.wakeSender();
  return answer(
    out,
    assignmentCard,
    toast('success', '更换申请已提交，等待审批', 'Replacement requested; waiting for approval'),
  );
}

/** 撤回申请 on the requester's assignment card. */
export async function onWithdrawSubstitution(ctx: BotContext, e: CardActionEvent): Promise<ListenerResult> {
  const v = requestValue.safeParse(e.value);
  if (!v.success) return MALFORMED;
  const out = await withdrawSubstitution(ctx.app, { operatorOpenId: e.operatorOpenId, id: v.data.id });
  ctx.wakeSender();
  return answer(out, assignmentCard, toast('success', '更换申请已撤回', 'Request withdrawn'));
}

/** 同意 / 驳回 on the approval card (both submit the card's one form, which holds the comment). */
export const onDecideSubstitution =
  (approve: boolean) =>
  async (ctx: BotContext, e: CardActionEvent): Promise<ListenerResult> => {
    const v = requestValue.safeParse(e.value);
    const form = decisionForm.safeParse(e.formValue ?? {});
    if (!v.success || !form.success) return MALFORMED;
    const out = await decideSubstitution(ctx.app, {
      operatorOpenId: e.operatorOpenId,
      id: v.data.id,
      approve,
      comment: form.data.comment ?? '',
    });
    ctx.wakeSender();
    return answer(
      out,
      substitutionRequestCard,
      approve
        ? toast('success', '已同意，已随机抽取替换人员', 'Approved; a replacement was drawn')
        : toast('success', '已驳回', 'Rejected'),
    );
  };
