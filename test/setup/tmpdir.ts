/**
 * A test run's temporary files in one folder of its own, removed when the run ends: the tests' SQLite files, written
 * fixtures, exports and the PostgreSQL server's data (test/setup/postgres.ts, set up after this one and so torn
 * down before it). Left in the system's temporary folder before, a run added about a thousand folders there.
 * TMPDIR is what os.tmpdir() reads; the test workers and every process they start inherit it.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const saved = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'liancha-test-run-'));
  // The PostgreSQL server runs as the postgres user, which must reach its own folder inside this one.
  chmodSync(dir, 0o711);
  process.env.TMPDIR = dir;
  return () => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(dir, { recursive: true, force: true });
  };
}
