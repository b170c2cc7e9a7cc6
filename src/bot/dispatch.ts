import type { Transaction } from 'kysely';
import {
  APPROVE_SUBSTITUTION,
  CLOSE_SUBSTITUTION_FORM,
  CONFIRM_ASSIGNMENT,
  OPEN_RESULT_ENTRY,
  OPEN_SUBSTITUTION_FORM,
  REJECT_SUBSTITUTION,
  REQUEST_SUBSTITUTION,
  SUBMIT_RESULT,
  WITHDRAW_SUBSTITUTION,
} from '../cards/index.ts';
import type { Database } from '../storage/schema.ts';
import { recordDelivery } from '../storage/inbound.ts';
import type { BotContext } from './context.ts';
import {
  safeAnswer,
  type BotEvent,
  type CallbackAnswer,
  type CardActionEvent,
  type MessageEvent,
} from './events.ts';
import { onChatCommand } from './listeners/chat-command.ts';
import { onConfirmAssignment } from './listeners/confirm-assignment.ts';
import { onOpenResultEntry, onSubmitResult } from './listeners/result-entry.ts';
import {
  onDecideSubstitution,
  onRequestSubstitution,
  onToggleRequestForm,
  onWithdrawSubstitution,
} from './listeners/substitution.ts';
import type { ListenerResult } from './listeners/result.ts';
import { refusalToast } from './refusals.ts';

type CardActionListener = (ctx: BotContext, e: CardActionEvent) => Promise<ListenerResult>;

/**
 * Card actions by the `action` their button carries. One small listener per interaction. A `Map`, not an object
 * literal: the action name comes from the callback, and on a plain object `constructor`, `__proto__` or
 * `valueOf` would resolve to Object.prototype's members.
 */
const CARD_ACTIONS: ReadonlyMap<string, CardActionListener> = new Map([
  [CONFIRM_ASSIGNMENT, onConfirmAssignment],
  [OPEN_SUBSTITUTION_FORM, onToggleRequestForm(true)],
  [CLOSE_SUBSTITUTION_FORM, onToggleRequestForm(false)],
  [REQUEST_SUBSTITUTION, onRequestSubstitution],
  [WITHDRAW_SUBSTITUTION, onWithdrawSubstitution],
  [APPROVE_SUBSTITUTION, onDecideSubstitution(true)],
  [REJECT_SUBSTITUTION, onDecideSubstitution(false)],
  [OPEN_RESULT_ENTRY, onOpenResultEntry],
  [SUBMIT_RESULT, onSubmitResult],
]);

/**
 * The one entry point for every event, however it arrived (HTTP or WS). Deliveries are deduplicated in the
 * database first: Feishu delivers at least once, and a redelivered event is acknowledged and ignored.
 */
export async function dispatch(ctx: BotContext, event: BotEvent): Promise<CallbackAnswer> {
  const { app } = ctx;
  const now = app.clock();
  if (event.kind === 'message') {
    const ignored = await whyIgnored(ctx, event);
    if (ignored) {
      app.log.debug({ message: event.messageId, chat: event.chatId }, `message ignored: ${ignored}`);
      return {};
    }
    // Recorded in the same transaction as the reply it causes: when handling fails (or the process dies) half-way,
    // nothing is recorded, and Feishu's redelivery of the event is handled instead of being ignored.
    // A message can come back under a new event id; its message id is the stable key.
    const first = async (trx: Transaction<Database>) =>
      (await recordDelivery(trx, event.deliveryId, event.kind, now)) &&
      (await recordDelivery(trx, `message:${event.messageId}`, 'message', now));
    if (!(await onChatCommand(ctx, event, first)))
      app.log.info({ delivery: event.deliveryId, message: event.messageId }, 'duplicate message ignored');
    return {};
  }
  if (!(await recordDelivery(app.store.db, event.deliveryId, event.kind, now))) {
    app.log.info({ delivery: event.deliveryId }, 'duplicate delivery ignored');
    return {};
  }
  const action = typeof event.value.action === 'string' ? event.value.action : '';
  const listener = CARD_ACTIONS.get(action);
  const result: ListenerResult = listener
    ? await listener(ctx, event)
    : { refused: { ok: false, code: 'BUTTON.UNKNOWN' } };
  let answer: CallbackAnswer;
  if ('refused' in result) {
    // Coded refusals become toasts here, and only here; the code goes to the log (no extra write per click).
    app.log.info(
      { action: action.slice(0, 64), operator: event.operatorOpenId, code: result.refused.code },
      'card action refused',
    );
    answer = { toast: refusalToast(result.refused), ...(result.card ? { card: result.card } : {}) };
  } else answer = result;
  // Whatever a listener returns, only a toast and a card leave (the schema in events.ts).
  const checked = safeAnswer(answer);
  if (!checked.ok)
    app.log.error({ action: action.slice(0, 64) }, 'callback answer refused: not {toast, card}');
  return checked.answer;
}

/**
 * Which messages the bot answers. With the `im:message.group_msg` scope Feishu delivers every group message, so in
 * a group only those that @ the bot itself count; a direct message always does. Messages to everyone (`@_all`)
 * and anything but text (posts, images, files) get no answer, not even the help card.
 */
async function whyIgnored(ctx: BotContext, e: MessageEvent): Promise<string | null> {
  if (e.senderOpenId === '') return 'no sender';
  if (e.messageType !== 'text') return `a ${e.messageType || 'non-text'} message`;
  if (e.mentionsAll) return 'addressed to everyone (@_all)';
  if (e.chatType === 'group') {
    const self = await ctx.botOpenId();
    if (!self) return 'the bot does not know its own open_id yet';
    if (!e.mentionedOpenIds.includes(self)) return 'a group message that does not @ the bot';
  }
  return null;
}
