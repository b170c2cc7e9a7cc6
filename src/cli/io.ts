import { localTime } from '../domain/time.ts';
/** Where a command writes. Tests pass buffers; the real CLI passes the process streams. */
export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function print(io: CliIO, line = ''): void {
  io.stdout.write(line + '\n');
}

export function printJson(io: CliIO, value: unknown): void {
  io.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function warn(io: CliIO, line: string): void {
  io.stderr.write(line + '\n');
}

/** A time as people read it on the CLI: in LIANCHA_TZ, to the minute (`2026-12-01 14:03`); `--json` keeps ISO. */
export function when(tz: string, iso: string | null | undefined): string {
  return iso ? localTime(iso, tz) : '—';
}
