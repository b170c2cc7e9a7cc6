/**
 * A faithful fake of the parts of Feishu's open API that liancha uses, served over real HTTP on 127.0.0.1 so that
 * the real SDK (`new lark.Client({ domain: fake.url })`) talks to it. It enforces what Feishu enforces — tenant
 * tokens, card JSON 2.0 validity and size, receivers the bot may reach, rate limits with `x-ogw-ratelimit-reset`,
 * `uuid` idempotency for an hour, updates within 14 days — and it records every message for assertions. Tests can
 * inject faults (5xx, rate limits, hangs, invalid tokens) into the next requests.
 *
 * @example
 * const fake = await startFakeFeishu();
 * fake.addUser({ openId: 'ou_alice', mobile: '13800000001' });
 * const client = createFeishuClient({ appId: fake.appId, appSecret: fake.appSecret, domain: fake.url });
 * fake.inject({ kind: 'rate-limit', path: '/open-apis/im/v1/messages', resetSeconds: 1 });
 * …
 * expect(fake.messagesTo('ou_alice')).toHaveLength(1);
 * await fake.close();
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { validateCardContent, validateTextContent } from './cards.ts';
import { FEISHU_LIMITS, SlidingWindows, type Limits } from './limits.ts';

export interface FakeUser {
  openId: string;
  name?: string;
  mobile?: string;
  email?: string;
  /** The user is outside the bot's availability (可用范围): sends answer 230013. */
  outsideAvailability?: boolean;
  /** Left the company: batch_get_id does not return them. */
  resigned?: boolean;
}

export interface FakeChat {
  chatId: string;
  name?: string;
  /** Default true. When false, sends answer 230002 (bot not in the chat). */
  botIsMember?: boolean;
}

export interface FakeDepartment {
  id: string;
  name: string;
  leaderOpenId?: string;
}

export interface FakePatch {
  at: number;
  content: string;
  card: Record<string, unknown>;
}

export interface FakeMessage {
  messageId: string;
  /** `open_id` / `chat_id`, or `reply` for a reply. */
  receiveIdType: string;
  /** The open_id or chat_id it was sent to (for a reply: the chat of the message replied to). */
  receiveId: string;
  chatId: string;
  msgType: string;
  /** The content as last set (a patch replaces it). */
  content: string;
  /** The parsed card (msg_type interactive), as last set. */
  card: Record<string, unknown> | null;
  text: string | null;
  uuid: string | null;
  replyTo: string | null;
  createdAt: number;
  patches: FakePatch[];
  recalled: boolean;
  /** Who wrote it: null for the bot; the open_id of a user who typed it (`userMessage`, local mode's chat page). */
  senderOpenId: string | null;
}

/** A message created or changed (sent, patched, updated by a callback's answer): what the chat page shows. */
export type MessageListener = (message: FakeMessage) => void;

export type FaultKind = '5xx' | 'rate-limit' | 'hang' | 'invalid-token';

export interface FaultSpec {
  kind: FaultKind;
  /** How many matching requests it affects. Default 1. */
  count?: number;
  /** Only requests whose path equals this string (or matches this RegExp). Default: every API call except the
   * token endpoint. */
  path?: string | RegExp;
  method?: string;
  /** 5xx: the status (default 500; 502/503/504 answer with an HTML body like a gateway). */
  status?: number;
  /** rate-limit: the `x-ogw-ratelimit-reset` header, in seconds (default 1). */
  resetSeconds?: number;
  /** hang: carry the request out (create the message) and only then hang — the client never hears back. */
  afterProcessing?: boolean;
  /** hang: how long before the fake answers after all (default: never, until close). */
  hangMs?: number;
}

export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
  code: number | null;
  /** The injected fault that answered it, if any. */
  fault: FaultKind | null;
  /** Answered from the uuid cache (an idempotent repeat). */
  uuidHit: boolean;
}

export interface FakeFeishuOptions {
  appId?: string;
  appSecret?: string;
  /** Override Feishu's limits (e.g. lower them to test throttling quickly). */
  limits?: Partial<Limits>;
  port?: number;
  /** Start time of the fake's clock (ms); default the real time. `advance()` moves it. */
  now?: number;
}

const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
const TOKEN_TTL_S = 7200;
const UUID_WINDOW_MS = 60 * 60 * 1000;
const PATCH_WINDOW_MS = 14 * 24 * 60 * 60 * 1000;

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  uuidHit?: boolean;
}

const ok = (data: unknown): Answer => ({ status: 200, body: { code: 0, msg: 'success', data } });
const fail = (status: number, code: number, msg: string): Answer => ({ status, body: { code, msg } });

export class FakeFeishu {
  readonly appId: string;
  readonly appSecret: string;
  readonly botOpenId = `ou_bot${randomBytes(8).toString('hex')}`;
  readonly tenantKey = `tk_${randomBytes(6).toString('hex')}`;
  readonly users = new Map<string, FakeUser>();
  readonly chats = new Map<string, FakeChat>();
  readonly departments = new Map<string, FakeDepartment>();
  /** Every message created, in order. */
  readonly messages: FakeMessage[] = [];
  /** Every request answered (the token endpoint included), in order. */
  readonly requests: RequestRecord[] = [];
  readonly limits: Limits;
  /** How many tenant tokens were issued. */
  tokensIssued = 0;
  /** How many sends were answered from the uuid cache instead of creating a message. */
  uuidHits = 0;
  /** How many requests the rate limits refused (injected rate-limit faults not counted). */
  rateLimited = 0;
  url = '';

  private server: Server | null = null;
  private offset = 0;
  private frozenAt: number | null = null;
  private readonly tokens = new Map<string, number>();
  private readonly byId = new Map<string, FakeMessage>();
  private readonly byUuid = new Map<string, { messageId: string; at: number }>();
  private readonly faults: (FaultSpec & { remaining: number })[] = [];
  private readonly windows = new SlidingWindows();
  private readonly hangs = new Set<NodeJS.Timeout>();
  private readonly listeners = new Set<MessageListener>();

  constructor(options: FakeFeishuOptions = {}) {
    this.appId = options.appId ?? `cli_${randomBytes(8).toString('hex')}`;
    this.appSecret = options.appSecret ?? randomBytes(16).toString('hex');
    this.limits = { ...FEISHU_LIMITS, ...options.limits };
    if (options.now !== undefined) this.offset = options.now - Date.now();
  }

  /** The fake's clock (ms): real time plus whatever `advance` added, or where `freezeClock` stopped it. */
  now(): number {
    return this.frozenAt ?? Date.now() + this.offset;
  }

  /** Moves the fake's clock forward: tokens expire, uuids are forgotten after 1 h, messages age. */
  advance(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offset += ms;
  }

  /**
   * Stops the fake's clock where it is; only `advance` moves it from then on. For tests that count what one
   * second's rate-limit window admits: on the real clock a burst can straddle two windows and get more through.
   */
  freezeClock(): void {
    this.frozenAt = this.now();
  }

  addUser(user: FakeUser): FakeUser {
    this.users.set(user.openId, user);
    return user;
  }

  /** Registers `n` users `ou_<prefix>0…` with mobiles `139000xxxxx`. */
  addUsers(n: number, prefix = 'user'): FakeUser[] {
    return Array.from({ length: n }, (_, i) =>
      this.addUser({
        openId: `ou_${prefix}${i}`,
        name: `${prefix} ${i}`,
        mobile: `139${String(i).padStart(8, '0')}`,
      }),
    );
  }

  addChat(chat: FakeChat): FakeChat {
    this.chats.set(chat.chatId, { botIsMember: true, ...chat });
    return chat;
  }

  addDepartment(dept: FakeDepartment): FakeDepartment {
    this.departments.set(dept.id, dept);
    return dept;
  }

  /** The next `count` matching requests get this fault instead of their normal answer. */
  inject(fault: FaultSpec): void {
    this.faults.push({ ...fault, remaining: fault.count ?? 1 });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Every tenant token issued so far becomes invalid (as after an app secret reset): calls answer 99991663. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Messages sent to an open_id or chat_id (replies: to the chat), in order. */
  messagesTo(receiveId: string): FakeMessage[] {
    return this.messages.filter((m) => m.receiveId === receiveId || m.chatId === receiveId);
  }

  message(messageId: string): FakeMessage | undefined {
    return this.byId.get(messageId);
  }

  /** The direct chat between a user and the bot: where sends to their open_id land. */
  p2pChatId(openId: string): string {
    return `oc_p2p_${openId}`;
  }

  /** Calls `listener` with every message created or changed from now on; returns the unsubscribe. */
  onMessage(listener: MessageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A text a user typed in a chat, recorded as the chat shows it (the caller then delivers it to the bot as
   * `im.message.receive_v1`, signed, like Feishu). Refused (null) for an unknown user or chat.
   */
  userMessage(input: { senderOpenId: string; chatId: string; text: string }): FakeMessage | null {
    if (!this.users.has(input.senderOpenId)) return null;
    if (input.chatId !== this.p2pChatId(input.senderOpenId) && !this.chats.has(input.chatId)) return null;
    const message: FakeMessage = {
      messageId: `om_${randomBytes(16).toString('hex')}`,
      receiveIdType: 'chat_id',
      receiveId: input.chatId,
      chatId: input.chatId,
      msgType: 'text',
      content: JSON.stringify({ text: input.text }),
      card: null,
      text: input.text,
      uuid: null,
      replyTo: null,
      createdAt: this.now(),
      patches: [],
      recalled: false,
      senderOpenId: input.senderOpenId,
    };
    this.remember(message);
    return message;
  }

  /**
   * A card callback's answer `card: { type: 'raw', data }` replaces the card of the message clicked, as Feishu does
   * (validated like a patch). False when there is no such card message or the card is not valid.
   */
  applyCallbackCard(messageId: string, card: Record<string, unknown>): boolean {
    const m = this.byId.get(messageId);
    if (!m || m.msgType !== 'interactive' || m.recalled) return false;
    const content = JSON.stringify(card);
    const v = validateCardContent(content, Buffer.byteLength(content, 'utf8'));
    if (!v.ok) return false;
    m.patches.push({ at: this.now(), content, card: v.card });
    m.content = content;
    m.card = v.card;
    this.changed(m);
    return true;
  }

  /**
   * Puts back a message the bot sent before a restart (local mode keeps its chats in liancha's outbox, not in this
   * process), under its old id so that later updates of it still land. A restored card is not re-validated.
   */
  restoreMessage(m: {
    messageId: string;
    receiveIdType: string;
    receiveId: string;
    chatId: string;
    msgType: string;
    content: string;
    replyTo: string | null;
    createdAt: number;
  }): void {
    if (this.byId.has(m.messageId)) return;
    const parsed = parseJson(m.content);
    this.remember({
      ...m,
      card: m.msgType === 'interactive' ? parsed : null,
      text: m.msgType === 'text' && typeof parsed?.text === 'string' ? parsed.text : null,
      uuid: null,
      patches: [],
      recalled: false,
      senderOpenId: null,
    });
  }

  /** Puts back an update the bot made before a restart (see `restoreMessage`). */
  restorePatch(messageId: string, content: string, at: number): void {
    const m = this.byId.get(messageId);
    const card = parseJson(content);
    if (!m || !card) return;
    m.patches.push({ at, content, card });
    m.content = content;
    m.card = card;
  }

  /** Recalls a message (later patches answer 230011). */
  recall(messageId: string): void {
    const m = this.byId.get(messageId);
    if (m) m.recalled = true;
  }

  /** Messages beyond the first with the same receiver and the same original content: what a user would see twice. */
  duplicateCount(): number {
    const seen = new Set<string>();
    let dups = 0;
    for (const m of this.messages) {
      const key = `${m.receiveId}\u0000${m.patches.length ? m.patches[0]!.content : m.content}`;
      if (seen.has(key)) dups++;
      seen.add(key);
    }
    return dups;
  }

  /** Requests to a path (and method), e.g. `fake.requestsTo('/open-apis/contact/v3/users/batch_get_id')`. */
  requestsTo(path: string | RegExp, method?: string): RequestRecord[] {
    return this.requests.filter(
      (r) =>
        (typeof path === 'string' ? r.path === path : path.test(r.path)) && (!method || r.method === method),
    );
  }

  async listen(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: 1, msg: `fake error: ${(err as Error).message}` }));
        }
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const addr = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${addr.port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const t of this.hangs) clearTimeout(t);
    this.hangs.clear();
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    let body: unknown = undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        return this.reply(res, method, url, raw, fail(400, 99992402, 'request body is not JSON'), null);
      }
    }
    const path = url.pathname;
    const fault = this.takeFault(method, path);
    if (fault) {
      if (fault.kind === 'hang') {
        const answer = fault.afterProcessing ? this.route(method, path, url, body, req) : null;
        const timer = setTimeout(
          () => {
            this.hangs.delete(timer);
            this.reply(res, method, url, body, answer ?? fail(504, 1, 'gateway timeout'), 'hang');
          },
          fault.hangMs ?? 2 ** 31 - 1,
        );
        this.hangs.add(timer);
        return;
      }
      return this.reply(res, method, url, body, faultAnswer(fault), fault.kind);
    }
    return this.reply(res, method, url, body, this.route(method, path, url, body, req), null);
  }

  private takeFault(method: string, path: string): FaultSpec | null {
    for (const f of this.faults) {
      if (f.remaining <= 0) continue;
      if (f.method && f.method.toUpperCase() !== method) continue;
      if (
        f.path === undefined
          ? path === TOKEN_PATH
          : typeof f.path === 'string'
            ? f.path !== path
            : !f.path.test(path)
      )
        continue;
      f.remaining--;
      return f;
    }
    return null;
  }

  private reply(
    res: ServerResponse,
    method: string,
    url: URL,
    body: unknown,
    answer: Answer,
    fault: FaultKind | null,
  ): void {
    const code =
      typeof answer.body === 'object' && answer.body !== null
        ? ((answer.body as { code?: number }).code ?? null)
        : null;
    this.requests.push({
      at: this.now(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      status: answer.status,
      code,
      fault,
      uuidHit: answer.uuidHit ?? false,
    });
    if (res.destroyed) return;
    const isJson = typeof answer.body !== 'string';
    res.writeHead(answer.status, {
      'content-type': isJson ? 'application/json; charset=utf-8' : 'text/html',
      ...answer.headers,
    });
    res.end(isJson ? JSON.stringify(answer.body) : answer.body);
  }

  private route(method: string, path: string, url: URL, body: unknown, req: IncomingMessage): Answer {
    if (method === 'POST' && path === TOKEN_PATH) return this.token(body);
    const auth = this.authorize(req);
    if (auth) return auth;
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    let m: RegExpMatchArray | null;
    if (method === 'POST' && path === '/open-apis/im/v1/messages') return this.create(url, b);
    if (method === 'POST' && (m = path.match(/^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/)))
      return this.replyTo(decodeURIComponent(m[1]!), b);
    if (method === 'PATCH' && (m = path.match(/^\/open-apis\/im\/v1\/messages\/([^/]+)$/)))
      return this.patch(decodeURIComponent(m[1]!), b);
    if (method === 'POST' && path === '/open-apis/contact/v3/users/batch_get_id')
      return this.batchGetId(url, b);
    if (method === 'GET' && (m = path.match(/^\/open-apis\/contact\/v3\/departments\/([^/]+)$/)))
      return this.department(decodeURIComponent(m[1]!));
    if (method === 'GET' && path === '/open-apis/bot/v3/info')
      return {
        status: 200,
        body: {
          code: 0,
          msg: 'ok',
          bot: {
            activate_status: 2,
            app_name: 'liancha (fake)',
            avatar_url: '',
            ip_white_list: [],
            open_id: this.botOpenId,
          },
        },
      };
    return fail(404, 404, `404 page not found: ${method} ${path}`);
  }

  private token(body: unknown): Answer {
    const b = (body ?? {}) as { app_id?: string; app_secret?: string };
    if (b.app_id !== this.appId) return fail(400, 10003, 'invalid param: app_id not found');
    if (b.app_secret !== this.appSecret) return fail(400, 10014, 'app secret invalid');
    const now = this.now();
    // Feishu returns the current token while it has 30 minutes or more left, and a new one after that.
    for (const [token, expiresAt] of this.tokens)
      if (expiresAt - now >= 30 * 60 * 1000)
        return {
          status: 200,
          body: {
            code: 0,
            msg: 'ok',
            tenant_access_token: token,
            expire: Math.floor((expiresAt - now) / 1000),
          },
        };
    const token = `t-${randomBytes(20).toString('hex')}`;
    this.tokens.set(token, now + TOKEN_TTL_S * 1000);
    this.tokensIssued++;
    return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: token, expire: TOKEN_TTL_S } };
  }

  private authorize(req: IncomingMessage): Answer | null {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? header.match(/^Bearer\s+(\S+)$/) : null;
    if (!m)
      return fail(
        400,
        99991661,
        'Missing access token for authorization. Please make a request with token attached.',
      );
    const expiresAt = this.tokens.get(m[1]!);
    if (expiresAt === undefined || expiresAt <= this.now())
      return fail(
        400,
        99991663,
        'Invalid access token for authorization. Please make a request with token attached.',
      );
    return null;
  }

  private rateLimit(checks: { key: string; limit: number; windowMs: number }[]): Answer | null {
    const verdict = this.windows.admit(this.now(), checks);
    if (verdict.ok) return null;
    this.rateLimited++;
    return {
      status: 429,
      body: { code: 99991400, msg: 'request trigger frequency limit' },
      headers: {
        'x-ogw-ratelimit-limit': String(checks.find((c) => c.key === verdict.key)?.limit ?? ''),
        'x-ogw-ratelimit-reset': String(Math.max(1, Math.ceil(verdict.resetMs / 1000))),
      },
    };
  }

  private sendLimits(receiverKey: string) {
    return [
      { key: 'send:s', limit: this.limits.appPerSecond, windowMs: 1000 },
      { key: 'send:m', limit: this.limits.appPerMinute, windowMs: 60_000 },
      { key: `recv:${receiverKey}`, limit: this.limits.perReceiverPerSecond, windowMs: 1000 },
    ];
  }

  private create(url: URL, b: Record<string, unknown>): Answer {
    const receiveIdType = url.searchParams.get('receive_id_type');
    if (receiveIdType !== 'open_id' && receiveIdType !== 'chat_id')
      return fail(
        400,
        99992402,
        'field validation failed: receive_id_type must be open_id or chat_id (in this fake)',
      );
    if (typeof b.receive_id !== 'string' || !b.receive_id)
      return fail(400, 99992402, 'field validation failed: receive_id is required');
    const limited = this.rateLimit(this.sendLimits(b.receive_id));
    if (limited) return limited;
    const hit = this.uuidHit(b.uuid);
    if (hit) return hit;
    let chatId: string;
    if (receiveIdType === 'open_id') {
      const user = this.users.get(b.receive_id);
      if (!user) return fail(400, 99992361, 'open_id cross app');
      if (user.outsideAvailability) return fail(400, 230013, 'Bot has NO availability to this user.');
      chatId = `oc_p2p_${user.openId}`;
    } else {
      const chat = this.chats.get(b.receive_id);
      if (!chat) return fail(400, 230001, 'invalid receive_id: chat not found');
      if (chat.botIsMember === false) return fail(400, 230002, 'Bot/User can NOT be out of the chat.');
      chatId = chat.chatId;
    }
    return this.store(receiveIdType, b.receive_id, chatId, b, null);
  }

  private replyTo(parentId: string, b: Record<string, unknown>): Answer {
    const parent = this.byId.get(parentId);
    if (!parent) return fail(400, 230001, 'invalid message_id');
    const limited = this.rateLimit(this.sendLimits(parent.chatId));
    if (limited) return limited;
    const hit = this.uuidHit(b.uuid);
    if (hit) return hit;
    if (parent.recalled) return fail(400, 230011, 'The message was recalled.');
    return this.store('reply', parent.chatId, parent.chatId, b, parent.messageId);
  }

  private uuidHit(uuid: unknown): Answer | null {
    if (uuid === undefined) return null;
    if (typeof uuid !== 'string' || uuid.length > 50)
      return fail(400, 99992402, 'field validation failed: uuid must be a string of at most 50 characters');
    const seen = this.byUuid.get(uuid);
    if (!seen || seen.at + UUID_WINDOW_MS <= this.now()) return null;
    this.uuidHits++;
    return { ...ok(this.messageData(this.byId.get(seen.messageId)!)), uuidHit: true };
  }

  private store(
    receiveIdType: string,
    receiveId: string,
    chatId: string,
    b: Record<string, unknown>,
    replyTo: string | null,
  ): Answer {
    const msgType = b.msg_type;
    let card: Record<string, unknown> | null = null;
    let text: string | null = null;
    if (msgType === 'interactive') {
      const v = validateCardContent(b.content, Buffer.byteLength(JSON.stringify(b), 'utf8'));
      if (!v.ok) return fail(400, v.code, v.msg);
      card = v.card;
    } else if (msgType === 'text') {
      const v = validateTextContent(b.content);
      if (!v.ok) return fail(400, v.code, v.msg);
      text = v.text;
    } else if (msgType !== 'post') {
      return fail(400, 230001, `unsupported msg_type ${JSON.stringify(msgType)} (in this fake)`);
    }
    const message: FakeMessage = {
      messageId: `om_${randomBytes(16).toString('hex')}`,
      receiveIdType,
      receiveId,
      chatId,
      msgType: msgType as string,
      content: b.content as string,
      card,
      text,
      uuid: typeof b.uuid === 'string' ? b.uuid : null,
      replyTo,
      createdAt: this.now(),
      patches: [],
      recalled: false,
      senderOpenId: null,
    };
    this.remember(message);
    if (message.uuid) this.byUuid.set(message.uuid, { messageId: message.messageId, at: message.createdAt });
    return ok(this.messageData(message));
  }

  private remember(message: FakeMessage): void {
    this.messages.push(message);
    this.byId.set(message.messageId, message);
    this.changed(message);
  }

  /** Tells the listeners; a listener's failure is its own (the API answer does not depend on it). */
  private changed(message: FakeMessage): void {
    for (const listener of this.listeners)
      try {
        listener(message);
      } catch {
        // a listener (the chat page's stream) that throws must not fail Feishu's answer
      }
  }

  private messageData(m: FakeMessage) {
    return {
      message_id: m.messageId,
      ...(m.replyTo ? { root_id: m.replyTo, parent_id: m.replyTo } : {}),
      msg_type: m.msgType,
      create_time: String(m.createdAt),
      update_time: String(m.patches.at(-1)?.at ?? m.createdAt),
      deleted: m.recalled,
      updated: m.patches.length > 0,
      chat_id: m.chatId,
      sender: { id: this.appId, id_type: 'app_id', sender_type: 'app', tenant_key: this.tenantKey },
      body: { content: m.content },
    };
  }

  private patch(messageId: string, b: Record<string, unknown>): Answer {
    const limited = this.rateLimit([
      { key: `patch:${messageId}`, limit: this.limits.patchPerMessagePerSecond, windowMs: 1000 },
    ]);
    if (limited) return limited;
    const m = this.byId.get(messageId);
    if (!m) return fail(400, 230001, 'invalid message_id');
    if (m.recalled) return fail(400, 230011, 'The message was recalled.');
    if (m.msgType !== 'interactive') return fail(400, 230001, 'only card messages can be updated');
    if (this.now() - m.createdAt > PATCH_WINDOW_MS)
      return fail(400, 230031, 'The message has exceeded the update time limit (14 days).');
    const v = validateCardContent(b.content, Buffer.byteLength(JSON.stringify(b), 'utf8'));
    if (!v.ok) return fail(400, v.code, v.msg);
    m.patches.push({ at: this.now(), content: b.content as string, card: v.card });
    m.content = b.content as string;
    m.card = v.card;
    this.changed(m);
    return ok({});
  }

  private batchGetId(url: URL, b: Record<string, unknown>): Answer {
    const type = url.searchParams.get('user_id_type') ?? 'open_id';
    if (type !== 'open_id')
      return fail(400, 99992402, 'field validation failed: user_id_type must be open_id (in this fake)');
    const mobiles = (b.mobiles ?? []) as unknown[];
    const emails = (b.emails ?? []) as unknown[];
    if (!Array.isArray(mobiles) || !Array.isArray(emails))
      return fail(400, 99992402, 'field validation failed: mobiles and emails must be arrays');
    if (mobiles.length > 50 || emails.length > 50)
      return fail(400, 99992402, 'field validation failed: at most 50 mobiles and 50 emails per request');
    if (mobiles.length === 0 && emails.length === 0)
      return fail(400, 99992402, 'field validation failed: mobiles or emails is required');
    const active = [...this.users.values()].filter((u) => !u.resigned);
    const strip = (s: string) => s.replace(/^\+86/, '');
    const user_list = [
      ...mobiles.map((mobile) => {
        const u = active.find((x) => x.mobile !== undefined && strip(x.mobile) === strip(String(mobile)));
        return u ? { user_id: u.openId, mobile, status: activeStatus } : { mobile };
      }),
      ...emails.map((email) => {
        const u = active.find(
          (x) => x.email !== undefined && x.email.toLowerCase() === String(email).toLowerCase(),
        );
        return u ? { user_id: u.openId, email, status: activeStatus } : { email };
      }),
    ];
    return ok({ user_list });
  }

  private department(id: string): Answer {
    const d = this.departments.get(id);
    if (!d) return fail(400, 40014, 'department not found');
    return ok({
      department: {
        name: d.name,
        department_id: d.id,
        open_department_id: d.id,
        leader_user_id: d.leaderOpenId ?? '',
        status: { is_deleted: false },
      },
    });
  }
}

const activeStatus = {
  is_frozen: false,
  is_resigned: false,
  is_activated: true,
  is_exited: false,
  is_unjoin: false,
};

function faultAnswer(fault: FaultSpec): Answer {
  switch (fault.kind) {
    case '5xx': {
      const status = fault.status ?? 500;
      if (status === 500) return fail(500, 1000004, 'internal error');
      return { status, body: `<html><body><h1>${status}</h1>upstream unavailable</body></html>` };
    }
    case 'rate-limit':
      return {
        status: 429,
        body: { code: 99991400, msg: 'request trigger frequency limit' },
        headers: { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': String(fault.resetSeconds ?? 1) },
      };
    case 'invalid-token':
      return fail(
        400,
        99991663,
        'Invalid access token for authorization. Please make a request with token attached.',
      );
    case 'hang':
      return fail(504, 1, 'gateway timeout');
  }
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts a fake Feishu on 127.0.0.1 (a free port unless one is given). */
export async function startFakeFeishu(options: FakeFeishuOptions = {}): Promise<FakeFeishu> {
  return new FakeFeishu(options).listen(options.port);
}
