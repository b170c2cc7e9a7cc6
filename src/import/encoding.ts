/**
 * Which text encoding a CSV is in, and refusing what is not text. Excel saves CSV as UTF-8 ("CSV UTF-8",
 * with a BOM) or in the system code page (GBK on Chinese Windows); anything else is refused with what to do.
 */
import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../errors.ts';

export type CsvEncoding = 'utf8' | 'gbk';

/** What to tell the user to do about an encoding problem. */
export const SAVE_AS_UTF8 = 'save it from Excel or WPS as "CSV UTF-8 (comma delimited)"';

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** What the scan of the whole file found. */
export interface ByteScan {
  /** Every byte is part of a valid UTF-8 character. */
  strictUtf8: boolean;
  /** Offset of the first NUL byte, or -1. */
  firstNul: number;
}

/**
 * Decides the encoding from the file's first bytes (`head`) and the scan of all of them.
 *
 * A file that is not valid UTF-8 is GBK unless it is mostly UTF-8 all the same — it starts with the UTF-8 BOM,
 * or its first bytes hold more well-formed multi-byte UTF-8 characters than bad bytes (Chinese GBK text almost
 * never forms one). Such a file is read as UTF-8 and each cell holding a bad byte is a problem of its own,
 * instead of the whole file being mis-decoded as GBK.
 */
export function csvEncoding(file: string, head: Buffer, scan: ByteScan): CsvEncoding {
  if (
    (head[0] === 0xff && head[1] === 0xfe) ||
    (head[0] === 0xfe && head[1] === 0xff) ||
    (scan.firstNul >= 0 && looksUtf16(head))
  )
    throw new UserError(
      'IMPORT.ENCODING',
      `${file}: is UTF-16 text, which is not supported; ${SAVE_AS_UTF8} (or as "CSV (comma delimited)")`,
    );
  if (scan.firstNul >= 0)
    throw new UserError(
      'IMPORT.ENCODING',
      `${file}: is not a text CSV file (byte ${scan.firstNul} is a NUL byte); use the CSV or XLSX file itself, or ${SAVE_AS_UTF8}`,
    );
  if (scan.strictUtf8) return 'utf8';
  if (head.subarray(0, 3).equals(UTF8_BOM)) return 'utf8';
  // A character cut off at the end of `head` is left out (write() keeps it back).
  const text = new StringDecoder('utf8').write(head);
  let bad = 0;
  let good = 0;
  for (const ch of text) {
    if (ch === '\uFFFD') bad++;
    else if (ch.charCodeAt(0) > 0x7f) good++;
  }
  return good > bad ? 'utf8' : 'gbk';
}

/** UTF-16 without a BOM: NUL bytes in every other position among the first characters (ASCII headers). */
function looksUtf16(head: Buffer): boolean {
  const n = Math.min(head.length, 512) & ~1;
  if (n < 4) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  return Math.max(even, odd) >= n / 8 && Math.min(even, odd) === 0;
}

/** Why a cell holding U+FFFD (a byte that could not be decoded) is refused, by encoding. */
export const undecodableReason = (encoding: CsvEncoding): string =>
  encoding === 'utf8'
    ? `holds a byte that is not valid UTF-8 (shown as '\uFFFD'); fix the cell, or ${SAVE_AS_UTF8}`
    : `holds a byte that is not GBK/GB18030 text (shown as '\uFFFD'); fix the cell, or ${SAVE_AS_UTF8}`;
