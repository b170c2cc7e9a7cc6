/**
 * The floor for the import benchmark: the same synthetic targets, already parsed into arrays in memory,
 * inserted into a fresh database (migrated, the app's own pragmas) with one prepared statement per table in
 * one transaction, with better-sqlite3 directly — no reading, no checking, no lookups. Reports like
 * bench/child.ts: BENCH_RESULT gets the wall time of the inserts and the peak RSS.
 */
import { writeFileSync } from 'node:fs';
import { openStore } from '../src/storage/db.ts';
import { migrate } from '../src/storage/migrate.ts';
import { BENCH_DEPARTMENTS, syntheticTarget } from './import-data.ts';

const [url, count] = process.argv.slice(2) as [string, string];
const rows = Array.from({ length: Number(count) }, (_, i) => {
  const cells = syntheticTarget(i);
  return { target: cells.slice(0, 12), departments: cells[12]!.split(';') };
});

const store = openStore(url);
await migrate(store);
const db = store.sqlite!;
const dept = db.prepare('insert into departments (code, name) values (?, ?)');
for (const d of BENCH_DEPARTMENTS) dept.run(d, d);

const started = performance.now();
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
})();
await store.close(); // the import's time includes closing (the WAL checkpoint) too
const ms = performance.now() - started;
writeFileSync(
  process.env.BENCH_RESULT!,
  JSON.stringify({ code: 0, ms, peakRssMb: process.resourceUsage().maxRSS / 1024 }),
);
