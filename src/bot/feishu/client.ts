import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import { UserError } from '../../errors.ts';
import {
  FeishuCallError,
  classifyAnswer,
  classifyFeishuError,
  settle,
  tokenRefused,
  type Failure,
  type SendResult,
  type Verdict,
} from './classify.ts';
import { tenantTokens } from './token.ts';

/**
 * The one place liancha talks to Feishu's open API: the real SDK client with a request timeout, a handful of
 * calls, the tenant token (./token.ts), and every answer classified by ./classify.ts into ok / retry / permanent.
 * Only the SDK's public API is used (`disableTokenCache`, `withTenantToken`, `request`, `defaultHttpInstance`).
 */

export { FeishuCallError, classifyCode, classifyFeishuError } from './classify.ts';
export type { SendResult } from './classify.ts';

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
  /**
   * The SDK client, for calls not wrapped here. It holds no token of its own: pass
   * `lark.withTenantToken(await feishu.tenantToken())` as the call's options.
   */
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
  /** The tenant token (cached; fetched when missing or about to expire). */
  tenantToken(): Promise<string>;
  /** Forgets the cached tenant token, so that the next call fetches a new one. */
  invalidateToken(): Promise<void>;
}

export interface FeishuClientOptions {
  appId: string;
  appSecret: string;
  /** `feishu`, `lark`, or a base URL such as `http://127.0.0.1:4010`. */
  domain?: string;
  /** Per-request timeout. The SDK's default HTTP instance has none. Default 10 s. */
  timeoutMs?: number;
  log?: Logger;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** The per-call options that carry the tenant token (the SDK does not export their type). */
type TokenOption = ReturnType<typeof lark.withTenantToken>;

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
  const sdk = new lark.Client({
    appId,
    appSecret: options.appSecret,
    domain: sdkDomain(options.domain),
    httpInstance: createHttpInstance(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    // The token comes from `tokens` with every call (lark.withTenantToken): the SDK fetches and caches none.
    disableTokenCache: true,
    loggerLevel: lark.LoggerLevel.trace,
    logger: sdkLogger(log),
  });
  const tokens = tenantTokens(async () => {
    const res = await sdk.request<{
      code?: number;
      msg?: string;
      tenant_access_token?: string;
      expire?: number;
    }>({
      method: 'POST',
      url: '/open-apis/auth/v3/tenant_access_token/internal',
      data: { app_id: appId, app_secret: options.appSecret },
    });
    if (!res?.tenant_access_token || res.code)
      throw new FeishuCallError(tokenRefused('HTTP 200', res?.code, res?.msg));
    return { token: res.tenant_access_token, expireSeconds: res.expire ?? 0 };
  });

  /** Runs a call with the tenant token; on an invalid-token answer fetches a new token and tries once more, at once. */
  async function call<T extends { code?: number; msg?: string }>(
    what: string,
    fn: (auth: TokenOption) => Promise<T>,
  ): Promise<{ ok: true; res: T } | { ok: false; result: Failure }> {
    for (let attempt = 0; ; attempt++) {
      let token: string | undefined;
      let verdict: Verdict;
      try {
        token = await tokens.get();
        const res = await fn(lark.withTenantToken(token));
        verdict = classifyAnswer(res);
        if (verdict.kind === 'ok') return { ok: true, res };
      } catch (err) {
        verdict = classifyFeishuError(err);
      }
      if (verdict.kind === 'refresh-token' && attempt === 0) {
        log?.info({ code: verdict.code, what }, 'Feishu refused the tenant token: fetching a new one');
        tokens.invalidate(token);
        continue;
      }
      const result = settle(verdict);
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
        await call('im.message.create', (auth) =>
          sdk.im.v1.message.create(
            {
              params: { receive_id_type: receiveIdType },
              data: { receive_id: receiveId, msg_type: msgType, content, ...(uuid ? { uuid } : {}) },
            },
            auth,
          ),
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
        await call('im.message.reply', (auth) =>
          sdk.im.v1.message.reply(
            {
              path: { message_id: messageId },
              data: { msg_type: msgType, content, ...(uuid ? { uuid } : {}) },
            },
            auth,
          ),
        ),
      );
    },
    async patchCard(messageId, card) {
      const r = await call('im.message.patch', (auth) =>
        sdk.im.v1.message.patch({ path: { message_id: messageId }, data: { content: asJson(card) } }, auth),
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
        const r = await call('contact.user.batchGetId', (auth) =>
          sdk.contact.v3.user.batchGetId(
            {
              params: { user_id_type: 'open_id' },
              data: { ...(m.length ? { mobiles: m } : {}), ...(e.length ? { emails: e } : {}) },
            },
            auth,
          ),
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
      const r = await call('contact.department.get', (auth) =>
        sdk.contact.v3.department.get(
          {
            path: { department_id: departmentId },
            params: { user_id_type: 'open_id', department_id_type: 'open_department_id' },
          },
          auth,
        ),
      );
      if (!r.ok) throw new FeishuCallError(r.result);
      return r.res.data?.department?.leader_user_id ?? null;
    },
    async botInfo() {
      const r = await call('bot.info', (auth) =>
        sdk.request<{ code?: number; msg?: string; bot?: { open_id?: string; app_name?: string } }>(
          { method: 'GET', url: '/open-apis/bot/v3/info' },
          auth,
        ),
      );
      if (!r.ok) throw new FeishuCallError(r.result);
      return { openId: r.res.bot?.open_id ?? '', appName: r.res.bot?.app_name ?? '' };
    },
    async warmUp() {
      await tokens.get();
    },
    tenantToken: () => tokens.get(),
    async invalidateToken() {
      tokens.invalidate();
    },
  };
  return client;
}

function asJson(card: string | object): string {
  return typeof card === 'string' ? card : JSON.stringify(card);
}

/** The SDK logs every failed request as an error; our classifier reports what matters, so its logs go to debug. */
function sdkLogger(log: Logger | undefined) {
  const debug = (...msg: unknown[]) =>
    log?.debug({ sdk: msg.map((m) => (m instanceof Error ? m.message : m)) }, 'lark sdk');
  const trace = (...msg: unknown[]) => log?.trace({ sdk: msg }, 'lark sdk');
  return { error: debug, warn: debug, info: trace, debug: trace, trace };
}
