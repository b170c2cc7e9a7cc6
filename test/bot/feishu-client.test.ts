import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  classifyCode,
  classifyFeishuError,
  createFeishuClient,
  feishuFromConfig,
  sdkDomain,
} from '../../src/bot/feishu/client.ts';
import { loadConfig } from '../../src/config.ts';
import { startFakeFeishu, type FakeFeishu } from '../fake-feishu/server.ts';
import { simpleCard } from '../fake-feishu/sample-cards.ts';
import { silent } from './feishu-harness.ts';

describe('Feishu client against the fake', () => {
  let fake: FakeFeishu;
  beforeEach(async () => {
    fake = await startFakeFeishu();
    fake.addUser({ openId: 'ou_alice' });
  });
  afterEach(() => fake.close());

  const client = (over: { appSecret?: string; timeoutMs?: number } = {}) =>
    createFeishuClient({
      appId: fake.appId,
      appSecret: over.appSecret ?? fake.appSecret,
      domain: fake.url,
      timeoutMs: over.timeoutMs ?? 2000,
      log: silent,
    });

  it('sends, replies and updates, classifying every answer', async () => {
    const feishu = client();
    const sent = await feishu.sendCard('open_id', 'ou_alice', simpleCard('v1'), 'lc-x');
    expect(sent).toEqual({ kind: 'ok', messageId: expect.stringMatching(/^om_/) });
    const id = (sent as { messageId: string }).messageId;
    expect(await feishu.sendText('open_id', 'ou_alice', 'hello')).toMatchObject({ kind: 'ok' });
    expect(await feishu.replyMessage(id, 'text', JSON.stringify({ text: 're' }))).toMatchObject({
      kind: 'ok',
    });
    expect(await feishu.patchCard(id, simpleCard('v2'))).toEqual({ kind: 'ok', messageId: id });
    expect(fake.message(id)!.patches).toHaveLength(1);
    expect(await feishu.patchCard('om_missing', simpleCard('v2'))).toMatchObject({
      kind: 'permanent',
      code: 230001,
    });
    expect(await feishu.sendCard('open_id', 'ou_alice', { schema: '2.0', foo: 1 })).toMatchObject({
      kind: 'permanent',
      code: 230099,
      reason: expect.stringContaining(
        'card rejected (code 230099: Failed to create card content: card: unknown property "foo")',
      ),
    });
    expect(await feishu.botInfo()).toEqual({ openId: fake.botOpenId, appName: 'liancha (fake)' });
    fake.addDepartment({ id: 'od_1', name: '市场监管局', leaderOpenId: 'ou_alice' });
    expect(await feishu.departmentLeader('od_1')).toBe('ou_alice');
  });

  it('fetches one token for many concurrent calls, and a new one once when Feishu refuses it', async () => {
    const feishu = client();
    const users = fake.addUsers(10);
    const results = await Promise.all(
      users.map((u, i) => feishu.sendCard('open_id', u.openId, simpleCard(`${i}`))),
    );
    expect(results.every((r) => r.kind === 'ok')).toBe(true);
    expect(fake.tokensIssued).toBe(1);
    fake.inject({ kind: 'invalid-token', count: 2 });
    // Refused, refreshed, refused again: no endless loop, a retry for later.
    expect(await feishu.sendCard('open_id', 'ou_alice', simpleCard('x'))).toMatchObject({
      kind: 'retry',
      code: 99991663,
    });
    expect(fake.tokensIssued).toBe(1); // the old token was still valid: Feishu hands it out again
  });

  it('reports a wrong app secret as a retry naming the settings, and a timeout as a retry', async () => {
    expect(await client({ appSecret: 'wrong' }).sendText('open_id', 'ou_alice', 'x')).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(
        /could not get a tenant access token \(HTTP 400, code 10014.*FEISHU_APP_SECRET/,
      ),
    });
    const feishu = client({ timeoutMs: 150 });
    await feishu.warmUp();
    fake.inject({ kind: 'hang', path: '/open-apis/im/v1/messages' });
    expect(await feishu.sendText('open_id', 'ou_alice', 'x')).toMatchObject({
      kind: 'retry',
      reason: expect.stringContaining('no answer from Feishu in time'),
    });
  });

  it('resolves ≤ 50 mobiles and ≤ 50 e-mails per call', async () => {
    const users = fake.addUsers(120);
    fake.addUser({ openId: 'ou_mail', email: 'a@b.cn' });
    const res = await client().batchGetIds({
      mobiles: [...users.map((u) => u.mobile!), '10000000000'],
      emails: ['a@b.cn', 'nobody@b.cn'],
    });
    expect(res.calls).toBe(3);
    expect(res.mobiles.get(users[77]!.mobile!)).toBe('ou_user77');
    expect(res.mobiles.get('10000000000')).toBeNull();
    expect(res.emails.get('a@b.cn')).toBe('ou_mail');
    expect(res.emails.get('nobody@b.cn')).toBeNull();
    expect(
      fake.requestsTo('/open-apis/contact/v3/users/batch_get_id').map((r) => (r.body as any).mobiles.length),
    ).toEqual([50, 50, 21]);
  });
});

describe('Feishu client configuration and classification', () => {
  it('maps FEISHU_DOMAIN and refuses to build without credentials', () => {
    expect(sdkDomain('feishu')).toBe(lark.Domain.Feishu);
    expect(sdkDomain('lark')).toBe(lark.Domain.Lark);
    expect(sdkDomain('http://127.0.0.1:4010/')).toBe('http://127.0.0.1:4010');
    expect(() => feishuFromConfig(loadConfig({}))).toThrow(/no Feishu credentials/);
    expect(feishuFromConfig(loadConfig({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's' })).appId).toBe(
      'cli_x',
    );
  });

  it('classifies codes and HTTP failures', () => {
    expect(classifyCode(230002, 'Bot/User can NOT be out of the chat.', undefined, 200)).toEqual({
      kind: 'permanent',
      code: 230002,
      reason: 'bot is not in the chat (code 230002: Bot/User can NOT be out of the chat.)',
    });
    expect(classifyCode(230020, undefined, 3000, 400)).toMatchObject({
      kind: 'retry',
      rateLimited: true,
      retryAfterMs: 3000,
    });
    expect(classifyCode(123456, 'odd', undefined, 400)).toMatchObject({ kind: 'permanent', code: 123456 });
    expect(classifyCode(123456, 'odd', undefined, 503)).toMatchObject({ kind: 'retry' });
    const http = (status: number, data: unknown, headers: Record<string, string> = {}) =>
      classifyFeishuError({
        isAxiosError: true,
        response: { status, data, headers },
        config: { url: 'x/open-apis/im/v1/messages' },
      });
    expect(http(429, { code: 99991400 }, { 'x-ogw-ratelimit-reset': '2' })).toMatchObject({
      kind: 'retry',
      retryAfterMs: 2000,
      rateLimited: true,
    });
    expect(http(502, '<html>bad gateway</html>')).toEqual({
      kind: 'retry',
      reason: 'Feishu answered HTTP 502',
    });
    expect(http(400, { code: 230013, msg: 'no' })).toMatchObject({
      kind: 'permanent',
      code: 230013,
      reason: expect.stringContaining("outside the bot's availability"),
    });
    expect(
      classifyFeishuError({ isAxiosError: true, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }),
    ).toMatchObject({ kind: 'retry', reason: expect.stringContaining('network error: ECONNREFUSED') });
  });
});
