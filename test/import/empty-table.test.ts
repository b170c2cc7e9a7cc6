/**
 * An import into an empty targets table builds target_departments' department index once, after its last row
 * (issue 13, item 2): the index must be there afterwards whatever happened — a write that failed part-way, or
 * an earlier import killed between dropping and rebuilding it.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { departmentsCsv, syntheticTarget, TARGET_HEADER } from '../../bench/import-data.ts';
import { openStore } from '../../src/storage/db.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { dumpDatabase, refuseTargetInsert, tempDir, writeCsv } from './files.ts';

const INDEX = 'target_departments_by_department';

async function indexExists(url: string): Promise<boolean> {
  const store = openStore(url);
  try {
    const rows =
      store.dialect === 'sqlite'
        ? (
            await sql`select name from sqlite_master where type = 'index' and name = ${INDEX}`.execute(
              store.db,
            )
          ).rows
        : (await sql`select indexname from pg_indexes where indexname = ${INDEX}`.execute(store.db)).rows;
    return rows.length === 1;
  } finally {
    await store.close();
  }
}

/** The bench's departments only, and a file of `rows` synthetic targets. */
async function prepare(url: string, rows: number): Promise<string> {
  const dir = tempDir();
  const departments = join(dir, 'departments.csv');
  writeFileSync(departments, departmentsCsv());
  expect((await runCli(url, ['import', 'departments', departments])).code).toBe(0);
  const grid = [TARGET_HEADER, ...Array.from({ length: rows }, (_, i) => syntheticTarget(i))];
  return writeCsv(dir, 'targets.csv', grid);
}

describe.each(dialects())('importing into an empty targets table on $dialect', ({ fresh }) => {
  it('a write failing part-way leaves the table empty and the department index in place', async () => {
    const { url, store } = await fresh();
    await store.close();
    const targets = await prepare(url, 9000);
    const last = syntheticTarget(8999)[0]!;
    await refuseTargetInsert(url, last);
    const before = await dumpDatabase(url);

    const res = await runCli(url, ['import', 'targets', targets]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/what had been written was undone — nothing was imported/);
    expect(await dumpDatabase(url)).toEqual(before);
    expect(await indexExists(url)).toBe(true);
  }, 120_000);

  it('an index left dropped by a killed import is rebuilt by the next import', async () => {
    const { url, store } = await fresh();
    await store.close();
    const targets = await prepare(url, 500);
    const admin = openStore(url);
    await sql.raw(`drop index ${INDEX}`).execute(admin.db);
    await admin.close();
    expect(await indexExists(url)).toBe(false);

    const res = await runCli(url, ['import', 'targets', targets]);
    expect(res.stdout).toBe('targets.csv: 500 rows — 500 added, 0 changed, 0 unchanged\n');
    expect(await indexExists(url)).toBe(true);
  }, 120_000);
});
