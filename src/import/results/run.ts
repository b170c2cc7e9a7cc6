/**
 * `liancha results import FILE`: bulk result entry, all or nothing. The file is read with the directory imports'
 * machinery (CSV in UTF-8 or GBK, or XLSX; Chinese or English headers; `row N, column C: reason` problems; the
 * progress bar) and every row is checked — against its task (locked, the target drawn, the department one of the
 * task's) and the domain's result rules — while nothing is written. Any problem: nothing is written. Otherwise
 * every row is upserted by (task, USCC, department) in one transaction, with one audit entry per task holding
 * each row's values (every version of a result is in the log, as for chat entry).
 */
import type { App } from '../../app.ts';
import type { CategoryList } from '../../domain/result.ts';
import { localDate } from '../../domain/time.ts';
import { UserError } from '../../errors.ts';
import { resultCategories } from '../../services/result-categories.ts';
import { appendAudit } from '../../storage/audit.ts';
import { lockTasksForResults, partKey, resultVersions } from '../../storage/result-import.ts';
import { writeImportedResults } from '../../storage/results.ts';
import { RowReader } from '../cells.ts';
import { isColumnName, resolveColumns } from '../columns.ts';
import { KeyIndex } from '../key-index.ts';
import { Problems } from '../problems.ts';
import { noProgress, type Progress } from '../progress.ts';
import { openTable, type Table, type TableFormat } from '../read-table.ts';
import { columnName, ImportRefused } from '../run-import.ts';
import { RESULT_COLUMNS } from './columns.ts';
import { checkRow, ResultRules, rowKey, type ImportedResult } from './rows.ts';
import { stateRefusal, TaskContexts } from './tasks.ts';

export interface ResultsImportOptions {
  path: string;
  /** Check everything and count, write nothing. */
  dryRun?: boolean;
  /** Rows per batch read from the file. */
  batchSize?: number;
  /** Called once the file is open, e.g. to show a progress bar. */
  progress?: (table: Table) => Progress;
  /** Called for each warning (unknown columns) as soon as it is known. */
  onWarning?: (warning: string) => void;
  /** The category list (tests); the versioned data file by default. */
  categories?: CategoryList;
}

export interface TaskImportCounts {
  id: string;
  rows: number;
  inserted: number;
  replaced: number;
}

export interface ResultsImportSummary {
  file: string;
  format: TableFormat;
  sha256: string;
  dryRun: boolean;
  rows: number;
  inserted: number;
  replaced: number;
  /** Each task the file names, in the order it first appears. */
  tasks: TaskImportCounts[];
  warnings: string[];
}

/**
 * The values of each row in a task's audit entry, in this order (one array per row: a 100,000-row import's
 * entry is about the size of the file, not several times it). Who entered the rows and when are the entry's own
 * `actor` and `at`; their source is `import`.
 */
export const AUDIT_ROW_FIELDS = [
  'uscc',
  'dept',
  'team',
  'categories',
  'inspectedOn',
  'methods',
  'note',
  'followup',
  'version',
] as const;

const auditRow = (r: ImportedResult, version: number) => [
  r.uscc,
  r.dept,
  r.team,
  r.categories,
  r.inspectedOn,
  r.methods,
  r.note,
  r.followup,
  version,
];

/** Rows per `writeImportedResults` call inside the one transaction (the progress bar moves after each). */
const WRITE_CHUNK = 5000;

/**
 * Imports one results file.
 *
 * @example const summary = await runResultsImport(app, { path: 'results.csv' })
 */
export async function runResultsImport(
  app: App,
  options: ResultsImportOptions,
): Promise<ResultsImportSummary> {
  const dryRun = options.dryRun ?? false;
  const list = options.categories ?? resultCategories();
  const now = app.clock();
  const today = localDate(now, app.config.LIANCHA_TZ);
  const rules = new ResultRules(list, today);
  const table = await openTable(options.path, {
    batchSize: options.batchSize,
    isHeaderCell: (text) => isColumnName(RESULT_COLUMNS, text),
  });
  let progress: Progress = noProgress;
  try {
    const columns = resolveColumns(table.file, 'results', RESULT_COLUMNS, table.headers, table.headerRow);
    for (const w of columns.warnings) options.onWarning?.(w);
    const problems = new Problems(table.file);
    const reader = new RowReader(columns, problems);
    const tasks = new TaskContexts(app.store.db, today);
    const seen = new KeyIndex();
    const keyNames = `${columns.header.task}, ${columns.header.uscc} and ${columns.header.department}`;
    /** The rows to write, by task in order of first appearance; dropped once any row has a problem. */
    const byTask = new Map<string, ImportedResult[]>();
    let rows = 0;
    progress = options.progress?.(table) ?? noProgress;

    for await (const batch of table.rows()) {
      // The tasks this batch names, loaded (once per import) before its rows are checked.
      await tasks.load(
        batch.flatMap((row) => {
          reader.reset(row);
          const id = reader.str('task');
          return id ? [id] : [];
        }),
      );
      for (const row of batch) {
        rows++;
        if (row.undecodable) {
          for (const c of row.undecodable)
            problems.add(row.rowNumber, columnName(table.headers, c), table.undecodableReason);
          continue;
        }
        reader.reset(row);
        const id = reader.str('task');
        const result = checkRow(reader, id ? tasks.get(id) : undefined, rules);
        const key = rowKey(reader);
        if (key !== null) {
          const earlier = seen.firstSeen(key, row.rowNumber);
          if (earlier !== undefined)
            reader.problem('uscc', `duplicate: row ${earlier} has the same ${keyNames}`);
        }
        if (problems.count > 0) byTask.clear();
        else if (result) {
          let mine = byTask.get(result.taskId);
          if (!mine) byTask.set(result.taskId, (mine = []));
          mine.push(result);
        }
      }
      progress.update(table.bytesRead(), rows);
    }

    const counted = (versions: (id: string) => Map<string, number>) =>
      [...byTask].map(([id, results]): TaskImportCounts => {
        const old = versions(id);
        const replaced = results.filter((r) => old.has(partKey(r.uscc, r.dept))).length;
        return { id, rows: results.length, inserted: results.length - replaced, replaced };
      });
    const summary: ResultsImportSummary = {
      file: table.file,
      format: table.format,
      sha256: table.sha256,
      dryRun,
      rows,
      inserted: 0,
      replaced: 0,
      tasks: [],
      warnings: columns.warnings,
    };
    const total = (counts: TaskImportCounts[]) => {
      summary.tasks = counts;
      summary.inserted = counts.reduce((n, t) => n + t.inserted, 0);
      summary.replaced = counts.reduce((n, t) => n + t.replaced, 0);
    };
    if (problems.count > 0) throw new ImportRefused(summary, problems);
    if (dryRun || rows === 0) {
      // What the import would replace (the import reads it again inside its transaction).
      const saved = new Map<string, Map<string, number>>();
      for (const id of byTask.keys()) saved.set(id, await resultVersions(app.store.db, id));
      total(counted((id) => saved.get(id)!));
      return summary;
    }

    // One transaction: every row and every task's audit entry, or nothing. The tasks' states and the saved
    // versions are read again inside it (locked on PostgreSQL): a close, a void or a chat edit since the check
    // is seen here, not overwritten.
    progress.phase('results import: writing', rows);
    const at = now.toISOString();
    await app.store.db.transaction().execute(async (trx) => {
      const states = await lockTasksForResults(trx, [...byTask.keys()]);
      for (const id of byTask.keys()) {
        const state = states.get(id);
        const refusal = state ? stateRefusal({ id, ...state }) : `task ${id} no longer exists`;
        if (refusal !== null)
          throw new UserError(
            'RESULTS.TASK_CHANGED',
            `${table.file}: ${refusal} (it changed while the file was being checked) — nothing was imported`,
          );
      }
      const tasks: TaskImportCounts[] = [];
      let written = 0;
      for (const [id, results] of byTask) {
        const old = await resultVersions(trx, id, { lock: true });
        const audited: unknown[][] = new Array(results.length);
        let replaced = 0;
        for (let i = 0; i < results.length; i += WRITE_CHUNK) {
          const chunk = results.slice(i, i + WRITE_CHUNK);
          const versions = chunk.map((r) => (old.get(partKey(r.uscc, r.dept)) ?? 0) + 1);
          await writeImportedResults(trx, app.store, chunk, versions, { by: app.actor, at });
          for (let k = 0; k < chunk.length; k++) {
            const version = versions[k]!;
            if (version > 1) replaced++;
            audited[i + k] = auditRow(chunk[k]!, version);
          }
          written += chunk.length;
          progress.update(written, written);
        }
        const counts = { id, rows: results.length, inserted: results.length - replaced, replaced };
        tasks.push(counts);
        await appendAudit(trx, {
          at,
          actor: app.actor,
          action: 'results.import',
          subject: id,
          details: {
            file: table.file,
            sha256: table.sha256,
            format: table.format,
            categoriesVersion: list.version,
            rows: counts.rows,
            inserted: counts.inserted,
            replaced: counts.replaced,
            fields: AUDIT_ROW_FIELDS,
            results: audited,
          },
        });
      }
      total(tasks);
    });
    return summary;
  } finally {
    progress.stop();
    await table.close();
  }
}
