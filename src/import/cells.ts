import { normalizeDate } from '../domain/date-input.ts';
import { idCardProblem } from '../domain/id-card.ts';
import { usccProblem } from '../domain/uscc.ts';
import type { ResolvedColumns } from './columns.ts';
import { maskIdNumbers, sanitize } from './excerpt.ts';
import { normalizeContact } from './contact.ts';
import type { Problems } from './problems.ts';
import type { Cell, TableRow } from './read-table.ts';
import type { Vocabulary } from './values.ts';

/**
 * The longest text a cell may hold, in characters. Directory text goes into Feishu cards, which Feishu refuses
 * above 30 KB: an assignment card lists several targets with name, address and scope, so each field is kept to
 * what real registrations need (a company name is at most 50 characters under the naming rules; 100 leaves
 * room for branch names).
 */
export const MAX_LENGTH = {
  code: 40,
  name: 100,
  person: 50,
  address: 200,
  scope: 500,
  short: 50,
  note: 200,
  contact: 100,
} as const;

const MULTI_SEPARATOR = /[;；、]/;
const ASCII_CODE = /^[A-Za-z0-9_-]+$/;
const REGION = /^\d{6}$/;

/**
 * A cell value quoted for a message, sanitised and shortened so that one bad cell cannot flood the output. An
 * identity number typed into the wrong column is masked: identity numbers are never printed.
 */
export const quote = (text: string): string => `'${sanitize(text, 40)}'`;

export { maskIdNumbers };

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

  private present(field: F, required: boolean, max: number): string | null {
    const text = this.str(field);
    if (text === '') {
      if (required) this.problem(field, 'required, but empty');
      return null;
    }
    // Code points, not UTF-16 units, as people count characters (a rare CJK character is two units).
    if (text.length > max) {
      const n = [...text].length;
      if (n > max) {
        this.problem(field, `too long: ${n} characters, at most ${max}; shorten the cell`);
        return null;
      }
    }
    return text;
  }

  /** Free text of at most `max` characters. */
  text(field: F, required = false, max: number = MAX_LENGTH.note): string | null {
    return this.present(field, required, max);
  }

  /** An identifier: department code, item code, certificate number. */
  code(field: F, required = false): string | null {
    const text = this.present(field, required, MAX_LENGTH.code);
    if (text === null) return null;
    if (!ASCII_CODE.test(text)) {
      this.problem(field, `${quote(text)} is not a valid code: use only letters A–Z, digits, '-' and '_'`);
      return null;
    }
    return text;
  }

  uscc(field: F, required = false): string | null {
    const text = this.present(field, required, MAX_LENGTH.short);
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
    const text = this.present(field, required, MAX_LENGTH.short);
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
    const text = this.present(field, required, MAX_LENGTH.short);
    if (text === null) return null;
    if (!REGION.test(text)) {
      this.problem(field, `${quote(text)} is not a 6-digit region code`);
      return null;
    }
    return text;
  }

  /**
   * A multi-valued cell split on `;` `；` `、`, trimmed, without empty or repeated values; each value at most
   * `max` characters, the cell at most `MAX_LENGTH.note`.
   */
  list(field: F, required = false, max: number = MAX_LENGTH.short): string[] {
    const text = this.present(field, required, MAX_LENGTH.note);
    if (text === null) return [];
    const values = [...new Set(text.split(MULTI_SEPARATOR).map((v) => v.trim()))].filter((v) => v !== '');
    if (values.length === 0 && required) this.problem(field, 'required, but empty');
    const long = values.find((v) => v.length > max && [...v].length > max);
    if (long !== undefined) {
      this.problem(
        field,
        `too long: ${quote(long)} has ${[...long].length} characters, at most ${max} per value`,
      );
      return [];
    }
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
    const text = this.present(field, required, MAX_LENGTH.contact);
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
