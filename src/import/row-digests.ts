/**
 * What the table already holds, as one 64-bit digest per row (its columns and its set of child values), so
 * that a re-import tells unchanged rows from changed ones while it reads the file, in file order, without
 * looking each row up in the database: a million lookups in file order jump all over the key index (31 s for a
 * million targets), where reading the table once in key order and hashing it takes a few seconds. Only the
 * rows whose digest differs, or that are new, go on to be written — and the write looks each of those up and
 * compares it exactly, so a digest can only ever save work, never decide a write on its own. (Two different
 * rows with one 64-bit digest — about one chance in 10^13 in a million-row table — would be counted unchanged
 * and not written; importing a corrected file writes it.)
 */
import type { DbValue } from '../storage/import/bulk.ts';
import type { ImportRecord, TableSpec } from '../storage/import/upsert.ts';
import { KeyIndex } from './key-index.ts';

/** Beyond any UTF-16 code unit: marks a null and the end of a value, so that no two rows hash the same text. */
const NULL = 0x10000;
const END = 0x10001;

/**
 * Two 32-bit lanes (FNV-1a and a multiply–xorshift) over the UTF-16 code units. Hand-written: Node's crypto
 * hashes cost a call and a buffer per row, five times this.
 */
class Digest {
  a = 0x811c9dc5;
  b = 0x9747b28c;

  private unit(c: number): void {
    this.a = Math.imul(this.a ^ c, 0x01000193);
    const b = Math.imul(this.b ^ c, 0x5bd1e995);
    this.b = b ^ (b >>> 15);
  }

  value(v: DbValue | undefined): void {
    if (v === null || v === undefined) this.unit(NULL);
    else {
      const s = typeof v === 'string' ? v : String(v);
      for (let i = 0; i < s.length; i++) this.unit(s.charCodeAt(i));
    }
    this.unit(END);
  }
}

/** The digest of a table row: its values in `spec.columns` order, then its child values as a set. */
function tableRowDigest(spec: TableSpec, values: readonly DbValue[], children: readonly string[]): Digest {
  const d = new Digest();
  for (const v of values) d.value(v);
  childDigest(spec, d, children);
  return d;
}

/** The digest of a record from the file, the same way as its row would have. */
function recordDigest(spec: TableSpec, record: ImportRecord): Digest {
  const d = new Digest();
  for (const c of spec.columns) d.value(record.row[c]);
  childDigest(spec, d, record.children);
  return d;
}

function childDigest(spec: TableSpec, d: Digest, children: readonly string[] | undefined): void {
  if (!spec.children) return;
  // A set: the same values in any order are the same row.
  const sorted = children && children.length > 1 ? [...children].sort() : (children ?? []);
  for (const v of sorted) d.value(v);
}

export type RowState = 'added' | 'changed' | 'unchanged';

/**
 * Every key of the import in one index: the table's rows first (with their digests), then the file's keys as
 * they come — so that one lookup per row of the file tells both whether the file had the key before (a
 * duplicate) and which row of the table it would change. (Two indexes, one for each, held the same million
 * keys twice: 45 MB more.)
 */
export class RowDigests {
  private readonly index = new KeyIndex();
  /** Entries below this are rows of the table; the ones above, keys only the file has. */
  private tableRows = 0;
  private a = new Uint32Array(1 << 12);
  private b = new Uint32Array(1 << 12);

  constructor(private readonly spec: TableSpec) {}

  /** Remembers a row of the table under its key: its values in `spec.columns` order and its child values. */
  addTableRow(key: string, values: readonly DbValue[], children: readonly string[]): void {
    const n = this.index.entry(key);
    if (n < this.tableRows) return; // the table's keys are unique: only a repeated page could repeat one
    if (n === this.a.length) {
      this.a = grow(this.a);
      this.b = grow(this.b);
    }
    const d = tableRowDigest(this.spec, values, children);
    this.a[n] = d.a;
    this.b[n] = d.b;
    this.tableRows = n + 1;
  }

  /**
   * Notes that the file has `key` at `rowNumber` (≥ 1). Returns the entry for `state` and sets `earlierRow` to
   * the row of the file that had the key first, or to 0 when this is the first (a field, not an object: no
   * allocation for each of a million rows).
   */
  inFile(key: string, rowNumber: number): number {
    const e = this.index.entry(key);
    this.earlierRow = this.index.rowAt(e);
    if (this.earlierRow === 0) this.index.setRow(e, rowNumber);
    return e;
  }

  earlierRow = 0;

  /** The entry of `key` when the table or the file has it, otherwise -1 (`state` says 'added'); adds nothing. */
  find(key: string): number {
    return this.index.entryOf(key);
  }

  /** Whether `record` (at `entry`, from `inFile`) is new to the table, differs from its row, or matches it. */
  state(entry: number, record: ImportRecord): RowState {
    if (entry < 0 || entry >= this.tableRows) return 'added';
    const d = recordDigest(this.spec, record);
    // `>>> 0`: the lanes are signed 32-bit integers, the arrays hold them unsigned.
    return this.a[entry] === d.a >>> 0 && this.b[entry] === d.b >>> 0 ? 'unchanged' : 'changed';
  }
}

function grow(array: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const bigger = new Uint32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
