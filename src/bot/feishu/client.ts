import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { UserError } from '../../errors.ts';

/**
 * The one place liancha talks to Feishu's open API: the real SDK client with a request timeout, a handful of
 * calls, and one classifier that turns every answer into ok / retry / permanent.
 */

/** What became of one call. `retry` may be tried again (after `retryAfterMs` at least); `permanent` never. */
export type SendResult =
  | { kind: 'ok'; messageId: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number; code?: number; rateLimited?: boolean }
  | { kind: 'permanent'; code: number; reason: string };

export type ReceiveIdType = 'open_id' | 'chat_id' | 'user_id' | 'union_id' | 'email';

export interface BatchGetIdsResult {
  /** Every mobile asked for → its open_id, or null when Feishu did not return one. */
  mobiles: Map<string, string | null>;
  emails: Map<string, string | null>;
  /** How many batch_get_id calls it took (≤ 50 mobiles and ≤ 50 e-mails each). */
  calls: number;
}

export interface FeishuClient {
  readonly appId: string;
  /** The SDK client, for calls not wrapped here. */
  readonly sdk: lark.Client;
  /** `POST /im/v1/messages`; `content` is the JSON string Feishu takes; `uuid` makes retries idempotent (1 h). */
  sendMessage(
    receiveIdType: ReceiveIdType,
    receiveId: string,
    msgType: string,
    content: string,
    uuid?: string,
  ): Promise<SendResult>;
  sendCard(
    receiveIdType: ReceiveIdType,
    receiveId: string,
    card: string | object,
    uuid?: string,
  ): Promise<SendResult>;
  sendText(receiveIdType: ReceiveIdType, receiveId: string, text: string, uuid?: string): Promise<SendResult>;
  /** `POST /im/v1/messages/:id/reply`. */
  replyMessage(messageId: string, msgType: string, content: string, uuid?: string): Promise<SendResult>;
  /** `PATCH /im/v1/messages/:id` with a whole new card (within 14 days of sending, 5 per second per message). */
  patchCard(messageId: string, card: string | object): Promise<SendResult>;
  /** Resolves mobiles and e-mails to open_ids, 50 of each per call. Throws a FeishuCallError on failure. */
  batchGetIds(input: { mobiles?: string[]; emails?: string[] }): Promise<BatchGetIdsResult>;
  /** The leader (open_id) of a Feishu department, or null. Throws a FeishuCallError on failure. */
  departmentLeader(departmentId: string): Promise<string | null>;
  /** `GET /bot/v3/info`. Throws a FeishuCallError on failure. */
  botInfo(): Promise<{ openId: string; appName: string }>;
  /** Fetches the tenant token now unless it is cached (one fetch for all concurrent callers). */
  warmUp(): Promise<void>;
  /** Forgets the cached tenant token, so that the next call fetches a new one. */
  invalidateToken(): Promise<void>;
}

/** A non-send call that did not succeed; `result` says whether trying again may help. */
export class FeishuCallError extends Error {
  constructor(readonly result: Exclude<SendResult, { kind: 'ok' }>) {
    super(result.reason);
    this.name = 'FeishuCallError';
  }
}

export interface FeishuClientOptions {
  appId: string;
  appSecret: string;
  /** `feishu`, `lark`, or a base URL such as `http://127.0.0.1:4010`. */
  domain?: string;
  /** Per-request timeout. The SDK's default HTTP instance has none. Default 10 s. */
  timeoutMs?: number;
  log?: Logger;
  /** Token cache; default the SDK's process-wide `internalCache` (shared with every SDK client of this app). */
  cache?: lark.Cache;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Codes that mean "the tenant token is not (or no longer) valid": refresh it and try once more at once. */
const TOKEN_CODES = new Set([99991661, 99991663, 99991668, 99991677]);
/** Rate limits: wait `x-ogw-ratelimit-reset`, then back off. */
const RATE_LIMIT_CODES = new Set([99991400, 230020]);
/** Transient server-side failures that Feishu reports with a code. */
const TRANSIENT_CODES = new Set([1000004, 1000005, 99991500, 230019, 232009]);
/** Permanent refusals, with a reason an operator can act on. */
const PERMANENT_REASONS: Record<number, string> = {
  230001: 'invalid request',
  230002: 'bot is not in the chat',
  230006: "the app's bot ability is not enabled",
  230011: 'the message was recalled',
  230013: "user is outside the bot's availability",
  230017: 'the bot did not send this message',
  230025: 'message too long (card over 30 KB or text over 150 KB)',
  230031: 'the message is older than 14 days and can no longer be updated',
  230099: 'card rejected',
  99992361: 'the receiver is not known to this app (an open_id of another app?)',
  99992402: 'invalid request field',
};

/** Maps `FEISHU_DOMAIN` to what the SDK takes. */
export function sdkDomain(domain: string | undefined): lark.Domain | string {
  if (!domain || domain === 'feishu') return lark.Domain.Feishu;
  if (domain === 'lark') return lark.Domain.Lark;
  return domain.replace(/\/+$/, '');
}

/**
 * An axios instance like the SDK's `defaultHttpInstance` — its response interceptor returns `resp.data` (or
 * `{data, headers}` when `$return_headers` is set) — but with a timeout. Created from the SDK's own axios.
 */
export function createHttpInstance(timeoutMs: number): lark.HttpInstance {
  const http = lark.defaultHttpInstance.create({ timeout: timeoutMs });
  http.interceptors.response.use((resp) => {
    if ((resp.config as { $return_headers?: boolean }).$return_headers)
      return { data: resp.data, headers: resp.headers } as never;
    return resp.data;
  });
  return http as unknown as lark.HttpInstance;
}

/** The client for the configured app. Throws a UserError in local mode (no credentials). */
export function feishuFromConfig(
  config: Config,
  options: { log?: Logger; timeoutMs?: number } = {},
): FeishuClient {
  if (!config.FEISHU_APP_ID || !config.FEISHU_APP_SECRET)
    throw new UserError(
      'FEISHU.NO_CREDENTIALS',
      'no Feishu credentials: set FEISHU_APP_ID and FEISHU_APP_SECRET (without them liancha runs in local mode)',
    );
  return createFeishuClient({
    appId: config.FEISHU_APP_ID,
    appSecret: config.FEISHU_APP_SECRET,
    domain: config.FEISHU_DOMAIN,
    ...options,
  });
}

/**
 * Builds the client. Every call resolves to a classified result (or, for lookups, throws a FeishuCallError):
 * no AxiosError escapes.
 *
 * @example
 * const feishu = createFeishuClient({ appId, appSecret, domain: 'http://127.0.0.1:4010', timeoutMs: 2000 });
 * const r = await feishu.sendCard('open_id', 'ou_1', card, uuidForRow(row.id));
 * if (r.kind === 'ok') … r.messageId
 */
export function createFeishuClient(options: FeishuClientOptions): FeishuClient {
  const { appId, log } = options;
  const cache = options.cache ?? lark.internalCache;
  const sdk = new lark.Client({
    appId,
    appSecret: options.appSecret,
    domain: sdkDomain(options.domain),
    httpInstance: createHttpInstance(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    cache,
    loggerLevel: lark.LoggerLevel.trace,
    logger: sdkLogger(log),
  });
  // The SDK fetches a token whenever its cache is empty, once per concurrent call: fetch it once for all of them.
  let tokenFetch: Promise<void> | null = null;
  const ensureToken = async () => {
    if (await cache.get(lark.CTenantAccessToken, { namespace: appId })) return;
    tokenFetch ??= (async () => {
      try {
        await (sdk.tokenManager as { getTenantAccessToken(p: object): Promise<string> }).getTenantAccessToken(
          {},
        );
      } finally {
        tokenFetch = null;
      }
    })();
    await tokenFetch;
  };
  const invalidateToken = async () => {
    await cache.set(lark.CTenantAccessToken, '', 0, { namespace: appId });
  };

  /** Runs a call; on an invalid-token answer clears the cached token and tries once more, at once. */
  async function call<T extends { code?: number; msg?: string }>(
    what: string,
    fn: () => Promise<T>,
  ): Promise<{ ok: true; res: T } | { ok: false; result: Exclude<SendResult, { kind: 'ok' }> }> {
    for (let attempt = 0; ; attempt++) {
      let result: Exclude<SendResult, { kind: 'ok' }>;
      try {
        await ensureToken();
        const res = await fn();
        if (!res || res.code === undefined || res.code === 0) return { ok: true, res };
        result = classifyCode(res.code, res.msg, undefined, 200);
      } catch (err) {
        result = classifyFeishuError(err);
      }
      if (
        result.kind === 'retry' &&
        result.code !== undefined &&
        TOKEN_CODES.has(result.code) &&
        attempt === 0
      ) {
        log?.info({ code: result.code, what }, 'Feishu refused the tenant token: fetching a new one');
        await invalidateToken();
        continue;
      }
      log?.debug({ what, result }, 'Feishu call did not succeed');
      return { ok: false, result };
    }
  }

  const sent = (
    r: { ok: true; res: { data?: { message_id?: string } } } | { ok: false; result: SendResult },
  ) => {
    if (!r.ok) return r.result;
    const messageId = r.res.data?.message_id;
    if (!messageId) return { kind: 'retry', reason: 'Feishu answered without a message_id' } as const;
    return { kind: 'ok', messageId } as const;
  };

  const client: FeishuClient = {
    appId,
    sdk,
    async sendMessage(receiveIdType, receiveId, msgType, content, uuid) {
      return sent(
        await call('im.message.create', () =>
          sdk.im.v1.message.create({
            params: { receive_id_type: receiveIdType },
            data: { receive_id: receiveId, msg_type: msgType, content, ...(uuid ? { uuid } : {}) },
          }),
        ),
      );
    },
    sendCard(receiveIdType, receiveId, card, uuid) {
      return client.sendMessage(receiveIdType, receiveId, 'interactive', asJson(card), uuid);
    },
    sendText(receiveIdType, receiveId, text, uuid) {
      return client.sendMessage(receiveIdType, receiveId, 'text', JSON.stringify({ text }), uuid);
    },
    async replyMessage(messageId, msgType, content, uuid) {
      return sent(
        await call('im.message.reply', () =>
          sdk.im.v1.message.reply({
            path: { message_id: messageId },
            data: { msg_type: msgType, content, ...(uuid ? { uuid } : {}) },
          }),
        ),
      );
    },
    async patchCard(messageId, card) {
      const r = await call('im.message.patch', () =>
        sdk.im.v1.message.patch({ path: { message_id: messageId }, data: { content: asJson(card) } }),
      );
      return r.ok ? { kind: 'ok', messageId } : r.result;
    },
    async batchGetIds(input) {
      const mobiles = [...new Set(input.mobiles ?? [])];
      const emails = [...new Set(input.emails ?? [])];
      const out: BatchGetIdsResult = { mobiles: new Map(), emails: new Map(), calls: 0 };
      for (let i = 0; i < Math.max(mobiles.length, emails.length); i += 50) {
        const m = mobiles.slice(i, i + 50);
        const e = emails.slice(i, i + 50);
        const r = await call('contact.user.batchGetId', () =>
          sdk.contact.v3.user.batchGetId({
            params: { user_id_type: 'open_id' },
            data: { ...(m.length ? { mobiles: m } : {}), ...(e.length ? { emails: e } : {}) },
          }),
        );
        out.calls++;
        if (!r.ok) throw new FeishuCallError(r.result);
        for (const v of m) out.mobiles.set(v, null);
        for (const v of e) out.emails.set(v, null);
        for (const u of r.res.data?.user_list ?? []) {
          if (!u.user_id) continue;
          if (u.mobile !== undefined && out.mobiles.has(u.mobile)) out.mobiles.set(u.mobile, u.user_id);
          if (u.email !== undefined && out.emails.has(u.email)) out.emails.set(u.email, u.user_id);
        }
      }
      return out;
    },
    async departmentLeader(departmentId) {
      const r = await call('contact.department.get', () =>
        sdk.contact.v3.department.get({
          path: { department_id: departmentId },
          params: { user_id_type: 'open_id', department_id_type: 'open_department_id' },
        }),
      );
      if (!r.ok) throw new FeishuCallError(r.result);
      return r.res.data?.department?.leader_user_id ?? null;
    },
    async botInfo() {
      const r = await call('bot.info', () =>
        sdk.request<{ code?: number; msg?: string; bot?: { open_id?: string; app_name?: string } }>({
          method: 'GET',
          url: '/open-apis/bot/v3/info',
        }),
      );
      if (!r.ok) throw new FeishuCallError(r.result);
      return { openId: r.res.bot?.open_id ?? '', appName: r.res.bot?.app_name ?? '' };
    },
    warmUp: ensureToken,
    invalidateToken,
  };
  return client;
}

function asJson(card: string | object): string {
  return typeof card === 'string' ? card : JSON.stringify(card);
}

/**
 * Classifies whatever a call threw. HTTP 4xx/5xx arrive as AxiosErrors (`response.data.code`, header
 * `x-ogw-ratelimit-reset` in seconds); timeouts and network failures have no response.
 */
export function classifyFeishuError(err: unknown): Exclude<SendResult, { kind: 'ok' }> {
  const e = err as {
    isAxiosError?: boolean;
    code?: string;
    message?: string;
    config?: { url?: string };
    response?: { status: number; data?: unknown; headers?: Record<string, unknown> };
  };
  if (e?.response) {
    const { status, data, headers } = e.response;
    const body = (typeof data === 'object' && data !== null ? data : {}) as { code?: number; msg?: string };
    const reset = Number(headers?.['x-ogw-ratelimit-reset']);
    const retryAfterMs = Number.isFinite(reset) && reset > 0 ? reset * 1000 : undefined;
    const onToken = /\/auth\/v3\//.test(e.config?.url ?? '');
    if (onToken && status < 500 && status !== 429)
      return {
        kind: 'retry',
        reason: `could not get a tenant access token (HTTP ${status}${body.code ? `, code ${body.code}` : ''}: ${body.msg ?? 'no message'}) — check FEISHU_APP_ID and FEISHU_APP_SECRET`,
      };
    if (typeof body.code === 'number' && body.code !== 0)
      return classifyCode(body.code, body.msg, retryAfterMs, status);
    if (status === 429) return rateLimited(retryAfterMs, `HTTP 429`);
    if (status >= 500) return { kind: 'retry', reason: `Feishu answered HTTP ${status}` };
    return { kind: 'permanent', code: status, reason: `Feishu refused the request: HTTP ${status}` };
  }
  if (e?.isAxiosError || typeof e?.code === 'string') {
    const timedOut = e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '');
    return {
      kind: 'retry',
      reason: timedOut
        ? `no answer from Feishu in time (${e.message})`
        : `network error: ${e.code ?? ''} ${e.message ?? ''}`.trim(),
    };
  }
  // The SDK throws a plain Error when the token endpoint answers without a token.
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'retry', reason: `could not call Feishu: ${message}` };
}

/** Classifies a Feishu error code (HTTP 200 with code ≠ 0, or the code inside a 4xx/5xx body). */
export function classifyCode(
  code: number,
  msg: string | undefined,
  retryAfterMs: number | undefined,
  status: number,
): Exclude<SendResult, { kind: 'ok' }> {
  const detail = msg ? `: ${msg}` : '';
  if (RATE_LIMIT_CODES.has(code)) return rateLimited(retryAfterMs, `code ${code}${detail}`, code);
  if (TOKEN_CODES.has(code))
    return { kind: 'retry', code, reason: `invalid tenant access token (code ${code})` };
  if (TRANSIENT_CODES.has(code) || status >= 500)
    return { kind: 'retry', code, reason: `Feishu failed (HTTP ${status}, code ${code}${detail})` };
  const known = PERMANENT_REASONS[code];
  if (known) return { kind: 'permanent', code, reason: `${known} (code ${code}${detail})` };
  return {
    kind: 'permanent',
    code,
    reason: `Feishu refused the request (HTTP ${status}, code ${code}${detail})`,
  };
}

function rateLimited(
  retryAfterMs: number | undefined,
  what: string,
  code?: number,
): SendResult & { kind: 'retry' } {
  return {
    kind: 'retry',
    reason: `rate limited by Feishu (${what})`,
    rateLimited: true,
    ...(code !== undefined ? { code } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/** The SDK logs every failed request as an error; our classifier reports what matters, so its logs go to debug. */
function sdkLogger(log: Logger | undefined) {
  const debug = (...msg: unknown[]) =>
    log?.debug({ sdk: msg.map((m) => (m instanceof Error ? m.message : m)) }, 'lark sdk');
  const trace = (...msg: unknown[]) => log?.trace({ sdk: msg }, 'lark sdk');
  return { error: debug, warn: debug, info: trace, debug: trace, trace };
}
