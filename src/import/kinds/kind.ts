import { knownDepartments } from '../../storage/import/references.ts';
import type { Bulk } from '../../storage/import/bulk.ts';
import type { RowReader } from '../cells.ts';
import { quote } from '../cells.ts';
import type { ColumnDef } from '../columns.ts';
import type { ImportRecord, TableSpec } from '../../storage/import/upsert.ts';

import type { ImportKind } from './names.ts';

export { IMPORT_KINDS, type ImportKind } from './names.ts';

/** What rows are checked against, loaded once per import inside its transaction. */
export interface References {
  departments: Set<string>;
}

/** A parsed row waiting for its batch to be checked and written. */
export interface PendingRecord {
  rowNumber: number;
  record: ImportRecord;
  /** Its key's entry in the import's RowDigests, when the key it was checked for duplicates by is its row's. */
  entry?: number;
}

export type Report<F extends string> = (rowNumber: number, field: F, reason: string) => void;

/** One import kind: its columns, how a row becomes a record, and the table it goes to. */
export interface KindSpec<F extends string> {
  kind: ImportKind;
  columns: readonly ColumnDef<F>[];
  table: TableSpec;
  /** The natural key of a row from its cells as normalised text, null when a key cell is empty. */
  key(r: RowReader<F>): string | null;
  /** The key's columns, as a duplicate-row problem names them (the first is the problem's column). */
  duplicate: readonly F[];
  /** A row as a record, or null when any cell had a problem (reported through `r`). */
  parse(r: RowReader<F>, refs: References): ImportRecord | null;
  /**
   * Checks needing the database for each batch (e.g. conflicts' inspectors and targets); returns the rows that
   * pass. A kind with such checks has every line checked on every import, even the line that wrote its row.
   */
  checkBatch?(bulk: Bulk, pending: PendingRecord[], report: Report<F>): Promise<PendingRecord[]>;
}

export async function loadReferences(bulk: Bulk): Promise<References> {
  return { departments: await knownDepartments(bulk) };
}

/** A department code that must already be in the database. */
export function department<F extends string>(r: RowReader<F>, field: F, refs: References): string | null {
  const code = r.text(field, true);
  if (code === null) return null;
  if (!refs.departments.has(code)) {
    r.problem(field, `unknown department ${quote(code)} (not in the database: import departments first)`);
    return null;
  }
  return code;
}

/** Several department codes, each of which must already be in the database. */
export function departmentList<F extends string>(r: RowReader<F>, field: F, refs: References): string[] {
  const codes = r.list(field, true);
  const unknown = codes.filter((c) => !refs.departments.has(c));
  if (unknown.length > 0) {
    r.problem(
      field,
      `unknown department${unknown.length > 1 ? 's' : ''} ${unknown.map(quote).join(', ')} (not in the database: import departments first)`,
    );
    return [];
  }
  return codes;
}
