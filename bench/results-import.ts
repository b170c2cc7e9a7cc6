/**
 * Results-import benchmark: a province's quarter of result parts (default 100,000: 25 locked tasks × 1,000
 * drawn targets × 4 departments) entered by `liancha results import FILE` in a fresh process, against the floor
 * of inserting the same rows, pre-parsed, with one prepared statement in one transaction. Also the same file
 * with `--dry-run` (reading and checking only) and imported a second time (every part replaced, version 2).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { measureCli, measureScript, type Measurement } from './measure.ts';
import { lastQuarter, PARTS_PER_TASK, seedResultTasks, writeResultsCsv } from './results-data.ts';

export interface ResultsImportBenchResult {
  rows: number;
  tasks: number;
  csvMb: number;
  floor: Measurement;
  dryRun: Measurement;
  import: Measurement;
  reimport: Measurement;
  /** The largest and the total size of the import's audit entries' details, in bytes. */
  audit: { entries: number; maxBytes: number; totalBytes: number };
}

export async function benchResultsImport(opts: { rows?: number } = {}): Promise<ResultsImportBenchResult> {
  const rows = opts.rows ?? 100_000;
  const tasks = Math.ceil(rows / PARTS_PER_TASK);
  const dir = mkdtempSync(join(tmpdir(), 'liancha-bench-results-'));
  try {
    const quarter = lastQuarter(new Date());
    const dbPath = join(dir, 'results.db');
    const file = join(dir, 'results.csv');
    await seedResultTasks(dbPath, tasks, quarter);
    await writeResultsCsv(file, rows, quarter.days);
    const csvMb = statSync(file).size / 1024 / 1024;
    console.error(`${rows} result parts for ${tasks} tasks (${csvMb.toFixed(1)} MB) written`);

    const env = { DATABASE_URL: `file:${dbPath}` };
    const check = (m: Measurement & { code?: number }, what: string) => {
      if (m.code !== 0) throw new Error(`${what} exited with ${m.code}`);
      console.error(`${what}: ${(m.ms / 1000).toFixed(2)} s, peak RSS ${m.peakRssMb.toFixed(0)} MB`);
      return m;
    };
    const dryRun = check(measureCli(['results', 'import', file, '--dry-run'], env), 'dry run');
    const imported = check(measureCli(['results', 'import', file], env), 'import');
    const db = new Database(dbPath, { readonly: true });
    const count = (db.prepare('select count(*) as n from results').get() as { n: number }).n;
    const audit = db
      .prepare(
        "select count(*) as entries, max(length(cast(details as blob))) as maxBytes, sum(length(cast(details as blob))) as totalBytes from audit_log where action = 'results.import'",
      )
      .get() as ResultsImportBenchResult['audit'];
    db.close();
    if (count !== rows) throw new Error(`import left ${count} results, expected ${rows}`);
    const reimport = check(measureCli(['results', 'import', file], env), 're-import');

    const floor = check(
      measureScript('bench/results-floor.ts', [join(dir, 'floor.db'), String(rows), String(tasks)]),
      'floor',
    );
    return { rows, tasks, csvMb, floor, dryRun, import: imported, reimport, audit };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Markdown table rows for BENCHMARKS.md. */
export function resultsImportReport(r: ResultsImportBenchResult): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const line = (what: string, m: Measurement) =>
    `| ${what} | ${s(m.ms)} | ${Math.round(r.rows / (m.ms / 1000)).toLocaleString('en')} | ${(m.ms / r.floor.ms).toFixed(2)}× | ${m.peakRssMb.toFixed(0)} MB |`;
  return [
    `${r.rows.toLocaleString('en')} result parts (${r.csvMb.toFixed(1)} MB of UTF-8 CSV, Chinese headers) for ${r.tasks} locked tasks of 1,000 drawn targets × 4 departments, into SQLite.`,
    '',
    '| step | wall time | rows/s | × floor | peak RSS |',
    '| --- | --- | --- | --- | --- |',
    line('floor: pre-parsed rows, one prepared statement, one transaction', r.floor),
    line('`liancha results import --dry-run` (read and check only)', r.dryRun),
    line('`liancha results import` (command)', r.import),
    line('the same file again (every part replaced, version 2)', r.reimport),
    '',
    `Audit: ${r.audit.entries} \`results.import\` entries, the largest ${(r.audit.maxBytes / 1024).toFixed(0)} KB of details, ` +
      `${(r.audit.totalBytes / 1024 / 1024).toFixed(1)} MB in all.`,
  ].join('\n');
}
