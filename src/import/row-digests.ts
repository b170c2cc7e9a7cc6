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
import type { DbRow, DbValue } from '../storage/import/bulk.ts';
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

function digestOf(spec: TableSpec, row: DbRow, children: readonly string[] | undefined): Digest {
  const d = new Digest();
  for (const c of spec.columns) d.value(row[c]);
  if (spec.children) {
    // A set: the same values in any order are the same row.
    const sorted = children && children.length > 1 ? [...children].sort() : (children ?? []);
    for (const v of sorted) d.value(v);
  }
  return d;
}

export type RowState = 'added' | 'changed' | 'unchanged';

export class RowDigests {
  private readonly index = new KeyIndex();
  private a = new Uint32Array(1 << 12);
  private b = new Uint32Array(1 << 12);

  constructor(private readonly spec: TableSpec) {}

  /** Remembers a row of the table under its key. */
  add(key: string, row: DbRow, children: readonly string[] | undefined): void {
    const n = this.index.size;
    if (this.index.firstSeen(key, n) !== undefined) return;
    if (n === this.a.length) {
      this.a = grow(this.a);
      this.b = grow(this.b);
    }
    const d = digestOf(this.spec, row, children);
    this.a[n] = d.a;
    this.b[n] = d.b;
  }

  /** Whether `record` (under `key`) is new to the table, differs from its row, or matches it. */
  state(key: string, record: ImportRecord): RowState {
    const n = this.index.find(key);
    if (n === undefined) return 'added';
    const d = digestOf(this.spec, record.row, record.children);
    // `>>> 0`: the lanes are signed 32-bit integers, the arrays hold them unsigned.
    return this.a[n] === d.a >>> 0 && this.b[n] === d.b >>> 0 ? 'unchanged' : 'changed';
  }
}

function grow(array: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const bigger = new Uint32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
