/**
 * Tables written for people to open in a spreadsheet: XLSX (one sheet per table) or CSV (one table). Every cell
 * is text, and a cell can never become a formula:
 *
 * - **XLSX**: each value is written as a string cell (`t="s"`, a shared string) — never a `{ formula }` value —
 *   so `=HYPERLINK(…)`, `+1`, `-1`, `@SUM(…)` are shown exactly as they are and nothing is evaluated (exceljs
 *   does not interpret strings; `test/results/export.test.ts` reads the sheet XML back and finds no `<f>`). The
 *   columns are also formatted as text (`@`), so a value retyped in Excel stays text. No quote is prepended: the
 *   data stays exactly what the database holds. Characters XML 1.0 forbids (C0 controls other than tab and line
 *   breaks, U+FFFE/U+FFFF, lone surrogates) are dropped — exceljs would write them and the file would not open.
 * - **CSV**: a CSV has no cell types, so Excel and WPS evaluate a field that starts with `=`, `+`, `-`, `@`, a tab
 *   or a carriage return. Following OWASP's CSV-injection advice, such a field gets a single quote `'` in front
 *   (`'=HYPERLINK(…)`); the spreadsheet then shows it as text. That changes the text by one leading character —
 *   the price of a format without types, and only for fields that start with one of those characters (a USCC,
 *   a date or a result never does). UTF-8 with a BOM (so Excel reads Chinese correctly), CRLF line ends, and
 *   RFC 4180 quoting (a field with `"`, `,`, CR or LF in double quotes, inner quotes doubled).
 */
import ExcelJS from 'exceljs';

export interface Table {
  /** Sheet name (XLSX): at most 31 characters, none of `\ / ? * [ ] :`. */
  name: string;
  header: readonly string[];
  rows: readonly (readonly string[])[];
}

/** What XML 1.0 forbids: C0 controls but tab, LF and CR; U+FFFE, U+FFFF; surrogates without their pair. */
const NOT_XML = new RegExp(
  [
    '[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]',
    '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])',
    '(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]',
  ].join('|'),
  'g',
);

/** CJK, Hangul and full-width forms: two columns wide. */
const WIDE =
  /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{20000}-\u{3FFFD}]/u;

/** Width of a text in spreadsheet columns: CJK and full-width characters take two. */
function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += WIDE.test(ch) ? 2 : 1;
  return w;
}

const MIN_WIDTH = 6;
const MAX_WIDTH = 60;

/** An XLSX workbook with one sheet per table: bold, frozen header row, columns as wide as their text (capped). */
export async function xlsxBuffer(tables: readonly Table[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const table of tables) {
    const sheet = workbook.addWorksheet(table.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = table.header.map((h, i) => {
      const widest = Math.max(
        displayWidth(h),
        ...table.rows.map((r) => displayWidth((r[i] ?? '').replace(NOT_XML, ''))),
      );
      return { width: Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, widest + 2)), style: { numFmt: '@' } };
    });
    for (const values of [table.header, ...table.rows]) {
      const row = sheet.addRow([]);
      values.forEach((v, i) => {
        // A plain string: exceljs writes it as a string cell, never a formula (see the comment at the top).
        row.getCell(i + 1).value = String(v).replace(NOT_XML, '');
      });
    }
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).alignment = { vertical: 'middle' };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Characters that make a spreadsheet read a CSV field as a formula (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: a quote in front of a would-be formula, then RFC 4180 quoting. */
export function csvField(value: string): string {
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A table as CSV: UTF-8 with a BOM, the header first, CRLF after every line. */
export function csvText(table: Table): string {
  return '\uFEFF' + [table.header, ...table.rows].map((r) => r.map(csvField).join(',') + '\r\n').join('');
}
