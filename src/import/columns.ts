import { UserError } from '../errors.ts';
import { sanitize } from './excerpt.ts';

/** One column of an import file: its Chinese and English header names (README "Import formats"). */
export interface ColumnDef<F extends string = string> {
  field: F;
  zh: string;
  en: string;
  required: boolean;
}

export const col = <F extends string>(field: F, zh: string, en: string, required = false): ColumnDef<F> => ({
  field,
  zh,
  en,
  required,
});

/** Where each known column is in the file, and its header as written there. */
export interface ResolvedColumns<F extends string = string> {
  /** Column index per field; absent when the file has no such column. */
  index: Partial<Record<F, number>>;
  /** Header text as written in the file, per field (for fields not in the file: the Chinese name). */
  header: Record<F, string>;
  warnings: string[];
}

const normalizeEn = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** Matches `统一社会信用代码`, `uscc`, `USCC`, `统一社会信用代码 uscc` and `统一社会信用代码(uscc)`. */
function matches(def: ColumnDef, header: string): boolean {
  const h = header.replace(/^\uFEFF/, '').trim();
  if (h === def.zh || normalizeEn(h) === def.en) return true;
  const both = /^(\S+?)\s*[(（]?\s*([A-Za-z][A-Za-z _-]*?)\s*[)）]?$/.exec(h);
  return both !== null && both[1] === def.zh && normalizeEn(both[2]!) === def.en;
}

/** Whether `text` names one of the columns (used to find the header row below a title). */
export const isColumnName = (defs: readonly ColumnDef[], text: string): boolean =>
  defs.some((d) => matches(d, text));

/** Unknown columns named one by one up to this many; more are summarised in one warning. */
const NAMED_UNKNOWN = 3;

/**
 * Maps the header row to the kind's columns. A required column missing, or a column given twice, is one
 * clear error; unknown columns are one warning (they are ignored); an empty header cell is ignored. Header
 * text is quoted only sanitised and shortened: a file that is not a directory at all is not echoed.
 */
export function resolveColumns<F extends string>(
  file: string,
  kind: string,
  defs: readonly ColumnDef<F>[],
  headers: readonly string[],
  headerRow = 1,
): ResolvedColumns<F> {
  const index: Partial<Record<F, number>> = {};
  const header = Object.fromEntries(defs.map((d) => [d.field, d.zh])) as Record<F, string>;
  const unknown: string[] = [];
  const twice: string[] = [];
  headers.forEach((raw, i) => {
    const text = raw.replace(/^\uFEFF/, '').trim();
    if (text === '') return;
    const def = defs.find((d) => matches(d, text));
    if (!def) {
      unknown.push(text);
      return;
    }
    if (index[def.field] !== undefined) {
      twice.push(`"${header[def.field]}" and "${text}" are both ${def.zh} (${def.en})`);
      return;
    }
    index[def.field] = i;
    header[def.field] = text;
  });
  if (twice.length > 0) throw new UserError('IMPORT.DUPLICATE_COLUMN', `${file}: ${twice.join('; ')}`);
  const known = Object.values<number | undefined>(index).filter((i) => i !== undefined).length;
  const missing = defs.filter((d) => d.required && index[d.field] === undefined);
  const name = (d: ColumnDef) => `${d.zh} (${d.en})`;
  if (known === 0) {
    const first = headers.map((h) => h.trim()).find((h) => h !== '') ?? '';
    throw new UserError(
      'IMPORT.NO_HEADER',
      `${file}: no header row: none of the first rows names a ${kind} column (row ${headerRow} begins '${sanitize(first, 24)}'); ` +
        `the first row must name the columns: ${missing.map(name).join(', ')}`,
    );
  }
  if (missing.length > 0) {
    const found = defs.filter((d) => index[d.field] !== undefined).map((d) => header[d.field]);
    const others =
      unknown.length > 0 ? ` and ${unknown.length} other column${unknown.length > 1 ? 's' : ''}` : '';
    throw new UserError(
      'IMPORT.MISSING_COLUMN',
      `${file}: missing required column${missing.length > 1 ? 's' : ''} ${missing.map(name).join(', ')}; ` +
        `the header row has: ${found.join(', ')}${others}`,
    );
  }
  const warnings: string[] = [];
  const shown = (t: string) => `"${sanitize(t, 40)}"`;
  if (unknown.length <= NAMED_UNKNOWN)
    for (const t of unknown)
      warnings.push(`${file}: column ${shown(t)} is not one of the ${kind} columns; ignored`);
  else
    warnings.push(
      `${file}: ${unknown.length} columns are not ${kind} columns and are ignored: ` +
        `${unknown.slice(0, NAMED_UNKNOWN).map(shown).join(', ')} and ${unknown.length - NAMED_UNKNOWN} more`,
    );
  return { index, header, warnings };
}
