import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Measurement {
  ms: number;
  peakRssMb: number;
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs a TypeScript script in a fresh Node process and returns what it measured of itself. */
export function measureScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Measurement & { code: number } {
  const result = join(mkdtempSync(join(tmpdir(), 'liancha-bench-')), 'result.json');
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, script), ...args], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, BENCH_RESULT: result },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`${script} ${args.join(' ')} exited with ${run.status}`);
  return JSON.parse(readFileSync(result, 'utf8')) as Measurement & { code: number };
}

/** `liancha ARGS` in a fresh process: wall time of the command itself and the process's peak RSS. */
export function measureCli(args: string[], env: NodeJS.ProcessEnv): Measurement {
  return measureScript('bench/child.ts', args, env);
}

export function machine(): string {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.+)/)?.[1] ?? 'unknown CPU';
  const mem =
    Number(readFileSync('/proc/meminfo', 'utf8').match(/MemTotal:\s*(\d+)/)?.[1] ?? 0) / 1024 / 1024;
  const cores = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 0;
  return `${cores} cores, ${cpu}, ${mem.toFixed(0)} GiB RAM, Node ${process.version}`;
}

/**
 * Of runs of the same step, the one that took least time. This machine's speed wanders by half within minutes, so
 * the import and draw benches measure a step and its floor twice each, interleaved, and compare the faster of each.
 */
export function fastest(runs: readonly Measurement[]): Measurement {
  return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
}

/** The fastest run's time with the largest peak RSS of all: a memory goal holds for every run, not the fastest. */
export function fastestTimeLargestRss(runs: readonly Measurement[]): Measurement {
  return { ms: fastest(runs).ms, peakRssMb: Math.max(...runs.map((m) => m.peakRssMb)) };
}

/** Builds `dist/` (`npm run build`), so that `bin/liancha.js` runs the compiled code, as after `npm ci`. */
export function buildPackage(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
}

/** `npm start` as package.json says it (`node <flags> bin/liancha.js serve`), without npm's own process around it. */
export function startArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...args] = pkg.scripts.start.split(/\s+/);
  if (node !== 'node') throw new Error(`npm start does not run node: ${pkg.scripts.start}`);
  return args;
}
