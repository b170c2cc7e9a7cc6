/**
 * A CSV import into SQLite loads neither the spreadsheet reader (exceljs and unzipper, some 600 modules and
 * 28 MB resident) nor the PostgreSQL driver (15 MB): the million-target import's memory goal leaves no room for
 * code it never runs. An XLSX import still loads exceljs. Checked on the `liancha` command itself, by the
 * packages in Node's module cache when it exits.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WUHAI_DIR } from '../helpers/wuhai.ts';
import { fixture, tempDir, writeXlsx } from './files.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'liancha.js');

/** The packages (node_modules names) loaded by `liancha import KIND FILE` into a new SQLite database. */
function packagesLoadedBy(kind: string, file: string): Set<string> {
  const dir = tempDir();
  const out = join(dir, 'packages.json');
  const preload = join(dir, 'preload.mjs');
  writeFileSync(
    preload,
    `import Module from 'node:module';
     import { writeFileSync } from 'node:fs';
     process.on('exit', () => writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(Module._cache))));`,
  );
  execFileSync(process.execPath, ['--import', preload, BIN, 'import', kind, file], {
    env: { ...process.env, DATABASE_URL: `file:${join(dir, 'lazy.db')}`, LOG_LEVEL: 'error' },
    stdio: 'pipe',
  });
  const paths = JSON.parse(readFileSync(out, 'utf8')) as string[];
  return new Set(paths.map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1] ?? 'own code'));
}

describe('what an import loads', () => {
  it('a CSV import into SQLite loads neither exceljs nor pg', () => {
    const loaded = packagesLoadedBy('departments', join(WUHAI_DIR, 'departments.csv'));
    expect(loaded.has('better-sqlite3')).toBe(true); // the check sees the packages it did load
    expect(loaded.has('exceljs')).toBe(false);
    expect(loaded.has('unzipper')).toBe(false);
    expect(loaded.has('pg')).toBe(false);
  });

  it('an XLSX import loads exceljs', async () => {
    const file = await writeXlsx(tempDir(), 'departments.xlsx', fixture('departments.csv'));
    expect(packagesLoadedBy('departments', file).has('exceljs')).toBe(true);
  });
});
