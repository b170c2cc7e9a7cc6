/**
 * Start-up and idle cost of the built package (issue 13 item 1): `liancha --help` — wall time of the whole
 * process and its peak RSS — and the server left idle for 60 s (`npm start`: local mode on SQLite, and with
 * Feishu credentials set), its RSS then, started as package.json's `start` script says (`--v8-pool-size=1`). Median of 5 runs, each next to a floor measured in the same run: `node -e 0`
 * for the command, an idle `node` holding a timer for the server. Builds `dist/` first (`npm run build`), so
 * `bin/liancha.js` runs the compiled code, as after `npm ci`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/helpers/ports.ts';
import { buildPackage, startArgs } from './measure.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = 5;
const IDLE_MS = 60_000;
const USAGE = join(ROOT, 'bench', 'exit-usage.mjs');

export interface StartupResult {
  help: { ms: number; rssMb: number };
  helpFloor: { ms: number; rssMb: number };
  idleLocal: number;
  idleFeishu: number;
  idleFloor: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One process to its end: wall time from spawn to exit, and its peak RSS (written by exit-usage.mjs). */
function timedProcess(args: string[]): { ms: number; rssMb: number } {
  const dir = mkdtempSync(join(tmpdir(), 'liancha-bench-startup-'));
  const usage = join(dir, 'usage.json');
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['--import', USAGE, ...args], {
    cwd: ROOT,
    env: { ...process.env, BENCH_USAGE: usage },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const ms = performance.now() - t0;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${run.status}`);
  const { peakRssMb } = JSON.parse(readFileSync(usage, 'utf8')) as { peakRssMb: number };
  rmSync(dir, { recursive: true, force: true });
  return { ms, rssMb: peakRssMb };
}

const rssOf = (pid: number) =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s*(\d+)/)?.[1] ?? 0) / 1024;

/** RUNS processes started side by side (idle: they do not compete), their RSS after IDLE_MS. */
async function idleRss(start: (i: number, port: number, dir: string) => string[], env: NodeJS.ProcessEnv) {
  const dirs: string[] = [];
  const children = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'liancha-bench-idle-'));
    dirs.push(dir);
    const port = await freePort();
    children.push(
      spawn(process.execPath, start(i, port, dir), {
        cwd: ROOT,
        env: {
          ...process.env,
          LOG_LEVEL: 'warn',
          ...env,
          PORT: String(port),
          DATABASE_URL: `file:${join(dir, 'liancha.db')}`,
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
  }
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const rss = children.map((c) => rssOf(c.pid!));
  await Promise.all(children.map((c) => new Promise((r) => (c.kill('SIGTERM'), c.once('exit', r)))));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  return median(rss);
}

export async function benchStartup(): Promise<StartupResult> {
  buildPackage();
  const bin = join(ROOT, 'bin', 'liancha.js');
  const serve = startArgs();
  timedProcess([bin, '--help']); // warm the file cache
  const help = Array.from({ length: RUNS }, () => timedProcess([bin, '--help']));
  const floor = Array.from({ length: RUNS }, () => timedProcess(['-e', '0']));
  console.error(
    `--help: ${median(help.map((h) => h.ms)).toFixed(0)} ms; idle servers for ${IDLE_MS / 1000} s …`,
  );
  const [idleLocal, idleFeishu, idleFloor] = await Promise.all([
    idleRss(() => serve, {}),
    // Credentials of an app whose Feishu does not answer: the production server, idle.
    idleRss(() => serve, {
      FEISHU_APP_ID: 'cli_bench',
      FEISHU_APP_SECRET: 'bench',
      FEISHU_DOMAIN: 'http://127.0.0.1:9',
      LOG_LEVEL: 'fatal',
    }),
    idleRss(() => ['-e', 'setInterval(() => {}, 1000)'], {}),
  ]);
  return {
    help: { ms: median(help.map((h) => h.ms)), rssMb: median(help.map((h) => h.rssMb)) },
    helpFloor: { ms: median(floor.map((h) => h.ms)), rssMb: median(floor.map((h) => h.rssMb)) },
    idleLocal,
    idleFeishu,
    idleFloor,
  };
}

export function startupReport(r: StartupResult): string {
  const met = (v: number, goal: number) => (v <= goal ? 'yes' : '**no**');
  return [
    `Median of ${RUNS} runs; the built package (\`npm run build\` first), \`bin/liancha.js\` as \`npm start\` runs it.`,
    '',
    '| what | measured | floor | goal | met? |',
    '| --- | --- | --- | --- | --- |',
    `| \`liancha --help\`, wall | ${r.help.ms.toFixed(0)} ms | ${r.helpFloor.ms.toFixed(0)} ms (\`node -e 0\`) | ≤ 300 ms | ${met(r.help.ms, 300)} |`,
    `| \`liancha --help\`, peak RSS | ${r.help.rssMb.toFixed(0)} MB | ${r.helpFloor.rssMb.toFixed(0)} MB (\`node -e 0\`) | ≤ 80 MB | ${met(r.help.rssMb, 80)} |`,
    `| idle server after ${IDLE_MS / 1000} s, local mode (\`npm start\`, SQLite, demo data) | ${r.idleLocal.toFixed(0)} MB | ${r.idleFloor.toFixed(0)} MB (idle \`node\`) | ≤ 120 MB | ${met(r.idleLocal, 120)} |`,
    `| idle server after ${IDLE_MS / 1000} s, with Feishu credentials (SQLite) | ${r.idleFeishu.toFixed(0)} MB | ${r.idleFloor.toFixed(0)} MB (idle \`node\`) | ≤ 120 MB | ${met(r.idleFeishu, 120)} |`,
  ].join('\n');
}
