import type { Context, Hono } from 'hono';
import type { EventDispatcher } from '@larksuiteoapi/node-sdk';
import type { App } from '../../app.ts';
import { FAILED_ANSWER } from '../events.ts';
import { MAX_BODY_BYTES, verifyDelivery } from './verify.ts';

/**
 * `POST /feishu/events` and `POST /feishu/callbacks`: cap the body (413 over 1 MB, decided on Content-Length before
 * reading), verify the raw bytes (signature, timestamp, token) before anything is parsed or decrypted, and hand
 * the payload to the SDK dispatcher → the bot's one dispatch. Refused → 401 and a log line, nothing changes;
 * malformed → 400. A callback answers with the `{toast, card}` the dispatcher checked, within Feishu's 3 s.
 */
export function mountFeishuReceivers(http: Hono, app: App, dispatcher: EventDispatcher): void {
  for (const [path, kind] of [
    ['/feishu/events', 'event'],
    ['/feishu/callbacks', 'callback'],
  ] as const) {
    http.post(path, async (c) => {
      const rawBody = await readCappedBody(c, MAX_BODY_BYTES);
      if (!rawBody) {
        app.log.warn(
          { path, length: c.req.header('content-length') },
          `feishu ${kind} refused: body too large`,
        );
        // The rest of the body is never read, so the connection cannot carry another request.
        c.header('connection', 'close');
        return c.json({ error: `body larger than ${MAX_BODY_BYTES} bytes` }, 413);
      }
      const verdict = verifyDelivery({
        rawBody,
        headers: {
          timestamp: c.req.header('x-lark-request-timestamp'),
          nonce: c.req.header('x-lark-request-nonce'),
          signature: c.req.header('x-lark-signature'),
        },
        encryptKey: app.config.FEISHU_ENCRYPT_KEY,
        verificationToken: app.config.FEISHU_VERIFICATION_TOKEN,
        now: app.clock(),
      });
      if (!verdict.ok) {
        app.log.warn({ path, status: verdict.status, reason: verdict.reason }, `feishu ${kind} refused`);
        return c.json({ error: verdict.reason }, verdict.status);
      }
      if (verdict.challenge !== undefined) return c.json({ challenge: verdict.challenge });
      const headers = Object.fromEntries(
        Object.entries(c.req.header()).map(([k, v]) => [k.toLowerCase(), v]),
      );
      try {
        // The SDK reads headers from the object's prototype (docs/feishu.md); verification and decryption were done above.
        const answer: unknown = await dispatcher.invoke(
          Object.assign(Object.create({ headers }), verdict.body),
          { needCheck: false },
        );
        return c.json(kind === 'callback' && answer && typeof answer === 'object' ? answer : {});
      } catch (err) {
        app.log.error({ err, path }, `feishu ${kind} handler failed`);
        // An event is redelivered by Feishu after a 5xx; a callback is not, so it gets a toast instead.
        if (kind === 'event') return c.json({ error: 'internal error' }, 500);
        return c.json(FAILED_ANSWER);
      }
    });
  }
}

/**
 * The request's raw bytes, or null when there are more than `max` — decided on Content-Length before anything is
 * read, as hono's `bodyLimit` does. Not `bodyLimit` itself: it looks at `c.req.raw.body` first, which makes
 * @hono/node-server build a whole Web Request and a stream over the socket for every call (a tenth of a callback's
 * CPU, profiled); with a declared length within the cap the adapter reads the socket straight into one Buffer
 * (Node's parser delivers exactly Content-Length bytes). A body without a length (chunked) is read up to the cap.
 */
async function readCappedBody(c: Context, max: number): Promise<Uint8Array | null> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && c.req.header('transfer-encoding') === undefined)
    return parseInt(declared, 10) > max ? null : new Uint8Array(await c.req.arrayBuffer());
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) return null;
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
