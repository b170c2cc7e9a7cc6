import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/db.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { appendAudit, verifyAuditChain } from '../../src/storage/audit.ts';
import { MIGRATIONS } from '../../migrations/index.ts';
import { dialects, freshSqliteUrl } from '../helpers/stores.ts';

const entry = (n: number) => ({
  at: `2026-11-0${n}T08:00:00.000Z`,
  actor: 'cli:test',
  action: 'import.targets',
  subject: `file${n}.csv`,
  details: { added: n },
});

describe.each(dialects())('storage on $dialect', ({ dialect, fresh }) => {
  it('migrates to the newest schema, and a second run applies nothing', async () => {
    const { store } = await fresh();
    try {
      const again = await migrate(store);
      expect(again.applied).toEqual([]);
      const names = await store.db.selectFrom('liancha_migrations').select('name').execute();
      expect(names.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
      expect(store.dialect).toBe(dialect);
    } finally {
      await store.close();
    }
  });

  it('enforces foreign keys: an item of an unknown department is refused', async () => {
    const { store } = await fresh();
    try {
      await expect(
        store.db
          .insertInto('items')
          .values({
            code: 'X-1',
            name: 'x',
            department: 'NOPE',
            category: 'key',
            basis: null,
            method: null,
            specialty: null,
          })
          .execute(),
      ).rejects.toThrow();
    } finally {
      await store.close();
    }
  });

  it('chains audit entries and reports the first altered or removed one', async () => {
    const { store } = await fresh();
    try {
      for (const n of [1, 2, 3, 4])
        await store.db.transaction().execute((trx) => appendAudit(trx, store.dialect, entry(n)));
      expect(await verifyAuditChain(store.db)).toEqual({ ok: true, entries: 4 });

      await store.db
        .updateTable('audit_log')
        .set({ details: JSON.stringify({ added: 99 }) })
        .where('seq', '=', 3)
        .execute();
      const altered = await verifyAuditChain(store.db);
      expect(altered).toMatchObject({ ok: false, seq: 3 });
      expect(altered.ok === false && altered.problem).toMatch(/altered/);

      await store.db.deleteFrom('audit_log').where('seq', '=', 2).execute();
      const removed = await verifyAuditChain(store.db);
      expect(removed).toMatchObject({ ok: false, seq: 2 });
      expect(removed.ok === false && removed.problem).toMatch(/missing/);
    } finally {
      await store.close();
    }
  });

  it('a failed migration leaves nothing behind', async () => {
    const { store } = await fresh();
    try {
      const broken = {
        name: '999_broken',
        async up(db: Kysely<any>) {
          await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
          await sql`this is not sql`.execute(db);
        },
      };
      await expect(migrate(store, [...MIGRATIONS, broken])).rejects.toThrow();
      const tables = await store.db.introspection.getTables();
      expect(tables.map((t) => t.name)).not.toContain('half_done');
      const names = await store.db.selectFrom('liancha_migrations').select('name').execute();
      expect(names.map((r) => r.name)).not.toContain('999_broken');
    } finally {
      await store.close();
    }
  });
});

describe('SQLite file settings', () => {
  it('uses WAL, foreign keys and a busy timeout', async () => {
    const url = freshSqliteUrl();
    const store = openStore(url);
    try {
      await migrate(store);
      expect(store.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.sqlite!.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.sqlite!.pragma('busy_timeout', { simple: true })).toBeGreaterThanOrEqual(5000);
    } finally {
      await store.close();
    }
    // The file is a real SQLite database on disk, not an in-memory one.
    expect(readFileSync(url.slice(5)).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
  });
});
