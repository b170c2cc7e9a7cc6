import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fastest, fastestTimeLargestRss, measureCli, measureScript, type Measurement } from './measure.ts';
import { buildSyntheticCity, deptCode, writeBenchTask } from './synthetic-city.ts';

export interface DrawBenchResult {
  shape: { targets: number; officers: number; departments: number; regions: number };
  floor: Measurement;
  /** `liancha task show` on the same database: the process's fixed cost (Node, tsx, the libraries, the database). */
  processFloor: Measurement;
  /** The faster of two freezes (on two copies of the database), with the larger peak RSS of the two. */
  freeze: Measurement;
  /** Both measurements of the floor and of the freeze, interleaved; `floor` and `freeze` are the faster. */
  runs: { floor: Measurement[]; freeze: Measurement[] };
  run: Measurement;
  verify: Measurement;
}

/**
 * A synthetic city (default 1,000,000 targets, 2,000 officers in 10 departments and 20 regions) and a 5 %
 * stratified draw with six targets per team, timed step by step against the floor: reading the same eligible
 * rows and hashing their canonical text. The freeze and the floor are measured twice each, on two copies of the database.
 */
export async function benchDraw(opts: { targets?: number } = {}): Promise<DrawBenchResult> {
  const shape = { targets: opts.targets ?? 1_000_000, officers: 2000, departments: 10, regions: 20 };
  const dir = mkdtempSync(join(tmpdir(), 'liancha-bench-draw-'));
  const path = join(dir, 'city.db');
  const env = { DATABASE_URL: `file:${path}` };
  const t0 = performance.now();
  await buildSyntheticCity(path, shape);
  console.error(`synthetic city built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const taskFile = join(dir, 'task.yaml');
  writeBenchTask(taskFile, TASK, 'benchmark draw');
  measureCli(['task', 'create', taskFile], env);
  // The freeze is measured twice, on two copies of the database as it is now, interleaved with its floor (floor,
  // freeze, floor, freeze), and the faster of each is reported — on this shared machine one run can take half as
  // long again as another minutes apart, which a single pair turned into a ratio from 1.29× to 1.53× (2026-12-03),
  // as for the import. (Copies, not a second task: a second task's freeze has the first one's to read as well.)
  const copy = join(dir, 'city-copy.db');
  copyFileSync(path, copy);
  const processFloor = measureCli(['task', 'show', TASK], env);
  const runs: DrawBenchResult['runs'] = { floor: [], freeze: [] };
  for (const db of [path, copy]) {
    runs.floor.push(measureScript('bench/draw-floor.ts', [db, [0, 1, 2].map(deptCode).join(',')]));
    runs.freeze.push(
      measureCli(['draw', 'freeze', TASK, '--entropy-source', 'benchmark'], { DATABASE_URL: `file:${db}` }),
    );
  }
  const floor = fastest(runs.floor);
  const freeze = fastestTimeLargestRss(runs.freeze);
  const run = measureCli(['draw', 'run', TASK, '--entropy', '12345'], env);
  const verify = measureCli(['draw', 'verify', TASK], env);
  return { shape, floor, processFloor, freeze, runs, run, verify };
}

const TASK = 'BENCH-2026-001';

/** Peak RSS each step may reach (issue 13). */
const RSS_GOAL_MB = 300;

export function drawReport(r: DrawBenchResult): string {
  const mb = (m: Measurement) => `${m.peakRssMb.toFixed(0)} MB`;
  const both = (ms: Measurement[]) => ms.map((m) => `${(m.ms / 1000).toFixed(2)} s`).join(' and ');
  const row = (name: string, m: Measurement, goal: boolean) =>
    `| ${name} | ${(m.ms / 1000).toFixed(2)} s | ${(m.ms / r.floor.ms).toFixed(2)}× | ${mb(m)} | ` +
    (goal
      ? `+${(m.peakRssMb - r.processFloor.peakRssMb).toFixed(0)} MB | ${m.peakRssMb <= RSS_GOAL_MB ? 'yes' : '**no**'} |`
      : '— | — |');
  return [
    `${r.shape.targets.toLocaleString('en')} targets, ${r.shape.officers} officers, ${r.shape.departments} departments, ${r.shape.regions} regions; 5 % per risk class, 6 targets per team.`,
    '',
    `| step | wall time | × floor | peak RSS | above the process floor | ≤ ${RSS_GOAL_MB} MB? |`,
    '| --- | --- | --- | --- | --- | --- |',
    row(`floor: read eligible rows + hash canonical text (faster of ${both(r.runs.floor)})`, r.floor, false),
    row('process floor: `liancha task show` (no draw work)', r.processFloor, false),
    row(`\`draw freeze\` (faster of ${both(r.runs.freeze)}; the larger peak RSS)`, r.freeze, true),
    row('`draw run`', r.run, true),
    row('`draw verify`', r.verify, true),
  ].join('\n');
}
