import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { App } from '../app.ts';
import { projectPath } from '../paths.ts';
import { localTime } from '../domain/time.ts';
import { tick } from '../services/tick.ts';
import { createEventSender } from './feishu/events.ts';
import type { FakeFeishu, FakeMessage } from './feishu/server.ts';
import { LOCAL_BANNER } from './banner.ts';
import { simPeople, type SimPerson } from './people.ts';

export interface SimContext {
  /** The app as the bot runs it in local mode (the simulator's credentials). */
  app: App;
  fake: FakeFeishu;
  group: { chatId: string; name: string };
  /** This server's URL: the simulator POSTs events and callbacks there, signed and encrypted like Feishu. */
  selfUrl: string;
  wakeSender(): void;
}

/** A message as the chat page shows it. */
export interface SimMessage {
  messageId: string;
  chatId: string;
  /** `bot`, or the open_id of the person who typed it. */
  sender: string;
  senderName: string;
  msgType: string;
  card: Record<string, unknown> | null;
  text: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The page's plain browser modules are served as they are, from the sources (the build compiles TypeScript only). */
const PAGE_DIR = projectPath('src', 'sim', 'page') + '/';
/**
 * The page's files by URL name — a fixed list, so nothing from the request reaches a file path. VChart's browser
 * bundle comes from node_modules (no CDN: local mode works offline).
 */
const ASSETS: Record<string, { path: string; type: string }> = {
  'sim.js': { path: `${PAGE_DIR}sim.js`, type: 'text/javascript; charset=utf-8' },
  'card.js': { path: `${PAGE_DIR}card.js`, type: 'text/javascript; charset=utf-8' },
  'time.js': { path: `${PAGE_DIR}time.js`, type: 'text/javascript; charset=utf-8' },
  'sim.css': { path: `${PAGE_DIR}sim.css`, type: 'text/css; charset=utf-8' },
  'vchart.js': {
    path: createRequire(import.meta.url).resolve('@visactor/vchart/build/index.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

const openId = z.string().regex(/^ou_[A-Za-z0-9_]{1,64}$/, 'must be an open_id (ou_…)');
const sayBody = z.object({
  as: openId,
  chatId: z.string().min(1).max(100),
  text: z.string().min(1).max(2000),
});
const actionBody = z.object({
  as: openId,
  messageId: z.string().min(1).max(100),
  value: z.record(z.unknown()),
  formValue: z.record(z.unknown()).nullable().optional(),
  name: z.string().max(100).nullable().optional(),
  tag: z.string().max(40).optional(),
});
const tickBody = z.object({ at: z.string().datetime({ offset: true }) });

/**
 * `/sim` — the chat page of local mode and the JSON it runs on. A person picked on the page acts through the
 * simulator exactly as a Feishu user would: what they type becomes `im.message.receive_v1` and what they click a
 * `card.action.trigger` callback, both signed and encrypted and POSTed to this server's `/feishu/*` endpoints; the
 * bot's answers arrive through its real sender and the simulator's API, and reach the page over server-sent events.
 *
 * - `GET /sim`, `GET /sim/assets/:file` — the page (`src/sim/page/`) and VChart's browser bundle.
 * - `GET /sim/api/state` — banner, listening address, people, the group, the clock.
 * - `GET /sim/api/chats?as=ou_…` — that person's direct chat with the bot and the group, with their messages.
 * - `GET /sim/api/stream` — `event: message` (a message created or changed), `event: clock` (after a tick).
 * - `POST /sim/api/say {as, chatId, text}`, `POST /sim/api/action {as, messageId, value, formValue, name, tag}`,
 *   `POST /sim/api/tick {at}` — JSON bodies only (`content-type: application/json`: another site's page cannot
 *   post one without the browser asking this server first, which it never allows).
 */
export function mountSim(http: Hono, ctx: SimContext): void {
  const { app, fake } = ctx;
  // Feishu's two subscriptions: events (messages) and card callbacks, each signed and encrypted with the app's key.
  const senderTo = (path: string) =>
    createEventSender({
      url: `${ctx.selfUrl}${path}`,
      encryptKey: app.config.FEISHU_ENCRYPT_KEY,
      verificationToken: app.config.FEISHU_VERIFICATION_TOKEN!,
      appId: fake.appId,
      tenantKey: fake.tenantKey,
    });
  const events = senderTo('/feishu/events');
  const callbacks = senderTo('/feishu/callbacks');
  const clockListeners = new Set<(clock: SimClock) => void>();
  let simulatedAt: Date | null = null;
  const clock = (): SimClock => {
    const now = simulatedAt ?? app.clock();
    return {
      now: now.toISOString(),
      local: localTime(now, app.config.LIANCHA_TZ),
      tz: app.config.LIANCHA_TZ,
    };
  };
  let people: SimPerson[] = [];
  const nameOf = (id: string) => people.find((p) => p.openId === id)?.name ?? id;
  const view = (m: FakeMessage): SimMessage => ({
    messageId: m.messageId,
    chatId: m.chatId,
    sender: m.senderOpenId ?? 'bot',
    senderName: m.senderOpenId ? nameOf(m.senderOpenId) : 'liancha 联查',
    msgType: m.msgType,
    card: m.card,
    text: m.text,
    createdAt: m.createdAt,
    updatedAt: m.patches.at(-1)?.at ?? m.createdAt,
  });
  const chatsOf = (person: string) => [
    { chatId: fake.p2pChatId(person), kind: 'p2p' as const, name: 'liancha 联查' },
    { chatId: ctx.group.chatId, kind: 'group' as const, name: ctx.group.name },
  ];

  http.get('/sim', (c) => c.html(readFileSync(`${PAGE_DIR}index.html`, 'utf8')));
  http.get('/sim/assets/:file', (c) => {
    const asset = ASSETS[c.req.param('file')];
    if (!Object.hasOwn(ASSETS, c.req.param('file')) || !asset) return c.notFound();
    return c.body(readFileSync(asset.path), 200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
  });

  http.get('/sim/api/state', async (c) => {
    people = await simPeople(app);
    return c.json({
      banner: LOCAL_BANNER.zh,
      bannerEn: LOCAL_BANNER.en,
      listening: `${app.config.host}:${app.config.PORT}`,
      people,
      group: ctx.group,
      bot: { name: 'liancha 联查' },
      clock: clock(),
    });
  });

  http.get('/sim/api/chats', async (c) => {
    const as = openId.safeParse(c.req.query('as'));
    if (!as.success) return c.json({ error: 'as: must be an open_id (ou_…)' }, 400);
    if (people.length === 0) people = await simPeople(app);
    return c.json({
      chats: chatsOf(as.data).map((chat) => ({
        ...chat,
        messages: fake.messages.filter((m) => m.chatId === chat.chatId).map(view),
      })),
    });
  });

  http.get('/sim/api/stream', (c) =>
    streamSSE(c, async (stream) => {
      const queue: { event: string; data: string }[] = [];
      let wake: (() => void) | null = null;
      const push = (event: string, data: unknown) => {
        queue.push({ event, data: JSON.stringify(data) });
        wake?.();
      };
      const offMessage = fake.onMessage((m) => push('message', view(m)));
      const onClock = (cl: SimClock) => push('clock', cl);
      clockListeners.add(onClock);
      let open = true;
      stream.onAbort(() => {
        open = false;
        wake?.();
      });
      try {
        await stream.writeSSE({ event: 'ready', data: JSON.stringify(clock()) });
        while (open) {
          while (queue.length > 0 && open) await stream.writeSSE(queue.shift()!);
          // Waits for the next message, or 25 s for a comment that keeps proxies from closing the stream.
          let timer: NodeJS.Timeout | undefined;
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, 25_000);
          });
          clearTimeout(timer);
          wake = null;
          if (open && queue.length === 0) await stream.write(': keep-alive\n\n');
        }
      } finally {
        offMessage();
        clockListeners.delete(onClock);
      }
    }),
  );

  http.post('/sim/api/say', async (c) => {
    const body = await jsonBody(c, sayBody);
    if ('error' in body) return c.json({ error: body.error }, 400);
    const { as, chatId, text } = body.data;
    const chat = chatsOf(as).find((x) => x.chatId === chatId);
    if (!chat) return c.json({ error: `chatId: ${chatId} is not one of ${as}'s chats` }, 400);
    const message = fake.userMessage({ senderOpenId: as, chatId, text });
    if (!message) return c.json({ error: `as: ${as} is not a user of the simulator` }, 400);
    const res = await events.messageReceived({
      chatId,
      chatType: chat.kind,
      senderOpenId: as,
      text,
      messageId: message.messageId,
      // In the group the bot answers only when @-mentioned, as in Feishu: the page mentions it for you.
      mentionBot: chat.kind === 'group',
      botOpenId: fake.botOpenId,
    });
    if (res.status !== 200) return c.json({ error: `the bot refused the message (${res.status})` }, 502);
    ctx.wakeSender();
    return c.json({ ok: true, messageId: message.messageId });
  });

  http.post('/sim/api/action', async (c) => {
    const body = await jsonBody(c, actionBody);
    if ('error' in body) return c.json({ error: body.error }, 400);
    const { as, messageId, value, formValue, name, tag } = body.data;
    const message = fake.message(messageId);
    if (!message?.card) return c.json({ error: `messageId: no card message ${messageId}` }, 404);
    if (!chatsOf(as).some((x) => x.chatId === message.chatId))
      return c.json({ error: `messageId: ${as} cannot see message ${messageId}` }, 403);
    const res = await callbacks.cardAction({
      operatorOpenId: as,
      value,
      ...(formValue ? { formValue } : {}),
      ...(name ? { name } : {}),
      tag: tag ?? 'button',
      messageId,
      chatId: message.chatId,
    });
    if (res.status !== 200) return c.json({ error: `the bot refused the callback (${res.status})` }, 502);
    const answer = (res.body ?? {}) as {
      toast?: unknown;
      card?: { type?: string; data?: Record<string, unknown> };
    };
    // Feishu replaces the clicked card with the one the callback answers with.
    if (
      answer.card?.type === 'raw' &&
      answer.card.data &&
      !fake.applyCallbackCard(messageId, answer.card.data)
    )
      app.log.warn(
        { messageId },
        'sim: the callback answered with a card the simulator refuses; the card stays',
      );
    ctx.wakeSender();
    return c.json({
      ...(answer.toast ? { toast: answer.toast } : {}),
      ...(answer.card ? { card: answer.card.data } : {}),
    });
  });

  http.post('/sim/api/tick', async (c) => {
    const body = await jsonBody(c, tickBody);
    if ('error' in body) return c.json({ error: body.error }, 400);
    const at = new Date(body.data.at);
    const report = await tick(app, at, { instance: 'sim' });
    simulatedAt = at;
    ctx.wakeSender();
    const now = clock();
    for (const listener of clockListeners) listener(now);
    return c.json({ ran: report, clock: now });
  });
}

interface SimClock {
  now: string;
  local: string;
  tz: string;
}

/** The request's JSON body checked against `schema`: one line saying which field is wrong. */
async function jsonBody<T>(c: Context, schema: z.ZodType<T>): Promise<{ data: T } | { error: string }> {
  if (!(c.req.header('content-type') ?? '').startsWith('application/json'))
    return { error: 'content-type: must be application/json' };
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return { error: 'body: not JSON' };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { data: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { error: `${issue.path.join('.') || 'body'}: ${issue.message}` };
}
