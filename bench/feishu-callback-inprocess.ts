/**
 * The card-callback bench's clicks without sockets: the same draw, bot and 2000 clicks as `bench/feishu-callback.ts`
 * (each signed and encrypted as Feishu does, so verification and decryption run), handed one after another to the
 * bot's HTTP handler (`bot.http.fetch`, a Web Request each) in this process. The CPU per click is the receivers'
 * (verification, decryption, dispatch, the service, SQLite, the card, the answer's JSON) without the socket writes
 * and the HTTP parser, and without a second process competing for the cores: less sensitive to a busy machine than
 * the HTTP bench's figure, so before/after comparisons are made on both (BENCHMARKS.md, card callbacks).
 *
 * Measured warm, as the HTTP bench is: the same number of clicks on its second draw go through first, uncounted.
 *
 * Bounded: `requests` clicks (default 2000) and as many to warm up, in-process, sequential.
 * Run: `node --import tsx bench/feishu-callback-inprocess.ts [requests]` (env BENCH_CPU_PROF=FILE: a CPU profile of
 * the clicks alone, for `bench/cpu-profile-summary.ts FILE requests`; BENCH_STATEMENT_TIMES=1: each SQL statement's
 * calls and time over the clicks, `bench/statement-timer.ts`).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { buildEnvelope, cardActionEvent, encryptBody, signBody } from '../src/sim/feishu/events.ts';
import { installStatementTimer, type StatementTime } from './statement-timer.ts';
import { setUpCallbackBench, summarize, type LatencySummary } from './feishu-callback.ts';

export interface InProcessResult {
  name: 'feishu-callback-inprocess';
  requests: number;
  /** CPU time of this process (user + system) over the clicks, per click, ms. */
  cpuMsPerRequest: number;
  /** Wall time per click (sequential: one at a time), ms. */
  wallMsPerRequest: number;
  latencyMs: LatencySummary;
  /** Answers that were not a 200 with a toast. */
  errors: number;
  outcomes: Record<string, number>;
  confirmedInDb: number;
  auditEntries: number;
  auditChainOk: boolean;
  loadAverageBefore: number;
  /** With `statementTimes` (env BENCH_STATEMENT_TIMES=1): the costliest SQL statements over the clicks. */
  statements?: StatementTime[];
}

export async function benchCallbacksInProcess(
  options: { requests?: number; cpuProfile?: string; statementTimes?: boolean } = {},
): Promise<InProcessResult> {
  const n = options.requests ?? 2000;
  const timer = options.statementTimes ? installStatementTimer() : null;
  const bench = await setUpCallbackBench({ requests: n, warmUp: n, inProcess: true });
  try {
    const now = Date.now();
    // Signed and encrypted before the clock starts: Feishu's work, not the bot's.
    const signed = (click: (typeof bench.clicks)[number]) => {
      const envelope = buildEnvelope('card.action.trigger', cardActionEvent(click), {
        token: bench.verificationToken,
        appId: bench.appId,
        tenantKey: 'tk_fake',
        createTime: now,
      });
      const raw = JSON.stringify({ encrypt: encryptBody(bench.encryptKey, JSON.stringify(envelope)) });
      const ts = String(Math.floor(now / 1000));
      const nonce = randomBytes(8).toString('hex');
      return new Request('http://127.0.0.1/feishu/callbacks', {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(raw)),
          'x-lark-request-timestamp': ts,
          'x-lark-request-nonce': nonce,
          'x-lark-signature': signBody(ts, nonce, bench.encryptKey, raw),
        },
        body: raw,
      });
    };
    const requests = bench.clicks.map(signed);
    const fetch = bench.bot!.http.fetch;
    for (const req of bench.warmUpClicks.map(signed)) await (await fetch(req)).arrayBuffer();
    const loadBefore = loadavg()[0]!;
    const profiler = options.cpuProfile ? await startProfile() : null;
    const responses: Response[] = [];
    const latencies: number[] = [];
    timer?.start();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const req of requests) {
      const s = performance.now();
      const res = await fetch(req);
      responses.push(res);
      latencies.push(performance.now() - s);
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (profiler) await profiler.stop(options.cpuProfile!);

    const outcomes: Record<string, number> = {};
    let errors = 0;
    for (const res of responses) {
      const body = (await res.json().catch(() => null)) as { toast?: { type?: string } } | null;
      const type = body?.toast?.type;
      if (res.status !== 200 || !type) errors++;
      else outcomes[type] = (outcomes[type] ?? 0) + 1;
    }
    const after = await bench.afterLoad();
    return {
      name: 'feishu-callback-inprocess',
      requests: n,
      cpuMsPerRequest: round((cpu.user + cpu.system) / 1000 / n, 3),
      wallMsPerRequest: round(wall / n, 3),
      latencyMs: summarize(latencies),
      errors,
      outcomes,
      confirmedInDb: after.confirmedInDb,
      auditEntries: after.auditEntries,
      auditChainOk: after.auditChainOk,
      loadAverageBefore: round(loadBefore, 2),
      ...(timer ? { statements: timer.top(14) } : {}),
    };
  } finally {
    await bench.close();
  }
}

/** The inspector's sampling profiler on this process: `--cpu-prof` would also profile the set-up (city, draw). */
async function startProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return {
    stop: async (file) => {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchCallbacksInProcess({
    requests: Number(process.argv[2] ?? 2000),
    cpuProfile: process.env.BENCH_CPU_PROF || undefined,
    statementTimes: process.env.BENCH_STATEMENT_TIMES === '1',
  });
  console.log(JSON.stringify(result, null, 2));
  process.exitCode = result.errors === 0 ? 0 : 1;
}
