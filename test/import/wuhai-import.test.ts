import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { usccCheckCharacter } from '../../src/domain/uscc.ts';
import { createApp } from '../../src/app.ts';
import { runImport } from '../../src/import/run-import.ts';
import { openStore } from '../../src/storage/db.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { importWuhai, WUHAI_DIR, WUHAI_FILES } from '../helpers/wuhai.ts';
import { dumpDatabase, fixture, tempDir, writeCsv } from './files.ts';

const COUNTS = { departments: 8, items: 15, targets: 2000, inspectors: 96, conflicts: 9 };
const at = (iso: string) => () => new Date(iso);

/** A directory row without its source digest, which every imported row has (a bigint: text on PostgreSQL). */
function stored<R extends { source_digest: unknown }>(
  row: R | undefined,
): Omit<R, 'source_digest'> | undefined {
  if (row === undefined) return undefined;
  const { source_digest: digest, ...rest } = row;
  expect(Number.isSafeInteger(Number(digest))).toBe(true);
  return rest;
}

describe.each(dialects())('importing the Wuhai directories on $dialect', ({ fresh }) => {
  it('imports every file in dependency order with the right counts, and the data reads back', async () => {
    const { url, store } = await fresh();
    try {
      for (const [kind, file] of WUHAI_FILES) {
        const res = await runCli(url, ['import', kind, join(WUHAI_DIR, file)]);
        expect(res.stderr).toBe('');
        expect(res.code).toBe(0);
        const n = COUNTS[kind];
        expect(res.stdout).toBe(`${file}: ${n} rows — ${n} added, 0 changed, 0 unchanged\n`);
      }
      const count = async (
        table: 'departments' | 'items' | 'targets' | 'inspectors' | 'conflicts' | 'target_departments',
      ) =>
        Number(
          (
            await store.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      for (const [kind] of WUHAI_FILES) expect(await count(kind)).toBe(COUNTS[kind]);
      // Every target's departments, split on ';': as many rows as the fixture has codes.
      const codes = fixture('targets.csv')
        .slice(1)
        .reduce((sum, row) => sum + row[12]!.split(';').length, 0);
      expect(await count('target_departments')).toBe(codes);

      expect(
        stored(
          await store.db.selectFrom('departments').selectAll().where('code', '=', 'SCJG').executeTakeFirst(),
        ),
      ).toEqual({
        code: 'SCJG',
        name: '市市场监督管理局',
        head: '13947000000',
        liaison: '13947000007',
      });
      expect(
        stored(
          await store.db.selectFrom('items').selectAll().where('code', '=', 'SCJG-001').executeTakeFirst(),
        ),
      ).toEqual({
        code: 'SCJG-001',
        name: '企业公示信息情况的检查',
        department: 'SCJG',
        category: 'key',
        basis: '《企业信息公示暂行条例》',
        method: '实地核查',
        specialty: '公示信息',
      });
      expect(
        await store.db
          .selectFrom('items')
          .select('category')
          .where('code', '=', 'SCJG-002')
          .executeTakeFirst(),
      ).toEqual({ category: 'general' });
      expect(
        stored(
          await store.db
            .selectFrom('targets')
            .selectAll()
            .where('uscc', '=', '9115030328AKEQWCXY')
            .executeTakeFirst(),
        ),
      ).toEqual({
        uscc: '9115030328AKEQWCXY',
        name: '乌海天泰诊所有限公司',
        kind: '企业',
        legal_rep: '陆海',
        address: '乌海市海南区滨河路208号',
        region: '150303',
        industry: '医疗服务',
        scope: '医疗服务',
        established: '2014-07-11',
        status: '存续',
        risk: 'B',
        phone: '0473-7020461',
      });
      const depts = await store.db
        .selectFrom('target_departments')
        .select('department')
        .where('uscc', '=', '9115030328AKEQWCXY')
        .orderBy('department')
        .execute();
      expect(depts.map((d) => d.department)).toEqual(['JTYS', 'SCJG', 'ZJJ']);

      const officer = await store.db
        .selectFrom('inspectors')
        .selectAll()
        .where('cert_no', '=', '158549200974')
        .executeTakeFirstOrThrow();
      expect({ ...stored(officer), active: Number(officer.active) }).toEqual({
        cert_no: '158549200974',
        name: '谭磊',
        department: 'SCJG',
        section: '监督科',
        cert_valid_until: '2029-02-09',
        specialties: '["药品监管","治安"]',
        regions: '["150302","150303","150304"]',
        mobile: '13947000112',
        open_id: null,
        kind: 'officer',
        active: 1,
      });
      const expert = await store.db
        .selectFrom('inspectors')
        .select(['kind', 'regions'])
        .where('cert_no', '=', '155183008997')
        .executeTakeFirstOrThrow();
      expect(expert).toEqual({ kind: 'expert', regions: '["150302"]' });
      expect(
        stored(
          await store.db
            .selectFrom('conflicts')
            .selectAll()
            .where('cert_no', '=', '159022632200')
            .executeTakeFirst(),
        ),
      ).toEqual({ cert_no: '159022632200', uscc: '91150302877FQE1071', reason: '近亲属任职' });

      // No identity number is stored anywhere.
      const ids = fixture('inspectors.csv')
        .slice(1)
        .map((r) => r[8]!);
      const everything = JSON.stringify(await dumpDatabase(url));
      for (const id of ids) expect(everything).not.toContain(id);
    } finally {
      await store.close();
    }
  });

  it('re-importing changes nothing and says so; a changed row counts as changed', async () => {
    const { url, store } = await fresh();
    await store.close();
    await importWuhai(url);
    const before = await dumpDatabase(url, { except: ['audit_log'] });
    for (const [kind, file] of WUHAI_FILES) {
      const res = await runCli(url, ['import', kind, join(WUHAI_DIR, file)]);
      expect(res.code).toBe(0);
      const n = COUNTS[kind];
      expect(res.stdout).toBe(`${file}: ${n} rows — 0 added, 0 changed, ${n} unchanged; nothing changed\n`);
    }
    expect(await dumpDatabase(url, { except: ['audit_log'] })).toEqual(before);

    // Change one target's name, another's departments, and add one target.
    const grid = fixture('targets.csv');
    grid[5]![1] = '乌海新名称有限公司';
    grid[9]![12] = 'SCJG、GAJ';
    grid.push([...grid[2]!]);
    grid.at(-1)![0] = '91150302MA0N00000' + usccCheckCharacter('91150302MA0N00000');
    const dir = tempDir();
    const path = writeCsv(dir, 'targets.csv', grid);
    const res = await runCli(url, ['import', 'targets', path]);
    expect(res.stdout).toBe('targets.csv: 2001 rows — 1 added, 2 changed, 1998 unchanged\n');
    const check = openStore(url);
    try {
      expect(
        (
          await check.db
            .selectFrom('targets')
            .select('name')
            .where('uscc', '=', grid[5]![0]!)
            .executeTakeFirst()
        )?.name,
      ).toBe('乌海新名称有限公司');
      const depts = await check.db
        .selectFrom('target_departments')
        .select('department')
        .where('uscc', '=', grid[9]![0]!)
        .orderBy('department')
        .execute();
      expect(depts.map((d) => d.department)).toEqual(['GAJ', 'SCJG']);
    } finally {
      await check.close();
    }
  });

  it('small batches (many lookups, chunks and batch boundaries) and a small sort budget (records sorted on a thread of their own, merged from many runs) give the same database and counts', async () => {
    const base = await fresh();
    await base.store.close();
    await importWuhai(base.url);
    const expected = await dumpDatabase(base.url, { except: ['audit_log', 'liancha_migrations'] });

    const { url, store } = await fresh();
    await store.close();
    const app = await createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'warn' } });
    try {
      for (const [kind, file] of WUHAI_FILES) {
        const summary = await runImport(app, {
          kind,
          path: join(WUHAI_DIR, file),
          batchSize: 7,
          sortBudget: 20_000,
        });
        expect(summary).toMatchObject({ rows: COUNTS[kind], added: COUNTS[kind], changed: 0 });
      }
      const again = await runImport(app, {
        kind: 'targets',
        path: join(WUHAI_DIR, 'targets.csv'),
        batchSize: 13,
        sortBudget: 20_000,
      });
      expect(again).toMatchObject({ added: 0, changed: 0, unchanged: 2000 });
      // A duplicate far from its first row, across many batches, is still found.
      const grid = fixture('targets.csv');
      grid[1500]![0] = grid[3]![0]!;
      const refused = runImport(app, {
        kind: 'targets',
        path: writeCsv(tempDir(), 't.csv', grid),
        batchSize: 5,
        sortBudget: 20_000,
      });
      await expect(refused).rejects.toThrow('t.csv: 1 problem — nothing was imported');
      await expect(refused).rejects.toMatchObject({
        problems: {
          kept: [
            {
              row: 1501,
              column: '统一社会信用代码',
              reason: 'duplicate: row 4 has the same 统一社会信用代码',
            },
          ],
        },
      });
    } finally {
      await app.close();
    }
    expect(await dumpDatabase(url, { except: ['audit_log', 'liancha_migrations'] })).toEqual(expected);
  });

  it('--dry-run checks and counts but writes nothing, and says so', async () => {
    const { url, store } = await fresh();
    await store.close();
    await runCli(url, ['import', 'departments', join(WUHAI_DIR, 'departments.csv')]);
    const before = await dumpDatabase(url);
    const res = await runCli(url, ['import', 'targets', join(WUHAI_DIR, 'targets.csv'), '--dry-run']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(
      'targets.csv: 2000 rows — 2000 added, 0 changed, 0 unchanged (dry run: nothing was written)\n',
    );
    expect(await dumpDatabase(url)).toEqual(before);
  });

  it('--json prints the summary; every import is audited with the file hash and counts', async () => {
    const { url, store } = await fresh();
    await store.close();
    const clock = at('2026-11-20T08:00:00.000Z');
    await runCli(url, ['import', 'departments', join(WUHAI_DIR, 'departments.csv')], { clock });
    const first = await runCli(url, ['import', 'items', join(WUHAI_DIR, 'items.csv'), '--json'], { clock });
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toEqual({
      ok: true,
      file: 'items.csv',
      kind: 'items',
      format: 'csv-utf8',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      dryRun: false,
      rows: 15,
      added: 15,
      changed: 0,
      unchanged: 0,
      nothingChanged: false,
      warnings: [],
    });
    const again = JSON.parse(
      (await runCli(url, ['import', 'items', join(WUHAI_DIR, 'items.csv'), '--json'], { clock })).stdout,
    );
    expect(again).toMatchObject({ added: 0, changed: 0, unchanged: 15, nothingChanged: true });
    await runCli(url, ['import', 'items', join(WUHAI_DIR, 'items.csv'), '--dry-run'], { clock });

    const check = openStore(url);
    try {
      const audit = await check.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
      // departments, items, items again (nothing changed is audited too); the dry run is not.
      expect(audit.map((a) => [a.action, a.subject])).toEqual([
        ['import.departments', 'departments.csv'],
        ['import.items', 'items.csv'],
        ['import.items', 'items.csv'],
      ]);
      expect(audit[1]!.at).toBe('2026-11-20T08:00:00.000Z');
      expect(audit[1]!.actor).toMatch(/^cli:/);
      expect(JSON.parse(audit[1]!.details)).toEqual({
        sha256: summary.sha256,
        format: 'csv-utf8',
        rows: 15,
        added: 15,
        changed: 0,
        unchanged: 0,
      });
      expect(JSON.parse(audit[2]!.details)).toMatchObject({ added: 0, unchanged: 15 });
    } finally {
      await check.close();
    }
    expect(summary.sha256).toBe(
      createHash('sha256')
        .update(readFileSync(join(WUHAI_DIR, 'items.csv')))
        .digest('hex'),
    );
    const verify = await runCli(url, ['audit', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toBe('audit log intact: 3 entries\n');
  });

  it('an unknown column is ignored with a warning (stderr and --json), and the rest imports', async () => {
    const { url, store } = await fresh();
    await store.close();
    const grid = fixture('departments.csv').map((row, i) => [...row, i === 0 ? '备注' : 'x']);
    const path = writeCsv(tempDir(), 'departments.csv', grid);
    const res = await runCli(url, ['import', 'departments', path]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe(
      'warning: departments.csv: column "备注" is not one of the departments columns; ignored\n',
    );
    expect(res.stdout).toBe('departments.csv: 8 rows — 8 added, 0 changed, 0 unchanged\n');
    const json = JSON.parse((await runCli(url, ['import', 'departments', path, '--json'])).stdout);
    expect(json.warnings).toEqual([
      'departments.csv: column "备注" is not one of the departments columns; ignored',
    ]);
  });
});
