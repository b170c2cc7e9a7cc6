/**
 * The floors of the import benchmark: the same synthetic targets, already parsed into arrays in memory (no
 * reading, no checking), written or compared with better-sqlite3 directly in one transaction. Variants, each in
 * a fresh process (reports like bench/child.ts: BENCH_RESULT gets the wall time and the peak RSS):
 *
 * - `app`: the rows in file order into a fresh database with the app's own pragmas, one prepared statement per
 *   table — the floor this benchmark first had.
 * - `best`: the fastest load measured here (issue 13, item 2): rows sorted by key first, a 512 MB page cache,
 *   foreign-key checks off, temporary storage in memory, the department index dropped before the load and
 *   built after it.
 * - `reread`: what any unchanged re-import must at least do — read every byte of the file (`CSV`, decoded as
 *   UTF-8, split into lines) and every key of the imported table (`DB_PATH`, the import's own database) with
 *   what it knows of each row, its source digest, in key order. No checking, no comparing: a true lower bound.
 *
 * Run: `node --import tsx bench/import-floor.ts VARIANT file:PATH ROWS [CSV]`.
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { openStore } from '../src/storage/db.ts';
import { migrate } from '../src/storage/migrate.ts';
import { BENCH_DEPARTMENTS, syntheticTarget } from './import-data.ts';

const [variant, url, count, csv] = process.argv.slice(2) as [
  'app' | 'best' | 'reread',
  string,
  string,
  string,
];
const rows =
  variant === 'reread'
    ? []
    : Array.from({ length: Number(count) }, (_, i) => {
        const cells = syntheticTarget(i);
        return { target: cells.slice(0, 12), departments: cells[12]!.split(';') };
      });

const store = openStore(url);
await migrate(store);
const db = store.sqlite!;
if (variant !== 'reread') {
  const dept = db.prepare('insert into departments (code, name) values (?, ?)');
  for (const d of BENCH_DEPARTMENTS) dept.run(d, d);
}

const started = performance.now();
if (variant === 'reread') {
  let lines = 0;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of createReadStream(csv, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const text = decoder.decode(chunk, { stream: true });
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  }
  let keys = 0;
  const scan = db.prepare('select uscc, source_digest from targets order by uscc').raw();
  for (const [, digest] of scan.iterate() as Iterable<[string, number | null]>) if (digest !== null) keys++;
  if (lines !== Number(count) + 1 || keys !== Number(count))
    throw new Error(`reread: ${lines} lines, ${keys} keys with digests, expected ${count}`);
} else {
  if (variant === 'best') {
    db.pragma('cache_size = -524288');
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = OFF');
    db.exec('drop index target_departments_by_department');
    rows.sort((a, b) => (a.target[0]! < b.target[0]! ? -1 : 1));
  }
  const insertTarget = db.prepare(
    `insert into targets (uscc, name, kind, legal_rep, address, region, industry, scope, established, status, risk, phone)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertDepartment = db.prepare('insert into target_departments (uscc, department) values (?, ?)');
  db.transaction(() => {
    for (const r of rows) {
      insertTarget.run(r.target);
      for (const d of r.departments) insertDepartment.run(r.target[0], d);
    }
    if (variant === 'best')
      db.exec('create index target_departments_by_department on target_departments (department, uscc)');
  })();
}
await store.close(); // writing includes closing (the WAL checkpoint) too
const ms = performance.now() - started;
writeFileSync(
  process.env.BENCH_RESULT!,
  JSON.stringify({ code: 0, ms, peakRssMb: process.resourceUsage().maxRSS / 1024 }),
);
