/**
 * Benchmark: card-callback latency under a steady load. The bot — `liancha serve` in a process of its own, started
 * as `npm start` starts it (the built package, its node flags; `bench/served.ts`), on 127.0.0.1, signature
 * verification and decryption on: FEISHU_ENCRYPT_KEY set — serves a locked draw of a synthetic city; a child process
 * sends `card.action.trigger` confirm clicks at a steady `rate` per second for `seconds`, each encrypted and signed
 * as Feishu does, taken from the real assignment cards: the assignee's own click (the first one confirms, later
 * ones are "already confirmed") or a teammate's (refused). Each request's latency is measured in the child from the
 * moment it is sent to the last byte of the answer. Goals (issue 13): p99 ≤ 20 ms, no errors, and ≤ 1.5 ms of the
 * bot's CPU a click (its whole process, read from /proc) — next to a floor served the same load in the same run
 * (`bench/callback-floor.ts`, in a process of its own with the same node flags: a plain node:http server that
 * verifies, decrypts and answers a fixed card, no database).
 *
 * Both are measured warm, as a server that has been up a while runs: before the measured clicks, each serves
 * `warmUp` clicks on a second draw (another task of the same city, the same mix of confirms, repeats and teammates),
 * whose CPU a click is reported beside. Cold, V8 spends about 0.3 ms a click optimising code on its background
 * threads over the first thousands of clicks (a perf profile of those threads: TurboFan; 0.09–0.15 ms once warm).
 *
 * Bounded: `rate × seconds` requests, loopback only, each with a 5 s timeout.
 * Run alone: `node --import tsx bench/feishu-callback.ts [rate] [seconds]`.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { createApp } from '../src/app.ts';
import { refusalToast } from '../src/bot/refusals.ts';
import { startBot } from '../src/bot/runtime.ts';
import { main } from '../src/cli/main.ts';
import { verifyAuditChain } from '../src/storage/audit.ts';
import { openStore } from '../src/storage/db.ts';
import { createEventSender } from '../src/sim/feishu/events.ts';
import { startFakeFeishu } from '../src/sim/feishu/server.ts';
import { freePort } from '../test/helpers/ports.ts';
import { buildPackage, startArgs } from './measure.ts';
import { startServed, type ServedProcess } from './served.ts';
import { buildSyntheticCity, writeBenchTask } from './synthetic-city.ts';

export interface BenchCallbackOptions {
  /** Requests per second (default 200). */
  rate?: number;
  /** How long to send (default 10). */
  seconds?: number;
  /** Synthetic city size (default 20,000 targets: a 5 % draw of about 1,000 targets, ~170 teams, ~500 members). */
  targets?: number;
  /** Clicks served (on another draw) before the measured ones, by the bot and by the floor (default 2000). */
  warmUp?: number;
  /**
   * Write a V8 CPU profile of the bot's process (`--cpu-prof`: its whole life — start, warm-up and load) to this
   * file, to open in Chrome DevTools or summarise with `bench/cpu-profile-summary.ts`; the bench's env
   * `BENCH_CPU_PROF` sets it. The in-process bench (`bench/feishu-callback-inprocess.ts`) profiles the clicks alone.
   */
  cpuProfile?: string;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface BenchCallbackResult {
  name: 'feishu-callback';
  rate: number;
  seconds: number;
  /** Requests sent (rate × seconds). */
  requests: number;
  /** Requests per second actually sent (first to last send). */
  sentPerSecond: number;
  /** From sending a request to the last byte of its answer, ms. */
  latencyMs: LatencySummary;
  /** The same from the moment the steady schedule said to send (includes the client's own lag), ms. */
  latencyFromScheduleMs: LatencySummary;
  goalP99Ms: 20;
  p99MeetsGoal: boolean;
  goalCpuMsPerRequest: 1.5;
  cpuMeetsGoal: boolean;
  /** Non-200 answers, answers without a toast, timeouts and connection errors. */
  errors: number;
  /** Toasts answered: success = a real confirmation, info = already confirmed, error = not the assignee. */
  outcomes: { success: number; info: number; error: number; warning: number };
  /** Assignments confirmed in the database afterwards (must equal outcomes.success). */
  confirmedInDb: number;
  /** `assignment.confirm` audit entries (must equal outcomes.success), and whether the hash chain holds. */
  auditEntries: number;
  auditChainOk: boolean;
  draw: { targets: number; teams: number; members: number };
  /** CPU time of the bot's process (verification, decryption, dispatch, SQLite, HTTP) per request, ms. */
  serverCpuMsPerRequest: number;
  /** Of that, the threads other than the main one (V8's compiler and GC helpers, libuv's pool), per request, ms. */
  otherThreadsCpuMsPerRequest: number;
  /** The same load served by the floor (`bench/callback-floor.ts`), measured in the same run. */
  floor: { latencyMs: LatencySummary; serverCpuMsPerRequest: number; errors: number };
  /** The warm-up before the measured clicks: how many, and the bot's and the floor's CPU a click over them, ms. */
  warmUp: {
    requests: number;
    serverCpuMsPerRequest: number;
    otherThreadsCpuMsPerRequest: number;
    floorCpuMsPerRequest: number;
  };
  /** 1-minute load average when the load started: on a busy machine the latencies include waiting for a core. */
  loadAverageBefore: number;
  setupSeconds: number;
}

/** One click the load generator sends. */
export interface Click {
  operatorOpenId: string;
  value: Record<string, unknown>;
  messageId: string;
  chatId: string;
}

interface LoadPlan {
  url: string;
  encryptKey: string;
  verificationToken: string;
  appId: string;
  rate: number;
  clicks: Click[];
}

interface LoadReport {
  sent: number;
  firstSendMs: number;
  lastSendMs: number;
  latencies: number[];
  fromSchedule: number[];
  errors: number;
  errorSamples: string[];
  outcomes: Record<string, number>;
}

const ENCRYPT_KEY = 'bench-encrypt-key';
const VERIFICATION_TOKEN = 'bench-verification-token';
const TASK = 'BENCH-CB-001';
/** The warm-up's draw: another task on the same city, so the measured task's clicks find it as nobody touched it. */
const WARM_TASK = 'BENCH-CB-WARM';
const here = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FLOOR = fileURLToPath(new URL('callback-floor.ts', import.meta.url));

/** The bench's bot and what it is asked: `setUpCallbackBench`. */
export interface CallbackBench {
  app: Awaited<ReturnType<typeof createApp>>;
  /** The bot started in this process (`inProcess`; the in-process bench), else null: the HTTP bench serves it apart. */
  bot: ReturnType<typeof startBot> | null;
  /** The environment the bot runs with (the database, the fake Feishu, the Encrypt Key): `liancha serve`'s. */
  env: Record<string, string>;
  /** The clicks to send, in order (`rate × seconds` of them). */
  clicks: Click[];
  /** Clicks of the same kinds on the warm-up's draw, to send before `clicks`. */
  warmUpClicks: Click[];
  appId: string;
  encryptKey: string;
  verificationToken: string;
  dir: string;
  /** Assignment cards (members) of the measured draw. */
  members: number;
  /** An answer of the size the bot gives a click (a toast and one member's assignment card), for the floor. */
  sampleAnswer: string;
  setupStartedMs: number;
  /** Confirmations, audit entries and the draw's size, read after the load. */
  afterLoad(): Promise<Pick<BenchCallbackResult, 'confirmedInDb' | 'auditEntries' | 'auditChainOk' | 'draw'>>;
  close(): Promise<void>;
}

/**
 * A locked draw of a synthetic city, the bot started on it (signature verification and decryption on) and the
 * clicks people would send, read from the assignment cards the draw queued; shared by the HTTP bench below and the
 * in-process one (`bench/feishu-callback-inprocess.ts`).
 */
export async function setUpCallbackBench(options: {
  requests: number;
  warmUp?: number;
  targets?: number;
  /** Start the bot in this process on the bench's app (default false). */
  inProcess?: boolean;
}): Promise<CallbackBench> {
  const targets = options.targets ?? 20_000;
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'liancha-bench-cb-'));
  const path = join(dir, 'bench.db');
  const url = `file:${path}`;
  const fake = await startFakeFeishu();
  let stopBot: (() => Promise<void>) | null = null;
  const close = async () => {
    await stopBot?.();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // A locked draw whose members all have a Feishu identity.
    await buildSyntheticCity(path, { targets, officers: 400, departments: 4, regions: 4 });
    const setup = openStore(url);
    const officers = await setup.db.selectFrom('inspectors').select('cert_no').execute();
    for (const o of officers) fake.addUser({ openId: `ou_${o.cert_no}` });
    await setup.db
      .updateTable('inspectors')
      .set({ open_id: sql<string>`'ou_' || cert_no` })
      .execute();
    await setup.close();
    const env = {
      DATABASE_URL: url,
      FEISHU_APP_ID: fake.appId,
      FEISHU_APP_SECRET: fake.appSecret,
      FEISHU_DOMAIN: fake.url,
      FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
      FEISHU_VERIFICATION_TOKEN: VERIFICATION_TOKEN,
      LOG_LEVEL: 'info',
    };
    const draws: string[][] = [];
    for (const [task, name] of [
      [WARM_TASK, '回调基准预热任务'],
      [TASK, '回调基准任务'],
    ] as const) {
      const taskFile = join(dir, `${task}.yaml`);
      writeBenchTask(taskFile, task, name);
      draws.push(
        ['task', 'create', taskFile],
        ['draw', 'freeze', task, '--entropy-source', 'benchmark'],
        ['draw', 'run', task, '--entropy', '20261122'],
      );
    }
    for (const args of draws) {
      let err = '';
      const stderr = new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) });
      const sink = new Writable({ write: (_c, _e, cb) => cb() });
      const code = await main(args, { stdout: sink, stderr, env: { ...env, LOG_LEVEL: 'warn' } });
      if (code !== 0) throw new Error(`liancha ${args.join(' ')} exited with ${code}: ${err}`);
    }

    // The assignment cards the draw queued: their buttons are what people press. They count as delivered, so that
    // the sender stays idle and only callbacks are measured.
    // An in-process bot logs as `liancha serve 2>bot.log` writes (the HTTP bench's server does exactly that):
    // process.stderr on a file writes each line synchronously. An fs.WriteStream (what this bench used before
    // 2026-12-02) hands every line to the thread pool instead, which cost 0.27 ms of CPU per click here (a refusal
    // logs a line), more than the server spends on it.
    const app = await createApp({
      env,
      logDestination: syncFileStream(join(dir, options.inProcess ? 'bot.log' : 'bench-app.log')),
    });
    stopBot = () => app.close();
    const cardsOf = async (task: string) => {
      const rows = await app.store.db
        .selectFrom('outbox')
        .select(['receive_id', 'content'])
        .where('ref', 'like', `assignment:${task}:%`)
        .orderBy('seq')
        .execute();
      return rows.map((r, i) => {
        const value = findConfirm(JSON.parse(r.content));
        return {
          openId: r.receive_id!,
          team: Number(value.team),
          value,
          content: r.content,
          messageId: `om_bench_${task}_${i}`,
          chatId: `oc_p2p_${r.receive_id}`,
        };
      });
    };
    const cards = await cardsOf(TASK);
    const warmUpCards = await cardsOf(WARM_TASK);
    await app.store.db
      .updateTable('outbox')
      .set({ state: 'sent', sent_at: new Date().toISOString(), sent_message_id: 'om_bench' })
      .execute();

    const bot = options.inProcess ? startBot(app) : null;
    stopBot = async () => {
      await bot?.stop();
      await app.close();
    };
    const afterLoad = async () => {
      const confirmed = await app.store.db
        .selectFrom('team_members')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('task_id', '=', TASK)
        .where('confirmed_at', 'is not', null)
        .executeTakeFirstOrThrow();
      const audit = await app.store.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('action', '=', 'assignment.confirm')
        .where('subject', '=', TASK)
        .executeTakeFirstOrThrow();
      const chain = await verifyAuditChain(app.store.db);
      const teams = await app.store.db
        .selectFrom('teams')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('task_id', '=', TASK)
        .executeTakeFirstOrThrow();
      const drawn = await app.store.db
        .selectFrom('team_targets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('task_id', '=', TASK)
        .executeTakeFirstOrThrow();
      return {
        confirmedInDb: Number(confirmed.n),
        auditEntries: Number(audit.n),
        auditChainOk: chain.ok,
        draw: { targets: Number(drawn.n), teams: Number(teams.n), members: cards.length },
      };
    };
    return {
      app,
      bot,
      env,
      clicks: clicksOn(cards, options.requests),
      warmUpClicks: clicksOn(warmUpCards, options.warmUp ?? 0),
      appId: fake.appId,
      encryptKey: ENCRYPT_KEY,
      verificationToken: VERIFICATION_TOKEN,
      dir,
      members: cards.length,
      // The toast the bot gives a repeated 确认, and a card the draw queued.
      sampleAnswer: JSON.stringify({
        toast: refusalToast({
          ok: false,
          code: 'ASSIGNMENT.ALREADY_CONFIRMED',
          details: { at: '2026-12-01 14:03' },
        }),
        card: { type: 'raw', data: JSON.parse(cards[0]!.content) as unknown },
      }),
      setupStartedMs: t0,
      afterLoad,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export async function benchCallbacks(options: BenchCallbackOptions = {}): Promise<BenchCallbackResult> {
  const rate = options.rate ?? 200;
  const seconds = options.seconds ?? 10;
  const warmUp = options.warmUp ?? 2000;
  buildPackage();
  const bench = await setUpCallbackBench({ requests: rate * seconds, warmUp, targets: options.targets });
  let bot: ServedProcess | null = null;
  try {
    // `npm start`'s command line (the built package, its node flags) with the bench's environment.
    const port = await freePort();
    const profileDir = join(bench.dir, 'profile');
    bot = await startServed({
      args: [...(options.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...startArgs()],
      cwd: ROOT,
      env: { ...process.env, ...bench.env, PORT: String(port), HOST: '127.0.0.1' },
      port,
      logFile: join(bench.dir, 'bot.log'),
      readyPath: '/healthz',
    });
    const setupSeconds = (performance.now() - bench.setupStartedMs) / 1000;

    const plan: LoadPlan = {
      url: `http://127.0.0.1:${port}/feishu/callbacks`,
      encryptKey: bench.encryptKey,
      verificationToken: bench.verificationToken,
      appId: bench.appId,
      rate,
      clicks: bench.clicks,
    };
    const warm = await cpuPerClick(bot, () =>
      runChild({ ...plan, clicks: bench.warmUpClicks }, bench.dir, seconds),
    );
    const loadBefore = loadavg()[0]!;
    const { load, serverCpuMsPerRequest, otherThreadsCpuMsPerRequest } = await cpuPerClick(bot, () =>
      runChild(plan, bench.dir, seconds),
    );
    await bot.stop();
    if (options.cpuProfile) {
      const [file] = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
      if (!file) throw new Error(`the server wrote no CPU profile in ${profileDir}`);
      renameSync(join(profileDir, file), options.cpuProfile);
    }
    const after = await bench.afterLoad();
    const floor = await measureFloor(plan, bench, seconds);

    const latencyMs = summarize(load.latencies);
    return {
      name: 'feishu-callback',
      rate,
      seconds,
      requests: load.sent,
      sentPerSecond: round(((load.sent - 1) * 1000) / Math.max(1, load.lastSendMs - load.firstSendMs), 1),
      latencyMs,
      latencyFromScheduleMs: summarize(load.fromSchedule),
      goalP99Ms: 20,
      p99MeetsGoal: latencyMs.p99 <= 20 && load.errors === 0,
      goalCpuMsPerRequest: 1.5,
      cpuMeetsGoal: serverCpuMsPerRequest <= 1.5,
      errors: load.errors,
      outcomes: {
        success: load.outcomes.success ?? 0,
        info: load.outcomes.info ?? 0,
        error: load.outcomes.error ?? 0,
        warning: load.outcomes.warning ?? 0,
      },
      ...after,
      serverCpuMsPerRequest,
      otherThreadsCpuMsPerRequest,
      floor: floor.measured,
      warmUp: {
        requests: bench.warmUpClicks.length,
        serverCpuMsPerRequest: warm.serverCpuMsPerRequest,
        otherThreadsCpuMsPerRequest: warm.otherThreadsCpuMsPerRequest,
        floorCpuMsPerRequest: floor.warmUpCpuMsPerRequest,
      },
      loadAverageBefore: round(loadBefore, 2),
      setupSeconds: round(setupSeconds, 1),
    };
  } finally {
    await bot?.stop();
    await bench.close();
  }
}

/**
 * The served process's CPU (user + system, every thread: V8's background ones too) per click sent by one load, and
 * the part of it that its threads other than the main one spent.
 */
async function cpuPerClick(server: ServedProcess, run: () => Promise<LoadReport>) {
  const before = server.cpuMs();
  const load = await run();
  const after = server.cpuMs();
  const perClick = (ms: number) => round(ms / Math.max(1, load.sent), 3);
  const total = after.total - before.total;
  return {
    load,
    serverCpuMsPerRequest: perClick(total),
    otherThreadsCpuMsPerRequest: perClick(total - (after.mainThread - before.mainThread)),
  };
}

/**
 * The same clicks served by the floor (`bench/callback-floor.ts`) in a process of its own started with the same
 * node flags as the bot's, after the same warm-up: its latencies and CPU a click.
 */
async function measureFloor(
  plan: LoadPlan,
  bench: CallbackBench,
  seconds: number,
): Promise<{ measured: BenchCallbackResult['floor']; warmUpCpuMsPerRequest: number }> {
  const port = await freePort();
  const answerFile = join(bench.dir, 'floor-answer.json');
  writeFileSync(answerFile, bench.sampleAnswer);
  const nodeFlags = startArgs().filter((a) => a.startsWith('--'));
  const server = await startServed({
    args: [...nodeFlags, '--import', 'tsx', FLOOR, String(port), bench.encryptKey, answerFile],
    cwd: ROOT,
    env: process.env,
    port,
    logFile: join(bench.dir, 'floor.log'),
    readyPath: '/',
  });
  try {
    const floorPlan = { ...plan, url: `http://127.0.0.1:${port}/feishu/callbacks` };
    const warm = await cpuPerClick(server, () =>
      runChild({ ...floorPlan, clicks: bench.warmUpClicks }, bench.dir, seconds),
    );
    const { load, serverCpuMsPerRequest } = await cpuPerClick(server, () =>
      runChild(floorPlan, bench.dir, seconds),
    );
    return {
      measured: { latencyMs: summarize(load.latencies), serverCpuMsPerRequest, errors: load.errors },
      warmUpCpuMsPerRequest: warm.serverCpuMsPerRequest,
    };
  } finally {
    await server.stop();
  }
}

/** A writable that appends each chunk to `path` with one synchronous write, as process.stderr does on a file. */
function syncFileStream(path: string): Writable {
  const fd = openSync(path, 'a');
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      try {
        writeSync(fd, chunk);
        cb();
      } catch (err) {
        cb(err as Error);
      }
    },
    final(cb) {
      closeSync(fd);
      cb();
    },
  });
}

/** Runs the load generator in a child process (its CPU is not the bot's) and reads its report. */
function runChild(plan: LoadPlan, dir: string, seconds: number): Promise<LoadReport> {
  const planFile = join(dir, 'plan.json');
  const reportFile = join(dir, 'report.json');
  writeFileSync(planFile, JSON.stringify(plan));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', here, '--load', planFile, reportFile], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), (seconds + 60) * 1000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(kill);
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      resolve(JSON.parse(readFileSync(reportFile, 'utf8')) as LoadReport);
    });
  });
}

/** The child: sends the plan's clicks at a steady rate (open loop: a slow answer does not delay the next send). */
async function generateLoad(plan: LoadPlan): Promise<LoadReport> {
  const sender = createEventSender({
    url: plan.url,
    encryptKey: plan.encryptKey,
    verificationToken: plan.verificationToken,
    appId: plan.appId,
  });
  // Warm the connection and the server's code paths (not counted).
  for (let i = 0; i < 5; i++) await sender.urlVerification(`warm-${i}`);
  const report: LoadReport = {
    sent: 0,
    firstSendMs: 0,
    lastSendMs: 0,
    latencies: [],
    fromSchedule: [],
    errors: 0,
    errorSamples: [],
    outcomes: {},
  };
  const interval = 1000 / plan.rate;
  const inflight: Promise<void>[] = [];
  let settled = 0;
  const start = performance.now() + 20;
  const fail = (why: string) => {
    report.errors++;
    if (report.errorSamples.length < 5) report.errorSamples.push(why);
  };
  for (let i = 0; i < plan.clicks.length; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const sentAt = performance.now();
    if (i === 0) report.firstSendMs = sentAt;
    report.lastSendMs = sentAt;
    report.sent++;
    inflight.push(
      sender.cardAction(plan.clicks[i]!).then(
        (res) => {
          settled++;
          const done = performance.now();
          report.latencies.push(done - sentAt);
          report.fromSchedule.push(done - due);
          const type = (res.body as { toast?: { type?: string } } | null)?.toast?.type;
          if (res.status !== 200 || !type) return fail(`HTTP ${res.status}: ${res.text.slice(0, 200)}`);
          report.outcomes[type] = (report.outcomes[type] ?? 0) + 1;
        },
        (err: unknown) => {
          settled++;
          fail(String(err));
        },
      ),
    );
  }
  await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, 5000))]);
  report.errors += plan.clicks.length - settled; // still unanswered 5 s after the last send
  return report;
}

/**
 * Who presses what on one draw's cards: mostly the assignee (the first press confirms, later ones are already
 * confirmed), some a teammate (refused). The same seed on either draw, so the warm-up's mix is the measured one's.
 */
function clicksOn(
  cards: {
    openId: string;
    team: number;
    value: Record<string, unknown>;
    messageId: string;
    chatId: string;
  }[],
  n: number,
): Click[] {
  const byTeam = new Map<number, typeof cards>();
  for (const c of cards) byTeam.set(c.team, [...(byTeam.get(c.team) ?? []), c]);
  const rnd = lcg(200);
  return Array.from({ length: n }, () => {
    const card = cards[Math.floor(rnd() * cards.length)]!;
    const team = byTeam.get(card.team)!;
    const teammate = team.find((c) => c.openId !== card.openId) ?? card;
    const operator = rnd() < 0.65 ? card : teammate;
    return {
      operatorOpenId: operator.openId,
      value: card.value,
      messageId: card.messageId,
      chatId: card.chatId,
    };
  });
}

function findConfirm(card: unknown): Record<string, unknown> {
  let found: Record<string, unknown> | null = null;
  const walk = (node: unknown) => {
    if (found || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const o = node as Record<string, unknown>;
    if (Array.isArray(o.behaviors))
      for (const b of o.behaviors as { value?: Record<string, unknown> }[])
        if (b.value?.action === 'assignment.confirm') found = b.value;
    Object.values(o).forEach(walk);
  };
  walk(card);
  if (!found) throw new Error('an assignment card without a confirm button');
  return found;
}

export function summarize(xs: number[]): LatencySummary {
  if (xs.length === 0) return { p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return {
    p50: round(q(0.5), 2),
    p90: round(q(0.9), 2),
    p99: round(q(0.99), 2),
    max: round(s.at(-1)!, 2),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length, 2),
  };
}

function lcg(seed: number) {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** A Markdown section for BENCHMARKS.md. */
export function callbackReport(r: BenchCallbackResult): string {
  const l = r.latencyMs;
  const f = r.floor.latencyMs;
  return [
    `${r.requests} confirm clicks at ${r.rate}/s for ${r.seconds} s (sent at ${r.sentPerSecond}/s) against a draw of ${r.draw.targets} targets in ${r.draw.teams} teams (${r.draw.members} members); signature verification and decryption on; load from a child process over loopback.`,
    '',
    '| served by | p50 | p90 | p99 | max | errors | CPU per request |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| liancha: \`liancha serve\` as \`npm start\` runs it, a process of its own | ${l.p50} ms | ${l.p90} ms | ${l.p99} ms ${r.p99MeetsGoal ? '✅' : '❌'} (goal ≤ ${r.goalP99Ms} ms) | ${l.max} ms | ${r.errors} | ${r.serverCpuMsPerRequest} ms ${r.cpuMeetsGoal ? '✅' : '❌'} (goal ≤ ${r.goalCpuMsPerRequest} ms) |`,
    `| floor: node:http, verify + decrypt + a fixed answer, no database (a process of its own, the same node flags) | ${f.p50} ms | ${f.p90} ms | ${f.p99} ms | ${f.max} ms | ${r.floor.errors} | ${r.floor.serverCpuMsPerRequest} ms |`,
    '',
    `Measured warm: before these clicks the bot and then the floor each served ${r.warmUp.requests} clicks of the same kinds on another draw of the same city, at ${r.warmUp.serverCpuMsPerRequest} ms (bot) and ${r.warmUp.floorCpuMsPerRequest} ms (floor) of CPU a click — what a freshly started process spends while V8 optimises its code. Of the bot's CPU a click, its threads other than the main one (V8's compiler and GC helpers) took ${r.warmUp.otherThreadsCpuMsPerRequest} ms in the warm-up and ${r.otherThreadsCpuMsPerRequest} ms in the measured clicks.`,
    `Load average before the run: ${r.loadAverageBefore}.`,
    `Answers: ${r.outcomes.success} confirmed, ${r.outcomes.info} already confirmed, ${r.outcomes.error} refused (not the assignee); ${r.confirmedInDb} confirmations in the database, ${r.auditEntries} audit entries, audit chain ${r.auditChainOk ? 'intact' : 'BROKEN'}.`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--load') {
    const plan = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as LoadPlan;
    writeFileSync(process.argv[4]!, JSON.stringify(await generateLoad(plan)));
  } else {
    const result = await benchCallbacks({
      rate: Number(process.argv[2] ?? 200),
      seconds: Number(process.argv[3] ?? 10),
      cpuProfile: process.env.BENCH_CPU_PROF || undefined,
    });
    console.log(JSON.stringify(result, null, 2));
    process.exitCode = result.errors === 0 ? 0 : 1;
  }
}
