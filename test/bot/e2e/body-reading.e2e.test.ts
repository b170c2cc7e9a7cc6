/**
 * How the receivers read a body: with a Content-Length, straight from the socket (no Web stream, the cheap path the
 * callback bench measures); without one (chunked), streamed and counted, so the 1 MB cap holds either way. A
 * chunked delivery is verified exactly like any other.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnvelope, encryptBody, signBody } from '../../../src/sim/feishu/events.ts';
import { dialects } from '../../helpers/stores.ts';
import {
  activeMembers,
  cardsTo,
  confirmValue,
  countRows,
  e2e,
  ENCRYPT_KEY,
  memberRow,
  VERIFICATION_TOKEN,
  type E2E,
  type Member,
  type RunningBot,
} from './setup.ts';

const sqlite = dialects()[0]!;

/** POSTs `chunks` with Transfer-Encoding: chunked (no Content-Length). */
function postChunked(
  url: string,
  chunks: string[],
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('reading bodies (SQLite)', () => {
  let e: E2E;
  let bot: RunningBot;
  let taskId: string;
  let members: Member[];

  beforeAll(async () => {
    e = await e2e(sqlite.fresh);
    bot = await e.startBot();
    taskId = await e.createFoodTask();
    await e.drawTask(taskId);
    await bot.drain();
    members = await activeMembers(e.store, taskId);
  });
  afterAll(async () => e?.close());

  it('a chunked body over 1 MB is refused with 413 on both endpoints; nothing is recorded', async () => {
    for (const path of ['/feishu/callbacks', '/feishu/events']) {
      const deliveries = await countRows(e.store, 'inbound_deliveries');
      const chunk = 'A'.repeat(256 * 1024);
      const res = await postChunked(`${bot.base}${path}`, [
        '{"encrypt":"',
        ...Array<string>(5).fill(chunk),
        '"}',
      ]);
      expect(res.status).toBe(413);
      expect(await countRows(e.store, 'inbound_deliveries')).toBe(deliveries);
    }
  });

  it('a genuine click sent chunked is verified, decrypted and confirms; a tampered one is refused', async () => {
    const m = members[0]!;
    const card = cardsTo(e.fake, m.openId)[0]!;
    const envelope = buildEnvelope(
      'card.action.trigger',
      {
        operator: { open_id: m.openId },
        action: { value: confirmValue(card.card), tag: 'button' },
        context: { open_message_id: card.messageId, open_chat_id: card.chatId },
      },
      { token: VERIFICATION_TOKEN, appId: e.fake.appId, tenantKey: e.fake.tenantKey, createTime: Date.now() },
    );
    const raw = JSON.stringify({ encrypt: encryptBody(ENCRYPT_KEY, JSON.stringify(envelope)) });
    const ts = String(Math.floor(Date.now() / 1000));
    const nonce = 'chunked-nonce';
    const signed = (body: string) => ({
      'x-lark-request-timestamp': ts,
      'x-lark-request-nonce': nonce,
      'x-lark-signature': signBody(ts, nonce, ENCRYPT_KEY, body),
    });
    const half = Math.floor(raw.length / 2);
    const url = `${bot.base}/feishu/callbacks`;

    // Signed over other bytes than those sent: refused, nothing changes.
    const forged = await postChunked(url, [raw.slice(0, half), raw.slice(half)], signed(raw + ' '));
    expect(forged.status).toBe(401);
    expect((await memberRow(e.store, taskId, m.certNo)).confirmed_at).toBeNull();

    const res = await postChunked(url, [raw.slice(0, half), raw.slice(half)], signed(raw));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ toast: { type: 'success' } });
    expect((await memberRow(e.store, taskId, m.certNo)).confirmed_by).toBe(m.openId);
  });
});
