/**
 * Opens an import file — CSV in UTF-8 (with or without BOM) or GBK/GB18030, or XLSX (first sheet) — and
 * streams its rows in batches, so that a file of a million rows never sits in memory whole.
 */
import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsv } from 'csv-parse';
import iconv from 'iconv-lite';
import { UserError } from '../errors.ts';
import { csvEncoding, SAVE_AS_UTF8, undecodableReason, type ByteScan } from './encoding.ts';
import { sanitize } from './excerpt.ts';
import { Utf8Validator } from './utf8.ts';

/** A cell as read: CSV gives text; XLSX may give numbers, booleans and dates. */
export type Cell = string | number | boolean | Date | null;

export interface TableRow {
  /** The row number Excel shows: the file's first row is 1. */
  rowNumber: number;
  cells: Cell[];
  /** Indexes of the cells holding a byte that could not be decoded (U+FFFD), when there are any. */
  undecodable?: number[];
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
  /** Why a row's `undecodable` cells are refused (a CSV in a broken encoding). */
  undecodableReason: string;
  /** The data rows after the header, empty rows skipped, in batches of at most `batchSize`. Once only. */
  rows(): AsyncGenerator<TableRow[]>;
  /** Bytes of the file consumed so far (for progress). */
  bytesRead(): number;
  /** Releases the file if `rows()` was not read to the end. */
  close(): Promise<void>;
}

const CHUNK = 1 << 16;
/** How many of the first bytes decide the encoding. */
const HEAD_BYTES = 1 << 16;
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

  const scan = await scanFile(path, file, !isZip);
  const encoding = isZip ? null : csvEncoding(file, head, scan);
  const format: TableFormat = isZip ? 'xlsx' : encoding === 'utf8' ? 'csv-utf8' : 'csv-gbk';
  // Only a lossy decoding can produce U+FFFD from bytes that are not text; a valid UTF-8 file needs no check.
  const checkDecoding = !isZip && !(encoding === 'utf8' && scan.strictUtf8);
  // exceljs and unzipper (some 600 modules, 28 MB resident) are loaded only for a spreadsheet.
  const xlsx = format === 'xlsx' ? await (await import('./read-xlsx.ts')).openXlsx(path, file) : null;
  // The file is read either as text by the plain reader or as a stream of bytes (GBK, csv-parse); csv-parse
  // reads it from its first byte again when it takes over from the plain reader.
  const reading: { stream: ReadStream | null; plainBytes: { bytesRead: number } } = {
    stream: null,
    plainBytes: { bytesRead: 0 },
  };
  const openInput = () => {
    reading.stream?.destroy();
    return (reading.stream = createReadStream(path, { highWaterMark: CHUNK }));
  };
  const source = wrapErrors(
    file,
    format,
    xlsx
      ? xlsx.rows(batchSize)
      : csvBatches(
          openInput,
          () => utf8Text(fileChunks(path, reading.plainBytes)),
          format as 'csv-utf8' | 'csv-gbk',
          batchSize,
          checkDecoding,
        ),
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
    reading.stream?.destroy();
    throw new UserError('IMPORT.EMPTY', `${file}: the file is empty (no header row)`);
  }
  const header = seen[Math.max(at, 0)]!;
  let rest = seen.slice(Math.max(at, 0) + 1);
  const headers = header.cells.map((c) => cellText(c));
  if (header.undecodable)
    throw new UserError(
      'IMPORT.ENCODING',
      `${file}: row ${header.rowNumber} (the header row), column ${columnLetter(header.undecodable[0]!)}: ` +
        `cannot be read as ${encoding === 'utf8' ? 'UTF-8' : 'GBK'} text ('${sanitize(headers[header.undecodable[0]!]!, 40)}'); ${SAVE_AS_UTF8}`,
    );

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
      reading.stream?.destroy();
    }
  }

  return {
    file,
    format,
    sha256: scan.sha256,
    size: scan.size,
    headerRow: header.rowNumber,
    headers,
    undecodableReason: undecodableReason(encoding ?? 'utf8'),
    rows,
    bytesRead: () =>
      xlsx
        ? Math.round(scan.size * xlsx.fractionRead())
        : Math.max(reading.plainBytes.bytesRead, reading.stream?.bytesRead ?? 0),
    close: async () => {
      reading.stream?.destroy();
      await source.return(undefined);
    },
  };
}

/**
 * Checks that `path` is a regular file and reads its first bytes. Directories, devices, pipes and the kernel's
 * pseudo-files (/proc, /sys: "regular" files of size 0 that read as anything, /proc/self/environ included)
 * are refused before a byte of them is read, so that no message can ever quote them.
 */
async function readHead(path: string, file: string): Promise<Buffer> {
  const refuse = (what: string) =>
    new UserError(
      'IMPORT.NO_FILE',
      `${file}: is not a regular file (${what}); give the path of a CSV or XLSX file`,
    );
  try {
    const real = await realpath(path);
    if (/^\/(proc|sys|dev)(\/|$)/.test(real)) throw refuse(`it is under /${real.split('/')[1]}`);
    const info = await stat(real);
    if (info.isDirectory()) throw refuse('it is a directory');
    if (info.isFIFO() || info.isSocket()) throw refuse('it is a pipe or a socket');
    if (info.isCharacterDevice() || info.isBlockDevice()) throw refuse('it is a device');
    if (!info.isFile()) throw refuse('it is not a file');
    const handle = await open(real, 'r');
    try {
      const want = Math.max(1, Math.min(HEAD_BYTES, info.size));
      const buf = Buffer.alloc(want);
      const { bytesRead } = await handle.read(buf, 0, want, 0);
      // A pseudo-file outside /proc and /sys: size 0 on stat, yet it reads bytes.
      if (info.size === 0 && bytesRead > 0) throw refuse('its size is 0, yet it reads as data');
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
  file: string,
  checkText: boolean,
): Promise<ByteScan & { sha256: string; size: number }> {
  const expected = (await stat(path)).size;
  const hash = createHash('sha256');
  const validator = new Utf8Validator();
  let size = 0;
  let firstNul = -1;
  for await (const chunk of fileChunks(path, { bytesRead: 0 })) {
    hash.update(chunk);
    if (checkText) {
      validator.push(chunk);
      if (firstNul < 0) {
        const at = chunk.indexOf(0);
        if (at >= 0) firstNul = size + at;
      }
    }
    size += chunk.length;
    if (size > expected) break; // growing, or not a real file: refused below without reading on
  }
  if (size !== expected)
    throw new UserError(
      'IMPORT.CHANGED',
      `${file}: the file changed while it was being read (${expected} bytes, then ${size}); import it again once it is complete`,
    );
  return { sha256: hash.digest('hex'), size, strictUtf8: checkText && validator.end(), firstNul };
}

/**
 * The file's bytes a chunk at a time, read into one buffer for the whole file: each chunk is valid only until
 * the next is asked for, so only code that is done with a chunk before then may read it this way (hashing,
 * validating, decoding to text). A stream's new buffer per chunk was garbage outside the JavaScript heap, which
 * the collector frees late: a million-target file's 190 MB went through 50–100 MB of resident memory.
 */
async function* fileChunks(path: string, counter: { bytesRead: number }): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) return;
      counter.bytesRead += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** Decodes chunks of UTF-8 as text, a character split between two chunks carried over (copied). */
async function* utf8Text(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const text = decoder.write(chunk);
    if (text !== '') yield text;
  }
  const text = decoder.end();
  if (text !== '') yield text;
}

async function* csvBatches(
  openInput: () => Readable,
  openUtf8Text: () => AsyncIterable<string>,
  format: 'csv-utf8' | 'csv-gbk',
  batchSize: number,
  checkDecoding: boolean,
): AsyncGenerator<TableRow[]> {
  let rowNumber = 0;
  const rowsOf = (records: string[][], from = 0): TableRow[] => {
    const batch: TableRow[] = new Array(records.length - from);
    for (let i = from; i < records.length; i++) {
      const cells = records[i]!;
      const row: TableRow = { rowNumber: ++rowNumber, cells };
      if (checkDecoding) {
        const bad: number[] = [];
        for (let c = 0; c < cells.length; c++) if (cells[c]!.includes('\uFFFD')) bad.push(c);
        if (bad.length > 0) row.undecodable = bad;
      }
      batch[i - from] = row;
    }
    return batch;
  };
  // Text decoded whole (GBK through iconv, or valid UTF-8) goes to the plain reader first; a file in broken
  // UTF-8 goes to csv-parse, which decodes it cell by cell, as the U+FFFD check of each cell expects.
  let skip = 0;
  if (format === 'csv-gbk' || !checkDecoding) {
    const plain = { quoted: false };
    const text =
      format === 'csv-gbk'
        ? (pipeline(openInput(), iconv.decodeStream('gb18030'), () => {}) as AsyncIterable<string>)
        : openUtf8Text();
    for await (const records of plainCsvBatches(text, batchSize, plain)) {
      skip += records.length;
      if (records.length > 0) yield rowsOf(records);
    }
    if (!plain.quoted) return;
  }
  const input = openInput();
  // Empty lines are kept as records so that record numbers stay Excel row numbers (a quoted cell may span lines).
  // Every line ending ends a record, as in Excel: csv-parse would otherwise take the first line's ending as the
  // only one, and a CRLF header followed by LF rows would become one long row.
  const parser = parseCsv({
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    record_delimiter: ['\r\n', '\n', '\r'],
  });
  const done = (err: Error | null) => {
    if (err && !parser.destroyed) parser.destroy(err);
  };
  if (format === 'csv-gbk') pipeline(input, iconv.decodeStream('gb18030'), parser, done);
  else pipeline(input, parser, done);
  for await (const records of readBatches<string[]>(parser, batchSize)) {
    // The records the plain reader gave already (csv-parse reads them the same: they hold no quote).
    const from = Math.min(skip, records.length);
    skip -= from;
    if (from < records.length) yield rowsOf(records, from);
  }
}

/**
 * The records of CSV text that holds no quote character, as csv-parse reads them with the options above: every
 * line ending (CRLF, LF, CR) ends a record, an empty line is a record of one empty cell, a leading BOM is
 * dropped, cells are split on commas and kept as they are. About a quarter of csv-parse's time on a 100,000-row
 * file (0.33 s → 0.08 s, measured 2026-12-02): it works byte by byte, this with indexOf and split. At the first
 * record holding a quote (a quoted cell, or a stray quote that csv-parse's relax_quotes rules decide), it stops
 * and sets `state.quoted`: csv-parse then reads the file from the start and the records given here are skipped.
 */
async function* plainCsvBatches(
  chunks: AsyncIterable<string>,
  batchSize: number,
  state: { quoted: boolean },
): AsyncGenerator<string[][]> {
  let carry = '';
  let first = true;
  let batch: string[][] = [];
  const lines = function* (text: string, final: boolean): Generator<string[] | null> {
    let pos = 0;
    let lf = -2;
    let cr = -2;
    while (pos < text.length) {
      if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
      if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      // A line ending not yet read, or a CR whose LF may be in the next chunk: wait for more text.
      if ((end === -1 || (end === text.length - 1 && end === cr)) && !final) break;
      const stop = end === -1 ? text.length : end;
      const line = text.slice(pos, stop);
      if (line.includes('"')) {
        yield null;
        return;
      }
      yield line.split(',');
      pos = end === -1 ? text.length : end === cr && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
    }
    carry = text.slice(pos);
  };
  const take = function* (text: string, final: boolean): Generator<string[][] | null> {
    for (const record of lines(text, final)) {
      if (record === null) {
        yield batch;
        batch = [];
        yield null;
        return;
      }
      batch.push(record);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  };
  for await (const chunk of chunks) {
    let text = carry + chunk;
    carry = '';
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    for (const out of take(text, false)) {
      if (out === null) {
        state.quoted = true;
        return;
      }
      yield out;
    }
  }
  for (const out of take(carry, true)) {
    if (out === null) {
      state.quoted = true;
      return;
    }
    yield out;
  }
  if (batch.length > 0) yield batch;
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

/** A column as Excel letters it: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
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

const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a quote inside a quoted cell is not doubled ("")',
  CSV_INVALID_OPENING_QUOTE: 'a quote opens in the middle of a cell',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'a row has a different number of cells',
  CSV_MAX_RECORD_SIZE: 'a row is too long',
};

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
    // csv-parse's messages quote the offending text; the file's contents are not echoed, only what is wrong.
    if (format !== 'xlsx' && typeof e.code === 'string' && e.code.startsWith('CSV_'))
      throw new UserError(
        'IMPORT.MALFORMED',
        `${file}: malformed CSV near line ${e.lines ?? '?'}: ${CSV_PROBLEMS[e.code] ?? e.code}; check the quotes (") around cells, or save the file again from Excel`,
      );
    throw new UserError(
      'IMPORT.MALFORMED',
      `${file}: cannot read the ${format === 'xlsx' ? 'XLSX' : 'CSV'} file (${sanitize(e.message, 60)})`,
    );
  }
}
