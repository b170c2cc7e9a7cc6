import { describe, expect, it } from 'vitest';
import {
  classifyAnswer,
  classifyCode,
  classifyFeishuError,
  FeishuCallError,
  settle,
} from '../../../src/bot/feishu/classify.ts';

/** An AxiosError as the SDK throws it for HTTP 4xx/5xx. */
const http = (
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
  url = 'x/open-apis/im/v1/messages',
) => classifyFeishuError({ isAxiosError: true, response: { status, data, headers }, config: { url } });

describe('classifier of Feishu answers (every client call goes through it)', () => {
  it('a resolved answer without a code, or with code 0, is a success', () => {
    expect(classifyAnswer({ code: 0, msg: 'success' })).toEqual({ kind: 'ok' });
    expect(classifyAnswer({})).toEqual({ kind: 'ok' });
    expect(classifyAnswer(undefined)).toEqual({ kind: 'ok' });
    expect(classifyAnswer({ code: 230002, msg: 'no' })).toMatchObject({ kind: 'permanent', code: 230002 });
  });

  it('names each permanent refusal with a reason an operator can act on', () => {
    expect(classifyCode(230002, 'Bot/User can NOT be out of the chat.', undefined, 200)).toEqual({
      kind: 'permanent',
      code: 230002,
      reason: 'bot is not in the chat (code 230002: Bot/User can NOT be out of the chat.)',
    });
    const reasons: [number, RegExp][] = [
      [230013, /^user is outside the bot's availability \(code 230013/],
      [230025, /^message too long/],
      [230099, /^card rejected/],
      [230011, /^the message was recalled/],
      [230031, /older than 14 days/],
      [99992361, /not known to this app/],
    ];
    for (const [code, reason] of reasons)
      expect(classifyCode(code, undefined, undefined, 400)).toMatchObject({
        kind: 'permanent',
        code,
        reason,
      });
    expect(http(400, { code: 230013, msg: 'no' })).toMatchObject({
      kind: 'permanent',
      code: 230013,
      reason: expect.stringContaining("outside the bot's availability"),
    });
    // Unknown codes: permanent on a 4xx, worth a retry on a 5xx.
    expect(classifyCode(123456, 'odd', undefined, 400)).toMatchObject({ kind: 'permanent', code: 123456 });
    expect(classifyCode(123456, 'odd', undefined, 503)).toMatchObject({ kind: 'retry' });
    expect(http(404, 'not found')).toEqual({
      kind: 'permanent',
      code: 404,
      reason: 'Feishu refused the request: HTTP 404',
    });
  });

  it('rate limits (99991400, 230020; HTTP 429 or 400) retry after x-ogw-ratelimit-reset', () => {
    expect(classifyCode(230020, undefined, 3000, 400)).toMatchObject({
      kind: 'retry',
      rateLimited: true,
      retryAfterMs: 3000,
    });
    expect(http(429, { code: 99991400 }, { 'x-ogw-ratelimit-reset': '2' })).toMatchObject({
      kind: 'retry',
      code: 99991400,
      retryAfterMs: 2000,
      rateLimited: true,
    });
    expect(
      http(400, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': '5' }),
    ).toMatchObject({
      kind: 'retry',
      retryAfterMs: 5000,
      rateLimited: true,
      reason: 'rate limited by Feishu (code 99991400: request trigger frequency limit)',
    });
    expect(http(400, { code: 230020 }, {})).toEqual({
      kind: 'retry',
      code: 230020,
      rateLimited: true,
      reason: 'rate limited by Feishu (code 230020)',
    });
    // A 429 without a body code, and a reset header that is not a number.
    expect(http(429, '', { 'x-ogw-ratelimit-reset': 'soon' })).toEqual({
      kind: 'retry',
      rateLimited: true,
      reason: 'rate limited by Feishu (HTTP 429)',
    });
    expect(classifyAnswer({ code: 99991400 })).toMatchObject({ kind: 'retry', rateLimited: true });
  });

  it('an invalid tenant token (99991663 and kin) asks for a refresh; refused twice it is a plain retry', () => {
    for (const code of [99991661, 99991663, 99991668, 99991677])
      expect(http(400, { code, msg: 'Invalid access token' })).toEqual({
        kind: 'refresh-token',
        code,
        reason: `invalid tenant access token (code ${code})`,
      });
    expect(classifyAnswer({ code: 99991663 })).toMatchObject({ kind: 'refresh-token' });
    expect(settle({ kind: 'refresh-token', code: 99991663, reason: 'x' })).toEqual({
      kind: 'retry',
      code: 99991663,
      reason: 'x',
    });
    const permanent = { kind: 'permanent', code: 1, reason: 'y' } as const;
    expect(settle(permanent)).toBe(permanent);
  });

  it('5xx, timeouts and network failures are retried', () => {
    expect(http(502, '<html>bad gateway</html>')).toEqual({
      kind: 'retry',
      reason: 'Feishu answered HTTP 502',
    });
    expect(http(500, { code: 1000004, msg: 'internal' })).toMatchObject({ kind: 'retry', code: 1000004 });
    expect(classifyCode(99991500, undefined, undefined, 200)).toMatchObject({ kind: 'retry' });
    for (const e of [
      { isAxiosError: true, code: 'ECONNABORTED', message: 'timeout of 150ms exceeded' },
      { isAxiosError: true, code: 'ETIMEDOUT', message: 'connect ETIMEDOUT' },
      { isAxiosError: true, message: 'timeout exceeded' },
    ])
      expect(classifyFeishuError(e)).toMatchObject({
        kind: 'retry',
        reason: expect.stringContaining('no answer from Feishu in time'),
      });
    expect(
      classifyFeishuError({ isAxiosError: true, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }),
    ).toMatchObject({
      kind: 'retry',
      reason: expect.stringContaining('network error: ECONNREFUSED'),
    });
    expect(classifyFeishuError(new Error('boom'))).toEqual({
      kind: 'retry',
      reason: 'could not call Feishu: boom',
    });
  });

  it('the token endpoint refusing the credentials is a retry that names the settings', () => {
    const url = 'http://x/open-apis/auth/v3/tenant_access_token/internal';
    expect(http(400, { code: 10014, msg: 'app secret invalid' }, {}, url)).toEqual({
      kind: 'retry',
      reason:
        'could not get a tenant access token (HTTP 400, code 10014: app secret invalid) — check FEISHU_APP_ID and FEISHU_APP_SECRET',
    });
    // A rate limit or an outage there is just that.
    expect(http(429, { code: 99991400 }, {}, url)).toMatchObject({ kind: 'retry', rateLimited: true });
    expect(http(503, '', {}, url)).toEqual({ kind: 'retry', reason: 'Feishu answered HTTP 503' });
    // A verdict carried by a FeishuCallError passes through unchanged.
    const known = { kind: 'permanent', code: 7, reason: 'known' } as const;
    expect(classifyFeishuError(new FeishuCallError(known))).toBe(known);
  });
});
