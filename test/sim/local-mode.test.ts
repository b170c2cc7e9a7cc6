/**
 * Local mode as a new user meets it: `liancha serve` (what `npm start` runs) in a child process, on a fresh SQLite
 * file, with no Feishu credentials — the first log line says so, demo data is made, and the chat page's API acts
 * as people through the embedded simulator: a confirm click answered with a toast and the card updated in place,
 * chat commands answered in the direct chat and the group, a tick at a chosen moment, events on the stream. Then
 * what must not work: non-JSON posts, strangers' ids, file names outside the page's list, and `/sim` itself when
 * Feishu credentials are set (404).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeFeishu } from '../../src/sim/feishu/server.ts';
import { freshSqliteUrl } from '../helpers/stores.ts';
import { buttonValues, serve, title, until, type Chat, type Person, type Served } from './serve.ts';

describe('local mode: npm start with no Feishu tenant', () => {
  let s: Served;
  const get = async <T>(path: string): Promise<T> => (await fetch(s.base + path)).json() as Promise<T>;
  const post = (path: string, body: unknown, type = 'application/json') =>
    fetch(s.base + path, { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify(body) });
  const chats = async (openId: string) => (await get<{ chats: Chat[] }>(`/sim/api/chats?as=${openId}`)).chats;

  beforeAll(async () => {
    s = await serve({ DATABASE_URL: freshSqliteUrl() }, /to start over/);
    // Every demo card delivered to the simulator (and none refused by it) before anyone looks.
    await until('the outbox drained', async () => {
      const h = (await get<{ outbox: { pending: number; sending: number } }>('/healthz')).outbox;
      return h.pending === 0 && h.sending === 0;
    });
  }, 60_000);

  it('delivered every demo card: the simulator refused none', async () => {
    expect((await get<{ outbox: { failed: number } }>('/healthz')).outbox.failed).toBe(0);
  });
  afterAll(async () => s?.stop());

  it('says so in the first log line, makes the demo data, and names the URL to open and how to start over', () => {
    const lines = s
      .log()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines[0]!.msg).toContain('本地模拟 — 未连接飞书');
    const text = lines.map((l) => l.msg).join('\n');
    expect(text).toMatch(/^demo data: /m);
    expect(text).toContain(`open http://127.0.0.1:${new URL(s.base).port}/sim`);
    expect(text).toContain('only this machine can reach it');
  });

  it('serves the page, its assets and VChart from node_modules, and the state: banner, address, people', async () => {
    const page = await fetch(`${s.base}/sim`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    for (const asset of ['sim.js', 'card.js', 'time.js', 'sim.css', 'vchart.js'])
      expect((await fetch(`${s.base}/sim/assets/${asset}`)).status, asset).toBe(200);
    const vchart = await (await fetch(`${s.base}/sim/assets/vchart.js`)).text();
    expect(vchart).toContain('VChart');
    const state = await get<{
      banner: string;
      listening: string;
      people: Person[];
      group: { chatId: string };
    }>('/sim/api/state');
    expect(state.banner).toBe('本地模拟 — 未连接飞书');
    expect(state.listening).toBe(`127.0.0.1:${new URL(s.base).port}`);
    // The Wuhai directories: 8 departments with a head and a liaison each, and their inspectors.
    expect(state.people.filter((p) => p.role === 'head')).toHaveLength(8);
    expect(state.people.filter((p) => p.role === 'liaison')).toHaveLength(8);
    expect(state.people.filter((p) => p.role === 'inspector').length).toBeGreaterThan(80);
  });

  it('an officer confirms the assignment card: a toast, and the card updated in place', async () => {
    const { people } = await get<{ people: Person[] }>('/sim/api/state');
    // The draw ran at start: some officer has an assignment card with 确认 still to press.
    const found = await until('an unconfirmed assignment card', async () => {
      for (const p of people.filter((x) => x.role === 'inspector')) {
        const p2p = (await chats(p.openId)).find((c) => c.kind === 'p2p')!;
        for (const m of p2p.messages) {
          const confirm = buttonValues(m.card).find((v) => v.action === 'assignment.confirm');
          if (confirm) return { person: p, message: m, confirm };
        }
      }
      return null;
    });
    const res = await post('/sim/api/action', {
      as: found.person.openId,
      messageId: found.message.messageId,
      value: found.confirm,
      formValue: null,
      name: null,
      tag: 'button',
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { toast?: { type: string }; card?: unknown };
    expect(answer.toast?.type, JSON.stringify(answer.toast)).toBe('success');
    const after = (await chats(found.person.openId))
      .find((c) => c.kind === 'p2p')!
      .messages.find((m) => m.messageId === found.message.messageId)!;
    expect(buttonValues(after.card).some((v) => v.action === 'assignment.confirm')).toBe(false);
  });

  it('帮助 in the direct chat and 进度 in the group are answered there, and the stream carries them', async () => {
    const { people, group } = await get<{ people: Person[]; group: { chatId: string } }>('/sim/api/state');
    const head = people.find((p) => p.role === 'head')!;
    const stream = await fetch(`${s.base}/sim/api/stream`);
    const reader = stream.body!.getReader();
    let streamed = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        streamed += Buffer.from(value).toString('utf8');
      }
    })();
    const p2p = (await chats(head.openId)).find((c) => c.kind === 'p2p')!;
    const said = await post('/sim/api/say', { as: head.openId, chatId: p2p.chatId, text: '帮助' });
    expect(said.status).toBe(200);
    const help = await until('the help card', async () =>
      (await chats(head.openId))
        .find((c) => c.kind === 'p2p')!
        .messages.find((m) => m.sender === 'bot' && title(m) === '联查助手'),
    );
    expect(help.chatId).toBe(p2p.chatId);
    expect(
      (await chats(head.openId)).find((c) => c.kind === 'p2p')!.messages.some((m) => m.text === '帮助'),
    ).toBe(true);
    await post('/sim/api/say', { as: head.openId, chatId: group.chatId, text: '进度' });
    await until('the digest in the group', async () =>
      (await chats(head.openId))
        .find((c) => c.kind === 'group')!
        .messages.find((m) => m.sender === 'bot' && title(m) === '周报'),
    );
    await until(
      'both on the stream',
      async () => streamed.includes(help.messageId) && streamed.includes('周报'),
    );
    expect(streamed).toMatch(/^event: ready/m);
    await reader.cancel();
    await reading.catch(() => {});
  });

  it('the clock control runs the tick at the chosen moment', async () => {
    const res = await post('/sim/api/tick', { at: '2026-12-07T09:00:00+08:00' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ran: unknown; clock: { local: string } };
    expect(body.clock.local).toBe('2026-12-07 09:00');
    expect(body.ran).toBeTruthy();
  });

  it('refuses what a page of another site, or a typo, could send — and serves no file outside its list', async () => {
    const { people } = await get<{ people: Person[] }>('/sim/api/state');
    const someone = people[0]!;
    const p2p = (await chats(someone.openId)).find((c) => c.kind === 'p2p')!;
    // A cross-site form can post text/plain without asking first: refused.
    const plain = await post(
      '/sim/api/say',
      { as: someone.openId, chatId: p2p.chatId, text: '帮助' },
      'text/plain',
    );
    expect(plain.status).toBe(400);
    expect(await plain.json()).toEqual({ error: 'content-type: must be application/json' });
    const stranger = await post('/sim/api/say', {
      as: 'ou_nobody',
      chatId: 'oc_p2p_ou_nobody',
      text: '帮助',
    });
    expect(stranger.status).toBe(400);
    const bad = await post('/sim/api/action', {
      as: someone.openId,
      messageId: 'om_x',
      value: 'constructor',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^value: /);
    for (const file of ['constructor', '__proto__', '..%2Fpackage.json', 'index.html'])
      expect((await fetch(`${s.base}/sim/assets/${file}`)).status, file).toBe(404);
    expect((await post('/sim/api/tick', { at: 'next monday' })).status).toBe(400);
  });
});

describe('local mode after a restart', () => {
  it('keeps the data, makes no second demo, and rebuilds the chats: a card sent before still works', async () => {
    const url = freshSqliteUrl();
    const drained = async (base: string) =>
      until('the outbox drained', async () => {
        const h = (
          (await (await fetch(`${base}/healthz`)).json()) as { outbox: { pending: number; sending: number } }
        ).outbox;
        return h.pending === 0 && h.sending === 0;
      });
    const chatsAt = async (base: string, openId: string) =>
      ((await (await fetch(`${base}/sim/api/chats?as=${openId}`)).json()) as { chats: Chat[] }).chats;
    const first = await serve({ DATABASE_URL: url }, /to start over/);
    let before: Chat[];
    let person: Person;
    try {
      await drained(first.base);
      const { people } = (await (await fetch(`${first.base}/sim/api/state`)).json()) as { people: Person[] };
      const withCards: { p: Person; chats: Chat[] }[] = [];
      for (const p of people.filter((x) => x.role === 'inspector')) {
        const chats = await chatsAt(first.base, p.openId);
        if (chats.find((c) => c.kind === 'p2p')!.messages.length > 0) withCards.push({ p, chats });
      }
      expect(withCards.length).toBeGreaterThan(0);
      ({ p: person, chats: before } = withCards[0]!);
    } finally {
      await first.stop();
    }
    const second = await serve({ DATABASE_URL: url }, /to start over/);
    try {
      expect(second.log()).not.toContain('"msg":"demo data:');
      const after = await chatsAt(second.base, person.openId);
      const ids = (chats: Chat[]) => chats.flatMap((c) => c.messages.map((m) => `${c.kind}:${m.messageId}`));
      expect(ids(after)).toEqual(ids(before));
      const card = after.find((c) => c.kind === 'p2p')!.messages.find((m) => m.card)!;
      const enter = buttonValues(card.card).find((v) => v.action === 'result.open')!;
      expect(enter, 'the assignment card has 录入结果').toBeTruthy();
      const res = await fetch(`${second.base}/sim/api/action`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ as: person.openId, messageId: card.messageId, value: enter, tag: 'button' }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { card?: unknown }).card).toBeTruthy();
    } finally {
      await second.stop();
    }
  }, 60_000);
});

describe('with Feishu credentials', () => {
  it('/sim and its API do not exist (404), and nothing says local mode', async () => {
    const fake = await startFakeFeishu();
    const s = await serve(
      {
        DATABASE_URL: freshSqliteUrl(),
        FEISHU_APP_ID: fake.appId,
        FEISHU_APP_SECRET: fake.appSecret,
        FEISHU_DOMAIN: fake.url,
        FEISHU_ENCRYPT_KEY: 'k',
        FEISHU_VERIFICATION_TOKEN: 'v',
      },
      /listening on/,
    );
    try {
      for (const path of ['/sim', '/sim/api/state', '/sim/assets/sim.js'])
        expect((await fetch(s.base + path)).status, path).toBe(404);
      expect(s.log()).not.toContain('本地模拟');
      expect((await fetch(`${s.base}/healthz`)).status).toBe(200);
    } finally {
      await s.stop();
      await fake.close();
    }
  }, 30_000);
});
