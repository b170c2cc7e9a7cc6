/**
 * The rows of an XLSX file's first sheet, streamed.
 *
 * exceljs's own streaming reader (`WorkbookReader.parse`) walks the zip front to back with unzipper's `Parse`,
 * which emits 'end' as soon as its input is written — not when its entries have been handed on. When the
 * consumer is slow at that moment (it is writing the first sheet to a temporary file, as it does for every
 * sheet stored before the shared strings), the entries still buffered — `xl/workbook.xml`, `styles.xml`, even
 * `sharedStrings.xml` — are silently dropped: "Cannot read properties of undefined (reading 'sheets')" or,
 * worse, cells without their text. A truncated file never ends that loop at all (the process exits 13).
 *
 * So the zip is opened here by its central directory (unzipper's `Open.file`, random access) and exceljs is
 * fed the parts it needs in the order it needs them: relationships, workbook, shared strings, styles, then the
 * first sheet as a stream. Only exceljs's part parsers are used, which is also where the fix for its issue
 * #2084 (characters split across chunks) goes.
 */
import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import unzipper from 'unzipper';
import { UserError } from '../errors.ts';
import type { Cell, TableRow } from './read-table.ts';

interface ReaderInternals {
  workbookRels?: { Id: string; Target: string }[];
  model?: { sheets?: { id: number; name: string; rId: string }[] };
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(
    iterator: AsyncIterable<string>,
    sheetNo: string,
  ): Generator<{ eventType: string; value: AsyncIterable<{ number: number; values: unknown }> }>;
}

/** What the first sheet is, and a way to stream it: opening fails at once on anything that is not XLSX. */
export interface XlsxSource {
  rows(batchSize: number): AsyncGenerator<TableRow[]>;
  /** How much of the sheet has been read, 0 … 1 (for progress). */
  fractionRead(): number;
}

/** A broken or foreign zip, said in words (unzipper's own errors are codes such as FILE_ENDED). */
const notXlsx = (file: string, why: string) =>
  new UserError(
    'IMPORT.FORMAT',
    `${file}: ${why}; open it in Excel (or WPS) and save it again as .xlsx, or export it as CSV`,
  );

/**
 * Opens the workbook's zip directory and reads everything but the sheet rows.
 *
 * @example const source = await openXlsx('targets.xlsx', 'targets.xlsx'); for await (const b of source.rows(1000)) …
 */
export async function openXlsx(path: string, file: string): Promise<XlsxSource> {
  let directory: unzipper.CentralDirectory;
  try {
    directory = await unzipper.Open.file(path);
  } catch {
    throw notXlsx(file, 'the XLSX file is damaged or incomplete (its zip directory cannot be read)');
  }
  const parts = new Map(directory.files.map((f) => [f.path.replace(/^\//, ''), f]));
  if (!parts.has('xl/workbook.xml'))
    throw notXlsx(file, 'is a zip archive but not an Excel workbook (it has no xl/workbook.xml)');

  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell date cells from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as ReaderInternals;
  const open = (name: string): Readable => {
    const stream = parts.get(name)!.stream();
    stream.setEncoding('utf8'); // decoded as a stream, so no character is split (exceljs #2084)
    return stream;
  };
  try {
    if (parts.has('xl/_rels/workbook.xml.rels')) await reader._parseRels(open('xl/_rels/workbook.xml.rels'));
    await reader._parseWorkbook(open('xl/workbook.xml'));
    if (parts.has('xl/sharedStrings.xml'))
      for await (const _ of reader._parseSharedStrings(open('xl/sharedStrings.xml')));
    if (parts.has('xl/styles.xml')) await reader._parseStyles(open('xl/styles.xml'));
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw notXlsx(file, `the XLSX file is damaged (${(err as Error).message})`);
  }

  // The first sheet is the first tab (workbook order), found through its relationship; failing that, the
  // lowest-numbered sheet part.
  const first = reader.model?.sheets?.[0];
  const target = reader.workbookRels?.find((r) => r.Id === first?.rId)?.Target;
  const sheets = [...parts.keys()].filter((p) => /^xl\/worksheets\/sheet\d+\.xml$/.test(p));
  sheets.sort((a, b) => sheetNumber(a) - sheetNumber(b));
  const resolved =
    target === undefined ? undefined : target.startsWith('/') ? target.slice(1) : `xl/${target}`;
  const sheetPath = resolved !== undefined && parts.has(resolved) ? resolved : sheets[0];
  if (sheetPath === undefined) throw notXlsx(file, 'the workbook has no worksheet');

  const sheetSize = Math.max(parts.get(sheetPath)!.uncompressedSize, 1);
  let charsRead = 0;
  return {
    fractionRead: () => Math.min(charsRead / sheetSize, 1),
    async *rows(batchSize) {
      const stream = open(sheetPath);
      async function* counted(): AsyncGenerator<string> {
        for await (const chunk of stream as AsyncIterable<string>) {
          charsRead += chunk.length;
          yield chunk;
        }
      }
      try {
        for (const { eventType, value: sheet } of reader._parseWorksheet(
          counted(),
          String(sheetNumber(sheetPath)),
        )) {
          if (eventType !== 'worksheet') continue;
          let batch: TableRow[] = [];
          for await (const row of sheet) {
            const values = row.values as unknown[];
            const cells: Cell[] = [];
            for (let c = 1; c < values.length; c++) cells.push(xlsxCell(values[c]));
            batch.push({ rowNumber: row.number, cells });
            if (batch.length >= batchSize) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length > 0) yield batch;
        }
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw notXlsx(file, `the XLSX file is damaged (${(err as Error).message})`);
      } finally {
        stream.destroy();
      }
    },
  };
}

const sheetNumber = (path: string): number => Number(/(\d+)\.xml$/.exec(path)?.[1] ?? 0);

/** exceljs cell values: plain values, rich text, formulas (their cached result), hyperlinks, errors. */
function xlsxCell(value: unknown): Cell {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText))
      return (v.richText as { text?: string }[]).map((part) => part.text ?? '').join('');
    if ('formula' in v || 'sharedFormula' in v) return xlsxCell(v.result);
    if ('text' in v) return xlsxCell(v.text);
    if ('error' in v) return String(v.error);
  }
  return String(value);
}
