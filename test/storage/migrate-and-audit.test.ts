import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/db.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { appendAudit, auditHash, verifyAuditChain } from '../../src/storage/audit.ts';
import type { Store } from '../../src/storage/db.ts';
import { MIGRATIONS } from '../../migrations/index.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects, freshSqliteUrl } from '../helpers/stores.ts';

const entry = (n: number) => ({
  at: `2026-11-0${n}T08:00:00.000Z`,
  actor: 'cli:test',
  action: 'import.targets',
  subject: `file${n}.csv`,
  details: { added: n },
});

/** What someone with full database access (a DBA, or anyone holding the SQLite file) can do: drop the guards. */
async function dropAuditGuards(store: Store): Promise<void> {
  for (const name of ['audit_log_no_update', 'audit_log_no_delete', 'audit_log_chain_insert']) {
    const on = store.dialect === 'postgres' ? ' on audit_log' : '';
    await sql.raw(`drop trigger if exists ${name}${on}`).execute(store.db);
  }
}

/** An entry built the way appendAudit builds it, hash and all: what a forger with the source code can write. */
function forged(seq: number, prevHash: string, subject: string) {
  const row = {
    seq,
    at: '2026-11-09T08:00:00.000Z',
    actor: 'cli:test',
    action: 'import.targets',
    subject,
    details: JSON.stringify({ added: 0 }),
    prev_hash: prevHash,
  };
  return { ...row, hash: auditHash(row) };
}

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
      for (const n of [1, 2, 3, 4]) await store.db.transaction().execute((trx) => appendAudit(trx, entry(n)));
      expect(await verifyAuditChain(store.db)).toEqual({ ok: true, entries: 4 });

      await dropAuditGuards(store);
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

  it('the audit log is append-only in the database: UPDATE, DELETE and an out-of-chain INSERT are refused', async () => {
    const { store } = await fresh();
    try {
      for (const n of [1, 2, 3]) await store.db.transaction().execute((trx) => appendAudit(trx, entry(n)));
      const db = store.db;
      await expect(
        db.updateTable('audit_log').set({ actor: 'someone else' }).where('seq', '=', 2).execute(),
      ).rejects.toThrow(/APPEND_ONLY: the audit log is append-only/);
      await expect(db.deleteFrom('audit_log').where('seq', '=', 3).execute()).rejects.toThrow(
        /APPEND_ONLY: the audit log is append-only/,
      );
      await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(/APPEND_ONLY/);
      if (store.dialect === 'postgres')
        await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/APPEND_ONLY/);
      // An entry slipped in that does not continue the chain: a reused seq, a gap, a wrong previous hash.
      const last = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '=', 3)
        .executeTakeFirstOrThrow();
      await expect(
        db
          .insertInto('audit_log')
          .values(forged(5, last.hash, 'gap'))
          .execute(),
      ).rejects.toThrow(/APPEND_ONLY: an audit entry must follow the newest one/);
      await expect(
        db
          .insertInto('audit_log')
          .values(forged(4, 'f'.repeat(64), 'wrong prev'))
          .execute(),
      ).rejects.toThrow(/APPEND_ONLY/);
      expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 3 });
      // The log still grows the ordinary way.
      await db.transaction().execute((trx) => appendAudit(trx, entry(4)));
      expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 4 });
    } finally {
      await store.close();
    }
  });

  it('a published head catches newest entries removed, all removed, or replaced by forged ones', async () => {
    const { url, store } = await fresh();
    try {
      const rows = [];
      for (const n of [1, 2, 3, 4])
        rows.push(await store.db.transaction().execute((trx) => appendAudit(trx, entry(n))));
      const anchor = rows[2]!; // e.g. the head printed on a draw-result card
      const ok = await runCli(url, ['audit', 'verify', '--head', anchor.hash]);
      expect(ok.code, ok.stderr).toBe(0);
      // Entry 3 was at 2026-11-03T08:00Z: shown in Beijing time (LIANCHA_TZ default).
      expect(ok.stdout).toContain(
        `head ${anchor.hash} is entry 3 (import.targets file3.csv, 2026-11-03 16:00)`,
      );
      const short = await runCli(url, ['audit', 'verify', '--head', anchor.hash.slice(0, 12).toUpperCase()]);
      expect(short.code, short.stderr).toBe(0);
      expect(short.stdout).toContain('is entry 3');
      const json = await runCli(url, ['audit', 'verify', '--head', anchor.hash, '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: true,
        entries: 4,
        head: { seq: 3, hash: anchor.hash },
      });

      // Someone with database access drops the guards and removes the newest two entries.
      await dropAuditGuards(store);
      await store.db.deleteFrom('audit_log').where('seq', '>=', 3).execute();
      // The chain alone cannot tell: what is left is a valid chain.
      expect((await runCli(url, ['audit', 'verify'])).stdout).toMatch(/intact: 2 entries/);
      const gone = await runCli(url, ['audit', 'verify', '--head', anchor.hash]);
      expect(gone.code).toBe(1);
      expect(gone.stderr.trim()).toBe(
        `error: head ${anchor.hash} is not in the audit log (2 entries): the entry it anchors, or entries before it, were removed or replaced`,
      );
      expect(gone.stderr).not.toMatch(/\n\s+at /);

      // …and appends forged entries 3 and 4 with valid-looking hashes: a chain that verifies, but not the anchor.
      const three = forged(3, rows[1]!.hash, 'forged3.csv');
      await store.db.insertInto('audit_log').values(three).execute();
      await store.db
        .insertInto('audit_log')
        .values(forged(4, three.hash, 'forged4.csv'))
        .execute();
      expect((await runCli(url, ['audit', 'verify'])).stdout).toMatch(/intact: 4 entries/);
      expect((await runCli(url, ['audit', 'verify', '--head', anchor.hash])).code).toBe(1);
      // An earlier anchor is still there: the forgery lies after it, which it does not vouch for.
      expect((await runCli(url, ['audit', 'verify', '--head', rows[1]!.hash])).code).toBe(0);

      // Everything removed.
      await store.db.deleteFrom('audit_log').execute();
      const empty = await runCli(url, ['audit', 'verify', '--head', anchor.hash]);
      expect(empty.code).toBe(1);
      expect(empty.stderr).toMatch(/is not in the audit log \(0 entries\)/);
    } finally {
      await store.close();
    }
  });

  it('--head must look like a hash', async () => {
    const { url, store } = await fresh();
    await store.close();
    for (const bad of ['abc123', 'not-a-hash-at-all-zz', 'f'.repeat(65)]) {
      const r = await runCli(url, ['audit', 'verify', '--head', bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: --head takes a hash: 12 to 64 hex digits/);
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
