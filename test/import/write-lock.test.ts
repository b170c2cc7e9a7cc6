/**
 * A large import does not block the bot (issue 7, item 8): while 100,000 targets are imported, another process
 * writing to the same SQLite file — as a card callback does, with a 3 s busy timeout (Feishu's limit) — always
 * gets the write lock in time. And all or nothing still holds when a write fails part-way.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLockProbe } from '../../bench/import-lock-probe.ts';
import { departmentsCsv, syntheticTarget, TARGET_HEADER, writeTargetsCsv } from '../../bench/import-data.ts';
import { openStore } from '../../src/storage/db.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects, freshSqliteUrl } from '../helpers/stores.ts';
import { importWuhai } from '../helpers/wuhai.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { dumpDatabase, refuseTargetInsert, fixture, tempDir, writeCsv } from './files.ts';

describe('import and the write lock', () => {
  it('a 100,000-row targets import never makes another writer wait 3 s', async () => {
    const url = freshSqliteUrl();
    const store = openStore(url);
    await migrate(store);
    await store.close();
    const dir = tempDir();
    writeFileSync(join(dir, 'departments.csv'), departmentsCsv());
    expect((await runCli(url, ['import', 'departments', join(dir, 'departments.csv')])).code).toBe(0);
    const targets = join(dir, 'targets.csv');
    await writeTargetsCsv(targets, 100_000);

    const probe = await startLockProbe(url.slice('file:'.length));
    const started = performance.now();
    const res = await runCli(url, ['import', 'targets', targets]);
    const importMs = performance.now() - started;
    const seen = await probe.stop();

    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('targets.csv: 100000 rows — 100000 added, 0 changed, 0 unchanged\n');
    expect(seen.failures).toEqual([]);
    // The writer kept writing all along (one write every 20 ms when the machine is idle), none of them refused.
    expect(seen.ok, JSON.stringify({ importMs, ...seen })).toBeGreaterThanOrEqual(10);
    console.log(
      `import ${(importMs / 1000).toFixed(1)} s; ${seen.ok} writes beside it, longest ${seen.maxMs.toFixed(0)} ms`,
    );
  }, 180_000);
});

describe.each(dialects())('a write failing part-way on $dialect', ({ fresh }) => {
  it('undoes the earlier transactions: additions removed, changed rows, their departments and digests put back', async () => {
    const { url, store } = await fresh();
    await store.close();
    await importWuhai(url);
    const grid = fixture('targets.csv');
    const col = (name: string) => grid[0]!.indexOf(name);
    // 1,000 changed rows (name and departments), 1,000 written differently (the same date another way: only
    // their source digests are written) and 9,000 new ones: three write transactions (APPLY_BATCH), written in
    // key order — the largest key, refused, comes in the last, after two have committed.
    grid.slice(1).forEach((row, i) => {
      if (i % 2 === 0) {
        row[col('名称')] += '（分店）';
        row[col('所属部门')] = 'GAJ';
      } else row[col('成立日期')] = row[col('成立日期')]!.replaceAll('-', '/');
    });
    const added = Array.from({ length: 9000 }, (_, i) => syntheticTarget(i));
    expect(TARGET_HEADER).toEqual(grid[0]);
    const last = [...grid.slice(1), ...added]
      .map((row) => row[0]!)
      .sort()
      .at(-1)!;
    const path = writeCsv(tempDir(), 'targets.csv', [...grid, ...added]);

    await refuseTargetInsert(url, last);
    const before = await dumpDatabase(url);

    const res = await runCli(url, ['import', 'targets', path]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(
      /^error: targets\.csv: the database refused a write part-way through \(.*disk I\/O error.*\); what had been written was undone — nothing was imported\n$/,
    );
    expect(await dumpDatabase(url)).toEqual(before);
  }, 120_000);
});
