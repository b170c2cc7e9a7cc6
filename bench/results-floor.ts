/**
 * The floor for the results-import benchmark: the same result parts, already parsed into the rows the `results`
 * table holds (not timed), inserted into a database seeded with the same locked tasks, with one prepared
 * better-sqlite3 statement in one transaction, then closed — no file, no checks, no versions, no audit entry.
 * Reports like bench/child.ts: BENCH_RESULT gets the wall time of the inserts and the peak RSS.
 */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { findCategory } from '../src/domain/result.ts';
import { resultCategories } from '../src/services/result-categories.ts';
import { lastQuarter, seedResultTasks, syntheticResult, TARGETS_PER_TASK } from './results-data.ts';

const [path, count, tasks] = process.argv.slice(2) as [string, string, string];
const quarter = lastQuarter(new Date());
await seedResultTasks(path, Number(tasks), quarter);
const list = resultCategories();
const at = new Date().toISOString();
const rows = Array.from({ length: Number(count) }, (_, i) => {
  const [task, uscc, dept, categories, inspectedOn, method, note, followup] = syntheticResult(
    i,
    quarter.days,
  );
  const k = Math.floor((i % (TARGETS_PER_TASK * 4)) / 4);
  return [
    task,
    uscc,
    dept,
    Math.floor(k / 5) + 1,
    JSON.stringify(categories!.split(/[;；、]/).map((c) => findCategory(list, c)!.code)),
    inspectedOn,
    JSON.stringify([method]),
    note || null,
    followup || null,
    'cli:bench',
    at,
    'import',
    1,
  ];
});

const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('foreign_keys = ON');
db.pragma('synchronous = NORMAL');
const started = performance.now();
const insert = db.prepare(
  `insert into results (task_id, uscc, dept, team_no, categories, inspected_on, methods, note, followup, entered_by, entered_at, source, version)
   values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
db.transaction(() => {
  for (const r of rows) insert.run(r);
})();
db.close(); // the import's time includes closing (the WAL checkpoint) too
const ms = performance.now() - started;
writeFileSync(
  process.env.BENCH_RESULT!,
  JSON.stringify({ code: 0, ms, peakRssMb: process.resourceUsage().maxRSS / 1024 }),
);
