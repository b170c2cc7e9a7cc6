/**
 * What became of one call to Feishu, decided in one place for every caller (sends, updates, look-ups, the token
 * fetch). Pure: an answer or a thrown error in, a verdict out. Feishu answers a refusal in two ways (docs/feishu.md,
 * "Failures"): HTTP 200 with `code != 0` resolves, HTTP 4xx/5xx throws an AxiosError carrying the same body and
 * the `x-ogw-ratelimit-reset` header.
 */

/** What a caller gets back: delivered, worth trying again (not before `retryAfterMs`), or refused for good. */
export type SendResult =
  | { kind: 'ok'; messageId: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number; code?: number; rateLimited?: boolean }
  | { kind: 'permanent'; code: number; reason: string };

/** A call that did not succeed. */
export type Failure = Exclude<SendResult, { kind: 'ok' }>;

/**
 * The classifier's verdict. `refresh-token`: the tenant token is not (or no longer) valid — the SDK never
 * refreshes on its own, so the client fetches a new one and tries once more at once.
 */
export type Verdict = { kind: 'ok' } | Failure | { kind: 'refresh-token'; code: number; reason: string };

/** Codes that mean "the tenant token is not valid": missing, invalid, expired, or of another app. */
export const TOKEN_CODES: ReadonlySet<number> = new Set([99991661, 99991663, 99991668, 99991677]);
/** Rate limits (app-wide and IM): wait `x-ogw-ratelimit-reset`, then back off. */
export const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([99991400, 230020]);
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

/** A call that resolved (HTTP 2xx): a body without a code, or with code 0, is a success. */
export function classifyAnswer(res: { code?: number; msg?: string } | null | undefined): Verdict {
  if (!res || res.code === undefined || res.code === 0) return { kind: 'ok' };
  return classifyCode(res.code, res.msg, undefined, 200);
}

/** An error thrown outside Feishu's HTTP answer handling, whose verdict is already known (see `classifyFeishuError`). */
export class FeishuCallError extends Error {
  constructor(readonly result: Failure) {
    super(result.reason);
    this.name = 'FeishuCallError';
  }
}

/**
 * Classifies whatever a call threw. HTTP 4xx/5xx arrive as AxiosErrors (`response.data.code`, header
 * `x-ogw-ratelimit-reset` in seconds); timeouts and network failures have no response.
 */
export function classifyFeishuError(err: unknown): Exclude<Verdict, { kind: 'ok' }> {
  if (err instanceof FeishuCallError) return err.result;
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
    if (/\/auth\/v3\//.test(e.config?.url ?? '') && status < 500 && status !== 429)
      return tokenRefused(`HTTP ${status}`, body.code, body.msg);
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
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'retry', reason: `could not call Feishu: ${message}` };
}

/** Classifies a Feishu error code (HTTP 200 with code ≠ 0, or the code inside a 4xx/5xx body). */
export function classifyCode(
  code: number,
  msg: string | undefined,
  retryAfterMs: number | undefined,
  status: number,
): Exclude<Verdict, { kind: 'ok' }> {
  const detail = msg ? `: ${msg}` : '';
  if (RATE_LIMIT_CODES.has(code)) return rateLimited(retryAfterMs, `code ${code}${detail}`, code);
  if (TOKEN_CODES.has(code))
    return { kind: 'refresh-token', code, reason: `invalid tenant access token (code ${code})` };
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

/**
 * The token endpoint refused the app's credentials. A retry, not permanent: the operator may fix the settings
 * while messages wait, and nothing is lost by trying again later.
 */
export function tokenRefused(how: string, code: number | undefined, msg: string | undefined): Failure {
  return {
    kind: 'retry',
    reason: `could not get a tenant access token (${how}${code ? `, code ${code}` : ''}: ${msg ?? 'no message'}) — check FEISHU_APP_ID and FEISHU_APP_SECRET`,
  };
}

/** A token refused even after a fresh one was fetched: try again later, like any transient failure. */
export function settle(verdict: Exclude<Verdict, { kind: 'ok' }>): Failure {
  return verdict.kind === 'refresh-token'
    ? { kind: 'retry', code: verdict.code, reason: verdict.reason }
    : verdict;
}

function rateLimited(retryAfterMs: number | undefined, what: string, code?: number): Failure {
  return {
    kind: 'retry',
    reason: `rate limited by Feishu (${what})`,
    rateLimited: true,
    ...(code !== undefined ? { code } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}
