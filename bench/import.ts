/**
 * Directory import benchmark: a synthetic targets CSV (default 1,000,000 rows, valid USCCs, 1–3 departments
 * each) imported by `liancha import targets` in a fresh process into a fresh SQLite database, against the floor
 * of inserting the same rows, pre-parsed, with one prepared statement per table in one transaction.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { departmentsCsv, writeTargetsCsv } from './import-data.ts';
import { startLockProbe, type LockProbeResult } from './import-lock-probe.ts';
import { measureCli, measureScript, type Measurement } from './measure.ts';

export interface ImportBenchResult {
  rows: number;
  csvMb: number;
  /** `liancha import targets FILE`: the command's wall time and the process's peak RSS. */
  import: Measurement & { processMs: number; rowsPerSecond: number };
  /** Pre-parsed rows, one prepared statement per table, one transaction. */
  floor: Measurement;
  /** Another process writing to the same file every 20 ms during the import (busy timeout 3 s). */
  probe: LockProbeResult;
  /** import wall time ÷ floor wall time. */
  ratio: number;
}

export async function benchImport(opts: { rows?: number } = {}): Promise<ImportBenchResult> {
  const rows = opts.rows ?? 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'liancha-bench-import-'));
  try {
    const departments = join(dir, 'departments.csv');
    const targets = join(dir, 'targets.csv');
    writeFileSync(departments, departmentsCsv());
    const t0 = performance.now();
    await writeTargetsCsv(targets, rows);
    const csvMb = statSync(targets).size / 1024 / 1024;
    console.error(
      `${rows} synthetic targets (${csvMb.toFixed(0)} MB) written in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const dbPath = join(dir, 'import.db');
    const env = { DATABASE_URL: `file:${dbPath}` };
    measureCli(['import', 'departments', departments], env);
    const probe = await startLockProbe(dbPath);
    const started = performance.now();
    const imported = measureCli(['import', 'targets', targets], env);
    const processMs = performance.now() - started;
    const probed = await probe.stop();
    const db = new Database(dbPath, { readonly: true });
    const count = (db.prepare('select count(*) as n from targets').get() as { n: number }).n;
    db.close();
    if (count !== rows) throw new Error(`import left ${count} targets, expected ${rows}`);
    console.error(
      `import: ${(imported.ms / 1000).toFixed(1)} s, peak RSS ${imported.peakRssMb.toFixed(0)} MB`,
    );

    const floor = measureScript('bench/import-floor.ts', [`file:${join(dir, 'floor.db')}`, String(rows)]);
    console.error(`floor: ${(floor.ms / 1000).toFixed(1)} s`);
    return {
      rows,
      csvMb,
      import: { ...imported, processMs, rowsPerSecond: rows / (imported.ms / 1000) },
      floor,
      probe: probed,
      ratio: imported.ms / floor.ms,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Markdown table rows for BENCHMARKS.md. */
export function importReport(r: ImportBenchResult): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `${r.rows.toLocaleString('en')} targets (${r.csvMb.toFixed(0)} MB of UTF-8 CSV, 1–3 departments each) into a fresh SQLite database.`,
    '',
    '| step | wall time | rows/s | × floor | peak RSS |',
    '| --- | --- | --- | --- | --- |',
    `| floor: pre-parsed rows, one prepared statement per table, one transaction | ${s(r.floor.ms)} | ${Math.round(r.rows / (r.floor.ms / 1000)).toLocaleString('en')} | 1.00× | ${r.floor.peakRssMb.toFixed(0)} MB |`,
    `| \`liancha import targets\` (command) | ${s(r.import.ms)} | ${Math.round(r.import.rowsPerSecond).toLocaleString('en')} | ${r.ratio.toFixed(2)}× | ${r.import.peakRssMb.toFixed(0)} MB |`,
    `| the same, whole process (Node start-up included) | ${s(r.import.processMs)} | ${Math.round(r.rows / (r.import.processMs / 1000)).toLocaleString('en')} | ${(r.import.processMs / r.floor.ms).toFixed(2)}× | — |`,
    '',
    `Beside the import, another process wrote one row every 20 ms in its own transaction (busy timeout 3 s, as a ` +
      `card callback): ${r.probe.ok.toLocaleString('en')} writes committed, ${r.probe.failures.length} refused, ` +
      `the longest took ${Math.round(r.probe.maxMs)} ms.`,
  ].join('\n');
}
