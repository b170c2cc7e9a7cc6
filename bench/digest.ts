/**
 * Digest and reminder-tick benchmark: a province's history on SQLite — 200 locked tasks of 125 drawn targets × 4
 * departments (100,000 result parts, most entered, some pending, some overdue), 25 teams per task with one officer
 * of each department (open_ids set, department heads set). Measured in this process after a warm-up, median of 5:
 *
 * - the weekly digest: `digestData(app, now)` and `digestCard(data)`, against a floor of the bare counts it rests on
 *   (results per task and department, team members per department) with better-sqlite3;
 * - a full reminder tick: `deadlineReminders(app, now, 'bench')` at a working day's 09:00 (+08:00), each run on a
 *   fresh copy of the seeded file (copied, not timed: one run's claims would make the next free), against a floor of
 *   the same reads plus inserting the outbox rows and `job_runs` keys that tick wrote, in one transaction.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { createApp, type App } from '../src/app.ts';
import { digestCard } from '../src/cards/digest.ts';
import { digestData } from '../src/services/digest.ts';
import { deadlineReminders } from '../src/services/reminders.ts';
import { syntheticTarget } from './import-data.ts';
import {
  DEPARTMENTS,
  seedResultTasks,
  taskId,
  TARGETS_PER_TASK,
  TARGETS_PER_TEAM,
  usccOf,
} from './results-data.ts';

const TASKS = 200;
const TARGETS = 125;
const OFFICERS_PER_DEPT = 250;
const RUNS = 5;
/** The quarter the tasks ran in, and the tick's moment: a Tuesday 09:00 in Beijing, results still coming in. */
const QUARTER = { start: '2026-07-01', end: '2026-09-30' };
const NOW = new Date('2026-10-20T09:00:00+08:00');

export interface DigestBenchResult {
  tasks: number;
  parts: number;
  entered: number;
  members: number;
  digestBytes: number;
  /** Missing parts not yet due, and past their deadline, as the digest counts them. */
  pending: number;
  overdue: number;
  digest: number;
  digestFloor: number;
  tick: number;
  tickFloor: number;
  counts: Record<string, number>;
  outbox: number;
  jobRuns: number;
}

const hash = (n: number) => Math.imul(n + 1, 2654435761) >>> 0;

/** Results for most parts: one part in 20 still missing, one target in 100 not visited at all. */
function seedResults(path: string, days: readonly string[]): number {
  const db = new Database(path);
  let entered = 0;
  db.transaction(() => {
    const target = db.prepare(
      'insert or ignore into targets (uscc, name, kind, legal_rep, address, region, industry, scope, established, status, risk, phone) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const result = db.prepare(
      "insert into results (task_id, uscc, dept, team_no, categories, inspected_on, methods, note, followup, entered_by, entered_at, source, version) values (?, ?, ?, ?, ?, ?, ?, null, ?, ?, ?, 'import', 1)",
    );
    for (let t = 0; t < TASKS; t++)
      for (let k = 0; k < TARGETS; k++) {
        target.run(...syntheticTarget(t * TARGETS_PER_TASK + k).slice(0, 12));
        if (hash(t * 7919 + k) % 100 === 1) continue;
        const on = days[(k * 7 + t * 3) % days.length]!;
        DEPARTMENTS.forEach(([dept, method], d) => {
          const i = (t * TARGETS + k) * DEPARTMENTS.length + d;
          const x = hash(i);
          if (x % 20 === 0) return;
          const followup = x % 20 >= 18;
          result.run(
            taskId(t),
            usccOf(t, k),
            dept,
            Math.floor(k / TARGETS_PER_TEAM) + 1,
            JSON.stringify([followup ? 'PENDING_FOLLOWUP' : 'NO_ISSUE']),
            on,
            JSON.stringify([method]),
            followup ? '责令限期整改，到期复查' : null,
            `${dept}0001`,
            `${on}T10:00:00.000Z`,
          );
          entered++;
        });
      }
    db.prepare("update inspectors set open_id = 'ou_' || cert_no").run();
    db.prepare("update departments set head = 'ou_head_' || code").run();
  })();
  db.close();
  return entered;
}

/** The seeded history in a migrated SQLite file at `path`; returns the number of parts entered. */
export async function seedDigestHistory(path: string): Promise<number> {
  const days: string[] = [];
  for (let d = Date.parse(QUARTER.start); d <= Date.parse(QUARTER.end); d += 86_400_000)
    days.push(new Date(d).toISOString().slice(0, 10));
  await seedResultTasks(path, TASKS, QUARTER, TARGETS, { officersPerDept: OFFICERS_PER_DEPT });
  const entered = seedResults(path, days);
  // Migrated by the app once, so every copy opens current.
  await (await openApp(path)).close();
  return entered;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(f: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

const openApp = (path: string) =>
  createApp({ env: { DATABASE_URL: `file:${path}`, LOG_LEVEL: 'silent', JOINT_CHAT_ID: 'oc_bench' } });

/** What the digest's numbers rest on, read bare. */
function digestFloorReads(db: Database.Database): unknown[] {
  return [
    db.prepare('select task_id, dept, count(*) as n from results group by task_id, dept').all(),
    db
      .prepare(
        'select dept, count(*) as n, count(confirmed_at) as confirmed from team_members where active = 1 group by dept',
      )
      .all(),
  ];
}

export async function benchDigest(): Promise<DigestBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'liancha-bench-digest-'));
  try {
    const seed = join(dir, 'seed.db');
    const entered = await seedDigestHistory(seed);
    const parts = TASKS * TARGETS * DEPARTMENTS.length;
    console.error(`${TASKS} tasks, ${parts} parts, ${entered} entered: seeded`);

    // (a) The digest: one app, warm-up, then RUNS.
    const app = await openApp(seed);
    let digestBytes = 0;
    let pending = 0;
    let overdue = 0;
    const digestOnce = async () => {
      const data = await digestData(app, NOW);
      pending = data.departments.reduce((a, d) => a + d.pending, 0);
      overdue = data.departments.reduce((a, d) => a + d.overdue, 0);
      const card = digestCard(data);
      digestBytes = Buffer.byteLength(JSON.stringify(card));
    };
    await digestOnce();
    const digestRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) digestRuns.push(await timed(digestOnce));
    await app.close();
    const floorDb = new Database(seed, { readonly: true });
    digestFloorReads(floorDb);
    const digestFloorRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) digestFloorRuns.push(await timed(() => digestFloorReads(floorDb)));
    const members = (floorDb.prepare('select count(*) as n from team_members').get() as { n: number }).n;
    floorDb.close();
    console.error(`digest: ${median(digestRuns).toFixed(0)} ms (${digestBytes} bytes of card)`);

    // (b) The tick: each run on a fresh copy (warm-up first).
    let counts: Record<string, number> = {};
    let last = '';
    const tickOnce = async (n: number) => {
      const path = join(dir, `tick-${n}.db`);
      copyFileSync(seed, path);
      const a: App = await openApp(path);
      try {
        const ms = await timed(async () => (counts = await deadlineReminders(a, NOW, 'bench')));
        last = path;
        return ms;
      } finally {
        await a.close();
      }
    };
    await tickOnce(0);
    const tickRuns: number[] = [];
    for (let i = 1; i <= RUNS; i++) tickRuns.push(await tickOnce(i));
    console.error(`tick: ${median(tickRuns).toFixed(0)} ms, ${JSON.stringify(counts)}`);

    // (c) The tick's floor: the same reads, then the rows that tick wrote, inserted in one transaction.
    const written = new Database(last, { readonly: true });
    const outboxRows = written.prepare('select * from outbox').all() as Record<string, unknown>[];
    const jobRows = written.prepare('select * from job_runs').all() as Record<string, unknown>[];
    written.close();
    const tickFloorRuns: number[] = [];
    for (let i = 0; i <= RUNS; i++) {
      const path = join(dir, `floor-${i}.db`);
      copyFileSync(seed, path);
      const db = new Database(path);
      db.pragma('journal_mode = WAL');
      const insert = (table: string, rows: Record<string, unknown>[]) => {
        if (rows.length === 0) return;
        const cols = Object.keys(rows[0]!);
        const stmt = db.prepare(
          `insert into ${table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`,
        );
        for (const r of rows) stmt.run(...cols.map((c) => r[c]));
      };
      const ms = await timed(() => {
        digestFloorReads(db);
        db.prepare('select * from team_members').all();
        db.transaction(() => {
          insert('job_runs', jobRows);
          insert('outbox', outboxRows);
        })();
      });
      db.close();
      if (i > 0) tickFloorRuns.push(ms);
    }

    return {
      tasks: TASKS,
      parts,
      entered,
      members,
      digestBytes,
      pending,
      overdue,
      digest: median(digestRuns),
      digestFloor: median(digestFloorRuns),
      tick: median(tickRuns),
      tickFloor: median(tickFloorRuns),
      counts,
      outbox: outboxRows.length,
      jobRuns: jobRows.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Markdown section body for BENCHMARKS.md. */
export function digestReport(r: DigestBenchResult): string {
  const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 1 : 0)} ms`);
  const line = (what: string, m: number, floor: number, goal?: number) =>
    `| ${what} | ${ms(m)} | ${(m / floor).toFixed(1)}× | ${goal ? `≤ ${ms(goal)}` : '—'} | ${goal ? (m <= goal ? 'yes' : '**no**') : '—'} |`;
  return [
    `${r.tasks} locked tasks of ${TARGETS} drawn targets × ${DEPARTMENTS.length} departments (${r.parts.toLocaleString('en')} result parts, ` +
      `${r.entered.toLocaleString('en')} entered, ${r.pending.toLocaleString('en')} pending, ${r.overdue.toLocaleString('en')} overdue), ${r.members.toLocaleString('en')} team members ` +
      `(open_ids and department heads set), SQLite; at ${NOW.toISOString()} (a working day's 09:00 in Beijing). ` +
      `Median of ${RUNS} runs in one process after a warm-up; each tick on a fresh copy of the seeded file.`,
    '',
    '| step | median | × floor | goal | met? |',
    '| --- | --- | --- | --- | --- |',
    line(
      'floor: results counted per task and department, members per department (better-sqlite3)',
      r.digestFloor,
      r.digestFloor,
    ),
    line(
      `\`digestData\` + \`digestCard\` (${(r.digestBytes / 1024).toFixed(0)} KB card)`,
      r.digest,
      r.digestFloor,
      200,
    ),
    line(
      `floor: the same reads and all team members, then ${r.outbox.toLocaleString('en')} outbox rows and ${r.jobRuns.toLocaleString('en')} \`job_runs\` keys in one transaction`,
      r.tickFloor,
      r.tickFloor,
    ),
    line('`deadlineReminders` (a full reminder tick)', r.tick, r.tickFloor, 1000),
    '',
    `The tick queued ${(r.counts.reminded ?? 0).toLocaleString('en')} reminders and ${r.counts.escalated ?? 0} escalations ` +
      `(${r.counts.unreachable ?? 0} unreachable).`,
  ].join('\n');
}
