/**
 * The Feishu receivers answer their two POST endpoints on node:http before Hono (`listen`, src/bot/server.ts) — and
 * answer exactly as the Hono routes do: the same status, headers and body for every kind of delivery (genuine,
 * repeated, forged, malformed, too large by Content-Length or chunked, the url_verification challenge), and anything
 * else (another method or path) still goes to Hono. Compared here against the same bot served by Hono alone.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../../src/bot/server.ts';
import { buildEnvelope, cardActionEvent, encryptBody, signBody } from '../../../src/sim/feishu/events.ts';
import { dialects } from '../../helpers/stores.ts';
import {
  activeMembers,
  cardsTo,
  confirmValue,
  e2e,
  ENCRYPT_KEY,
  memberRow,
  VERIFICATION_TOKEN,
  type E2E,
  type Member,
  type RunningBot,
} from './setup.ts';

const sqlite = dialects()[0]!;

interface Raw {
  status: number;
  /** Header names in lower case, without Date (the clock) — their order is not compared. */
  headers: Record<string, string>;
  body: string;
}

/** One request over a fresh connection; `chunks` are sent chunked (no Content-Length) when there is more than one. */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  chunks: string[],
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, agent: false });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        const h = { ...res.headers } as Record<string, string>;
        delete h.date;
        resolve({ status: res.statusCode ?? 0, headers: h, body });
      });
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('the receivers on node:http (SQLite)', () => {
  let e: E2E;
  let bot: RunningBot;
  let honoOnly: ServerType;
  let honoBase: string;
  let members: Member[];

  beforeAll(async () => {
    e = await e2e(sqlite.fresh);
    bot = await e.startBot();
    const taskId = await e.createFoodTask();
    await e.drawTask(taskId);
    await bot.drain();
    members = await activeMembers(e.store, taskId);
    const port = await new Promise<number>((resolve) => {
      honoOnly = serve({ fetch: bot.bot.http.fetch, port: 0, hostname: '127.0.0.1' }, (i) => resolve(i.port));
    });
    honoBase = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (honoOnly ? honoOnly.close(() => resolve()) : resolve()));
    await e?.close();
  });

  /** A signed, encrypted click of `m` on their card, as raw bytes and headers. */
  function click(m: Member, eventId: string) {
    const card = cardsTo(e.fake, m.openId)[0]!;
    const envelope = buildEnvelope(
      'card.action.trigger',
      cardActionEvent({
        operatorOpenId: m.openId,
        value: confirmValue(card.card),
        messageId: card.messageId,
        chatId: card.chatId,
        token: 'c-fixed',
      }),
      { eventId, token: VERIFICATION_TOKEN, appId: e.fake.appId, tenantKey: e.fake.tenantKey, createTime: 1 },
    );
    const raw = JSON.stringify({ encrypt: encryptBody(ENCRYPT_KEY, JSON.stringify(envelope)) });
    const ts = String(Math.floor(Date.now() / 1000));
    const sign = (body: string) => ({
      'content-type': 'application/json; charset=utf-8',
      'x-lark-request-timestamp': ts,
      'x-lark-request-nonce': 'nonce-1',
      'x-lark-signature': signBody(ts, 'nonce-1', ENCRYPT_KEY, body),
    });
    return { raw, headers: sign(raw), sign };
  }

  it('answers every kind of delivery as Hono does: status, headers, body', async () => {
    const m = members[0]!;
    const { raw, headers, sign } = click(m, 'ev-compare-1');
    const big = 'A'.repeat(1024 * 1024 + 1);
    const verification = JSON.stringify({
      encrypt: encryptBody(
        ENCRYPT_KEY,
        JSON.stringify({ type: 'url_verification', challenge: 'ch-1', token: VERIFICATION_TOKEN }),
      ),
    });
    const cases: [string, string, string, Record<string, string>, string[]][] = [
      ['bad signature', 'POST', '/feishu/callbacks', sign(raw + ' '), [raw]],
      ['bad signature on events', 'POST', '/feishu/events', sign(raw + ' '), [raw]],
      ['with a query string', 'POST', '/feishu/callbacks?from=feishu', sign(raw + ' '), [raw]],
      ['unsigned', 'POST', '/feishu/callbacks', { 'content-type': 'application/json' }, [raw]],
      ['not JSON', 'POST', '/feishu/callbacks', sign('hello'), ['hello']],
      ['clear text although encrypted', 'POST', '/feishu/callbacks', sign('{"a":1}'), ['{"a":1}']],
      ['garbage ciphertext', 'POST', '/feishu/events', sign('{"encrypt":"AAAA"}'), ['{"encrypt":"AAAA"}']],
      ['over 1 MB by Content-Length', 'POST', '/feishu/callbacks', sign(big), [big]],
      ['over 1 MB chunked', 'POST', '/feishu/events', sign(big), [big.slice(0, 600_000), big.slice(600_000)]],
      [
        'url_verification',
        'POST',
        '/feishu/callbacks',
        { 'content-type': 'application/json' },
        [verification],
      ],
      ['empty body', 'POST', '/feishu/callbacks', {}, []],
      ['GET', 'GET', '/feishu/callbacks', {}, []],
      ['trailing slash', 'POST', '/feishu/callbacks/', headers, [raw]],
      ['escaped path', 'POST', '/feishu/%63allbacks', sign(raw + ' '), [raw]],
      ['healthz', 'GET', '/healthz', {}, []],
    ];
    const statuses: number[] = [];
    for (const [name, method, path, h, chunks] of cases) {
      const viaNode = await send(bot.base, method, path, h, chunks);
      const viaHono = await send(honoBase, method, path, h, chunks);
      if (path === '/healthz') {
        expect(viaNode.status, name).toBe(viaHono.status);
        continue;
      }
      expect(viaNode, name).toEqual(viaHono);
      statuses.push(viaNode.status);
    }
    // The cases are what they say they are.
    expect(statuses).toEqual([401, 401, 401, 401, 400, 400, 400, 413, 413, 200, 400, 404, 404, 401]);
    expect((await memberRow(e.store, members[0]!.taskId, m.certNo)).confirmed_at).toBeNull();

    // A genuine click confirms through node:http; the same delivery again (Hono or node) is answered as a repeat.
    const first = await send(bot.base, 'POST', '/feishu/callbacks', headers, [raw]);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toMatchObject({ toast: { type: 'success' } });
    expect(first.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(first.body)),
    });
    expect((await memberRow(e.store, members[0]!.taskId, m.certNo)).confirmed_by).toBe(m.openId);
    expect(await send(bot.base, 'POST', '/feishu/callbacks', headers, [raw])).toEqual(
      await send(honoBase, 'POST', '/feishu/callbacks', headers, [raw]),
    );
    // A second member's click: each path confirms its own and answers alike (but for the confirmation time).
    const a = click(members[1]!, 'ev-compare-2');
    const b = click(members[2]!, 'ev-compare-3');
    const viaNode = await send(bot.base, 'POST', '/feishu/callbacks', a.headers, [a.raw]);
    const viaHono = await send(honoBase, 'POST', '/feishu/callbacks', b.headers, [b.raw]);
    expect(viaNode.status).toBe(viaHono.status);
    expect(Object.keys(viaNode.headers).sort()).toEqual(Object.keys(viaHono.headers).sort());
    expect(JSON.parse(viaNode.body).toast).toEqual(JSON.parse(viaHono.body).toast);
  });

  it('does not go through Hono for the two endpoints, and does for anything else', async () => {
    const http = bot.bot.http;
    const fetch = http.fetch;
    let throughHono = 0;
    http.fetch = (...args: Parameters<typeof fetch>) => {
      throughHono++;
      return fetch(...args);
    };
    const server = await listen(http, 0, '127.0.0.1');
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { raw, sign } = click(members[3]!, 'ev-counted');
      expect((await send(base, 'POST', '/feishu/callbacks', sign(raw + ' '), [raw])).status).toBe(401);
      expect((await send(base, 'POST', '/feishu/events', sign(raw + ' '), [raw])).status).toBe(401);
      expect(throughHono).toBe(0);
      expect((await send(base, 'GET', '/healthz', {}, [])).status).toBe(200);
      expect((await send(base, 'GET', '/feishu/callbacks', {}, [])).status).toBe(404);
      expect(throughHono).toBe(2);
    } finally {
      http.fetch = fetch;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
