/**
 * A stand-in for the bot beside an import: another process writing one row to the same SQLite file in its own
 * `BEGIN IMMEDIATE` transaction every 20 ms, with a 3 s busy timeout (Feishu's limit for a callback answer).
 * A separate process because better-sqlite3 waits synchronously: in the importing process its busy wait would
 * stall the import itself. Used by the import benchmark and by test/import/write-lock.test.ts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

export interface LockProbeResult {
  /** Writes that committed. */
  ok: number;
  /** The error of every write that did not (SQLITE_BUSY: "database is locked"). */
  failures: string[];
  /** The longest time one write took, lock wait included. */
  maxMs: number;
}

const WRITER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('busy_timeout = 3000');
const begin = db.prepare('begin immediate');
const insert = db.prepare('insert into lock_probe (at) values (?)');
const commit = db.prepare('commit');
const results = { ok: 0, failures: [], maxMs: 0 };
let stop = false;
process.stdin.on('end', () => (stop = true)).resume();
console.log('ready');
(function loop() {
  if (stop) { console.log(JSON.stringify(results)); db.close(); return; }
  const t = performance.now();
  try {
    begin.run();
    insert.run(new Date().toISOString());
    commit.run();
    results.ok++;
  } catch (e) {
    results.failures.push(String(e.message));
    if (db.inTransaction) db.exec('rollback');
  }
  results.maxMs = Math.max(results.maxMs, performance.now() - t);
  setTimeout(loop, 20);
})();
`;

/**
 * Creates the probe's table in the SQLite file at `path` and starts writing; `stop()` ends it and returns what
 * it saw.
 *
 * @example const probe = await startLockProbe('/tmp/x.db'); …import…; const { failures } = await probe.stop();
 */
export async function startLockProbe(path: string): Promise<{ stop(): Promise<LockProbeResult> }> {
  const db = new Database(path);
  db.exec('create table if not exists lock_probe (id integer primary key, at text not null)');
  db.close();
  const writer = spawn(process.execPath, ['-e', WRITER, path], {
    cwd: fileURLToPath(new URL('..', import.meta.url)), // where better-sqlite3 is found
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  writer.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('ready')) await once(writer.stdout, 'data');
  return {
    async stop() {
      const exited = once(writer, 'exit');
      writer.stdin.end();
      await exited;
      return JSON.parse(out.trim().split('\n').at(-1)!) as LockProbeResult;
    },
  };
}
