/**
 * The digest of a row of an import file as it was read — its cells, before any checking — stored with the row
 * it wrote (`source_digest`), so that importing the same line again is known to change nothing without
 * checking its cells or reading the row back: a re-import of a million unchanged targets reads the table's keys
 * and digests and the file's lines, and nothing more (checking every cell and reading every row was most of its
 * 14–17 s).
 *
 * A line gives the same row as long as three things hold, and the digest covers each:
 * - its cells: every cell of the kind's columns, in the kind's column order (so reordered or extra columns in
 *   the file change nothing), each with its type (an Excel number is not the text of that number);
 * - the rules that read them: `RULES_VERSION` and liancha's version are in the digest, so a release that reads
 *   cells differently checks every line again (and records new digests);
 * - what a row is checked against: only ever grows (departments, inspectors and targets are never deleted), so
 *   a line that passed then passes now.
 * Nothing but an import writes the directory tables; a row changed by hand in SQL keeps its digest and would be
 * kept as it is by a re-import of the line that wrote it (README, "Re-imports are quick").
 *
 * Two lanes of 32 bits (FNV-1a and a multiply–xorshift) over the UTF-16 code units, kept as one 53-bit integer
 * (exact in a JS number, in SQLite's INTEGER and PostgreSQL's bigint). Hand-written: Node's crypto hashes cost a
 * call and a buffer per row, five times this. A changed line taken for unchanged needs its 53-bit digest to
 * equal its own row's old one: one chance in 9·10^15 per changed line.
 */
import { readFileSync } from 'node:fs';
import type { ColumnDef, ResolvedColumns } from './columns.ts';
import type { Cell } from './read-table.ts';
import { projectPath } from '../paths.ts';

/**
 * Change this when a release reads some cell differently (a new check, another normalisation, a column's
 * meaning): every line is then checked again on its next import. liancha's version is in the digest too.
 */
export const RULES_VERSION = 1;

/** Beyond any UTF-16 code unit: mark an absent cell, a cell's type and its end, so that cells never run together. */
const ABSENT = 0x10000;
const END = 0x10001;
const TYPE = { string: 0x10002, number: 0x10003, boolean: 0x10004, date: 0x10005 } as const;

class Lanes {
  a = 0x811c9dc5;
  b = 0x9747b28c;

  unit(c: number): void {
    this.a = Math.imul(this.a ^ c, 0x01000193);
    const b = Math.imul(this.b ^ c, 0x5bd1e995);
    this.b = b ^ (b >>> 15);
  }

  text(s: string): void {
    for (let i = 0; i < s.length; i++) this.unit(s.charCodeAt(i));
    this.unit(END);
  }

  cell(v: Cell | undefined): void {
    if (v === null || v === undefined) this.unit(ABSENT);
    else if (typeof v === 'string') {
      this.unit(TYPE.string);
      this.text(v);
    } else if (v instanceof Date) {
      this.unit(TYPE.date);
      this.text(Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString());
    } else {
      this.unit(typeof v === 'number' ? TYPE.number : TYPE.boolean);
      this.text(String(v));
    }
  }
}

let version: string | undefined;
const liancha = (): string =>
  (version ??= (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string })
    .version);

/**
 * The digest function of one import: `kind` read through `columns` (the file's header, resolved). Returns the
 * digest of a row's cells.
 *
 * @example const digestOf = sourceDigester('targets', KINDS.targets.columns, resolved); digestOf(row.cells)
 */
export function sourceDigester<F extends string>(
  kind: string,
  defs: readonly ColumnDef<F>[],
  columns: ResolvedColumns<F>,
): (cells: readonly Cell[]) => number {
  const seed = new Lanes();
  seed.text(`liancha ${liancha()} rules ${RULES_VERSION} ${kind}`);
  const { a: a0, b: b0 } = seed;
  // -1: the kind's column is not in the file (hashed as an absent cell, like an empty cell past a short row's end).
  const at = Int32Array.from(defs, (d) => columns.index[d.field] ?? -1);
  const other = new Lanes();
  // The lanes in locals, and a text cell (all of a CSV's) hashed inline: a method call and two field writes per
  // code unit took four times as long (1.2 s for a million targets of 100 code units, 0.3 s this way).
  return (cells) => {
    let a = a0;
    let b = b0;
    for (let k = 0; k < at.length; k++) {
      const v = at[k]! < 0 ? undefined : cells[at[k]!];
      if (typeof v !== 'string') {
        // An Excel number, date or boolean, or an absent cell: through the plain lanes.
        other.a = a;
        other.b = b;
        other.cell(v);
        a = other.a;
        b = other.b;
        continue;
      }
      // What `other.cell(v)` would do for text: its type, its code units, its end.
      for (let i = -1; i <= v.length; i++) {
        const c = i < 0 ? TYPE.string : i < v.length ? v.charCodeAt(i) : END;
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x5bd1e995);
        b ^= b >>> 15;
      }
    }
    // 32 bits of `a` and the top 21 of `b`: a non-negative integer below 2^53.
    return (a >>> 0) * 0x200000 + ((b >>> 0) >>> 11);
  };
}
