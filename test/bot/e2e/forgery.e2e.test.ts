/**
 * Issue flow 3: forged or broken deliveries of a confirmation change nothing. Each is refused (401) or rejected
 * as malformed (400) before dispatch — no confirmation, no delivery recorded, no crash — while the genuine
 * request right after still works. Both receiver modes: Encrypt Key (signature) and token only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Forgery } from '../../../src/sim/feishu/events.ts';
import { dialects } from '../../helpers/stores.ts';
import {
  activeMembers,
  auditCount,
  ENCRYPT_KEY,
  VERIFICATION_TOKEN,
  cardsTo,
  confirmValue,
  countRows,
  e2e,
  memberRow,
  type E2E,
  type Member,
  type RunningBot,
} from './setup.ts';

const sqlite = dialects()[0]!;

describe('forged confirmations (SQLite)', () => {
  let e: E2E;
  let signed: RunningBot; // FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN set
  let tokenOnly: RunningBot; // FEISHU_VERIFICATION_TOKEN only
  let taskId: string;
  let members: Member[];

  beforeAll(async () => {
    e = await e2e(sqlite.fresh);
    signed = await e.startBot();
    tokenOnly = await e.startBot({ env: { FEISHU_ENCRYPT_KEY: undefined } });
    taskId = await e.createFoodTask();
    await e.drawTask(taskId);
    await signed.drain();
    members = await activeMembers(e.store, taskId);
  });
  afterAll(async () => e?.close());

  const pressFor = (m: Member) => {
    const card = cardsTo(e.fake, m.openId)[0]!;
    return {
      operatorOpenId: m.openId,
      value: confirmValue(card.card),
      messageId: card.messageId,
      chatId: card.chatId,
    };
  };

  /** Sends a delivery and checks that it was turned away with `status` and that nothing changed. */
  async function refused(
    status: 400 | 401,
    send: () => Promise<{ status: number; body: unknown }>,
    m: Member,
  ) {
    const deliveries = await countRows(e.store, 'inbound_deliveries');
    const outbox = await countRows(e.store, 'outbox');
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: expect.any(String) });
    expect(res.body).not.toHaveProperty('toast');
    expect((await memberRow(e.store, taskId, m.certNo)).confirmed_at).toBeNull();
    expect(await countRows(e.store, 'inbound_deliveries')).toBe(deliveries);
    expect(await countRows(e.store, 'outbox')).toBe(outbox);
  }

  it.each<[Forgery, 400 | 401]>([
    ['bad-signature', 401],
    ['stale-timestamp', 401],
    ['unsigned', 401],
    ['wrong-token', 401],
    ['garbage-ciphertext', 400],
    // A correctly signed body in clear text while an Encrypt Key is set: only encrypted bodies are valid.
    ['plaintext', 400],
  ])('with an Encrypt Key: %s → %i, nothing changes', async (forge, status) => {
    const m = members[0]!;
    await refused(status, () => signed.callbacks.cardAction(pressFor(m), { forge }), m);
    // The same forgeries on the event endpoint send no reply.
    await refused(
      status,
      () =>
        signed.events.messageReceived(
          { chatId: 'oc_x', chatType: 'p2p', senderOpenId: m.openId, text: '帮助' },
          { forge },
        ),
      m,
    );
  });

  it('without an Encrypt Key: a wrong verification token → 401, nothing changes', async () => {
    const m = members[1]!;
    await refused(401, () => tokenOnly.callbacks.cardAction(pressFor(m), { forge: 'wrong-token' }), m);
  });

  it('malformed bodies → 400 on both endpoints and in both modes, nothing changes', async () => {
    const m = members[0]!;
    for (const bot of [signed, tokenOnly])
      for (const path of ['/feishu/callbacks', '/feishu/events'])
        for (const body of ['{"schema":"2.0",', 'not json', '[1,2]', 'null', ''])
          await refused(
            400,
            async () => {
              const res = await fetch(`${bot.base}${path}`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body,
              });
              return { status: res.status, body: await res.json() };
            },
            m,
          );
  });

  it('answers url_verification with the challenge, encrypted and in clear; a wrong token is refused', async () => {
    expect(await signed.events.urlVerification('challenge-encrypted')).toMatchObject({
      status: 200,
      body: { challenge: 'challenge-encrypted' },
    });
    expect(await signed.callbacks.urlVerification('challenge-callbacks')).toMatchObject({
      status: 200,
      body: { challenge: 'challenge-callbacks' },
    });
    expect(await tokenOnly.events.urlVerification('challenge-plain')).toMatchObject({
      status: 200,
      body: { challenge: 'challenge-plain' },
    });
    expect((await tokenOnly.events.urlVerification('x', { forge: 'wrong-token' })).status).toBe(401);
    expect((await signed.events.urlVerification('x', { forge: 'garbage-ciphertext' })).status).toBe(400);
  });

  it('after all that, genuine confirmations still land in both modes and the bot is healthy', async () => {
    const [a, b] = [members[0]!, members[1]!];
    const viaSigned = await signed.callbacks.cardAction(pressFor(a));
    expect(viaSigned).toMatchObject({ status: 200, body: { toast: { type: 'success' } } });
    const viaToken = await tokenOnly.callbacks.cardAction(pressFor(b));
    expect(viaToken).toMatchObject({ status: 200, body: { toast: { type: 'success' } } });
    expect((await memberRow(e.store, taskId, a.certNo)).confirmed_by).toBe(a.openId);
    expect((await memberRow(e.store, taskId, b.certNo)).confirmed_by).toBe(b.openId);
    const health = await fetch(`${signed.base}/healthz`);
    expect(health.status).toBe(200);
  });

  it.each(Object.getOwnPropertyNames(Object.prototype))(
    'a signed button action named %s gets a "no longer in use" toast and nothing else',
    async (action) => {
      const m = members[2]!;
      const res = await signed.callbacks.cardAction({ operatorOpenId: m.openId, value: { action } });
      expect(res.status).toBe(200);
      // Exactly a toast: no configuration, no secrets, no other keys.
      expect(Object.keys(res.body as object)).toEqual(['toast']);
      expect(res.body).toMatchObject({ toast: { type: 'warning', content: '此按钮已失效' } });
      for (const secret of [ENCRYPT_KEY, VERIFICATION_TOKEN, e.fake.appSecret, e.url])
        expect(res.text).not.toContain(secret);
    },
  );

  it('a body over 1 MB is refused with 413 before it is read, on both endpoints; nothing changes', async () => {
    for (const path of ['/feishu/callbacks', '/feishu/events']) {
      const deliveries = await countRows(e.store, 'inbound_deliveries');
      const outbox = await countRows(e.store, 'outbox');
      const res = await fetch(`${signed.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ encrypt: 'A'.repeat(2 * 1024 * 1024) }),
      });
      expect(res.status).toBe(413);
      expect(await countRows(e.store, 'inbound_deliveries')).toBe(deliveries);
      expect(await countRows(e.store, 'outbox')).toBe(outbox);
    }
  });

  it('a large unsigned body is refused as unsigned without being decrypted', async () => {
    const res = await fetch(`${signed.base}/feishu/callbacks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // Valid base64 that would take real work to decrypt; refused on its size and missing signature alone.
      body: JSON.stringify({ encrypt: 'QUFB'.repeat(200_000) }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining('unsigned') });
  });

  it("Feishu's late re-delivery (6 h, original timestamp) is handled once; a replay of it is ignored", async () => {
    const m = members[3]!;
    const eventId = `late-retry-${m.certNo}`;
    const sixHours = 6 * 60 * 60 * 1000;
    const first = await signed.callbacks.cardAction(pressFor(m), { eventId, signedAgoMs: sixHours });
    expect(first).toMatchObject({ status: 200, body: { toast: { type: 'success' } } });
    const confirmedAt = (await memberRow(e.store, taskId, m.certNo)).confirmed_at;
    expect(confirmedAt).not.toBeNull();
    const audit = await auditCount(e.store, 'assignment.confirm', taskId);
    const replay = await signed.callbacks.cardAction(pressFor(m), { eventId, signedAgoMs: sixHours });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({});
    expect((await memberRow(e.store, taskId, m.certNo)).confirmed_at).toBe(confirmedAt);
    expect(await auditCount(e.store, 'assignment.confirm', taskId)).toBe(audit);
  });
});
