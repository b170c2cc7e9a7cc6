/**
 * Sends Feishu events and card callbacks to a URL exactly as Feishu does: a schema 2.0 envelope, encrypted with
 * the app's Encrypt Key (AES-256-CBC, key = SHA-256(encryptKey), random IV prefixed, base64) and signed
 * (`X-Lark-Signature` = hex(sha256(timestamp + nonce + encryptKey + rawBody))). Options forge what an attacker
 * or a broken proxy would send: a bad signature, a stale timestamp, a wrong verification token, garbage
 * ciphertext, or no signature at all.
 *
 * @example
 * const events = createEventSender({ url: `${base}/feishu/callbacks`, encryptKey, verificationToken });
 * const res = await events.cardAction({ operatorOpenId: 'ou_alice', value: { action: 'confirm', task: 't1' } });
 * expect(res.status).toBe(200);
 * await events.messageReceived({ chatId: 'oc_1', senderOpenId: 'ou_alice', text: '@_user_1 进度', mentionBot: true });
 * await events.send('im.message.receive_v1', event, { forge: 'bad-signature' });
 */
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';

export type Forgery =
  /** Signed over a different body. */
  | 'bad-signature'
  /** Correctly signed, but the timestamp is 8 hours old (past Feishu's last re-delivery at 6 h). */
  | 'stale-timestamp'
  /** `header.token` (or `token` for url_verification) is not the app's verification token. */
  | 'wrong-token'
  /** `{"encrypt": <random base64>}`, correctly signed. */
  | 'garbage-ciphertext'
  /** No X-Lark-* headers at all. */
  | 'unsigned'
  /** The envelope in clear text although the app has an Encrypt Key (correctly signed). */
  | 'plaintext';

export interface EventSenderOptions {
  /** Where to POST, e.g. `http://127.0.0.1:3000/feishu/events`. */
  url: string;
  /** The app's Encrypt Key; without one, bodies go in clear and unsigned (as Feishu does). */
  encryptKey?: string;
  verificationToken: string;
  appId?: string;
  tenantKey?: string;
  /** Clock for create_time and the signature timestamp (ms). */
  now?: () => number;
}

export interface SendOptions {
  forge?: Forgery;
  /** Default: a fresh one. Pass the same id twice to simulate Feishu's re-delivery. */
  eventId?: string;
  headers?: Record<string, string>;
  /** Sign with a timestamp this many ms in the past (a late re-delivery that keeps its original timestamp). */
  signedAgoMs?: number;
}

export interface EventResponse {
  status: number;
  /** The response body, parsed as JSON when it is JSON. */
  body: unknown;
  text: string;
  /** The envelope that was sent (before encryption). */
  envelope: Record<string, unknown>;
}

/** Encrypts like Feishu: AES-256-CBC with key SHA-256(encryptKey), a random 16-byte IV prefixed, base64. */
export function encryptBody(encryptKey: string, plaintext: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/** hex(sha256(timestamp + nonce + encryptKey + rawBody)). */
export function signBody(timestamp: string, nonce: string, encryptKey: string, rawBody: string): string {
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey + rawBody)
    .digest('hex');
}

/** A schema 2.0 envelope. */
export function buildEnvelope(
  eventType: string,
  event: Record<string, unknown>,
  header: { eventId?: string; token: string; appId: string; tenantKey: string; createTime: number },
): Record<string, unknown> {
  return {
    schema: '2.0',
    header: {
      event_id: header.eventId ?? randomUUID().replace(/-/g, ''),
      event_type: eventType,
      create_time: String(header.createTime),
      token: header.token,
      app_id: header.appId,
      tenant_key: header.tenantKey,
    },
    event,
  };
}

export interface MessageReceivedInput {
  chatId: string;
  chatType?: 'group' | 'p2p';
  senderOpenId: string;
  /** The text as typed; `@_user_1` stands for the first mention. */
  text: string;
  /** Adds a mention `@_user_1` of the bot (open_id `botOpenId`) and prefixes the text with it. */
  mentionBot?: boolean;
  botOpenId?: string;
  botName?: string;
  messageId?: string;
  mentions?: { key: string; openId: string; name: string }[];
  /** Default `text`; `post`, `image`, … send `content` as given. */
  messageType?: string;
  content?: Record<string, unknown>;
}

export interface CardActionInput {
  operatorOpenId: string;
  value: Record<string, unknown>;
  formValue?: Record<string, unknown>;
  /** The component's name (forms: the submit button's name). */
  name?: string;
  tag?: string;
  messageId?: string;
  chatId?: string;
  /** The card-update token (`c-…`). */
  token?: string;
}

export function createEventSender(options: EventSenderOptions) {
  const now = options.now ?? Date.now;
  const appId = options.appId ?? 'cli_fake';
  const tenantKey = options.tenantKey ?? 'tk_fake';

  async function post(
    payload: Record<string, unknown>,
    forge: Forgery | undefined,
    sign: boolean,
    extra?: Record<string, string>,
    signedAgoMs = 0,
  ) {
    const key = options.encryptKey;
    let raw: string;
    if (forge === 'garbage-ciphertext') raw = JSON.stringify({ encrypt: randomBytes(48).toString('base64') });
    else if (key && forge !== 'plaintext')
      raw = JSON.stringify({ encrypt: encryptBody(key, JSON.stringify(payload)) });
    else raw = JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...extra };
    if (key && sign && forge !== 'unsigned') {
      const age = forge === 'stale-timestamp' ? 8 * 60 * 60 * 1000 : signedAgoMs;
      const ts = String(Math.floor((now() - age) / 1000));
      const nonce = randomBytes(8).toString('hex');
      headers['x-lark-request-timestamp'] = ts;
      headers['x-lark-request-nonce'] = nonce;
      headers['x-lark-signature'] = signBody(ts, nonce, key, forge === 'bad-signature' ? raw + ' ' : raw);
    }
    const res = await fetch(options.url, { method: 'POST', headers, body: raw });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body, text, envelope: payload };
  }

  const sender = {
    /** POSTs one event or callback of `eventType`. */
    async send(
      eventType: string,
      event: Record<string, unknown>,
      opts: SendOptions = {},
    ): Promise<EventResponse> {
      const envelope = buildEnvelope(eventType, event, {
        ...(opts.eventId ? { eventId: opts.eventId } : {}),
        token: opts.forge === 'wrong-token' ? 'not-the-verification-token' : options.verificationToken,
        appId,
        tenantKey,
        createTime: now(),
      });
      return post(envelope, opts.forge, true, opts.headers, opts.signedAgoMs);
    },

    /** The `url_verification` challenge Feishu sends when the URL is configured (never signed). */
    async urlVerification(
      challenge: string = randomUUID(),
      opts: { forge?: Forgery } = {},
    ): Promise<EventResponse> {
      const token = opts.forge === 'wrong-token' ? 'not-the-verification-token' : options.verificationToken;
      return post({ challenge, token, type: 'url_verification' }, opts.forge, false);
    },

    /** `im.message.receive_v1`: a text message in a chat. */
    async messageReceived(input: MessageReceivedInput, opts: SendOptions = {}): Promise<EventResponse> {
      return sender.send('im.message.receive_v1', messageReceivedEvent(input, tenantKey), opts);
    },

    /** `card.action.trigger` (callback 2.0): a button press or a form submission on a card. */
    async cardAction(input: CardActionInput, opts: SendOptions = {}): Promise<EventResponse> {
      return sender.send('card.action.trigger', cardActionEvent(input, tenantKey), opts);
    },
  };
  return sender;
}

export function messageReceivedEvent(
  input: MessageReceivedInput,
  tenantKey = 'tk_fake',
): Record<string, unknown> {
  const mentions = [...(input.mentions ?? [])];
  let text = input.text;
  if (input.mentionBot) {
    const key = `@_user_${mentions.length + 1}`;
    mentions.push({ key, openId: input.botOpenId ?? 'ou_bot', name: input.botName ?? 'liancha' });
    text = `${key} ${text}`;
  }
  const ts = String(Date.now());
  return {
    sender: {
      sender_id: {
        open_id: input.senderOpenId,
        union_id: `on_${input.senderOpenId}`,
        user_id: input.senderOpenId,
      },
      sender_type: 'user',
      tenant_key: tenantKey,
    },
    message: {
      message_id: input.messageId ?? `om_${randomBytes(16).toString('hex')}`,
      create_time: ts,
      update_time: ts,
      chat_id: input.chatId,
      chat_type: input.chatType ?? 'group',
      message_type: input.messageType ?? 'text',
      content: JSON.stringify(input.content ?? { text }),
      mentions: mentions.map((m) => ({
        key: m.key,
        id: { open_id: m.openId, union_id: `on_${m.openId}`, user_id: m.openId },
        name: m.name,
        tenant_key: tenantKey,
      })),
    },
  };
}

export function cardActionEvent(input: CardActionInput, tenantKey = 'tk_fake'): Record<string, unknown> {
  return {
    operator: {
      tenant_key: tenantKey,
      open_id: input.operatorOpenId,
      union_id: `on_${input.operatorOpenId}`,
      user_id: input.operatorOpenId,
    },
    token: input.token ?? `c-${randomBytes(16).toString('hex')}`,
    action: {
      tag: input.tag ?? 'button',
      value: input.value,
      ...(input.name ? { name: input.name } : {}),
      ...(input.formValue ? { form_value: input.formValue } : {}),
      timezone: 'Asia/Shanghai',
    },
    host: 'im_message',
    context: {
      open_message_id: input.messageId ?? `om_${randomBytes(16).toString('hex')}`,
      open_chat_id: input.chatId ?? `oc_${randomBytes(16).toString('hex')}`,
    },
  };
}
