/**
 * Which failures an import reports as its temporary files' (src/import/temp-failure.ts): a system error on a file
 * in its temporary folder, also when a write failure wraps it (after the writes so far were undone) — and nothing
 * else, so that a database error keeps its own message.
 */
import { describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { tempFilesFailure } from '../../src/import/temp-failure.ts';
import { WriteUndone } from '../../src/storage/import/apply.ts';
import { tempFolderPrefix } from '../../src/storage/import/record-file.ts';

const systemError = (code: string, message: string) => Object.assign(new Error(message), { code });
const inTempFolder = `${tempFolderPrefix()}Ab12Cd/0003-undo`;

describe('tempFilesFailure', () => {
  it('turns a full disk part-way through the writes into one line that says what was undone', () => {
    const err = new WriteUndone(
      systemError('ENOSPC', `ENOSPC: no space left on device, write '${inTempFolder}'`),
    );
    expect(tempFilesFailure(err, 'targets.csv', true)?.message).toBe(
      `targets.csv: the import's temporary files in ${tmpdir()} could not be written or read (ENOSPC); an import ` +
        'needs up to about one and a half times the file’s size there: free some space, or set TMPDIR to a folder ' +
        'on a disk that has it — what had been written was undone, nothing was imported',
    );
  });

  it('leaves alone a database error, and a system error on any other file', () => {
    const sqliteFull = systemError('SQLITE_FULL', 'database or disk is full');
    expect(tempFilesFailure(new WriteUndone(sqliteFull), 'targets.csv', true)).toBeNull();
    const elsewhere = systemError(
      'ENOENT',
      "ENOENT: no such file or directory, open '/srv/liancha/targets.csv'",
    );
    expect(tempFilesFailure(elsewhere, 'targets.csv')).toBeNull();
    expect(tempFilesFailure(new Error(`${inTempFolder} without a code`), 'targets.csv')).toBeNull();
  });
});
