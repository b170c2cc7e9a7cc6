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
 * - `compare`: what an unchanged re-import must at least do — read every target and its departments from an
 *   imported database (`DB_PATH`, `best`'s) in key order and compare each with the pre-parsed row.
 *
 * Run: `node --import tsx bench/import-floor.ts VARIANT file:PATH ROWS`.
 */
import { writeFileSync } from 'node:fs';
import { openStore } from '../src/storage/db.ts';
import { migrate } from '../src/storage/migrate.ts';
import { BENCH_DEPARTMENTS, syntheticTarget } from './import-data.ts';

const [variant, url, count] = process.argv.slice(2) as ['app' | 'best' | 'compare', string, string];
const rows = Array.from({ length: Number(count) }, (_, i) => {
  const cells = syntheticTarget(i);
  return { target: cells.slice(0, 12), departments: cells[12]!.split(';') };
});

const store = openStore(url);
await migrate(store);
const db = store.sqlite!;
if (variant !== 'compare') {
  const dept = db.prepare('insert into departments (code, name) values (?, ?)');
  for (const d of BENCH_DEPARTMENTS) dept.run(d, d);
}

const started = performance.now();
if (variant === 'compare') {
  const byKey = new Map(rows.map((r) => [r.target[0]!, r]));
  const targets = db
    .prepare(
      `select uscc, name, kind, legal_rep, address, region, industry, scope, established, status, risk, phone
       from targets order by uscc`,
    )
    .raw();
  const links = db.prepare('select uscc, department from target_departments order by uscc').raw();
  const departmentsOf = new Map<string, string[]>();
  for (const [uscc, department] of links.iterate() as Iterable<[string, string]>) {
    const list = departmentsOf.get(uscc);
    if (list) list.push(department);
    else departmentsOf.set(uscc, [department]);
  }
  let unchanged = 0;
  for (const row of targets.iterate() as Iterable<string[]>) {
    const file = byKey.get(row[0]!);
    const same =
      file !== undefined &&
      row.every((v, i) => v === file.target[i]) &&
      (departmentsOf.get(row[0]!) ?? []).sort().join(';') === [...file.departments].sort().join(';');
    if (same) unchanged++;
  }
  if (unchanged !== rows.length) throw new Error(`compare: ${unchanged} of ${rows.length} rows unchanged`);
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
