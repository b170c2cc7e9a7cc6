import { normalizeDate } from '../domain/date-input.ts';
import { idCardProblem } from '../domain/id-card.ts';
import { usccProblem } from '../domain/uscc.ts';
import type { ResolvedColumns } from './columns.ts';
import { normalizeContact } from './contact.ts';
import type { Problems } from './problems.ts';
import type { Cell, TableRow } from './read-table.ts';
import type { Vocabulary } from './values.ts';

const MULTI_SEPARATOR = /[;；、]/;
const ASCII_CODE = /^[A-Za-z0-9_-]+$/;
const REGION = /^\d{6}$/;

/**
 * A cell value quoted for a message, shortened so that one bad cell cannot flood the output. An identity number
 * typed into the wrong column is masked: identity numbers are never printed.
 */
export function quote(text: string): string {
  const masked = maskIdNumbers(text);
  return `'${masked.length > 40 ? masked.slice(0, 39) + '…' : masked}'`;
}

/** Replaces every valid identity number in `text` with `[ID number]`. */
export const maskIdNumbers = (text: string): string =>
  text.replace(/\d{17}[\dXx]/g, (m) => (idCardProblem(m) === null ? '[ID number]' : m));

/**
 * Reads the cells of one row by field, trimming them and checking them; every problem goes to `problems`
 * as `row N, column C: reason`. One instance serves a whole file: `reset` moves it to the next row.
 */
export class RowReader<F extends string> {
  row: TableRow = { rowNumber: 0, cells: [] };
  /** True once any cell of the current row had a problem. */
  failed = false;

  constructor(
    private readonly columns: ResolvedColumns<F>,
    private readonly problems: Problems,
  ) {}

  reset(row: TableRow): void {
    this.row = row;
    this.failed = false;
  }

  has(field: F): boolean {
    return this.columns.index[field] !== undefined;
  }

  header(field: F): string {
    return this.columns.header[field];
  }

  problem(field: F | null, reason: string): void {
    this.failed = true;
    // Messages may quote the cell: an identity number in the wrong column must not come out that way.
    this.problems.add(
      this.row.rowNumber,
      field === null ? null : this.columns.header[field],
      maskIdNumbers(reason),
    );
  }

  raw(field: F): Cell {
    const i = this.columns.index[field];
    return i === undefined ? null : (this.row.cells[i] ?? null);
  }

  /** The cell as trimmed text ('' when empty or absent). Dates become ISO dates, numbers their shortest form. */
  str(field: F): string {
    const v = this.raw(field);
    if (v === null) return '';
    if (typeof v === 'string') return v.trim();
    if (v instanceof Date) return normalizeDate(v).date ?? '';
    return String(v);
  }

  private present(field: F, required: boolean): string | null {
    const text = this.str(field);
    if (text !== '') return text;
    if (required) this.problem(field, 'required, but empty');
    return null;
  }

  text(field: F, required = false): string | null {
    return this.present(field, required);
  }

  /** An identifier: department code, item code, certificate number. */
  code(field: F, required = false): string | null {
    const text = this.present(field, required);
    if (text === null) return null;
    if (!ASCII_CODE.test(text)) {
      this.problem(field, `${quote(text)} is not a valid code: use only letters A–Z, digits, '-' and '_'`);
      return null;
    }
    return text;
  }

  uscc(field: F, required = false): string | null {
    const text = this.present(field, required);
    if (text === null) return null;
    const code = text.toUpperCase();
    const why = usccProblem(code);
    if (why !== null) {
      this.problem(field, why);
      return null;
    }
    return code;
  }

  oneOf<T extends string | boolean>(field: F, vocabulary: Vocabulary<T>, required = false): T | null {
    const text = this.present(field, required);
    if (text === null) return null;
    const value = vocabulary.lookup(text);
    if (value === undefined) {
      this.problem(field, `${quote(text)} is not one of ${vocabulary.describe}`);
      return null;
    }
    return value;
  }

  date(field: F, required = false): string | null {
    const v = this.raw(field);
    if (v === null || (typeof v === 'string' && v.trim() === '')) {
      if (required) this.problem(field, 'required, but empty');
      return null;
    }
    const result = normalizeDate(typeof v === 'boolean' ? String(v) : v);
    if (result.problem !== undefined) {
      this.problem(field, result.problem);
      return null;
    }
    return result.date;
  }

  region(field: F, required = false): string | null {
    const text = this.present(field, required);
    if (text === null) return null;
    if (!REGION.test(text)) {
      this.problem(field, `${quote(text)} is not a 6-digit region code`);
      return null;
    }
    return text;
  }

  /** A multi-valued cell split on `;` `；` `、`, trimmed, without empty or repeated values. */
  list(field: F, required = false): string[] {
    const text = this.present(field, required);
    if (text === null) return [];
    const values = [...new Set(text.split(MULTI_SEPARATOR).map((v) => v.trim()))].filter((v) => v !== '');
    if (values.length === 0 && required) this.problem(field, 'required, but empty');
    return values;
  }

  regions(field: F, required = false): string[] {
    const values = this.list(field, required);
    const bad = values.filter((v) => !REGION.test(v));
    if (bad.length > 0) {
      this.problem(
        field,
        `${bad.map(quote).join(', ')} ${bad.length > 1 ? 'are not 6-digit region codes' : 'is not a 6-digit region code'}`,
      );
      return [];
    }
    return values;
  }

  contact(field: F, required = false): string | null {
    const text = this.present(field, required);
    if (text === null) return null;
    const result = normalizeContact(text);
    if (result.problem !== undefined) {
      this.problem(field, result.problem);
      return null;
    }
    return result.value;
  }

  /** Checks an identity number without ever keeping, returning or echoing it. */
  checkIdNumber(field: F): void {
    const text = this.str(field);
    if (text === '') return;
    const why = idCardProblem(text);
    if (why !== null) this.problem(field, why);
  }
}
