import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFeishuClient, feishuFromConfig, sdkDomain } from '../../src/bot/feishu/client.ts';
import { tenantTokens, TOKEN_MARGIN_MS } from '../../src/bot/feishu/token.ts';
import { loadConfig } from '../../src/config.ts';
import { startFakeFeishu, type FakeFeishu } from '../../src/sim/feishu/server.ts';
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
    // One request for the token in all: the SDK (disableTokenCache) fetches none of its own.
    expect(fake.requestsTo(TOKEN_PATH)).toHaveLength(1);
    fake.inject({ kind: 'invalid-token', count: 2 });
    // Refused, refreshed, refused again: no endless loop, a retry for later.
    expect(await feishu.sendCard('open_id', 'ou_alice', simpleCard('x'))).toMatchObject({
      kind: 'retry',
      code: 99991663,
    });
    expect(fake.tokensIssued).toBe(1); // the old token was still valid: Feishu hands it out again
    expect(fake.requestsTo(TOKEN_PATH)).toHaveLength(2);
  });

  it('fetches a new token when Feishu no longer accepts the cached one, and sends with it', async () => {
    const feishu = client();
    expect(await feishu.sendText('open_id', 'ou_alice', 'one')).toMatchObject({ kind: 'ok' });
    const first = await feishu.tenantToken();
    fake.revokeTokens();
    expect(await feishu.sendText('open_id', 'ou_alice', 'two')).toMatchObject({ kind: 'ok' });
    expect(fake.tokensIssued).toBe(2);
    expect(await feishu.tenantToken()).not.toBe(first);
    expect(fake.requests.map((r) => r.code)).toContain(99991663);
    // Calls not wrapped by the client go through the SDK with the client's token.
    const res = await feishu.sdk.request<{ bot?: { open_id?: string } }>(
      { method: 'GET', url: '/open-apis/bot/v3/info' },
      lark.withTenantToken(await feishu.tenantToken()),
    );
    expect(res.bot?.open_id).toBe(fake.botOpenId);
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

const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';

describe('tenant token cache', () => {
  it('fetches once for concurrent callers and keeps the token until 3 minutes before it expires', async () => {
    let now = 0;
    let fetches = 0;
    const tokens = tenantTokens(
      async () => ({ token: `t${++fetches}`, expireSeconds: 7200 }),
      () => now,
    );
    expect(await Promise.all([tokens.get(), tokens.get(), tokens.get()])).toEqual(['t1', 't1', 't1']);
    now = 7200_000 - TOKEN_MARGIN_MS - 1;
    expect(await tokens.get()).toBe('t1');
    now += 1;
    expect(await tokens.get()).toBe('t2');
    expect(fetches).toBe(2);
  });

  it('forgets a refused token, but not a newer one fetched meanwhile; a failed fetch is tried again', async () => {
    let fetches = 0;
    let fail = false;
    const tokens = tenantTokens(async () => {
      if (fail) throw new Error('no token');
      return { token: `t${++fetches}`, expireSeconds: 7200 };
    });
    const old = await tokens.get();
    tokens.invalidate(old);
    expect(await tokens.get()).toBe('t2');
    tokens.invalidate(old); // a caller still holding t1 does not drop t2
    expect(await tokens.get()).toBe('t2');
    tokens.invalidate();
    fail = true;
    await expect(tokens.get()).rejects.toThrow('no token');
    fail = false;
    expect(await tokens.get()).toBe('t3');
  });
});

describe('Feishu client configuration', () => {
  it('maps FEISHU_DOMAIN and refuses to build without credentials', () => {
    expect(sdkDomain('feishu')).toBe(lark.Domain.Feishu);
    expect(sdkDomain('lark')).toBe(lark.Domain.Lark);
    expect(sdkDomain('http://127.0.0.1:4010/')).toBe('http://127.0.0.1:4010');
    expect(() => feishuFromConfig(loadConfig({}))).toThrow(/no Feishu credentials/);
    expect(feishuFromConfig(loadConfig({ FEISHU_APP_ID: 'cli_x', FEISHU_APP_SECRET: 's' })).appId).toBe(
      'cli_x',
    );
  });
});
