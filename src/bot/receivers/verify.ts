import { createHash, timingSafeEqual } from 'node:crypto';
import * as lark from '@larksuiteoapi/node-sdk';

/** How old (or how far in the future) a signed request may be before it is refused as a replay. */
export const MAX_SKEW_MS = 5 * 60 * 1000;

export interface VerifyInput {
  /** The body exactly as received: the signature covers these bytes, not a re-serialisation. */
  rawBody: string;
  headers: { timestamp?: string; nonce?: string; signature?: string };
  encryptKey?: string;
  verificationToken?: string;
  now: Date;
}

export type Verdict =
  | { ok: true; body: Record<string, unknown>; payload: Record<string, unknown>; challenge?: string }
  | { ok: false; status: 400 | 401; reason: string };

/**
 * Decides whether an HTTP delivery really comes from Feishu, and decodes it.
 * - Malformed JSON or undecryptable ciphertext → 400.
 * - `url_verification` carries no signature headers: answered (token checked when one is configured).
 * - With an Encrypt Key: X-Lark-Signature = sha256(timestamp + nonce + key + raw body), timestamp within 5 min,
 *   and the verification token, when one is configured.
 * - Without one: the verification token in the payload must match (the SDK checks neither — FEISHU.md).
 */
export function verifyDelivery(input: VerifyInput): Verdict {
  let body: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(input.rawBody);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      return { ok: false, status: 400, reason: 'body is not a JSON object' };
    body = parsed as Record<string, unknown>;
  } catch {
    return { ok: false, status: 400, reason: 'body is not valid JSON' };
  }

  let payload = body;
  if (typeof body.encrypt === 'string') {
    if (!input.encryptKey)
      return { ok: false, status: 400, reason: 'encrypted body but FEISHU_ENCRYPT_KEY is not set' };
    try {
      const decoded: unknown = JSON.parse(new lark.AESCipher(input.encryptKey).decrypt(body.encrypt));
      if (decoded === null || typeof decoded !== 'object') throw new Error('not an object');
      payload = decoded as Record<string, unknown>;
    } catch {
      return { ok: false, status: 400, reason: 'cannot decrypt the body (wrong key or garbage ciphertext)' };
    }
  }

  const token = (payload.header as { token?: unknown } | undefined)?.token ?? payload.token;
  if (payload.type === 'url_verification') {
    if (input.verificationToken && token !== input.verificationToken)
      return { ok: false, status: 401, reason: 'url_verification with a wrong verification token' };
    return { ok: true, body, payload, challenge: String(payload.challenge ?? '') };
  }

  if (input.encryptKey) {
    const { timestamp, nonce, signature } = input.headers;
    if (!timestamp || !nonce || !signature)
      return { ok: false, status: 401, reason: 'unsigned request (X-Lark-Signature headers missing)' };
    const expected = createHash('sha256')
      .update(timestamp + nonce + input.encryptKey + input.rawBody)
      .digest('hex');
    if (!safeEqual(expected, signature)) return { ok: false, status: 401, reason: 'bad signature' };
    const sentMs = Number(timestamp) * 1000;
    if (!Number.isFinite(sentMs) || Math.abs(input.now.getTime() - sentMs) > MAX_SKEW_MS) {
      return { ok: false, status: 401, reason: `stale timestamp ${timestamp} (more than 5 minutes off)` };
    }
    // The token is checked too when one is configured (SPEC §3: a wrong verification token is refused).
    if (input.verificationToken && token !== input.verificationToken)
      return { ok: false, status: 401, reason: 'wrong verification token' };
  } else if (input.verificationToken) {
    if (token !== input.verificationToken)
      return { ok: false, status: 401, reason: 'wrong verification token' };
  } else {
    return {
      ok: false,
      status: 401,
      reason: 'neither FEISHU_ENCRYPT_KEY nor FEISHU_VERIFICATION_TOKEN is set: nothing can be verified',
    };
  }
  return { ok: true, body, payload };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
