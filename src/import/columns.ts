import { UserError } from '../errors.ts';

/** One column of an import file: its Chinese and English header names (SPEC §3 "Import formats"). */
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

/**
 * Maps the header row to the kind's columns. A required column missing, or a column given twice, is one
 * clear error; an unknown column is a warning (the column is ignored); an empty header cell is ignored.
 */
export function resolveColumns<F extends string>(
  file: string,
  kind: string,
  defs: readonly ColumnDef<F>[],
  headers: readonly string[],
): ResolvedColumns<F> {
  const index: Partial<Record<F, number>> = {};
  const header = Object.fromEntries(defs.map((d) => [d.field, d.zh])) as Record<F, string>;
  const warnings: string[] = [];
  const twice: string[] = [];
  headers.forEach((raw, i) => {
    const text = raw.replace(/^\uFEFF/, '').trim();
    if (text === '') return;
    const def = defs.find((d) => matches(d, text));
    if (!def) {
      warnings.push(`${file}: column "${text}" is not one of the ${kind} columns; ignored`);
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
  const missing = defs.filter((d) => d.required && index[d.field] === undefined);
  if (missing.length > 0) {
    const names = missing.map((d) => `${d.zh} (${d.en})`).join(', ');
    throw new UserError(
      'IMPORT.MISSING_COLUMN',
      `${file}: missing required column${missing.length > 1 ? 's' : ''} ${names}; the header row has: ${headers
        .map((h) => h.trim())
        .filter((h) => h !== '')
        .join(', ')}`,
    );
  }
  return { index, header, warnings };
}
