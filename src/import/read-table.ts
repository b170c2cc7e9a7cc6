/**
 * Opens an import file — CSV in UTF-8 (with or without BOM) or GBK/GB18030, or XLSX (first sheet) — and
 * streams its rows in batches, so that a file of a million rows never sits in memory whole.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { UserError } from '../errors.ts';
import { Utf8Validator } from './utf8.ts';

/** A cell as read: CSV gives text; XLSX may give numbers, booleans and dates. */
export type Cell = string | number | boolean | Date | null;

export interface TableRow {
  /** The row number Excel shows: the file's first row is 1. */
  rowNumber: number;
  cells: Cell[];
}

export type TableFormat = 'csv-utf8' | 'csv-gbk' | 'xlsx';

export interface Table {
  /** The file's base name, as problems and the audit log name it. */
  file: string;
  format: TableFormat;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  size: number;
  headerRow: number;
  headers: string[];
  /** The data rows after the header, empty rows skipped, in batches of at most `batchSize`. Once only. */
  rows(): AsyncGenerator<TableRow[]>;
  /** Bytes of the file consumed so far (for progress). */
  bytesRead(): number;
  /** Releases the file if `rows()` was not read to the end. */
  close(): Promise<void>;
}

const CHUNK = 1 << 16;
/** How many non-empty rows may stand above the header row (titles, notes). */
const HEADER_SEARCH_ROWS = 20;
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

/**
 * Opens `path`, detects its format and reads its header row.
 *
 * @example const table = await openTable('targets.csv'); for await (const batch of table.rows()) …
 */
export async function openTable(
  path: string,
  options: { batchSize?: number; isHeaderCell?: (text: string) => boolean } = {},
): Promise<Table> {
  const batchSize = options.batchSize ?? 1000;
  const isHeaderCell = options.isHeaderCell ?? (() => true);
  const file = basename(path);
  const head = await readHead(path, file);
  const ext = extname(path).toLowerCase();
  const isZip = head.subarray(0, 4).equals(ZIP_MAGIC);
  if (!isZip && (ext === '.xls' || head.subarray(0, 4).equals(OLE_MAGIC)))
    throw new UserError(
      'IMPORT.FORMAT',
      `${file}: Excel 97–2003 (.xls) files are not supported; save it as .xlsx or CSV`,
    );
  if (!isZip && ext === '.xlsx')
    throw new UserError('IMPORT.FORMAT', `${file}: is not an XLSX file (it is not a zip archive)`);

  const scan = await scanFile(path, !isZip);
  const format: TableFormat = isZip ? 'xlsx' : scan.utf8 ? 'csv-utf8' : 'csv-gbk';
  const input = createReadStream(path, { highWaterMark: CHUNK });
  const source = wrapErrors(
    file,
    format,
    format === 'xlsx' ? xlsxBatches(input, batchSize) : csvBatches(input, format, batchSize),
  );

  // The header is the first row with a known column name among the first few non-empty rows (a title row
  // above the header is common in government spreadsheets); failing that, the first non-empty row.
  const seen: TableRow[] = [];
  let at = -1;
  for (;;) {
    const next = await source.next();
    if (next.done) break;
    for (const row of next.value) if (!isEmptyRow(row)) seen.push(row);
    at = seen.findIndex(
      (row, i) => i < HEADER_SEARCH_ROWS && row.cells.some((c) => isHeaderCell(cellText(c))),
    );
    if (at >= 0 || seen.length >= HEADER_SEARCH_ROWS) break;
  }
  if (seen.length === 0) {
    input.destroy();
    throw new UserError('IMPORT.EMPTY', `${file}: the file is empty (no header row)`);
  }
  const header = seen[Math.max(at, 0)]!;
  let rest = seen.slice(Math.max(at, 0) + 1);
  const headers = header.cells.map((c) => cellText(c));

  async function* rows(): AsyncGenerator<TableRow[]> {
    try {
      const first = rest;
      rest = [];
      if (first.length > 0) yield first;
      for (;;) {
        const next = await source.next();
        if (next.done) return;
        const batch = next.value.filter((row) => !isEmptyRow(row));
        if (batch.length > 0) yield batch;
      }
    } finally {
      input.destroy();
    }
  }

  return {
    file,
    format,
    sha256: scan.sha256,
    size: scan.size,
    headerRow: header.rowNumber,
    headers,
    rows,
    bytesRead: () => input.bytesRead,
    close: async () => {
      input.destroy();
      await source.return(undefined);
    },
  };
}

async function readHead(path: string, file: string): Promise<Buffer> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new UserError('IMPORT.NO_FILE', `${file}: not a file: ${path}`);
    const handle = await open(path, 'r');
    try {
      const buf = Buffer.alloc(8);
      const { bytesRead } = await handle.read(buf, 0, 8, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new UserError('IMPORT.NO_FILE', `${file}: cannot read ${path} (${why})`);
  }
}

/**
 * One pass over the bytes: their SHA-256, and whether they are strictly valid UTF-8 (validated chunk by chunk,
 * a character split across two chunks carried over). Government exports from Excel are often GBK, which is
 * almost never valid UTF-8 beyond plain ASCII.
 */
async function scanFile(
  path: string,
  checkUtf8: boolean,
): Promise<{ sha256: string; size: number; utf8: boolean }> {
  const hash = createHash('sha256');
  const validator = new Utf8Validator();
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    if (checkUtf8) validator.push(chunk);
  }
  return { sha256: hash.digest('hex'), size, utf8: checkUtf8 && validator.end() };
}

async function* csvBatches(
  input: Readable,
  format: 'csv-utf8' | 'csv-gbk',
  batchSize: number,
): AsyncGenerator<TableRow[]> {
  // Empty lines are kept as records so that record numbers stay Excel row numbers (a quoted cell may span lines).
  const parser = parseCsv({ bom: true, relax_column_count: true, relax_quotes: true });
  const done = (err: Error | null) => {
    if (err && !parser.destroyed) parser.destroy(err);
  };
  if (format === 'csv-gbk') pipeline(input, iconv.decodeStream('gb18030'), parser, done);
  else pipeline(input, parser, done);
  let rowNumber = 0;
  for await (const records of readBatches<string[]>(parser, batchSize)) {
    const batch: TableRow[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) batch[i] = { rowNumber: ++rowNumber, cells: records[i]! };
    yield batch;
  }
}

/** Reads an object-mode stream in arrays of `max` items (the last may be shorter), without an await per item. */
async function* readBatches<T>(stream: Readable, max: number): AsyncGenerator<T[]> {
  let error: Error | null = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  stream.on('readable', notify);
  stream.on('end', () => {
    ended = true;
    notify();
  });
  stream.on('error', (err: Error) => {
    error = err;
    notify();
  });
  let batch: T[] = [];
  for (;;) {
    let item: T | null;
    while (batch.length < max && (item = stream.read() as T | null) !== null) batch.push(item);
    if (error) throw error;
    if (batch.length >= max || (ended && batch.length > 0)) {
      yield batch;
      batch = [];
      continue;
    }
    if (ended) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}

async function* xlsxBatches(input: Readable, batchSize: number): AsyncGenerator<TableRow[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to tell date cells from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  keepCharactersWhole(reader);
  // Only the first sheet is read; leaving the loop stops the reader and closes the file.
  for await (const sheet of reader) {
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
    return;
  }
}

interface ReaderInternals {
  _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: string): Generator<unknown>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
}

/**
 * exceljs 4.4's streaming reader turns each zip chunk into text on its own, so a Chinese character that
 * straddles two chunks comes out as U+FFFD (exceljs issue #2084). The parts it reads are decoded here as
 * streams instead, before they reach it.
 */
function keepCharactersWhole(reader: object): void {
  const r = reader as ReaderInternals;
  const parseWorksheet = r._parseWorksheet.bind(reader);
  r._parseWorksheet = (iterator, sheetNo) => parseWorksheet(decodeUtf8(iterator), sheetNo);
  for (const name of ['_parseSharedStrings', '_parseStyles', '_parseWorkbook'] as const) {
    const original = (r[name] as (entry: Readable) => unknown).bind(reader);
    (r as unknown as Record<string, unknown>)[name] = (entry: Readable) => {
      entry.setEncoding('utf8');
      return original(entry);
    };
  }
}

async function* decodeUtf8(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (text !== '') yield text;
  }
  const rest = decoder.end();
  if (rest !== '') yield rest;
}

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

function cellText(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return String(cell).trim();
}

function isEmptyRow(row: TableRow): boolean {
  for (const cell of row.cells) {
    if (cell === null) continue;
    if (typeof cell === 'string' && cell.trim() === '') continue;
    return false;
  }
  return true;
}

/** Reading errors (malformed CSV, a broken zip) become one clear user error naming the file. */
async function* wrapErrors(
  file: string,
  format: TableFormat,
  source: AsyncGenerator<TableRow[]>,
): AsyncGenerator<TableRow[], void, undefined> {
  try {
    yield* source;
  } catch (err) {
    if (err instanceof UserError) throw err;
    const e = err as Error & { code?: string; lines?: number };
    if (format !== 'xlsx' && typeof e.code === 'string' && e.code.startsWith('CSV_'))
      throw new UserError(
        'IMPORT.MALFORMED',
        `${file}: malformed CSV near line ${e.lines ?? '?'}: ${e.message}`,
      );
    throw new UserError(
      'IMPORT.MALFORMED',
      `${file}: cannot read the ${format === 'xlsx' ? 'XLSX' : 'CSV'} file: ${e.message}`,
    );
  }
}
