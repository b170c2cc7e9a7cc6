/**
 * Lines of text kept on disk for the length of one import, in a private temporary folder: the sorted runs of
 * an import's records and the undo log of its writes. Plain append-only files because that is all they need
 * to be — written once in order, read back once in order — and that runs at the speed of the disk. (Staging
 * in a temporary SQLite table, the earlier design, cost a B-tree insert per record and then a random page read
 * per record to get them back in key order: 22 of the 55 seconds of a million-target import.)
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where every import's temporary folder goes: under the system's temporary directory (TMPDIR), with this name. */
export const tempFolderPrefix = (): string => join(tmpdir(), 'liancha-import-');

/** A folder under the system's temporary directory, removed with everything in it by `remove`. */
export class TempFolder {
  private files = 0;
  private constructor(
    readonly path: string,
    private readonly prefix = '',
  ) {}

  static create(): TempFolder {
    return new TempFolder(mkdtempSync(tempFolderPrefix()));
  }

  /**
   * The folder at `path`, as another thread's: its files are named with `prefix`, so that they never take the
   * name of a file the folder's creator makes.
   */
  static at(path: string, prefix: string): TempFolder {
    return new TempFolder(path, `${prefix}-`);
  }

  /** A new empty file in the folder. */
  file(label: string): LineFile {
    return new LineFile(join(this.path, `${this.prefix}${String(++this.files).padStart(4, '0')}-${label}`));
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Bytes gathered before one write call: few system calls, little memory. */
const WRITE_CHUNK = 1 << 20;
const READ_CHUNK = 1 << 18;

/** An append-only file of lines (none may contain a newline: the callers write JSON, which escapes them). */
export class LineFile {
  private fd: number | null;
  private pending: string[] = [];
  private pendingLength = 0;
  private out = Buffer.allocUnsafe(0);

  constructor(readonly path: string) {
    this.fd = openSync(path, 'wx');
  }

  append(line: string): void {
    this.pending.push(line);
    this.pendingLength += line.length + 1;
    if (this.pendingLength >= WRITE_CHUNK) this.flush();
  }

  /** Writes what is buffered: call before reading, or before relying on the file surviving a failure. */
  flush(): void {
    if (this.fd === null) throw new Error(`${this.path} is closed for writing`);
    if (this.pending.length === 0) return;
    // Encoded into one buffer kept for the file's life: writeSync(fd, string) would allocate a new buffer
    // outside the JavaScript heap per call, garbage the collector counts late (RSS grew by 50 MB with them).
    const text = this.pending.join('\n') + '\n';
    const size = Buffer.byteLength(text);
    if (this.out.length < size) this.out = Buffer.allocUnsafe(Math.max(size, 2 * this.out.length));
    this.out.write(text);
    writeSync(this.fd, this.out, 0, size);
    this.pending = [];
    this.pendingLength = 0;
  }

  /** Flushes and closes for writing; the file can then only be read. */
  finish(): void {
    if (this.fd === null) return;
    this.flush();
    closeSync(this.fd);
    this.fd = null;
    this.out = Buffer.allocUnsafe(0); // the runs of a sort stay listed until merged: not their buffers
  }

  /** The lines in the order they were appended, a chunk of the file at a time (finishes writing first). */
  async *lines(): AsyncGenerator<string[]> {
    this.finish();
    const handle = await open(this.path, 'r');
    try {
      // One buffer for the whole read: the unfinished line at the end of a chunk is moved to its front and the
      // next chunk read in after it (a new buffer per chunk was garbage outside the heap, as in `flush`).
      let buffer = Buffer.allocUnsafe(READ_CHUNK);
      let carry = 0;
      for (;;) {
        if (carry === buffer.length) {
          const bigger = Buffer.allocUnsafe(2 * buffer.length); // a line longer than the buffer
          buffer.copy(bigger, 0, 0, carry);
          buffer = bigger;
        }
        const { bytesRead } = await handle.read(buffer, carry, buffer.length - carry, null);
        if (bytesRead === 0) break;
        const end = carry + bytesRead;
        const lines: string[] = [];
        let start = 0;
        // Split on newline bytes, never inside a UTF-8 sequence (0x0a is never part of one).
        for (let nl = buffer.indexOf(10, start); nl !== -1 && nl < end; nl = buffer.indexOf(10, start)) {
          lines.push(buffer.toString('utf8', start, nl));
          start = nl + 1;
        }
        buffer.copy(buffer, 0, start, end);
        carry = end - start;
        if (lines.length > 0) yield lines;
      }
      if (carry > 0) yield [buffer.toString('utf8', 0, carry)];
    } finally {
      await handle.close();
    }
  }
}
