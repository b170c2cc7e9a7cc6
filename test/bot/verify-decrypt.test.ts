/**
 * The receivers decrypt Feishu's `{"encrypt": …}` themselves (verify.ts) instead of through the SDK's AESCipher:
 * the same plaintext for what Feishu (the simulator's `encryptBody`) and the SDK agree on, Chinese included; garbage
 * and a wrong key are still 400; a bad signature is still refused before anything is decrypted.
 */
import * as lark from '@larksuiteoapi/node-sdk';
import { describe, expect, it } from 'vitest';
import { verifyDelivery } from '../../src/bot/receivers/verify.ts';
import { encryptBody, signBody } from '../../src/sim/feishu/events.ts';

const KEY = 'verify-test-key';
const TOKEN = 'verify-test-token';
const now = new Date('2026-12-02T02:00:00.000Z');
const ts = String(Math.floor(now.getTime() / 1000));

function deliver(raw: string, opts: { key?: string; signWith?: string } = {}) {
  return verifyDelivery({
    rawBody: new TextEncoder().encode(raw),
    headers: { timestamp: ts, nonce: 'n1', signature: signBody(ts, 'n1', opts.signWith ?? KEY, raw) },
    encryptKey: opts.key ?? KEY,
    verificationToken: TOKEN,
    now,
  });
}

describe('decrypting deliveries', () => {
  it('decrypts to what the SDK decrypts, for payloads of every padding length and in Chinese', () => {
    for (let n = 0; n < 40; n++) {
      const payload = {
        schema: '2.0',
        header: { token: TOKEN, event_id: `e${n}` },
        event: { text: '确认'.repeat(n) + 'x'.repeat(n) },
      };
      const encrypted = encryptBody(KEY, JSON.stringify(payload));
      const verdict = deliver(JSON.stringify({ encrypt: encrypted }));
      expect(verdict).toEqual({ ok: true, body: payload });
      expect(JSON.parse(new lark.AESCipher(KEY).decrypt(encrypted))).toEqual(payload);
    }
  });

  it('refuses garbage, a short value and another key with 400; a bad signature with 401 first', () => {
    const good = encryptBody(KEY, JSON.stringify({ header: { token: TOKEN } }));
    for (const encrypt of [
      'AAAA',
      '',
      Buffer.alloc(40, 7).toString('base64'),
      encryptBody('other-key', '{"a":1}'),
    ])
      expect(deliver(JSON.stringify({ encrypt }))).toMatchObject({ ok: false, status: 400 });
    expect(deliver(JSON.stringify({ encrypt: good }), { signWith: 'other-key' })).toMatchObject({
      ok: false,
      status: 401,
      reason: 'bad signature',
    });
    expect(deliver(JSON.stringify({ encrypt: good }))).toMatchObject({ ok: true });
  });
});
