/**
 * A targets import writes with SQLite's foreign-key checks off and checks the department of every link itself
 * (issue 13, item 2): what the foreign key refused, the import still refuses — a department removed between the
 * check of the file and the write of its rows — and the checks are on again afterwards, whichever way the
 * import ended (the demo imports on the server's own connection).
 */
import { describe, expect, it } from 'vitest';
import { syntheticTarget, TARGET_HEADER } from '../../bench/import-data.ts';
import { createApp, type App } from '../../src/app.ts';
import { runImport } from '../../src/import/run-import.ts';
import { dialects } from '../helpers/stores.ts';
import { tempDir, writeCsv } from './files.ts';

/** 9,000 targets (three write transactions), all in SCJG except the last 1,000 in key order, in GAJ. */
function targetsFile(): string {
  const rows = Array.from({ length: 9000 }, (_, i) => syntheticTarget(i)).sort((a, b) =>
    a[0]! < b[0]! ? -1 : 1,
  );
  rows.forEach((r, i) => (r[12] = i < 8000 ? 'SCJG' : 'GAJ'));
  return writeCsv(tempDir(), 'targets.csv', [TARGET_HEADER, ...rows]);
}

async function count(app: App, table: 'targets' | 'target_departments'): Promise<number> {
  const row = await app.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const foreignKeysOn = (app: App): boolean =>
  app.store.sqlite === null || app.store.sqlite.pragma('foreign_keys', { simple: true }) === 1;

async function appWithDepartments(url: string): Promise<App> {
  const app = await createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'warn' } });
  await app.store.db
    .insertInto('departments')
    .values([
      { code: 'SCJG', name: '市场监管局' },
      { code: 'GAJ', name: '公安局' },
    ])
    .execute();
  return app;
}

describe.each(dialects())('targets import, own reference checks ($dialect)', ({ dialect, fresh }) => {
  // SQLite only: PostgreSQL keeps its own checks on, and there no statement could remove the department at
  // that moment without racing the import's first write.
  it.runIf(dialect === 'sqlite')(
    'refuses, and undoes, a write whose department was removed after the file was checked',
    async () => {
      const { url, store } = await fresh();
      await store.close();
      const app = await appWithDepartments(url);
      try {
        // Another process's change between the check and the write (through the raw handle: the import holds
        // kysely's one SQLite connection).
        const removeGaj = () => app.store.sqlite!.prepare(`delete from departments where code = 'GAJ'`).run();
        const imported = runImport(app, {
          kind: 'targets',
          path: targetsFile(),
          progress: () => ({
            update() {},
            phase: removeGaj,
            stop() {},
          }),
        });
        await expect(imported).rejects.toThrow(/what had been written was undone — nothing was imported/);
        expect(await count(app, 'targets')).toBe(0);
        expect(await count(app, 'target_departments')).toBe(0);
        expect(foreignKeysOn(app)).toBe(true);
      } finally {
        await app.close();
      }
    },
    60_000,
  );

  it('writes every link to a department that is there, and turns the checks back on', async () => {
    const { url, store } = await fresh();
    await store.close();
    const app = await appWithDepartments(url);
    try {
      const summary = await runImport(app, { kind: 'targets', path: targetsFile() });
      expect(summary).toMatchObject({ added: 9000, changed: 0 });
      expect(await count(app, 'target_departments')).toBe(9000);
      expect(foreignKeysOn(app)).toBe(true);
      if (app.store.sqlite) expect(app.store.sqlite.pragma('foreign_key_check')).toEqual([]);
    } finally {
      await app.close();
    }
  }, 60_000);
});
