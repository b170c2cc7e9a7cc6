/**
 * A local stand-in for Feishu's long-connection gateway, enough for the SDK's `WSClient` (FEISHU_MODE=ws):
 *
 * 1. `POST {domain}/callback/ws/endpoint` with `{AppID, AppSecret}` answers `{code: 0, data: {URL, ClientConfig}}`,
 *    URL being this server's WebSocket with `device_id` and `service_id` in the query (the SDK parses them out).
 * 2. Over the WebSocket, binary protobuf frames `pbbp2.Frame` (the SDK's lib/index.js): SeqID=1, LogID=2,
 *    service=3, method=4 (0 control, 1 data), headers=5 (`{key=1, value=2}`), payloadEncoding=6, payloadType=7,
 *    payload=8, LogIDNew=9. The client pings (control frame, header `type: ping`); the server answers `pong` with
 *    the client config as JSON. An event or callback is a data frame with headers `type: event`, `message_id`,
 *    `sum`, `seq` (fragments of one payload), `trace_id`, and the schema 2.0 envelope as JSON payload. The SDK
 *    answers with the same frame, a `biz_rt` header added, and payload `{code, data?: base64(JSON(handler result))}`.
 *
 * Every other HTTP request is forwarded to `upstream` (the fake open API), so one FEISHU_DOMAIN serves both.
 *
 * @example
 * const gw = await startFakeWsGateway({ appId: fake.appId, appSecret: fake.appSecret, upstream: fake.url });
 * // FEISHU_MODE=ws, FEISHU_DOMAIN=gw.url → startBot(app)
 * await gw.waitForClient();
 * const answer = await gw.cardAction({ operatorOpenId: 'ou_1', value: { action: 'assignment.confirm', … } });
 * expect(answer.data).toMatchObject({ toast: { type: 'success' } });
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  buildEnvelope,
  cardActionEvent,
  messageReceivedEvent,
  type CardActionInput,
  type MessageReceivedInput,
} from '../../src/sim/feishu/events.ts';

// ---- pbbp2.Frame, by hand (proto2; every scalar here fits a JS number) ----

export interface FrameHeader {
  key: string;
  value: string;
}

export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: FrameHeader[];
  payloadEncoding?: string;
  payloadType?: string;
  payload?: Uint8Array;
  LogIDNew?: string;
}

export const FRAME_CONTROL = 0;
export const FRAME_DATA = 1;

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n; // int32 negatives are sign-extended to 64 bits
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function lengthDelimited(field: number, bytes: Uint8Array): number[] {
  return [...varint((field << 3) | 2), ...varint(bytes.length), ...bytes];
}

const utf8 = (s: string) => new TextEncoder().encode(s);

export function encodeFrame(f: Frame): Uint8Array {
  const out: number[] = [];
  const scalar = (field: number, n: number) => out.push(...varint(field << 3), ...varint(n));
  scalar(1, f.SeqID);
  scalar(2, f.LogID);
  scalar(3, f.service);
  scalar(4, f.method);
  for (const h of f.headers)
    out.push(
      ...lengthDelimited(
        5,
        new Uint8Array([...lengthDelimited(1, utf8(h.key)), ...lengthDelimited(2, utf8(h.value))]),
      ),
    );
  if (f.payloadEncoding !== undefined) out.push(...lengthDelimited(6, utf8(f.payloadEncoding)));
  if (f.payloadType !== undefined) out.push(...lengthDelimited(7, utf8(f.payloadType)));
  if (f.payload !== undefined) out.push(...lengthDelimited(8, f.payload));
  if (f.LogIDNew !== undefined) out.push(...lengthDelimited(9, utf8(f.LogIDNew)));
  return new Uint8Array(out);
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  get done() {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, result));
  }
  bytes(): Uint8Array {
    const len = this.varint();
    if (this.pos + len > this.buf.length) throw new Error('truncated field');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
  skip(wire: number) {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

export function decodeFrame(buf: Uint8Array): Frame {
  const r = new Reader(buf);
  const f: Partial<Frame> & { headers: FrameHeader[] } = { headers: [] };
  while (!r.done) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
        f.SeqID = r.varint();
        break;
      case 2:
        f.LogID = r.varint();
        break;
      case 3:
        f.service = r.varint();
        break;
      case 4:
        f.method = r.varint();
        break;
      case 5: {
        const h = new Reader(r.bytes());
        const header: Partial<FrameHeader> = {};
        while (!h.done) {
          const t = h.varint();
          if (t >>> 3 === 1) header.key = text(h.bytes());
          else if (t >>> 3 === 2) header.value = text(h.bytes());
          else h.skip(t & 7);
        }
        if (header.key === undefined || header.value === undefined)
          throw new Error('header without key or value');
        f.headers.push(header as FrameHeader);
        break;
      }
      case 6:
        f.payloadEncoding = text(r.bytes());
        break;
      case 7:
        f.payloadType = text(r.bytes());
        break;
      case 8:
        f.payload = r.bytes().slice();
        break;
      case 9:
        f.LogIDNew = text(r.bytes());
        break;
      default:
        r.skip(wire);
    }
  }
  for (const k of ['SeqID', 'LogID', 'service', 'method'] as const)
    if (f[k] === undefined) throw new Error(`frame without required ${k}`);
  return f as Frame;
}

export const headerOf = (f: Frame, key: string) => f.headers.find((h) => h.key === key)?.value;

// ---- the gateway ----

export interface WsAnswer {
  /** The code in the SDK's response payload: 200, or 500 when the handler threw. */
  code: number;
  /** The handler's result (the callback answer), decoded from base64 JSON; undefined when it returned nothing. */
  data: unknown;
  frame: Frame;
  /** Milliseconds from sending the event to the response frame. */
  ms: number;
}

export interface FakeWsGatewayOptions {
  appId: string;
  appSecret: string;
  /** Where the other HTTP requests go (the fake open API). */
  upstream?: string;
  /** Seconds; the SDK pings at this interval. Default 120. */
  pingInterval?: number;
}

export class FakeWsGateway {
  url = '';
  /** Every `/callback/ws/endpoint` request body. */
  readonly endpointRequests: Record<string, unknown>[] = [];
  /** Every frame the client sent, decoded. */
  readonly received: Frame[] = [];
  connections = 0;
  pings = 0;
  readonly serviceId = 7;
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;
  private client: WebSocket | null = null;
  private seq = 0;
  private readonly pending = new Map<string, { resolve: (a: WsAnswer) => void; at: number }>();
  private readonly ready: { promise: Promise<void>; resolve: () => void };

  constructor(private readonly options: FakeWsGatewayOptions) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.ready = { promise, resolve };
  }

  private get clientConfig() {
    const ping = this.options.pingInterval ?? 120;
    return { PingInterval: ping, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 };
  }

  async listen(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 1, msg: `gateway error: ${(err as Error).message}` }));
      });
    });
    this.wss = new WebSocketServer({ server: this.server, path: '/ws' });
    this.wss.on('connection', (socket, req) => {
      const q = new URL(req.url ?? '/', 'http://gw').searchParams;
      if (q.get('device_id') === null || q.get('service_id') !== String(this.serviceId)) {
        socket.close(1008, 'bad connect url');
        return;
      }
      this.connections++;
      this.client = socket;
      socket.on('message', (data: Buffer) => this.onFrame(socket, new Uint8Array(data)));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  /** Resolves once a client is connected and has pinged (its message handler is in place by then). */
  waitForClient(timeoutMs = 10_000): Promise<void> {
    return Promise.race([
      this.ready.promise,
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no WS client connected')), timeoutMs).unref(),
      ),
    ]);
  }

  /**
   * Sends one event or callback envelope as a data frame (split into `fragments` frames if asked) and resolves with
   * the client's response frame.
   */
  send(
    envelope: Record<string, unknown>,
    opts: { fragments?: number; timeoutMs?: number } = {},
  ): Promise<WsAnswer> {
    const socket = this.client;
    if (!socket) return Promise.reject(new Error('no WS client connected'));
    const messageId = `msg_${randomBytes(8).toString('hex')}`;
    const bytes = utf8(JSON.stringify(envelope));
    const n = Math.max(1, opts.fragments ?? 1);
    const size = Math.ceil(bytes.length / n);
    const answer = new Promise<WsAnswer>((resolve, reject) => {
      this.pending.set(messageId, { resolve, at: performance.now() });
      setTimeout(() => {
        if (this.pending.delete(messageId)) reject(new Error(`no answer to ${messageId}`));
      }, opts.timeoutMs ?? 10_000).unref();
    });
    for (let i = 0; i < n; i++) {
      const frame: Frame = {
        SeqID: ++this.seq,
        LogID: this.seq,
        service: this.serviceId,
        method: FRAME_DATA,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: messageId },
          { key: 'sum', value: String(n) },
          { key: 'seq', value: String(i) },
          { key: 'trace_id', value: `trace_${messageId}` },
        ],
        payload: bytes.subarray(i * size, (i + 1) * size),
      };
      socket.send(encodeFrame(frame));
    }
    return answer;
  }

  /** `card.action.trigger` over the long connection (in clear: the connection itself is authenticated). */
  cardAction(input: CardActionInput, opts: { eventId?: string; fragments?: number } = {}): Promise<WsAnswer> {
    return this.send(
      buildEnvelope('card.action.trigger', cardActionEvent(input), {
        ...(opts.eventId ? { eventId: opts.eventId } : {}),
        token: 'ws',
        appId: this.options.appId,
        tenantKey: 'tk_fake',
        createTime: Date.now(),
      }),
      opts,
    );
  }

  messageReceived(input: MessageReceivedInput, opts: { eventId?: string } = {}): Promise<WsAnswer> {
    return this.send(
      buildEnvelope('im.message.receive_v1', messageReceivedEvent(input), {
        ...(opts.eventId ? { eventId: opts.eventId } : {}),
        token: 'ws',
        appId: this.options.appId,
        tenantKey: 'tk_fake',
        createTime: Date.now(),
      }),
    );
  }

  async close(): Promise<void> {
    for (const c of this.wss?.clients ?? []) c.terminate();
    this.wss?.close();
    const server = this.server;
    this.server = null;
    if (server)
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
  }

  private onFrame(socket: WebSocket, buf: Uint8Array): void {
    const frame = decodeFrame(buf);
    this.received.push(frame);
    const type = headerOf(frame, 'type');
    if (frame.method === FRAME_CONTROL && type === 'ping') {
      this.pings++;
      socket.send(
        encodeFrame({
          ...frame,
          headers: [{ key: 'type', value: 'pong' }],
          payload: utf8(JSON.stringify(this.clientConfig)),
        }),
      );
      this.ready.resolve();
      return;
    }
    if (frame.method === FRAME_DATA) {
      const id = headerOf(frame, 'message_id') ?? '';
      const waiting = this.pending.get(id);
      if (!waiting) return;
      this.pending.delete(id);
      const body = JSON.parse(text(frame.payload ?? new Uint8Array())) as { code: number; data?: string };
      waiting.resolve({
        code: body.code,
        data:
          body.data === undefined ? undefined : JSON.parse(Buffer.from(body.data, 'base64').toString('utf8')),
        frame,
        ms: performance.now() - waiting.at,
      });
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const path = new URL(req.url ?? '/', 'http://gw').pathname;
    if (req.method === 'POST' && path === '/callback/ws/endpoint') {
      const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
      this.endpointRequests.push(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      if (body.AppID !== this.options.appId || body.AppSecret !== this.options.appSecret) {
        res.end(JSON.stringify({ code: 403, msg: 'forbidden: unknown app or wrong secret' }));
        return;
      }
      const port = (this.server!.address() as { port: number }).port;
      const URL_ = `ws://127.0.0.1:${port}/ws?fpid=1&aid=1&device_id=dev_${randomBytes(4).toString('hex')}&access_key=ak&service_id=${this.serviceId}&ticket=tk`;
      res.end(JSON.stringify({ code: 0, msg: 'ok', data: { URL: URL_, ClientConfig: this.clientConfig } }));
      return;
    }
    if (!this.options.upstream) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 404, msg: `not found: ${req.method} ${path}` }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k))
        headers[k] = v;
    const upstream = await fetch(`${this.options.upstream}${req.url ?? '/'}`, {
      method: req.method,
      headers,
      ...(raw.length > 0 && req.method !== 'GET' && req.method !== 'HEAD' ? { body: raw } : {}),
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (
        !['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'].includes(k)
      )
        out[k] = v;
    });
    res.writeHead(upstream.status, out);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }
}

export async function startFakeWsGateway(options: FakeWsGatewayOptions): Promise<FakeWsGateway> {
  return new FakeWsGateway(options).listen();
}
