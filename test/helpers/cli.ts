import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';
import type { Clock } from '../../src/app.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString('utf8');
    cb();
  }
}

/** Runs `liancha ARGS` in-process against DATABASE_URL and captures what it prints. */
export async function runCli(
  databaseUrl: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; clock?: Clock } = {},
): Promise<CliResult> {
  const stdout = new Sink();
  const stderr = new Sink();
  const env = { LOG_LEVEL: 'warn', ...opts.env, DATABASE_URL: databaseUrl };
  const code = await main(args, { stdout, stderr, env }, opts.clock ? { clock: opts.clock } : {});
  return { code, stdout: stdout.text, stderr: stderr.text };
}
