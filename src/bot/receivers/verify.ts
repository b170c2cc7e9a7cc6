import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';

/** Feishu's events and callbacks are a few KB; anything larger is refused with 413 before it is read whole. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * An unsigned body is only ever a `url_verification` challenge (a hundred bytes or so). With an Encrypt Key it must
 * be decrypted to be recognised, so only a body this small is decrypted without a signature.
 */
export const MAX_UNSIGNED_BODY_BYTES = 4 * 1024;

/**
 * How old a signed delivery may be. Feishu re-sends an event that got no 200 after 15 s, 5 min, 1 h and 6 h, and
 * neither its docs nor the SDK say whether a re-delivery is re-signed with a fresh `X-Lark-Request-Timestamp`
 * (the SDK checks no timestamp at all). A 5-minute window would refuse every late retry if the timestamp is the
 * original one, so a signed delivery is accepted for 7 hours; a replay within that time is harmless because every
 * delivery id is deduplicated in the database (`inbound_deliveries`, kept 7 days — longer than this window).
 */
export const MAX_SIGNED_AGE_MS = 7 * 60 * 60 * 1000;
/** A signed delivery dated in the future by more than this is refused (clock skew allowance). */
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;

export interface VerifyInput {
  /** The body exactly as received: the signature covers these bytes, not a re-serialisation. */
  rawBody: Uint8Array;
  headers: { timestamp?: string; nonce?: string; signature?: string };
  encryptKey?: string;
  verificationToken?: string;
  now: Date;
}

export type Verdict =
  | { ok: true; body: Record<string, unknown>; challenge?: string }
  | { ok: false; status: 400 | 401; reason: string };

const refuse = (status: 400 | 401, reason: string): Verdict => ({ ok: false, status, reason });

/**
 * Decides whether an HTTP delivery really comes from Feishu, and decodes it. Nothing is parsed or decrypted
 * before the signature over the raw bytes has been checked (except a tiny unsigned body, which can only be a
 * `url_verification`).
 * - With an Encrypt Key: X-Lark-Signature = sha256(timestamp + nonce + key + raw body) first; then the timestamp;
 *   then the body must be `{"encrypt": …}` (a clear-text body is refused even when correctly signed); it is
 *   decrypted, and the verification token checked when one is configured.
 * - Without one: the verification token in the payload must match (the SDK checks neither — docs/feishu.md).
 * - Malformed JSON or undecryptable ciphertext → 400; anything unauthenticated → 401.
 */
export function verifyDelivery(input: VerifyInput): Verdict {
  const { encryptKey, verificationToken } = input;
  if (!encryptKey) {
    if (!verificationToken)
      return refuse(
        401,
        'neither FEISHU_ENCRYPT_KEY nor FEISHU_VERIFICATION_TOKEN is set: nothing can be verified',
      );
    const parsed = parseObject(input.rawBody);
    if (!parsed.ok) return parsed;
    if (typeof parsed.body.encrypt === 'string')
      return refuse(400, 'encrypted body but FEISHU_ENCRYPT_KEY is not set');
    if (tokenOf(parsed.body) !== verificationToken) return refuse(401, 'wrong verification token');
    return withChallenge(parsed.body);
  }

  const { timestamp, nonce, signature } = input.headers;
  if (!timestamp || !nonce || !signature) {
    // Feishu signs everything but the url_verification challenge.
    if (input.rawBody.byteLength > MAX_UNSIGNED_BODY_BYTES)
      return refuse(401, 'unsigned request (X-Lark-Signature headers missing)');
    const decoded = decodeEncrypted(input.rawBody, encryptKey);
    if (!decoded.ok) return decoded;
    if (decoded.body.type !== 'url_verification')
      return refuse(401, 'unsigned request (X-Lark-Signature headers missing)');
    if (verificationToken && tokenOf(decoded.body) !== verificationToken)
      return refuse(401, 'url_verification with a wrong verification token');
    return withChallenge(decoded.body);
  }

  const expected = createHash('sha256')
    .update(timestamp + nonce + encryptKey, 'utf8')
    .update(input.rawBody)
    .digest('hex');
  if (!safeEqual(expected, signature)) return refuse(401, 'bad signature');
  const sentMs = Number(timestamp) * 1000;
  const age = input.now.getTime() - sentMs;
  if (!Number.isFinite(sentMs) || age > MAX_SIGNED_AGE_MS || age < -MAX_FUTURE_SKEW_MS)
    return refuse(401, `stale timestamp ${timestamp.slice(0, 20)} (outside the accepted window)`);
  const decoded = decodeEncrypted(input.rawBody, encryptKey);
  if (!decoded.ok) return decoded;
  // README: a wrong verification token is refused, also when the signature is right.
  if (verificationToken && tokenOf(decoded.body) !== verificationToken)
    return refuse(401, 'wrong verification token');
  return withChallenge(decoded.body);
}

/** With an Encrypt Key configured only `{"encrypt": "…"}` is a valid body; it is decrypted to the payload. */
function decodeEncrypted(
  raw: Uint8Array,
  encryptKey: string,
): { ok: true; body: Record<string, unknown> } | { ok: false; status: 400 | 401; reason: string } {
  const outer = parseObject(raw);
  if (!outer.ok) return outer;
  if (typeof outer.body.encrypt !== 'string')
    return {
      ok: false,
      status: 400,
      reason: 'FEISHU_ENCRYPT_KEY is set, so only encrypted bodies are accepted',
    };
  let plain: Buffer;
  try {
    plain = decrypt(outer.body.encrypt, encryptKey);
  } catch {
    return { ok: false, status: 400, reason: 'cannot decrypt the body (wrong key or garbage ciphertext)' };
  }
  const inner = parseObject(plain);
  if (!inner.ok)
    return { ok: false, status: 400, reason: 'cannot decrypt the body (wrong key or garbage ciphertext)' };
  return inner;
}

/** SHA-256 of the Encrypt Key, the AES key: computed once per configured key, not per delivery. */
const aesKeys = new Map<string, Buffer>();

/**
 * Feishu's encryption (docs/feishu.md): AES-256-CBC, key SHA-256(Encrypt Key), the first 16 bytes of the
 * base64-decoded value the IV, PKCS7. What the SDK's AESCipher does, without its round trip through hex strings.
 * Throws on a wrong key or garbage (bad padding, a short IV).
 */
function decrypt(encrypted: string, encryptKey: string): Buffer {
  let key = aesKeys.get(encryptKey);
  if (!key) {
    key = createHash('sha256').update(encryptKey).digest();
    aesKeys.set(encryptKey, key);
  }
  const data = Buffer.from(encrypted, 'base64');
  const decipher = createDecipheriv('aes-256-cbc', key, data.subarray(0, 16));
  return Buffer.concat([decipher.update(data.subarray(16)), decipher.final()]);
}

function parseObject(
  raw: Uint8Array,
): { ok: true; body: Record<string, unknown> } | { ok: false; status: 400; reason: string } {
  try {
    const parsed: unknown = JSON.parse(
      Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'),
    );
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      return { ok: false, status: 400, reason: 'body is not a JSON object' };
    return { ok: true, body: parsed as Record<string, unknown> };
  } catch {
    return { ok: false, status: 400, reason: 'body is not valid JSON' };
  }
}

function tokenOf(payload: Record<string, unknown>): unknown {
  const header = payload.header;
  if (header && typeof header === 'object' && 'token' in header) return (header as { token?: unknown }).token;
  return payload.token;
}

function withChallenge(payload: Record<string, unknown>): Verdict {
  if (payload.type === 'url_verification')
    return { ok: true, body: payload, challenge: String(payload.challenge ?? '') };
  return { ok: true, body: payload };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
