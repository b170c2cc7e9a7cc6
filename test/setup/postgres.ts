/**
 * Starts a throw-away PostgreSQL server for the test run (initdb + pg_ctl into a temp dir on a free port) and
 * hands its URL to the tests through vitest's provide/inject. PostgreSQL refuses to run as root, so as root the
 * server runs as the `postgres` system user in a directory it owns.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from '../helpers/ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test server, or '' when PostgreSQL is not installed (never in CI). */
    pgUrl: string;
  }
}

function findBin(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':'))
    if (existsSync(join(dir, name))) return join(dir, name);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const v of readdirSync(root).sort().reverse())
      if (existsSync(join(root, v, 'bin', name))) return join(root, v, 'bin', name);
  }
  return null;
}

export default async function setup(project: TestProject): Promise<() => void> {
  const initdb = findBin('initdb');
  const pgCtl = findBin('pg_ctl');
  if (!initdb || !pgCtl) {
    if (process.env.CI)
      throw new Error('PostgreSQL (initdb, pg_ctl) is not installed; CI must run the PostgreSQL tests');
    console.warn(
      'PostgreSQL not found: PostgreSQL variants of the storage tests are skipped (install postgresql)',
    );
    project.provide('pgUrl', '');
    return () => {};
  }
  const asRoot = process.getuid?.() === 0;
  const run = (bin: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : bin, asRoot ? ['-u', 'postgres', '--', bin, ...args] : args, {
      stdio: 'pipe',
    });

  const dir = mkdtempSync(join(tmpdir(), 'liancha-pg-'));
  chmodSync(dir, 0o755);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  run(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
  run(pgCtl, [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`,
    'start',
  ]);
  project.provide('pgUrl', `postgres://postgres@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
