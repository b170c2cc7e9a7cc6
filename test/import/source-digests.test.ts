/**
 * Each directory row keeps the source digest of the line that last wrote it (src/import/source-digest.ts), and a
 * re-import takes that line, met again, as unchanged without checking it. What a user sees must stay exactly
 * what comparing each row gave: counts, duplicates, and rows written only when they change.
 */
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/db.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { importWuhai, WUHAI_DIR } from '../helpers/wuhai.ts';
import { dumpDatabase, fixture, tempDir, writeCsv } from './files.ts';

const TARGETS = join(WUHAI_DIR, 'targets.csv');

describe.each(dialects())('source digests on $dialect', ({ fresh }) => {
  async function digestsOf(url: string, usccs: string[]): Promise<(string | null)[]> {
    const store = openStore(url);
    try {
      const rows = await store.db
        .selectFrom('targets')
        .select(['uscc', 'source_digest'])
        .where('uscc', 'in', usccs)
        .execute();
      const byUscc = new Map(
        rows.map((r) => [r.uscc, r.source_digest === null ? null : String(r.source_digest)]),
      );
      return usccs.map((u) => byUscc.get(u) ?? null);
    } finally {
      await store.close();
    }
  }

  it('a line written differently that means the same row is unchanged (dry run too) and only its digest is written', async () => {
    const { url, store } = await fresh();
    await store.close();
    await importWuhai(url);
    const grid = fixture('targets.csv');
    const col = (name: string) => grid[0]!.indexOf(name);
    // Row 3: the same date written another way and a space around the name — the same target. Row 4: a new name.
    expect(grid[2]![col('成立日期')]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    grid[2]![col('成立日期')] = grid[2]![col('成立日期')]!.replaceAll('-', '/');
    grid[2]![col('名称')] = ` ${grid[2]![col('名称')]} `;
    grid[3]![col('名称')] = '乌海新名称有限公司';
    const path = writeCsv(tempDir(), 'targets.csv', grid);
    const [reformatted, renamed] = [grid[2]![0]!, grid[3]![0]!];
    const [oldDigest] = await digestsOf(url, [reformatted]);
    const before = await dumpDatabase(url, { except: ['audit_log'] });

    const dry = await runCli(url, ['import', 'targets', path, '--dry-run']);
    expect(dry.stdout).toBe(
      'targets.csv: 2000 rows — 0 added, 1 changed, 1999 unchanged (dry run: nothing was written)\n',
    );
    expect(await dumpDatabase(url, { except: ['audit_log'] })).toEqual(before);

    const res = await runCli(url, ['import', 'targets', path]);
    expect(res.stdout).toBe('targets.csv: 2000 rows — 0 added, 1 changed, 1999 unchanged\n');
    const [newDigest] = await digestsOf(url, [reformatted]);
    expect(newDigest).not.toBeNull();
    expect(newDigest).not.toBe(oldDigest);
    // Nothing else of the reformatted row changed: the dumps differ only in the renamed target and the digests.
    const after = await dumpDatabase(url, { except: ['audit_log'], exceptColumns: ['source_digest'] });
    expect(after.target_departments).toEqual(before.target_departments);
    const targetsNow = after.targets!.filter((r) => !r.includes(renamed));
    const targetsBefore = before.targets!.filter((r) => !r.includes(renamed)).map(withoutDigest);
    expect(targetsNow).toEqual(targetsBefore);
    expect(after.targets!.find((r) => r.includes(renamed))).toContain('乌海新名称有限公司');

    // Met again, every line is the one that wrote its row.
    const again = await runCli(url, ['import', 'targets', path]);
    expect(again.stdout).toBe(
      'targets.csv: 2000 rows — 0 added, 0 changed, 2000 unchanged; nothing changed\n',
    );
  });

  it('rows written before digests were kept are compared, counted unchanged, and get their digests', async () => {
    const { url, store } = await fresh();
    await store.close();
    await importWuhai(url);
    const check = openStore(url);
    try {
      await sql`update targets set source_digest = null`.execute(check.db);
    } finally {
      await check.close();
    }
    const before = await dumpDatabase(url, { except: ['audit_log'] });
    const res = await runCli(url, ['import', 'targets', TARGETS]);
    expect(res.stdout).toBe('targets.csv: 2000 rows — 0 added, 0 changed, 2000 unchanged; nothing changed\n');
    const after = await dumpDatabase(url, { except: ['audit_log'] });
    expect(after.targets!.map(withoutDigest)).toEqual(before.targets!.map(withoutDigest));
    expect(after.targets!.filter((r) => r.includes('"source_digest":null'))).toEqual([]);
    // Their departments were left alone: not one link written again.
    expect(after.target_departments).toEqual(before.target_departments);
  });

  it('the line that wrote a row, given twice, is a duplicate — whether the copy comes after it or before', async () => {
    const { url, store } = await fresh();
    await store.close();
    await importWuhai(url);
    const grid = fixture('targets.csv');
    const copyAfter = [...grid, [...grid[3]!]];
    const after = await runCli(url, ['import', 'targets', writeCsv(tempDir(), 'after.csv', copyAfter)]);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain(
      'row 2002, column 统一社会信用代码: duplicate: row 4 has the same 统一社会信用代码',
    );

    // A changed copy first: the unchanged line after it is the duplicate.
    const changed = [...grid[3]!];
    changed[1] = '乌海另一名称有限公司';
    const copyBefore = [grid[0]!, changed, ...grid.slice(1)];
    const before = await runCli(url, ['import', 'targets', writeCsv(tempDir(), 'before.csv', copyBefore)]);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain(
      'row 5, column 统一社会信用代码: duplicate: row 2 has the same 统一社会信用代码',
    );
  });
});

/** A dumped row (JSON) without its source digest. */
function withoutDigest(json: string): string {
  const { source_digest: _digest, ...row } = JSON.parse(json) as Record<string, unknown>;
  return JSON.stringify(row);
}
