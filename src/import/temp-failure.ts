/**
 * An import's temporary files (its sorted runs and undo log, under the system's temporary folder) could not be
 * written or read: a full disk or quota, a folder not writable, or removed while the import ran. The operator's to
 * fix, not a bug in liancha — so one line that says where and what to do, not an internal error's stack.
 */
import { tmpdir } from 'node:os';
import { UserError } from '../errors.ts';
import { tempFolderPrefix } from '../storage/import/record-file.ts';

/** The code of the system error `err` (or what it wraps) met on an import's temporary folder, or null. */
function tempFilesErrorCode(err: unknown): string | null {
  const prefix = tempFolderPrefix();
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && e.message.includes(prefix)) return code;
  }
  return null;
}

/**
 * The UserError to throw instead of `err` when it is a failure of the import's temporary files; null otherwise.
 * `undone`: the failure came part-way through the writes, and what they had written was put back.
 */
export function tempFilesFailure(err: unknown, file: string, undone = false): UserError | null {
  const code = tempFilesErrorCode(err);
  if (code === null) return null;
  return new UserError(
    'IMPORT.TEMP_FILES',
    `${file}: the import's temporary files in ${tmpdir()} could not be written or read (${code}); an import needs ` +
      'up to about one and a half times the file’s size there: free some space, or set TMPDIR to a folder on a ' +
      `disk that has it — ${undone ? 'what had been written was undone, ' : ''}nothing was imported`,
  );
}
