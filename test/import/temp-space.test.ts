/**
 * An import's temporary files (its sorted runs and undo log, under TMPDIR) that cannot be written or read — a
 * folder that does not exist, or one removed while the import runs (as a full disk would stop it) — end the import
 * with one line that names the folder and what to do, exit code 1, and nothing written: an operator's problem, not
 * an internal error with a stack.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.ts';
import { runImport } from '../../src/import/run-import.ts';
import { noProgress } from '../../src/import/progress.ts';
import { runCli } from '../helpers/cli.ts';
import { freshSqliteUrl } from '../helpers/stores.ts';
import { WUHAI_DIR } from '../helpers/wuhai.ts';
import { dumpDatabase } from './files.ts';

const TARGETS = join(WUHAI_DIR, 'targets.csv');

describe('an import whose temporary files fail', () => {
  const savedTmpdir = process.env.TMPDIR;
  let url: string;
  beforeEach(async () => {
    url = freshSqliteUrl();
    for (const kind of ['departments', 'items'])
      expect((await runCli(url, ['import', kind, join(WUHAI_DIR, `${kind}.csv`)])).code).toBe(0);
  });
  afterEach(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
  });

  it('says in one line that TMPDIR is not there, exits 1 and writes nothing', async () => {
    const before = await dumpDatabase(url);
    const missing = join(tmpdir(), `liancha-no-such-folder-${process.pid}`);
    process.env.TMPDIR = missing;
    const res = await runCli(url, ['import', 'targets', TARGETS]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      `error: targets.csv: the import's temporary files in ${missing} could not be written or read (ENOENT); an ` +
        'import needs up to about one and a half times the file’s size there: free some space, or set TMPDIR to a ' +
        'folder on a disk that has it — nothing was imported\n',
    );
    delete process.env.TMPDIR;
    expect(await dumpDatabase(url)).toEqual(before);
  });

  it('stops with that line when its folder goes while the rows are checked (records sorted on their own thread)', async () => {
    const before = await dumpDatabase(url);
    const tmp = mkdtempSync(join(tmpdir(), 'liancha-tmpdir-'));
    process.env.TMPDIR = tmp;
    const app = await createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'warn' } });
    try {
      let removed = false;
      const run = runImport(app, {
        kind: 'targets',
        path: TARGETS,
        batchSize: 100,
        sortBudget: 20_000,
        progress: () => ({
          ...noProgress,
          // After the first batch: the import's folder is there, its records not yet all sorted.
          update: () => {
            if (removed) return;
            removed = true;
            for (const name of readdirSync(tmp)) rmSync(join(tmp, name), { recursive: true });
          },
        }),
      });
      await expect(run).rejects.toMatchObject({
        code: 'IMPORT.TEMP_FILES',
        message: expect.stringMatching(
          new RegExp(
            `^targets\\.csv: the import's temporary files in ${tmp} could not be written or read \\(ENOENT\\);.* — nothing was imported$`,
          ),
        ),
      });
      expect(removed).toBe(true);
    } finally {
      await app.close();
      rmSync(tmp, { recursive: true, force: true });
    }
    expect(await dumpDatabase(url)).toEqual(before);
  });
});
