/**
 * One import, all or nothing, without holding the database's write lock for long: the whole file is read,
 * checked and classified first while nothing is written (the records to write go to a temporary staging
 * table); any problem anywhere means nothing is written and every problem is reported. Only then are the
 * staged records written, in short transactions (see apply.ts) — a bot callback waiting for the lock waits for
 * one of them, never for the whole file. A line met again exactly as it was when it wrote its row is unchanged
 * without being checked again (source-digest.ts): a re-import of an unchanged file reads it and the table's keys.
 */
import type { App } from '../app.ts';
import { UserError } from '../errors.ts';
import { appendAudit } from '../storage/audit.ts';
import { Bulk } from '../storage/import/bulk.ts';
import { RowReader } from './cells.ts';
import { isColumnName, resolveColumns } from './columns.ts';
import { KINDS, type ImportKind } from './kinds/index.ts';
import { loadReferences, type PendingRecord } from './kinds/kind.ts';
import { sanitize } from './excerpt.ts';
import { tempFilesFailure } from './temp-failure.ts';
import { Problems } from './problems.ts';
import { noProgress, type Progress } from './progress.ts';
import { APPLY_BATCH, applySorted, readTransaction, WriteUndone } from '../storage/import/apply.ts';
import { buildIndexes } from '../storage/import/indexes.ts';
import { TempFolder } from '../storage/import/record-file.ts';
import { SortedRuns } from '../storage/import/sorted-runs.ts';
import { scanKeys } from '../storage/import/scan.ts';
import { RowDigests } from './row-digests.ts';
import { sourceDigester } from './source-digest.ts';
import {
  classifyBatch,
  decodeRecord,
  encodeRecord,
  keyOf,
  SOURCE_DIGEST,
  tableIsEmpty,
  type Counts,
  type ImportRecord,
  type TableSpec,
} from '../storage/import/upsert.ts';
import { columnLetter, openTable, type Table, type TableFormat } from './read-table.ts';

export interface ImportOptions {
  kind: ImportKind;
  path: string;
  /** Validate and count, write nothing. */
  dryRun?: boolean;
  /** Rows per batch (reading, checking and lookups). */
  batchSize?: number;
  /** Records written per transaction. */
  applyBatchSize?: number;
  /** Characters of records sorted in memory before they go to disk, on a thread of their own (sorted-runs.ts). */
  sortBudget?: number;
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
      const folder = TempFolder.create();
      const sorted = new SortedRuns(folder, options.sortBudget);
      try {
        // Put back what an import killed half-way may have left dropped (nothing to do otherwise).
        if (!dryRun) await buildIndexes(db, spec.table);
        let startedEmpty = false;
        // 1. Check every row and tell what it would change, keeping the records to write in key order (sorted
        // runs on disk). Nothing here writes to the database, so no write lock is held however long the file is.
        await readTransaction(bulk, app.store, async () => {
          const refs = await loadReferences(bulk);
          startedEmpty = await tableIsEmpty(bulk, spec.table);
          // Only the keys stay in memory: the table's with the source digests of their rows, the file's with the
          // row each was first seen in (duplicates).
          const keys = new RowDigests();
          if (!startedEmpty) await addTableKeys(bulk, spec.table, keys);
          const digestOf = sourceDigester(spec.kind, spec.columns, columns);
          // The table rows a record may change: compared exactly when written (or, in a dry run, below).
          let compared = 0;
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
              const digest = digestOf(row.cells);
              const key = spec.key(reader);
              let entry = -1;
              let earlierRow = 0;
              if (key !== null) {
                entry = keys.inFile(key, row.rowNumber);
                earlierRow = keys.earlierRow;
                // The line that wrote this row, once more: it would write what the row holds (source-digest.ts).
                if (earlierRow === 0 && !spec.checkBatch && keys.wroteFrom(entry, digest)) {
                  summary.unchanged++;
                  continue;
                }
              }
              const record = spec.parse(reader, refs);
              if (earlierRow !== 0)
                reader.problem(keyField!, `duplicate: row ${earlierRow} has the same ${keyNames}`);
              if (record && !reader.failed) {
                record.row[SOURCE_DIGEST] = digest;
                pending.push({
                  rowNumber: row.rowNumber,
                  record,
                  // The entry stands for the row's key only when the key checked for duplicates is the row's.
                  entry: key === keyOf(spec.table, record.row) ? entry : undefined,
                });
              }
            }
            if (spec.checkBatch && pending.length > 0) pending = await spec.checkBatch(bulk, pending, report);
            // After the first problem nothing more is kept (it would not be written), but checking goes on.
            if (problems.count === 0)
              for (const { record, entry } of pending) {
                const key = keyOf(spec.table, record.row);
                if (keys.inTable(entry ?? keys.find(key))) compared++;
                else summary.added++;
                sorted.add(flatKey(key), encodeRecord(spec.table, record));
              }
            progress.update(table.bytesRead(), summary.rows);
            await sorted.settle();
          }
          // A dry run tells changed from unchanged as the write would: each record against its row.
          if (dryRun && problems.count === 0 && compared > 0) {
            const counts = await classifySorted(bulk, spec.table, sorted);
            summary.added = counts.added;
            summary.changed = counts.changed;
            summary.unchanged += counts.unchanged;
          }
        });
        if (problems.count > 0) throw new ImportRefused(summary, problems);
        if (dryRun) return;
        // 2. Write, in short transactions in key order; the audit entry goes in with the last one. Each write
        // looks its rows up again and compares them exactly: the counts written are the ones it found.
        progress.phase(`import ${spec.kind}: writing`, sorted.count);
        const unchanged = summary.unchanged;
        const total = (counts: Counts): Counts => ({ ...counts, unchanged: unchanged + counts.unchanged });
        const counts = await applySorted(
          db,
          app.store,
          spec.table,
          inKeyOrder(spec.table, sorted, options.applyBatchSize ?? APPLY_BATCH),
          {
            startedEmpty,
            undo: folder.file('undo'),
            last: (trx, counts) =>
              appendAudit(trx, {
                at: app.clock().toISOString(),
                actor: app.actor,
                action: `import.${spec.kind}`,
                subject: table.file,
                details: { sha256: table.sha256, format: table.format, rows: summary.rows, ...total(counts) },
              }).then(() => {}),
            onWritten: (written) => progress.update(written, written),
          },
        ).catch((err: unknown) => {
          if (!(err instanceof WriteUndone)) throw err;
          throw (
            tempFilesFailure(err, table.file, true) ??
            new UserError(
              'IMPORT.WRITE_FAILED',
              `${table.file}: the database refused a write part-way through (${sanitize(err.message, 80)}); ` +
                'what had been written was undone — nothing was imported',
            )
          );
        });
        Object.assign(summary, total(counts));
      } finally {
        await sorted.close();
        folder.remove();
      }
    });
    return summary;
  } catch (err) {
    // Temporary files that could not be written or read (a full disk, TMPDIR not writable): one line, not a stack.
    throw tempFilesFailure(err, table.file) ?? err;
  } finally {
    progress.stop();
    await table.close();
  }
}

/** The sorted records, decoded, `size` at a time. */
async function* inKeyOrder(
  spec: TableSpec,
  sorted: SortedRuns,
  size: number,
): AsyncGenerator<ImportRecord[]> {
  for await (const lines of sorted.merged(size)) yield lines.map((line) => decodeRecord(spec, line));
}

/** Every key the table holds, read in key order, into `keys` with its row's source digest. */
async function addTableKeys(bulk: Bulk, spec: TableSpec, keys: RowDigests): Promise<void> {
  for await (const rows of scanKeys(bulk, spec))
    for (const { key, digest } of rows) keys.addTableRow(key, digest);
}

/** The counts writing `sorted` would give, written nothing (a dry run). */
async function classifySorted(bulk: Bulk, spec: TableSpec, sorted: SortedRuns): Promise<Counts> {
  const counts: Counts = { added: 0, changed: 0, unchanged: 0 };
  for await (const batch of inKeyOrder(spec, sorted, APPLY_BATCH)) {
    const classified = await classifyBatch(bulk, spec, batch);
    counts.added += classified.counts.added;
    counts.changed += classified.counts.changed;
    counts.unchanged += classified.counts.unchanged;
  }
  return counts;
}

/**
 * A copy of `key` that holds nothing else alive. A cell's text can be a slice of the whole chunk of the file it
 * was parsed from (V8 shares the characters of substrings of 13 or more); keeping a million such keys in the
 * sort buffer kept the file's text in memory with them (540 MB for a million targets).
 */
const flatKey = (key: string): string => Buffer.from(key, 'utf8').toString('utf8');
