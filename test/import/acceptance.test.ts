/**
 * The acceptance case: files with a wrong USCC check character, an unknown department, a bad date and a
 * duplicate certificate number are refused with all four problems named by row and column, exit 1, and the
 * database is exactly as it was — even though rows before the first problem had already been written inside
 * the import's transaction.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { importWuhai } from '../helpers/wuhai.ts';
import { dumpDatabase, fixture, sqliteFileHash, tempDir, writeCsv } from './files.ts';

describe.each(dialects())('a refused import on $dialect', ({ dialect, fresh }) => {
  it('names all four problems by row and column, exits 1 and writes nothing', async () => {
    const { url, store } = await fresh();
    await store.close();
    await importWuhai(url);
    const dumpBefore = await dumpDatabase(url);
    const hashBefore = dialect === 'sqlite' ? sqliteFileHash(url) : null;

    const dir = tempDir();
    const targets = fixture('targets.csv');
    // Rows 2–1201 change (so the first batches are written before any problem turns up) …
    for (let row = 2; row <= 1201; row++) targets[row - 1]![1] += '（更名）';
    // … then the three problems, late in the file.
    const uscc = targets[1700 - 1]![0]!;
    const wrong = uscc.slice(0, 17) + (uscc[17] === 'Q' ? 'X' : 'Q');
    targets[1700 - 1]![0] = wrong;
    targets[1800 - 1]![12] = 'SCJG;NOPE';
    targets[1900 - 1]![8] = '2019-02-29';
    const inspectors = fixture('inspectors.csv');
    for (let row = 2; row <= 50; row++) inspectors[row - 1]![3] = '新科室';
    inspectors[90 - 1]![0] = inspectors[10 - 1]![0]!;

    const t = await runCli(url, ['import', 'targets', writeCsv(dir, 'targets.csv', targets)]);
    const i = await runCli(url, ['import', 'inspectors', writeCsv(dir, 'inspectors.csv', inspectors)]);
    expect([t.code, i.code]).toEqual([1, 1]);
    expect(t.stdout + i.stdout).toBe('');
    expect(t.stderr).toBe(
      [
        `targets.csv: row 1700, column 统一社会信用代码: check character should be '${uscc[17]}', found '${wrong[17]}'`,
        "targets.csv: row 1800, column 所属部门: unknown department 'NOPE' (not in the database: import departments first)",
        "targets.csv: row 1900, column 成立日期: '2019-02-29' is not a calendar date",
        'error: targets.csv: 3 problems — nothing was imported',
        '',
      ].join('\n'),
    );
    expect(i.stderr).toBe(
      [
        'inspectors.csv: row 90, column 执法证号: duplicate: row 10 has the same 执法证号',
        'error: inspectors.csv: 1 problem — nothing was imported',
        '',
      ].join('\n'),
    );

    expect(await dumpDatabase(url)).toEqual(dumpBefore);
    if (hashBefore !== null) expect(sqliteFileHash(url)).toBe(hashBefore);
    const verify = await runCli(url, ['audit', 'verify']);
    expect(verify.stdout).toBe('audit log intact: 5 entries\n');

    // The comparison can see a change: the same inspectors file without the duplicate imports and alters both.
    inspectors[90 - 1]![0] = fixture('inspectors.csv')[90 - 1]![0]!;
    const ok = await runCli(url, ['import', 'inspectors', writeCsv(dir, 'inspectors.csv', inspectors)]);
    expect(ok.stdout).toBe('inspectors.csv: 96 rows — 0 added, 49 changed, 47 unchanged\n');
    expect(await dumpDatabase(url)).not.toEqual(dumpBefore);
    if (hashBefore !== null) expect(sqliteFileHash(url)).not.toBe(hashBefore);
  });
});
