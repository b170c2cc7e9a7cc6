import { z } from 'zod';

/**
 * The one shape every receiver produces (HTTP webhooks and the WS long connection alike), so the bot never
 * knows how an event arrived. Converted from the SDK's flattened envelope (docs/feishu.md "Card callbacks").
 */

export interface MessageEvent {
  kind: 'message';
  /** `event:<event_id>`: the delivery, for persistent dedupe. */
  deliveryId: string;
  messageId: string;
  chatId: string;
  chatType: 'p2p' | 'group';
  /** `text`, `post`, `image`, …: only text messages are commands. */
  messageType: string;
  senderOpenId: string;
  /** The open_ids the message @-mentions (the bot's own among them when it was addressed in a group). */
  mentionedOpenIds: string[];
  /** The message @-mentions everyone (`@_all`). */
  mentionsAll: boolean;
  /** Text with the @-mention placeholders (`@_user_1`, `@_all`) removed; '' for anything but text. */
  text: string;
}

export interface CardActionEvent {
  kind: 'card.action';
  deliveryId: string;
  operatorOpenId: string;
  /** The button's callback value (an object). */
  value: Record<string, unknown>;
  formValue: Record<string, unknown> | null;
  messageId: string | null;
  chatId: string | null;
}

export type BotEvent = MessageEvent | CardActionEvent;

/**
 * What a card callback answers within Feishu's 3 s: a toast and/or the card's new state — and nothing else. Every
 * answer is parsed with this schema before it leaves (`safeAnswer`), so a listener bug can never send anything
 * but a toast and a card 2.0 (strict objects: an unknown key is an error, not passed through).
 */
export const callbackAnswerSchema = z
  .object({
    toast: z
      .object({
        type: z.enum(['success', 'info', 'warning', 'error']),
        content: z.string(),
        i18n: z.object({ zh_cn: z.string(), en_us: z.string() }).strict(),
      })
      .strict()
      .optional(),
    card: z
      .object({
        type: z.literal('raw'),
        data: z.object({ schema: z.literal('2.0') }).passthrough(),
      })
      .strict()
      .optional(),
  })
  .strict();

export interface CallbackAnswer {
  toast?: {
    type: 'success' | 'info' | 'warning' | 'error';
    content: string;
    i18n: { zh_cn: string; en_us: string };
  };
  card?: { type: 'raw'; data: Record<string, unknown> };
}

export const FAILED_ANSWER: CallbackAnswer = {
  toast: toast('error', '处理失败，请稍后重试', 'Something went wrong; please try again'),
};

/** The answer as the schema allows it, or the failure toast (`ok: false`) when it is anything else. */
export function safeAnswer(
  answer: unknown,
): { ok: true; answer: CallbackAnswer } | { ok: false; answer: CallbackAnswer } {
  const parsed = callbackAnswerSchema.safeParse(answer ?? {});
  return parsed.success ? { ok: true, answer: parsed.data } : { ok: false, answer: FAILED_ANSWER };
}

type Flat = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function toMessageEvent(data: Flat): MessageEvent | null {
  const message = data.message as Flat | undefined;
  if (!message) return null;
  const mentions = Array.isArray(message.mentions) ? (message.mentions as Flat[]) : [];
  let raw = '';
  if (message.message_type === 'text') {
    try {
      raw = String((JSON.parse(message.content) as { text?: unknown }).text ?? '');
    } catch {
      raw = '';
    }
  }
  return {
    kind: 'message',
    deliveryId: `event:${data.event_id}`,
    messageId: message.message_id,
    chatId: message.chat_id,
    chatType: message.chat_type === 'group' ? 'group' : 'p2p',
    messageType: typeof message.message_type === 'string' ? message.message_type : '',
    senderOpenId: data.sender?.sender_id?.open_id ?? '',
    mentionedOpenIds: mentions
      .map((m) => m?.id?.open_id)
      .filter((id): id is string => typeof id === 'string'),
    mentionsAll: /@_all\b/.test(raw) || mentions.some((m) => m?.key === '@_all'),
    text: raw.replace(/@_(user_\d+|all)\b/g, '').trim(),
  };
}

export function toCardActionEvent(data: Flat): CardActionEvent {
  return {
    kind: 'card.action',
    deliveryId: `event:${data.event_id}`,
    operatorOpenId: data.operator?.open_id ?? '',
    value: data.action?.value && typeof data.action.value === 'object' ? data.action.value : {},
    formValue: data.action?.form_value ?? null,
    messageId: data.context?.open_message_id ?? null,
    chatId: data.context?.open_chat_id ?? null,
  };
}

export function toast(
  type: NonNullable<CallbackAnswer['toast']>['type'],
  zh: string,
  en: string,
): NonNullable<CallbackAnswer['toast']> {
  return { type, content: zh, i18n: { zh_cn: zh, en_us: en } };
}
