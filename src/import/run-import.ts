/**
 * One import, all or nothing, without holding the database's write lock for long: the whole file is read,
 * checked and classified first while nothing is written (the records to write go to a temporary staging
 * table); any problem anywhere means nothing is written and every problem is reported. Only then are the
 * staged records written, in short transactions (see apply.ts) — a bot callback waiting for the lock waits for
 * one of them, never for the whole file.
 */
import type { App } from '../app.ts';
import { UserError } from '../errors.ts';
import { appendAudit } from '../storage/audit.ts';
import { Bulk } from '../storage/import/bulk.ts';
import { RowReader } from './cells.ts';
import { isColumnName, resolveColumns } from './columns.ts';
import { KeyIndex } from './key-index.ts';
import { KINDS, type ImportKind } from './kinds/index.ts';
import { loadReferences, type PendingRecord } from './kinds/kind.ts';
import { sanitize } from './excerpt.ts';
import { Problems } from './problems.ts';
import { noProgress, type Progress } from './progress.ts';
import { applyStaged, readTransaction, WriteUndone } from '../storage/import/apply.ts';
import { columnLetter, openTable, type Table, type TableFormat } from './read-table.ts';
import { Staging } from '../storage/import/staging.ts';
import { classifyBatch, tableIsEmpty } from '../storage/import/upsert.ts';

export interface ImportOptions {
  kind: ImportKind;
  path: string;
  /** Validate and count, write nothing. */
  dryRun?: boolean;
  /** Rows per batch (reading, checking and lookups). */
  batchSize?: number;
  /** Records written per transaction. */
  applyBatchSize?: number;
  /** Called once the file is open, e.g. to show a progress bar. */
  progress?: (table: Table) => Progress;
  /** Called for each warning (unknown columns) as soon as it is known. */
  onWarning?: (warning: string) => void;
}

/** A column as a problem names it: its header, or its Excel letter when the header cell is empty. */
export const columnName = (headers: readonly string[], index: number): string =>
  sanitize(headers[index] ?? '', 40) || columnLetter(index);

export interface ImportSummary {
  file: string;
  kind: ImportKind;
  format: TableFormat;
  sha256: string;
  dryRun: boolean;
  rows: number;
  added: number;
  changed: number;
  unchanged: number;
  warnings: string[];
}

/** The file had problems: nothing was written. (The results import refuses the same way, with its own summary.) */
export class ImportRefused<S extends { file: string } = ImportSummary> extends UserError {
  constructor(
    readonly summary: S,
    readonly problems: Problems,
  ) {
    super(
      'IMPORT.REFUSED',
      `${summary.file}: ${problems.count} problem${problems.count === 1 ? '' : 's'} — nothing was imported`,
    );
  }
}

/**
 * Imports one directory file.
 *
 * @example const summary = await runImport(app, { kind: 'targets', path: 'targets.csv' })
 */
export async function runImport(app: App, options: ImportOptions): Promise<ImportSummary> {
  const spec = KINDS[options.kind];
  const dryRun = options.dryRun ?? false;
  const table = await openTable(options.path, {
    batchSize: options.batchSize,
    isHeaderCell: (text) => isColumnName(spec.columns, text),
  });
  let progress: Progress = noProgress;
  try {
    const columns = resolveColumns(table.file, spec.kind, spec.columns, table.headers, table.headerRow);
    for (const w of columns.warnings) options.onWarning?.(w);
    const summary: ImportSummary = {
      file: table.file,
      kind: spec.kind,
      format: table.format,
      sha256: table.sha256,
      dryRun,
      rows: 0,
      added: 0,
      changed: 0,
      unchanged: 0,
      warnings: columns.warnings,
    };
    const problems = new Problems(table.file);
    const reader = new RowReader(columns, problems);
    const [keyField, ...otherKeyFields] = spec.duplicate;
    const keyNames = [keyField!, ...otherKeyFields].map((f) => columns.header[f]).join(' and ');
    const report = (row: number, field: string, reason: string) =>
      problems.add(row, columns.header[field] ?? field, reason);
    progress = options.progress?.(table) ?? noProgress;

    await app.store.db.connection().execute(async (db) => {
      const bulk = new Bulk(db, app.store);
      const staging = dryRun ? null : await Staging.create(bulk, app.store, spec.table);
      try {
        // 1. Check every row and classify it against the database, staging what is to be written. Nothing
        // here writes to the main database, so no write lock is held however long the file is.
        await readTransaction(bulk, app.store, async () => {
          const refs = await loadReferences(bulk);
          const startedEmpty = await tableIsEmpty(bulk, spec.table);
          // Only the keys stay in memory, for duplicate detection: key → the row it was first seen in.
          const seen = new KeyIndex();
          for await (const batch of table.rows()) {
            let pending: PendingRecord[] = [];
            for (const row of batch) {
              summary.rows++;
              if (row.undecodable) {
                for (const c of row.undecodable)
                  problems.add(row.rowNumber, columnName(table.headers, c), table.undecodableReason);
                continue;
              }
              reader.reset(row);
              const record = spec.parse(reader, refs);
              const key = spec.key(reader);
              if (key !== null) {
                const earlier = seen.firstSeen(key, row.rowNumber);
                if (earlier !== undefined)
                  reader.problem(keyField!, `duplicate: row ${earlier} has the same ${keyNames}`);
              }
              if (record && !reader.failed) pending.push({ rowNumber: row.rowNumber, record });
            }
            if (spec.checkBatch && pending.length > 0) pending = await spec.checkBatch(bulk, pending, report);
            // After the first problem nothing more is staged (it would not be written), but checking goes on.
            if (problems.count === 0) {
              const { counts, toWrite } = await classifyBatch(
                bulk,
                spec.table,
                pending.map((p) => p.record),
                startedEmpty,
              );
              summary.added += counts.added;
              summary.changed += counts.changed;
              summary.unchanged += counts.unchanged;
              await staging?.add(bulk, toWrite);
            }
            progress.update(table.bytesRead(), summary.rows);
          }
        });
        if (problems.count > 0) throw new ImportRefused(summary, problems);
        if (!staging) return;
        // 2. Write, in short transactions; the audit entry goes in with the last one.
        progress.phase(`import ${spec.kind}: writing`, staging.count);
        await staging.seal();
        await applyStaged(
          db,
          app.store,
          spec.table,
          staging,
          options.applyBatchSize,
          (trx) =>
            appendAudit(trx, {
              at: app.clock().toISOString(),
              actor: app.actor,
              action: `import.${spec.kind}`,
              subject: table.file,
              details: {
                sha256: table.sha256,
                format: table.format,
                rows: summary.rows,
                added: summary.added,
                changed: summary.changed,
                unchanged: summary.unchanged,
              },
            }).then(() => {}),
          (written) => progress.update(written, written),
        ).catch((err: unknown) => {
          if (!(err instanceof WriteUndone)) throw err;
          throw new UserError(
            'IMPORT.WRITE_FAILED',
            `${table.file}: the database refused a write part-way through (${sanitize(err.message, 80)}); ` +
              'what had been written was undone — nothing was imported',
          );
        });
      } finally {
        await staging?.drop();
      }
    });
    return summary;
  } finally {
    progress.stop();
    await table.close();
  }
}
