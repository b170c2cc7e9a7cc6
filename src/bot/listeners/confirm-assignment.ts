import { z } from 'zod';
import { assignmentCard } from '../../cards/index.ts';
import { confirmAssignment } from '../../services/assignments.ts';
import type { BotContext } from '../context.ts';
import { toast, type CardActionEvent } from '../events.ts';
import type { ListenerResult } from './result.ts';

const confirmValue = z.object({
  task: z.string().max(64),
  team: z.number().int(),
  cert: z.string().max(64),
  v: z.number().int(),
});

/** 确认 / Confirm on an assignment card: the service decides; the card updates in place (callback answer). */
export async function onConfirmAssignment(ctx: BotContext, e: CardActionEvent): Promise<ListenerResult> {
  const parsed = confirmValue.safeParse(e.value);
  if (!parsed.success) return { refused: { ok: false, code: 'BUTTON.MALFORMED' } };
  const { task, team, cert, v } = parsed.data;
  const out = await confirmAssignment(ctx.app, {
    operatorOpenId: e.operatorOpenId,
    taskId: task,
    team,
    certNo: cert,
    version: v,
  });
  const card = (d: typeof out.card) => (d ? { type: 'raw' as const, data: assignmentCard(d) } : undefined);
  if (!out.ok) return { refused: out.refusal, card: card(out.card) };
  return { toast: toast('success', '已确认，感谢！', 'Confirmed, thank you'), card: card(out.card) };
}
