import { statSync, unlinkSync, writeFileSync } from 'node:fs';
import type { App } from '../app.ts';
import { UserError } from '../errors.ts';

/** True when `file` is the SQLite database (or its WAL, shared-memory or journal file), by any name or link. */
export function isDatabaseFile(app: App, file: string): boolean {
  const dbPath = app.store.sqlite?.name;
  if (!dbPath) return false;
  const target = statSync(file, { throwIfNoEntry: false });
  if (!target) return false;
  return ['', '-wal', '-shm', '-journal'].some((suffix) => {
    const s = statSync(dbPath + suffix, { throwIfNoEntry: false });
    return s !== undefined && s.dev === target.dev && s.ino === target.ino;
  });
}

/** What an export writes: the path and its bytes. */
export interface OutputFile {
  path: string;
  data: string | Uint8Array;
}

/**
 * Writes an export's files, all or none: never over liancha's own database, and never over an existing file
 * unless `force`. `code` prefixes the error codes (`DRAW` → `DRAW.EXPORT_EXISTS`); `what` names the content in the
 * database refusal ("the record"). Each file is created with `wx`, which fails if it appeared meanwhile; a file
 * this call created is removed again when a later one cannot be written.
 */
export function writeOutputFiles(
  app: App,
  files: readonly OutputFile[],
  opts: { force?: boolean; code: string; what: string },
): void {
  for (const f of files)
    if (isDatabaseFile(app, f.path))
      throw new UserError(
        `${opts.code}.EXPORT_OVER_DATABASE`,
        `${f.path} is liancha's own database (DATABASE_URL): write ${opts.what} to another file`,
      );
  const exists = (path: string) =>
    new UserError(
      `${opts.code}.EXPORT_EXISTS`,
      `${path} already exists: choose another file name, or add --force to overwrite it`,
    );
  if (!opts.force) {
    const there = files.find((f) => statSync(f.path, { throwIfNoEntry: false }) !== undefined);
    if (there) throw exists(there.path);
  }
  const created: string[] = [];
  for (const f of files) {
    try {
      // 'wx' fails when the file exists: an earlier export or any other file is never replaced by accident.
      writeFileSync(f.path, f.data, { flag: opts.force ? 'w' : 'wx' });
      if (!opts.force) created.push(f.path);
    } catch (err) {
      for (const path of created) unlinkSync(path);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw exists(f.path);
      throw new UserError(
        `${opts.code}.EXPORT_WRITE`,
        `cannot write ${f.path}: ${code ?? (err as Error).message}`,
      );
    }
  }
}
