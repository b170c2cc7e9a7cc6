import { closeSync, openSync, readSync } from 'node:fs';
import type { App } from '../app.ts';
import { outboxHealth, type Sender } from './sender.ts';

export interface Health {
  ok: boolean;
  database: { ok: boolean; dialect: string; error?: string };
  /** Messages waiting, being sent, and permanently failed (see `liancha outbox --failed`). */
  outbox?: { pending: number; sending: number; failed: number };
  sender: 'running' | 'off (local mode)';
}

/** What `GET /healthz` reports: can we reach the database, and how the outbox stands. */
export async function checkHealth(app: App, sender: Sender | null): Promise<Health> {
  const senderState = sender ? 'running' : 'off (local mode)';
  try {
    // A real read of a liancha table, not `select 1`: that answers even when the database file was replaced.
    const newest = await app.store.db
      .selectFrom('liancha_migrations')
      .select('name')
      .orderBy('name', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!newest) throw new Error('the database has no liancha schema (no migrations recorded)');
    // SQLite answers from its page cache even after the file was overwritten: look at the file itself.
    if (app.store.sqlite) checkSqliteFile(app.store.sqlite.name);
    const o = await outboxHealth(app.store);
    return {
      ok: true,
      database: { ok: true, dialect: app.store.dialect },
      outbox: { pending: o.pending, sending: o.sending, failed: o.failed },
      sender: senderState,
    };
  } catch (err) {
    return {
      ok: false,
      database: { ok: false, dialect: app.store.dialect, error: (err as Error).message },
      sender: senderState,
    };
  }
}

/** The first 16 bytes of every SQLite database file. */
const SQLITE_MAGIC = 'SQLite format 3\0';

function checkSqliteFile(path: string): void {
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_MAGIC)
    throw new Error(`${path} is no longer a SQLite database file (was it overwritten?)`);
}
