import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations/index.ts';
import { openStore, type Store } from '../../src/storage/db.ts';
import { getDraw } from '../../src/storage/draws.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { dialects, freshPostgresUrl, freshSqliteUrl } from '../helpers/stores.ts';

/**
 * Migration 008: the snapshot texts leave the `draws` row for `draw_snapshots`. Existing draws keep their texts
 * byte for byte, and the texts stay as final as they were in the row: no UPDATE, no DELETE, nothing added to a
 * draw that has run.
 */

const BEFORE_008 = MIGRATIONS.filter((m) => m.name < '008');

/** Texts with what a byte-exact copy must keep: non-ASCII, a tab, an empty snapshot, a longer one. */
const texts = (n: number) => ({
  targets: Array.from(
    { length: 2000 },
    (_, i) => `91150302${String(i).padStart(10, '0')}\tA\t乌海${n}\n`,
  ).join(''),
  officers: `111\tSCJG\t150302;150303\n222\tWJW\t😀${n}\n`,
  conflicts: n === 1 ? '' : `111\t911503020000000000\n`,
});

async function oldDraw(db: Kysely<any>, taskId: string, n: number, ran: boolean): Promise<void> {
  await db
    .insertInto('tasks')
    .values({
      id: taskId,
      name: taskId,
      initiator: 'SCJG',
      state: ran ? 'locked' : 'frozen',
      definition: '{}',
      year: 2026,
      created_at: '2026-12-01T00:00:00.000Z',
      created_by: 'test',
    })
    .execute();
  const t = texts(n);
  await db
    .insertInto('draws')
    .values({
      task_id: taskId,
      entropy_source: `source ${n}`,
      frozen_at: '2026-12-01T01:00:00.000Z',
      frozen_by: 'test',
      parameters: '{"count":null}',
      targets_snapshot: t.targets,
      officers_snapshot: t.officers,
      conflicts_snapshot: t.conflicts,
      targets_hash: `t${n}`,
      officers_hash: `o${n}`,
      conflicts_hash: `c${n}`,
    })
    .execute();
  if (ran)
    await db
      .updateTable('draws')
      .set({ entropy: 'e', seed: 'ab', run_at: '2026-12-01T02:00:00.000Z', run_by: 'test' })
      .where('task_id', '=', taskId)
      .execute();
}

async function columnsOfDraws(store: Store): Promise<string[]> {
  const rows =
    store.dialect === 'postgres'
      ? await sql<{ name: string }>`select column_name as name from information_schema.columns
          where table_name = 'draws' and table_schema = current_schema()`.execute(store.db)
      : await sql<{ name: string }>`select name from pragma_table_info('draws')`.execute(store.db);
  return rows.rows.map((r) => r.name).sort();
}

describe.each(dialects())('draw snapshots in their own table on $dialect', ({ dialect, fresh }) => {
  it('migration 008 moves the texts of frozen and run draws byte for byte and drops the columns', async () => {
    const url = dialect === 'postgres' ? await freshPostgresUrl() : freshSqliteUrl();
    const store = openStore(url);
    try {
      await migrate(store, BEFORE_008);
      const db = store.db as unknown as Kysely<any>;
      await db.insertInto('departments').values({ code: 'SCJG', name: '市场监管局' }).execute();
      await oldDraw(db, 'FROZEN', 1, false);
      await oldDraw(db, 'RAN', 2, true);

      expect((await migrate(store)).applied[0]).toBe('008_draw_snapshots');

      for (const [taskId, n] of [
        ['FROZEN', 1],
        ['RAN', 2],
      ] as const) {
        const draw = (await getDraw(store.db, taskId))!;
        expect(draw.snapshots).toEqual(texts(n));
        expect(draw.hashes).toEqual({ targets: `t${n}`, officers: `o${n}`, conflicts: `c${n}` });
        expect(draw.entropySource).toBe(`source ${n}`);
        expect(draw.seed).toBe(n === 2 ? 'ab' : null);
      }
      expect(await columnsOfDraws(store)).not.toContain('targets_snapshot');
      expect((await columnsOfDraws(store)).filter((c) => c.endsWith('_snapshot'))).toEqual([]);
      // The frozen draw still runs: the seed is the one update a draw row gets.
      await store.db
        .updateTable('draws')
        .set({ entropy: 'e', seed: 'cd', run_at: '2026-12-02T00:00:00.000Z', run_by: 'test' })
        .where('task_id', '=', 'FROZEN')
        .execute();
      expect((await getDraw(store.db, 'FROZEN'))!.snapshots).toEqual(texts(1));
    } finally {
      await store.close();
    }
  });

  it('a snapshot is final before and after the run: no UPDATE, DELETE, second text or text added after the run', async () => {
    const { store } = await fresh();
    try {
      const db = store.db;
      await db
        .insertInto('departments')
        .values({ code: 'SCJG', name: '市场监管局', head: null, liaison: null })
        .execute();
      for (const id of ['T1', 'T2'])
        await db
          .insertInto('tasks')
          .values({
            id,
            name: id,
            initiator: 'SCJG',
            state: 'frozen',
            definition: '{}',
            year: 2026,
            created_at: '2026-12-01T00:00:00.000Z',
            created_by: 'test',
            void_reason: null,
            voided_at: null,
            closed_at: null,
            close_reason: null,
          })
          .execute();
      const draw = (task_id: string) => ({
        task_id,
        entropy_source: 'source',
        frozen_at: '2026-12-01T01:00:00.000Z',
        frozen_by: 'test',
        parameters: '{}',
        targets_hash: 't',
        officers_hash: 'o',
        conflicts_hash: 'c',
        entropy: null,
        seed: null,
        run_at: null,
        run_by: null,
      });
      await db
        .insertInto('draws')
        .values([draw('T1'), draw('T2')])
        .execute();
      await db
        .insertInto('draw_snapshots')
        .values([
          { task_id: 'T1', kind: 'targets', text: 'A\tA\t1\n' },
          { task_id: 'T1', kind: 'officers', text: '' },
          { task_id: 'T1', kind: 'conflicts', text: '' },
          { task_id: 'T2', kind: 'targets', text: 'B\tB\t2\n' },
        ])
        .execute();

      const refusals = async (taskId: string, locked: RegExp) => {
        await expect(
          db.updateTable('draw_snapshots').set({ text: '' }).where('task_id', '=', taskId).execute(),
        ).rejects.toThrow(/LOCKED: a frozen snapshot cannot be changed/);
        await expect(
          db.updateTable('draw_snapshots').set({ task_id: 'T1' }).where('task_id', '=', 'T2').execute(),
        ).rejects.toThrow(/LOCKED/);
        await expect(db.deleteFrom('draw_snapshots').where('task_id', '=', taskId).execute()).rejects.toThrow(
          /LOCKED: a frozen snapshot cannot be changed/,
        );
        await expect(
          db.insertInto('draw_snapshots').values({ task_id: taskId, kind: 'targets', text: '' }).execute(),
        ).rejects.toThrow(locked);
        await expect(
          db.updateTable('draws').set({ targets_hash: 'x' }).where('task_id', '=', taskId).execute(),
        ).rejects.toThrow(/LOCKED/);
        if (store.dialect === 'postgres')
          await expect(sql`truncate draw_snapshots`.execute(db)).rejects.toThrow(/LOCKED/);
      };
      // Frozen: a second targets text is refused by the key.
      await refusals('T1', /./);
      // Run: a text the freeze did not write cannot be added afterwards either.
      await db.updateTable('draws').set({ entropy: 'e', seed: 'ab' }).where('task_id', '=', 'T2').execute();
      await expect(
        db.insertInto('draw_snapshots').values({ task_id: 'T2', kind: 'officers', text: '' }).execute(),
      ).rejects.toThrow(/LOCKED: this draw has run and is locked/);
      await refusals('T2', /./);
      await expect(
        db.insertInto('draw_snapshots').values({ task_id: 'NONE', kind: 'officers', text: '' }).execute(),
      ).rejects.toThrow();
      expect((await getDraw(db, 'T1'))!.snapshots).toEqual({
        targets: 'A\tA\t1\n',
        officers: '',
        conflicts: '',
      });
      await expect(getDraw(db, 'T2')).rejects.toThrow(/has no officers, conflicts snapshot/);
    } finally {
      await store.close();
    }
  });
});
