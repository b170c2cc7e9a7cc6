import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, Hono } from 'hono';
import type { EventDispatcher } from '@larksuiteoapi/node-sdk';
import type { App } from '../../app.ts';
import { FAILED_ANSWER } from '../events.ts';
import { MAX_BODY_BYTES, verifyDelivery } from './verify.ts';

/** The two endpoints Feishu POSTs to, and what each receives. */
const ENDPOINTS = new Map([
  ['/feishu/events', 'event'],
  ['/feishu/callbacks', 'callback'],
] as const);

type Kind = 'event' | 'callback';

/** A receiver's answer: always JSON; `close` when the body was left unread (the connection cannot go on). */
interface Answer {
  status: number;
  body: unknown;
  close?: boolean;
}

/**
 * Handles a POST to one of the endpoints on node:http directly, before Hono: what listen() (src/bot/server.ts) puts in
 * front of the Hono app the receivers are mounted on. Returns false for anything else (another path or method, a
 * path with a `%` escape), which Hono answers.
 */
export type NodeReceivers = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The node:http receivers of each Hono app that `mountFeishuReceivers` mounted them on, for listen(). */
const nodeReceivers = new WeakMap<Hono, NodeReceivers>();

/** The receivers to put in front of this Hono app on node:http (null when none were mounted on it). */
export function nodeReceiversOf(http: Hono): NodeReceivers | null {
  return nodeReceivers.get(http) ?? null;
}

/**
 * `POST /feishu/events` and `POST /feishu/callbacks`: cap the body (413 over 1 MB, decided on Content-Length before
 * reading), verify the raw bytes (signature, timestamp, token) before anything is parsed or decrypted, and hand
 * the payload to the SDK dispatcher → the bot's one dispatch. Refused → 401 and a log line, nothing changes;
 * malformed → 400. A callback answers with the `{toast, card}` the dispatcher checked, within Feishu's 3 s.
 *
 * Mounted twice over one `receive`: as Hono routes (`bot.http.fetch`, `bot.http.request`) and as a plain node:http
 * handler that listen() puts in front of Hono — @hono/node-server and Hono cost a click about 0.2 ms of CPU more than
 * node:http alone (a Web Request, a Response, their headers; BENCHMARKS.md, card callbacks). Both answer alike:
 * status, JSON body, headers (test/bot/e2e/receivers-node.e2e.test.ts).
 */
export function mountFeishuReceivers(http: Hono, app: App, dispatcher: EventDispatcher): void {
  for (const [path, kind] of ENDPOINTS) {
    http.post(path, async (c) => {
      const rawBody = await readCappedBody(c, MAX_BODY_BYTES);
      const answer = await receive(app, dispatcher, path, kind, rawBody, () => headersOf(c), {
        length: c.req.header('content-length'),
        timestamp: c.req.header('x-lark-request-timestamp'),
        nonce: c.req.header('x-lark-request-nonce'),
        signature: c.req.header('x-lark-signature'),
      });
      if (answer.close) c.header('connection', 'close');
      return c.json(answer.body as object, answer.status as 200);
    });
  }
  nodeReceivers.set(http, (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const kind = ENDPOINTS.get(path as '/feishu/events');
    if (!kind) return false;
    void (async () => {
      const rawBody = await readNodeBody(req, MAX_BODY_BYTES);
      const h = req.headers;
      const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(', ') : v);
      const answer = await receive(app, dispatcher, path, kind, rawBody, () => nodeHeadersOf(req), {
        length: one(h['content-length']),
        timestamp: one(h['x-lark-request-timestamp']),
        nonce: one(h['x-lark-request-nonce']),
        signature: one(h['x-lark-signature']),
      });
      const json = JSON.stringify(answer.body);
      // What Hono's c.json and @hono/node-server send, but for the headers' order (node then adds Date and
      // Connection); the 413 went through a Headers object there, hence its lower case.
      const length = Buffer.byteLength(json);
      res.writeHead(
        answer.status,
        answer.close
          ? { connection: 'close', 'content-type': 'application/json', 'Content-Length': length }
          : { 'Content-Type': 'application/json', 'Content-Length': length },
      );
      res.end(json);
    })().catch((err: unknown) => {
      // What Hono answers for an error its handler did not catch (a client gone mid-body lands here too).
      app.log.error({ err, path }, `feishu ${kind} request failed`);
      if (res.headersSent) return res.destroy();
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end('Internal Server Error');
    });
    return true;
  });
}

/**
 * One delivery's answer, from its raw bytes (null: over the cap) and headers. `allHeaders` is asked only for a
 * delivery that passed verification: the SDK dispatcher reads them.
 */
async function receive(
  app: App,
  dispatcher: EventDispatcher,
  path: string,
  kind: Kind,
  rawBody: Uint8Array | null,
  allHeaders: () => Record<string, string>,
  headers: { length?: string; timestamp?: string; nonce?: string; signature?: string },
): Promise<Answer> {
  if (!rawBody) {
    app.log.warn({ path, length: headers.length }, `feishu ${kind} refused: body too large`);
    // The rest of the body is never read, so the connection cannot carry another request.
    return { status: 413, body: { error: `body larger than ${MAX_BODY_BYTES} bytes` }, close: true };
  }
  const verdict = verifyDelivery({
    rawBody,
    headers: { timestamp: headers.timestamp, nonce: headers.nonce, signature: headers.signature },
    encryptKey: app.config.FEISHU_ENCRYPT_KEY,
    verificationToken: app.config.FEISHU_VERIFICATION_TOKEN,
    now: app.clock(),
  });
  if (!verdict.ok) {
    app.log.warn({ path, status: verdict.status, reason: verdict.reason }, `feishu ${kind} refused`);
    return { status: verdict.status, body: { error: verdict.reason } };
  }
  if (verdict.challenge !== undefined) return { status: 200, body: { challenge: verdict.challenge } };
  try {
    // The SDK reads headers from the object's prototype (docs/feishu.md); verification and decryption were done above.
    const answer: unknown = await dispatcher.invoke(
      Object.assign(Object.create({ headers: allHeaders() }), verdict.body),
      { needCheck: false },
    );
    return { status: 200, body: kind === 'callback' && answer && typeof answer === 'object' ? answer : {} };
  } catch (err) {
    app.log.error({ err, path }, `feishu ${kind} handler failed`);
    // An event is redelivered by Feishu after a 5xx; a callback is not, so it gets a toast instead.
    if (kind === 'event') return { status: 500, body: { error: 'internal error' } };
    return { status: 200, body: FAILED_ANSWER };
  }
}

function headersOf(c: Context): Record<string, string> {
  return Object.fromEntries(Object.entries(c.req.header()).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The request's headers as a Web Headers object lists them: lower case, repeated ones joined with ", ". */
function nodeHeadersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    out[k] = k in out ? `${out[k]}, ${raw[i + 1]}` : raw[i + 1]!;
  }
  return out;
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

/**
 * readCappedBody on node:http: a declared Content-Length over `max` is refused before anything is read; otherwise
 * (with a length, or chunked) the body is read and counted, and over `max` reading stops there and null is returned.
 */
function readNodeBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const declared = req.headers['content-length'];
  if (
    declared !== undefined &&
    req.headers['transfer-encoding'] === undefined &&
    parseInt(declared, 10) > max
  )
    return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (body: Buffer | null) => {
      req.off('data', onData).off('end', onEnd).off('error', reject).off('aborted', onAborted);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > max) {
        req.pause();
        return done(null);
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    const onAborted = () => reject(new Error('request aborted'));
    req.on('data', onData).on('end', onEnd).on('error', reject).on('aborted', onAborted);
  });
}
