import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
} from 'kysely';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

/** A kysely handle plus what the rest of storage needs to know about the database behind it. */
export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  /** `file:PATH` or `postgres://…`, password removed, for logs and /healthz. */
  description: string;
  /** The raw better-sqlite3 handle (SQLite only): bulk paths use it for prepared statements. */
  sqlite: SqliteDatabase.Database | null;
  close(): Promise<void>;
}

/**
 * SQLite's default `BEGIN` is deferred: a transaction that reads first and then writes must upgrade its lock,
 * and that upgrade fails at once with SQLITE_BUSY (busy_timeout does not apply) when another process — the CLI
 * beside the server — holds the write lock. `BEGIN IMMEDIATE` takes the write lock up front and waits instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: SqliteDatabase.Database) {
    super({ database });
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database });
  }
}

/** Opens the database named by a `DATABASE_URL` (`file:PATH` or `postgres://…`). Does not migrate. */
export function openStore(databaseUrl: string): Store {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      dialect: 'postgres',
      description: databaseUrl.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@'),
      sqlite: null,
      close: () => db.destroy(),
    };
  }
  if (!databaseUrl.startsWith('file:')) {
    throw new Error(`DATABASE_URL must be file:PATH or postgres://…, got "${databaseUrl}"`);
  }
  const path = resolve(databaseUrl.slice('file:'.length));
  mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(sqlite) });
  return { db, dialect: 'sqlite', description: `file:${path}`, sqlite, close: () => db.destroy() };
}
