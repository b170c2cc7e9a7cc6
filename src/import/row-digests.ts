/**
 * Every key of an import in one index: the table's rows first, each with the source digest of the line that
 * last wrote it (source-digest.ts), then the file's keys as they come — so that one lookup per row of the file
 * tells whether the file had the key before (a duplicate), whether the table has it, and whether the row holds
 * exactly what this line would write (the same line wrote it). (Two indexes, one for each, held the same
 * million keys twice: 45 MB more.)
 */
import { KeyIndex } from './key-index.ts';

export class RowDigests {
  private readonly index = new KeyIndex();
  /** Entries below this are rows of the table; the ones above, keys only the file has. */
  private tableRows = 0;
  /** Per table row, its source digest; NaN, equal to none, when it has none (written before digests were kept). */
  private digests = new Float64Array(1 << 12);

  /** Remembers a row of the table under its key, with its stored source digest (null: none). */
  addTableRow(key: string, digest: number | string | null): void {
    const n = this.index.entry(key);
    if (n < this.tableRows) return; // the table's keys are unique: only a repeated page could repeat one
    if (n === this.digests.length) {
      const bigger = new Float64Array(n * 2);
      bigger.set(this.digests);
      this.digests = bigger;
    }
    // PostgreSQL gives a bigint as text.
    this.digests[n] = digest === null ? NaN : Number(digest);
    this.tableRows = n + 1;
  }

  /**
   * Notes that the file has `key` at `rowNumber` (≥ 1). Returns the key's entry and sets `earlierRow` to the row
   * of the file that had the key first, or to 0 when this is the first (a field, not an object: no allocation
   * for each of a million rows).
   */
  inFile(key: string, rowNumber: number): number {
    const e = this.index.entry(key);
    this.earlierRow = this.index.rowAt(e);
    if (this.earlierRow === 0) this.index.setRow(e, rowNumber);
    return e;
  }

  earlierRow = 0;

  /** The entry of `key` when the table or the file has it, otherwise -1; adds nothing. */
  find(key: string): number {
    return this.index.entryOf(key);
  }

  /** Whether the entry (from `inFile` or `find`) is a row of the table. */
  inTable(entry: number): boolean {
    return entry >= 0 && entry < this.tableRows;
  }

  /** Whether the table's row at `entry` was written from a line with this source digest. */
  wroteFrom(entry: number, digest: number): boolean {
    return this.inTable(entry) && this.digests[entry] === digest;
  }
}
