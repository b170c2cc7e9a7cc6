import { createServer, type Server } from 'node:http';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpInstance } from '../../src/bot/feishu/client.ts';
import { validateCardContent } from '../../src/sim/feishu/cards.ts';
import { createEventSender, signBody } from '../../src/sim/feishu/events.ts';
import { startFakeFeishu, type FakeFeishu } from '../../src/sim/feishu/server.ts';
import { assignmentCard, simpleCard } from './sample-cards.ts';

const nothing = () => undefined;
const quiet = { error: nothing, warn: nothing, info: nothing, debug: nothing, trace: nothing };

/** The real SDK against the fake, with a cache of its own so that tests do not share tokens. */
function sdkFor(fake: FakeFeishu) {
  const values = new Map<unknown, { value: unknown; expiredTime?: number }>();
  const cache: lark.Cache = {
    async set(key, value, expiredTime) {
      values.set(key, { value, ...(expiredTime !== undefined ? { expiredTime } : {}) });
      return true;
    },
    async get(key) {
      const v = values.get(key);
      return v && (!v.expiredTime || v.expiredTime > Date.now()) ? v.value : undefined;
    },
  };
  return {
    cache,
    client: new lark.Client({
      appId: fake.appId,
      appSecret: fake.appSecret,
      domain: fake.url,
      cache,
      logger: quiet,
    }),
  };
}

/** The SDK throws on HTTP 4xx/5xx; this gives back status, body and headers either way. */
async function outcome<T>(
  p: Promise<T>,
): Promise<{ status: number; body: any; headers: Record<string, string> }> {
  try {
    return { status: 200, body: await p, headers: {} };
  } catch (err: any) {
    if (!err.response) throw err;
    return { status: err.response.status, body: err.response.data, headers: err.response.headers };
  }
}

describe('fake Feishu', () => {
  let fake: FakeFeishu;
  beforeEach(async () => {
    fake = await startFakeFeishu();
    fake.addUser({ openId: 'ou_alice', mobile: '13800000001', email: 'alice@example.gov.cn' });
    fake.addUser({ openId: 'ou_far', outsideAvailability: true });
    fake.addChat({ chatId: 'oc_joint' });
    fake.addChat({ chatId: 'oc_other', botIsMember: false });
  });
  afterEach(() => fake.close());

  const send = (
    client: lark.Client,
    receive_id: string,
    content: string,
    uuid?: string,
    type: 'open_id' | 'chat_id' = 'open_id',
  ) =>
    outcome(
      client.im.v1.message.create({
        params: { receive_id_type: type },
        data: { receive_id, msg_type: 'interactive', content, ...(uuid ? { uuid } : {}) },
      }),
    );

  it('issues tenant tokens to the right app only, and refuses calls without a valid one', async () => {
    const bad = new lark.Client({ appId: fake.appId, appSecret: 'wrong', domain: fake.url, logger: quiet });
    await expect(
      bad.im.v1.message.create({
        params: { receive_id_type: 'open_id' },
        data: { receive_id: 'ou_alice', msg_type: 'text', content: '{"text":"x"}' },
      }),
    ).rejects.toMatchObject({ response: { status: 400, data: { code: 10014 } } });

    const raw = await fetch(`${fake.url}/open-apis/im/v1/messages?receive_id_type=open_id`, {
      method: 'POST',
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ code: 99991661 });
    const forged = await fetch(`${fake.url}/open-apis/im/v1/messages?receive_id_type=open_id`, {
      method: 'POST',
      headers: { authorization: 'Bearer t-forged', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await forged.json()).toMatchObject({ code: 99991663 });

    const { client } = sdkFor(fake);
    expect((await send(client, 'ou_alice', JSON.stringify(simpleCard('hi')))).body).toMatchObject({
      code: 0,
    });
    expect(fake.tokensIssued).toBe(1);
    fake.revokeTokens();
    expect(await send(client, 'ou_alice', JSON.stringify(simpleCard('hi')))).toMatchObject({
      status: 400,
      body: { code: 99991663 },
    });
    fake.advance(3 * 3600 * 1000); // even a fresh token expires after 2 hours
    expect(fake.messagesTo('ou_alice')).toHaveLength(1);
  });

  it('refuses a bad card (230099), an oversized card (230025), and unreachable receivers', async () => {
    const { client } = sdkFor(fake);
    const card = simpleCard('x') as any;
    const cases: [unknown, number][] = [
      [{ ...card, schema: '1.0' }, 230099],
      [{ ...card, elements: [] }, 230099],
      [{ ...card, body: { elements: [{ tag: 'note', elements: [] }] } }, 230099],
      [{ ...card, body: { elements: [{ tag: 'markdown', content: 'x', colour: 'red' }] } }, 230099],
      [
        {
          ...card,
          body: {
            elements: [
              {
                tag: 'button',
                text: { tag: 'plain_text', content: 'b' },
                behaviors: [{ type: 'callback', value: 'approve' }],
              },
            ],
          },
        },
        230099,
      ],
      [
        {
          ...card,
          body: {
            elements: [
              {
                tag: 'column_set',
                columns: [{ tag: 'column', elements: [{ tag: 'table', columns: [], rows: [] }] }],
              },
            ],
          },
        },
        230099,
      ],
      [
        {
          ...card,
          body: { elements: Array.from({ length: 6 }, () => ({ tag: 'table', columns: [], rows: [] })) },
        },
        230099,
      ],
      [{ ...card, body: { elements: [{ tag: 'form', name: 'f', elements: [{ tag: 'input' }] }] } }, 230099],
      [
        {
          ...card,
          body: { elements: [{ tag: 'form', name: 'f', elements: [{ tag: 'input', name: 'f' }] }] },
        },
        230099,
      ],
      [{ ...card, body: { elements: Array.from({ length: 201 }, () => ({ tag: 'hr' })) } }, 230099],
      [{ ...card, body: { elements: [{ tag: 'markdown', content: 'x'.repeat(31 * 1024) }] } }, 230025],
    ];
    for (const [c, code] of cases) {
      fake.advance(1001); // stay clear of the 5-per-second limit per receiver
      const r = await send(client, 'ou_alice', JSON.stringify(c));
      expect({ c, r: r.body.code }).toEqual({ c, r: code });
      expect(r.status).toBe(400);
    }
    expect((await send(client, 'ou_alice', '{not json')).body.code).toBe(230099);
    expect((await send(client, 'ou_far', JSON.stringify(card))).body.code).toBe(230013);
    expect((await send(client, 'ou_nobody', JSON.stringify(card))).body.code).toBe(99992361);
    expect((await send(client, 'oc_other', JSON.stringify(card), undefined, 'chat_id')).body.code).toBe(
      230002,
    );
    expect((await send(client, 'oc_joint', JSON.stringify(card), undefined, 'chat_id')).body.code).toBe(0);
    expect(fake.messages).toHaveLength(1);
  });

  it('accepts the kind of card liancha sends: form with named fields, table, chart, collapsible panel', () => {
    const card = {
      schema: '2.0',
      config: { update_multi: true, locales: ['zh_cn', 'en_us'], summary: { content: '结果录入' } },
      header: {
        title: { tag: 'plain_text', content: '结果录入', i18n_content: { en_us: 'Results' } },
        template: 'orange',
      },
      body: {
        elements: [
          {
            tag: 'form',
            name: 'result_T1_3',
            elements: [
              {
                tag: 'multi_select_static',
                name: 'categories',
                required: true,
                placeholder: { tag: 'plain_text', content: '检查结果' },
                options: [{ text: { tag: 'plain_text', content: '未发现问题' }, value: 'NO_ISSUE' }],
              },
              { tag: 'date_picker', name: 'inspected_on', initial_date: '2026-12-03' },
              { tag: 'input', name: 'note', max_length: 200 },
              {
                tag: 'button',
                name: 'submit',
                text: { tag: 'plain_text', content: '提交' },
                type: 'primary',
                form_action_type: 'submit',
                behaviors: [{ type: 'callback', value: { action: 'result.enter' } }],
              },
            ],
          },
          { tag: 'chart', chart_spec: { type: 'bar', data: { values: [] } } },
          {
            tag: 'collapsible_panel',
            header: { title: { tag: 'markdown', content: '**逾期**' } },
            elements: [{ tag: 'markdown', content: 'x' }],
          },
        ],
      },
    };
    expect(validateCardContent(JSON.stringify(card))).toMatchObject({ ok: true });
    expect(validateCardContent(JSON.stringify(assignmentCard(1)))).toMatchObject({ ok: true });
  });

  it('enforces 5 sends per second per receiver and 50 per second per app, with x-ogw-ratelimit-reset', async () => {
    // All 67 sends in one second's window, however long they take on a busy machine (on the real clock a slow run
    // crossed into the next second and two more got through: 47 instead of 45).
    fake.freezeClock();
    const { client } = sdkFor(fake);
    const card = JSON.stringify(simpleCard('x'));
    const answers = await Promise.all(Array.from({ length: 7 }, () => send(client, 'ou_alice', card)));
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(2);
    expect(limited[0]).toMatchObject({ body: { code: 99991400 }, headers: { 'x-ogw-ratelimit-reset': '1' } });

    const users = fake.addUsers(60);
    const many = await Promise.all(users.map((u) => send(client, u.openId, card)));
    // 5 of this second's 50 were already used by ou_alice.
    expect(many.filter((a) => a.status === 200)).toHaveLength(45);
    expect(many.filter((a) => a.status === 429)).toHaveLength(15);
    expect(fake.rateLimited).toBe(17);
  });

  it('keeps its clock still once frozen, moved only by advance', async () => {
    fake.freezeClock();
    const at = fake.now();
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.now()).toBe(at);
    fake.advance(1000);
    expect(fake.now()).toBe(at + 1000);
  });

  it('sends a uuid at most once within an hour, returning the original message', async () => {
    const { client } = sdkFor(fake);
    const card = JSON.stringify(simpleCard('x'));
    const first = await send(client, 'ou_alice', card, 'lc-1');
    const again = await send(client, 'ou_alice', card, 'lc-1');
    expect(again.body.data.message_id).toBe(first.body.data.message_id);
    expect(fake.messagesTo('ou_alice')).toHaveLength(1);
    expect(fake.uuidHits).toBe(1);
    fake.advance(61 * 60 * 1000);
    fake.revokeTokens();
    const { client: later } = sdkFor(fake);
    const after = await send(later, 'ou_alice', card, 'lc-1');
    expect(after.body.data.message_id).not.toBe(first.body.data.message_id);
    expect(fake.messagesTo('ou_alice')).toHaveLength(2);
  });

  it('updates a card within 14 days only, 5 times per second per message', async () => {
    fake.freezeClock(); // the six patches in one second's window, however slow the machine
    const { client } = sdkFor(fake);
    const sent = await send(client, 'ou_alice', JSON.stringify(simpleCard('v1')));
    const id = sent.body.data.message_id as string;
    const patch = (text: string) =>
      outcome(
        client.im.v1.message.patch({
          path: { message_id: id },
          data: { content: JSON.stringify(simpleCard(text)) },
        }),
      );
    const answers = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map(patch));
    expect(answers.filter((a) => a.status === 429)).toHaveLength(1);
    expect(fake.message(id)!.patches).toHaveLength(5);
    fake.advance(1001);
    expect(
      (
        await outcome(
          client.im.v1.message.patch({
            path: { message_id: id },
            data: { content: '{"schema":"2.0","foo":1}' },
          }),
        )
      ).body.code,
    ).toBe(230099);
    fake.advance(15 * 24 * 3600 * 1000);
    fake.revokeTokens();
    const { client: later } = sdkFor(fake);
    const old = await outcome(
      later.im.v1.message.patch({
        path: { message_id: id },
        data: { content: JSON.stringify(simpleCard('late')) },
      }),
    );
    expect(old.body.code).toBe(230031);
  });

  it('injects faults into the next matching requests', async () => {
    const { client } = sdkFor(fake);
    const card = JSON.stringify(simpleCard('x'));
    fake.inject({ kind: '5xx', path: '/open-apis/im/v1/messages' });
    fake.inject({ kind: 'rate-limit', resetSeconds: 3 });
    fake.inject({ kind: 'invalid-token' });
    expect((await send(client, 'ou_alice', card)).status).toBe(500);
    expect(await send(client, 'ou_alice', card)).toMatchObject({
      status: 429,
      headers: { 'x-ogw-ratelimit-reset': '3' },
    });
    expect((await send(client, 'ou_alice', card)).body.code).toBe(99991663);
    expect((await send(client, 'ou_alice', card)).status).toBe(200);
    expect(fake.requests.map((r) => r.fault)).toEqual([null, '5xx', 'rate-limit', 'invalid-token', null]);

    fake.inject({ kind: 'hang', afterProcessing: true });
    const timeoutClient = new lark.Client({
      appId: fake.appId,
      appSecret: fake.appSecret,
      domain: fake.url,
      cache: sdkFor(fake).cache,
      httpInstance: createHttpInstance(200),
      logger: quiet,
    });
    await expect(
      timeoutClient.request({
        method: 'POST',
        url: '/open-apis/im/v1/messages',
        params: { receive_id_type: 'open_id' },
        data: { receive_id: 'ou_alice', msg_type: 'interactive', content: card },
      }),
    ).rejects.toMatchObject({ code: 'ECONNABORTED' });
    // The message was created although the client never heard back.
    expect(fake.messagesTo('ou_alice')).toHaveLength(2);
  });

  it('resolves mobiles and e-mails, ≤ 50 each per call', async () => {
    const { client } = sdkFor(fake);
    const res = await client.contact.v3.user.batchGetId({
      params: { user_id_type: 'open_id' },
      data: { mobiles: ['13800000001', '13800009999'], emails: ['alice@example.gov.cn'] },
    });
    expect(res.data?.user_list).toEqual([
      expect.objectContaining({ mobile: '13800000001', user_id: 'ou_alice' }),
      { mobile: '13800009999' },
      expect.objectContaining({ email: 'alice@example.gov.cn', user_id: 'ou_alice' }),
    ]);
    const tooMany = await outcome(
      client.contact.v3.user.batchGetId({
        params: { user_id_type: 'open_id' },
        data: { mobiles: Array.from({ length: 51 }, (_, i) => `1380000${i}`) },
      }),
    );
    expect(tooMany).toMatchObject({ status: 400, body: { code: 99992402 } });
  });
});

describe('fake Feishu events', () => {
  let server: Server;
  let received: { headers: Record<string, unknown>; raw: string }[];
  let url: string;
  beforeEach(async () => {
    received = [];
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        received.push({ headers: req.headers, raw });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/feishu/events`;
  });
  afterEach(() => new Promise<void>((r) => server.close(() => r())));

  it('encrypts like Feishu (the SDK decrypts it) and signs the raw body', async () => {
    const events = createEventSender({ url, encryptKey: 'k3y', verificationToken: 'vt' });
    const res = await events.cardAction({ operatorOpenId: 'ou_alice', value: { action: 'confirm' } });
    expect(res.status).toBe(200);
    const { headers, raw } = received[0]!;
    const ts = headers['x-lark-request-timestamp'] as string;
    const nonce = headers['x-lark-request-nonce'] as string;
    expect(headers['x-lark-signature']).toBe(signBody(ts, nonce, 'k3y', raw));
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(5);
    const plain = JSON.parse(new lark.AESCipher('k3y').decrypt(JSON.parse(raw).encrypt));
    expect(plain).toMatchObject({
      schema: '2.0',
      header: { event_type: 'card.action.trigger', token: 'vt' },
      event: { operator: { open_id: 'ou_alice' }, action: { value: { action: 'confirm' } } },
    });
  });

  it('forges what it is asked to', async () => {
    const events = createEventSender({ url, encryptKey: 'k3y', verificationToken: 'vt' });
    const sig = (i: number) => {
      const { headers, raw } = received[i]!;
      return (
        signBody(
          headers['x-lark-request-timestamp'] as string,
          headers['x-lark-request-nonce'] as string,
          'k3y',
          raw,
        ) === headers['x-lark-signature']
      );
    };
    await events.messageReceived(
      { chatId: 'oc_1', senderOpenId: 'ou_a', text: '进度', mentionBot: true },
      { forge: 'bad-signature' },
    );
    expect(sig(0)).toBe(false);
    await events.messageReceived(
      { chatId: 'oc_1', senderOpenId: 'ou_a', text: '进度' },
      { forge: 'stale-timestamp' },
    );
    expect(sig(1)).toBe(true);
    expect(Date.now() / 1000 - Number(received[1]!.headers['x-lark-request-timestamp'])).toBeGreaterThan(500);
    await events.messageReceived(
      { chatId: 'oc_1', senderOpenId: 'ou_a', text: '进度' },
      { forge: 'wrong-token' },
    );
    expect(
      JSON.parse(new lark.AESCipher('k3y').decrypt(JSON.parse(received[2]!.raw).encrypt)).header.token,
    ).not.toBe('vt');
    await events.messageReceived(
      { chatId: 'oc_1', senderOpenId: 'ou_a', text: '进度' },
      { forge: 'garbage-ciphertext' },
    );
    expect(() => new lark.AESCipher('k3y').decrypt(JSON.parse(received[3]!.raw).encrypt)).toThrow();
    await events.messageReceived(
      { chatId: 'oc_1', senderOpenId: 'ou_a', text: '进度' },
      { forge: 'unsigned' },
    );
    expect(received[4]!.headers['x-lark-signature']).toBeUndefined();
    const challenge = await events.urlVerification('abc');
    expect(challenge.status).toBe(200);
    expect(received[5]!.headers['x-lark-signature']).toBeUndefined();
    expect(JSON.parse(new lark.AESCipher('k3y').decrypt(JSON.parse(received[5]!.raw).encrypt))).toEqual({
      challenge: 'abc',
      token: 'vt',
      type: 'url_verification',
    });
  });
});
