/**
 * End-to-end rig for the bot: a fake Feishu on 127.0.0.1, a database with the Wuhai directories imported through
 * the real CLI, every person in them registered with the fake under a deterministic open_id (`ou_m<mobile>`), and
 * the bot itself (`startBot`) listening on a loopback port. Tests drive it the way Feishu and the operator do:
 * `liancha …` commands, signed and encrypted webhooks, and the cards the fake received.
 */
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { ServerType } from '@hono/node-server';
import { createApp, type App } from '../../../src/app.ts';
import { createFeishuClient, type FeishuClient } from '../../../src/bot/feishu/client.ts';
import { startBot, type BotRuntime } from '../../../src/bot/runtime.ts';
import { listen } from '../../../src/bot/server.ts';
import { openStore, type Store } from '../../../src/storage/db.ts';
import { createEventSender } from '../../../src/sim/feishu/events.ts';
import {
  startFakeFeishu,
  type FakeFeishu,
  type FakeFeishuOptions,
  type FakeMessage,
} from '../../../src/sim/feishu/server.ts';
import { runCli, type CliResult } from '../../helpers/cli.ts';
import { importWuhai, WUHAI_DIR } from '../../helpers/wuhai.ts';
import { silent } from '../feishu-harness.ts';

export const JOINT_CHAT = 'oc_joint_meeting_group';
export const ENCRYPT_KEY = 'liancha-e2e-encrypt-key';
export const VERIFICATION_TOKEN = 'liancha-e2e-verification-token';
export const ENTROPY_SOURCE = '福彩3D 第2026330期开奖号码';
export const ENTROPY = '387';
export const FOOD_TASK = join(WUHAI_DIR, 'task-food.yaml');

/** The open_id the fake gives the person with this mobile number. */
export const openIdOfMobile = (mobile: string) => `ou_m${mobile}`;

export type EventSender = ReturnType<typeof createEventSender>;

export interface RunningBot {
  app: App;
  bot: BotRuntime;
  /** `http://127.0.0.1:PORT`, or '' when started without listening. */
  base: string;
  /** Signed (and, with a key, encrypted) deliveries to POST /feishu/callbacks and POST /feishu/events. */
  callbacks: EventSender;
  events: EventSender;
  /** Waits until the bot's sender has delivered everything due (and retried what failed). */
  drain(maxWaitMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface BotOptions {
  /** Replaces or removes (undefined) environment variables of the bot, e.g. `{ FEISHU_ENCRYPT_KEY: undefined }`. */
  env?: NodeJS.ProcessEnv;
  /** The Feishu client the bot's sender uses (default: the configured one). */
  feishu?: FeishuClient;
  /** Listen on a loopback port (default true). */
  listen?: boolean;
  /**
   * Run the minute scheduler (default false): tests drive time with `liancha tick --at`, never the wall clock.
   * On, it also ticks once at start-up.
   */
  scheduler?: boolean;
  /**
   * The bot's clock (default: the system's). Signed deliveries are dated by this clock too, so a bot living on the
   * office's 2026-12-02 accepts them whatever day the tests run.
   */
  clock?: () => Date;
}

export interface E2E {
  fake: FakeFeishu;
  /** DATABASE_URL. */
  url: string;
  /** The bot's and the CLI's environment, without DATABASE_URL. */
  env: NodeJS.ProcessEnv;
  /** A store for assertions. */
  store: Store;
  /** `liancha ARGS` in-process, with the Feishu environment. */
  cli(args: string[]): Promise<CliResult>;
  /**
   * Makes the office's clock start at `startMs` (running on from there) for every later `cli` call, and returns it
   * for `startBot({ clock })`. The bot and the CLI must share one clock: rows the CLI queues are due at its "now",
   * and a bot living in an earlier moment would wait for them forever.
   */
  useClock(startMs: number): () => Date;
  /** Imports nothing more; creates the food task through `liancha task create` and returns its id. */
  createFoodTask(): Promise<string>;
  /** `draw freeze` then `draw run` of a task (each must exit 0). */
  drawTask(taskId: string): Promise<void>;
  startBot(options?: BotOptions): Promise<RunningBot>;
  /** A Feishu client to the fake (short timeout by default). */
  feishuClient(timeoutMs?: number): FeishuClient;
  close(): Promise<void>;
}

/**
 * A fake Feishu and a fresh database with the Wuhai directories whose people all resolve (`liancha users check`
 * exits 0 and leaves nobody unresolved). The joint-meeting group exists and the bot is in it.
 */
export async function e2e(
  fresh: () => Promise<{ url: string; store: Store }>,
  options: { fake?: FakeFeishuOptions; encryptKey?: string | null } = {},
): Promise<E2E> {
  const fake = await startFakeFeishu(options.fake);
  const { url, store: init } = await fresh();
  await init.close();
  await importWuhai(url);
  const store = openStore(url);

  const mobiles = new Set<string>();
  for (const d of await store.db.selectFrom('departments').select(['head', 'liaison']).execute())
    for (const m of [d.head, d.liaison]) if (m) mobiles.add(m);
  for (const i of await store.db.selectFrom('inspectors').select(['mobile', 'name']).execute())
    if (i.mobile) mobiles.add(i.mobile);
  for (const mobile of mobiles) fake.addUser({ openId: openIdOfMobile(mobile), mobile });
  fake.addChat({ chatId: JOINT_CHAT, name: '联席会议' });

  const env: NodeJS.ProcessEnv = {
    FEISHU_APP_ID: fake.appId,
    FEISHU_APP_SECRET: fake.appSecret,
    FEISHU_DOMAIN: fake.url,
    FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
    JOINT_CHAT_ID: JOINT_CHAT,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
    ...(options.encryptKey === null ? {} : { FEISHU_ENCRYPT_KEY: options.encryptKey ?? ENCRYPT_KEY }),
  };
  let clock: (() => Date) | undefined;
  const cli = (args: string[]) =>
    runCli(url, args, { env: { ...env, LOG_LEVEL: 'warn' }, ...(clock ? { clock } : {}) });

  const check = await cli(['users', 'check', '--json']);
  if (check.code !== 0) throw new Error(`users check failed: ${check.stderr}`);
  const unresolved = (JSON.parse(check.stdout) as { unresolved: unknown[] }).unresolved;
  if (unresolved.length > 0)
    throw new Error(`users check left people unresolved: ${JSON.stringify(unresolved)}`);

  const bots: RunningBot[] = [];
  const clients: FeishuClient[] = [];
  const e: E2E = {
    fake,
    url,
    env,
    store,
    cli,
    useClock(startMs) {
      const offset = startMs - Date.now();
      clock = () => new Date(Date.now() + offset);
      return clock;
    },
    async createFoodTask() {
      const created = await cli(['task', 'create', FOOD_TASK]);
      if (created.code !== 0) throw new Error(`task create failed: ${created.stderr}`);
      return created.stdout.trim().split('\n').at(-1)!;
    },
    async drawTask(taskId) {
      const frozen = await cli(['draw', 'freeze', taskId, '--entropy-source', ENTROPY_SOURCE]);
      if (frozen.code !== 0) throw new Error(`draw freeze failed: ${frozen.stderr}`);
      const run = await cli(['draw', 'run', taskId, '--entropy', ENTROPY]);
      if (run.code !== 0) throw new Error(`draw run failed: ${run.stderr}`);
    },
    async startBot(opts = {}) {
      // Each bot its own PORT setting (it listens on a free port anyway): the sender's instance id is host:PORT,
      // and two bots on one database must not take each other's claims for their own.
      const botEnv: NodeJS.ProcessEnv = { ...env, DATABASE_URL: url, PORT: String(40000 + bots.length) };
      for (const [k, v] of Object.entries(opts.env ?? {})) {
        if (v === undefined) delete botEnv[k];
        else botEnv[k] = v;
      }
      const app = await createApp({ env: botEnv, ...(opts.clock ? { clock: opts.clock } : {}) });
      const bot = startBot(app, {
        ...(opts.feishu ? { feishu: opts.feishu } : {}),
        scheduler: opts.scheduler ?? false,
      });
      let server: ServerType | null = null;
      let base = '';
      if (opts.listen ?? true) {
        // As `liancha serve` listens: the Feishu receivers on node:http in front of Hono (src/bot/server.ts).
        server = await listen(bot.http, 0, '127.0.0.1');
        const port = (server.address() as AddressInfo).port;
        base = `http://127.0.0.1:${port}`;
      }
      const sender = (path: string) =>
        createEventSender({
          url: `${base}${path}`,
          encryptKey: app.config.FEISHU_ENCRYPT_KEY,
          verificationToken: VERIFICATION_TOKEN,
          appId: fake.appId,
          tenantKey: fake.tenantKey,
          now: () => app.clock().getTime(),
        });
      let stopped = false;
      const running: RunningBot = {
        app,
        bot,
        base,
        callbacks: sender('/feishu/callbacks'),
        events: sender('/feishu/events'),
        async drain(maxWaitMs = 30_000) {
          await bot.sender!.drainUntilIdle({ maxWaitMs });
        },
        async stop() {
          if (stopped) return;
          stopped = true;
          await bot.stop();
          const s = server as ServerType | null;
          if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
          await app.close();
        },
      };
      bots.push(running);
      return running;
    },
    feishuClient(timeoutMs = 1000) {
      const client = createFeishuClient({
        appId: fake.appId,
        appSecret: fake.appSecret,
        domain: fake.url,
        timeoutMs,
        log: silent,
      });
      clients.push(client);
      return client;
    },
    async close() {
      for (const b of bots) await b.stop().catch(() => undefined);
      await store.close();
      await fake.close();
    },
  };
  return e;
}

export interface Member {
  taskId: string;
  team: number;
  certNo: string;
  name: string;
  dept: string;
  leader: boolean;
  /** They pressed 确认 (confirmed_at is set). */
  confirmed: boolean;
  openId: string;
}

/** The active members of a task's teams, with the open_id their mobile resolves to. */
export async function activeMembers(store: Store, taskId: string): Promise<Member[]> {
  const rows = await store.db
    .selectFrom('team_members as m')
    .innerJoin('inspectors as i', 'i.cert_no', 'm.cert_no')
    .select(['m.team_no', 'm.cert_no', 'm.dept', 'm.leader', 'm.confirmed_at', 'i.name', 'i.mobile'])
    .where('m.task_id', '=', taskId)
    .where('m.active', '=', 1)
    .orderBy('m.team_no')
    .orderBy('m.position')
    .execute();
  return rows.map((r) => ({
    taskId,
    team: Number(r.team_no),
    certNo: r.cert_no,
    name: r.name,
    dept: r.dept,
    leader: Number(r.leader) === 1,
    confirmed: r.confirmed_at !== null,
    openId: openIdOfMobile(r.mobile!),
  }));
}

/** The names of a team's targets, in order. */
export async function teamTargetNames(store: Store, taskId: string, team: number): Promise<string[]> {
  const rows = await store.db
    .selectFrom('team_targets as tt')
    .innerJoin('targets as t', 't.uscc', 'tt.uscc')
    .select('t.name')
    .where('tt.task_id', '=', taskId)
    .where('tt.team_no', '=', team)
    .orderBy('tt.position')
    .execute();
  return rows.map((r) => r.name);
}

export async function memberRow(store: Store, taskId: string, certNo: string) {
  return store.db
    .selectFrom('team_members')
    .select(['confirmed_at', 'confirmed_by', 'version'])
    .where('task_id', '=', taskId)
    .where('cert_no', '=', certNo)
    .executeTakeFirstOrThrow();
}

export async function countRows(store: Store, table: 'inbound_deliveries' | 'outbox'): Promise<number> {
  const r = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function auditCount(store: Store, action: string, subject?: string): Promise<number> {
  let q = store.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', action);
  if (subject) q = q.where('subject', '=', subject);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** Every Chinese text of a card (markdown and plain_text `content`), as shown: character references decoded. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if ((o.tag === 'markdown' || o.tag === 'plain_text') && typeof o.content === 'string')
      out.push(o.content);
    for (const [k, v] of Object.entries(o)) if (k !== 'i18n_content') walk(v);
  };
  walk(card);
  return out.join('\n').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

export function cardTitle(card: unknown): string {
  return (card as { header?: { title?: { content?: string } } } | null)?.header?.title?.content ?? '';
}

/** The callback values of a card's buttons. */
export function buttonValues(card: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.tag === 'button' && Array.isArray(o.behaviors))
      for (const b of o.behaviors as { type?: string; value?: Record<string, unknown> }[])
        if (b.type === 'callback' && b.value) out.push(b.value);
    for (const v of Object.values(o)) walk(v);
  };
  walk(card);
  return out;
}

/** The 确认 button's value on an assignment card. */
export function confirmValue(card: unknown): Record<string, unknown> {
  const v = buttonValues(card).find((x) => x.action === 'assignment.confirm');
  if (!v) throw new Error('the card has no confirm button');
  return v;
}

/** Interactive messages the fake received for an open_id (DMs), in order. */
export function cardsTo(fake: FakeFeishu, openId: string): FakeMessage[] {
  return fake.messages.filter((m) => m.receiveIdType === 'open_id' && m.receiveId === openId);
}

/** Replies the fake received to one message. */
export function repliesTo(fake: FakeFeishu, messageId: string): FakeMessage[] {
  return fake.messages.filter((m) => m.replyTo === messageId);
}

/**
 * Makes a message a user typed known to the fake, so that the bot can reply to it (the fake only knows the
 * messages the bot created). Registered by id only: it is not in `fake.messages`, so counts stay the bot's.
 */
export function userMessage(
  fake: FakeFeishu,
  m: { messageId: string; chatId: string; senderOpenId: string; text: string },
): void {
  const byId = (fake as unknown as { byId: Map<string, FakeMessage> }).byId;
  byId.set(m.messageId, {
    messageId: m.messageId,
    receiveIdType: 'chat_id',
    receiveId: m.chatId,
    chatId: m.chatId,
    msgType: 'text',
    content: JSON.stringify({ text: m.text }),
    card: null,
    text: m.text,
    uuid: null,
    replyTo: null,
    createdAt: fake.now(),
    patches: [],
    recalled: false,
    senderOpenId: m.senderOpenId,
  });
}

/** The p2p chat the fake puts a user's DMs in. */
export const p2pChat = (openId: string) => `oc_p2p_${openId}`;
