/**
 * Runs one `liancha` command in this (child) process and writes its wall time and peak RSS as JSON to the
 * file named by BENCH_RESULT — so every measured step starts from a fresh process, as an operator's would.
 */
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { main } from '../src/cli/main.ts';

const sink = new Writable({ write: (_c, _e, cb) => cb() });
const started = performance.now();
const code = await main(process.argv.slice(2), { stdout: sink });
const ms = performance.now() - started;
writeFileSync(
  process.env.BENCH_RESULT!,
  JSON.stringify({ code, ms, peakRssMb: process.resourceUsage().maxRSS / 1024 }),
);
process.exitCode = code;
