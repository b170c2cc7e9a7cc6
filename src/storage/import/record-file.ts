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

/** A folder under the system's temporary directory, removed with everything in it by `remove`. */
export class TempFolder {
  private files = 0;
  private constructor(readonly path: string) {}

  static create(): TempFolder {
    return new TempFolder(mkdtempSync(join(tmpdir(), 'liancha-import-')));
  }

  /** A new empty file in the folder. */
  file(label: string): LineFile {
    return new LineFile(join(this.path, `${String(++this.files).padStart(4, '0')}-${label}`));
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
    writeSync(this.fd, this.pending.join('\n') + '\n');
    this.pending = [];
    this.pendingLength = 0;
  }

  /** Flushes and closes for writing; the file can then only be read. */
  finish(): void {
    if (this.fd === null) return;
    this.flush();
    closeSync(this.fd);
    this.fd = null;
  }

  /** The lines in the order they were appended, a chunk of the file at a time (finishes writing first). */
  async *lines(): AsyncGenerator<string[]> {
    this.finish();
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(READ_CHUNK);
      let carry = Buffer.alloc(0);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, null);
        if (bytesRead === 0) break;
        // Split on newline bytes, never inside a UTF-8 sequence (0x0a is never part of one).
        const chunk = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, bytesRead)]) : buffer;
        const end = carry.length + bytesRead;
        const lines: string[] = [];
        let start = 0;
        for (let nl = chunk.indexOf(10, start); nl !== -1 && nl < end; nl = chunk.indexOf(10, start)) {
          lines.push(chunk.toString('utf8', start, nl));
          start = nl + 1;
        }
        carry = Buffer.from(chunk.subarray(start, end));
        if (lines.length > 0) yield lines;
      }
      if (carry.length > 0) yield [carry.toString('utf8')];
    } finally {
      await handle.close();
    }
  }
}
