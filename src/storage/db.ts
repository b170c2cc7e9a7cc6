import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import type pg from 'pg';
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type SqliteDialectConfig,
  type DatabaseConnection,
  type Driver,
  type Transaction,
} from 'kysely';
import { ConfigError } from '../config.ts';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

/** Which database a handle or transaction talks to, so that storage functions need not be told. */
export function dialectOf(db: Kysely<Database> | Transaction<Database>): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

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
  private readonly database: SqliteDialectDatabase;
  constructor(sqlite: SqliteDatabase.Database) {
    const database = withStatementCache(sqlite);
    super({ database });
    this.database = database;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database });
  }
}

type SqliteDialectDatabase = NonNullable<SqliteDialectConfig['database']> & object;

/** Statements kept prepared; the app issues a few hundred distinct ones, the bulk import its own. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * kysely's SQLite driver prepares every query anew, and preparing costs about as much as running a small query:
 * on the callback path it was a fifth of the CPU (profiled). better-sqlite3 statements can be reused, so this
 * wrapper keeps the most recent ones by SQL text. A statement still being iterated (a streamed query) is busy and
 * cannot be shared: then a fresh one is prepared. SQLite re-prepares a cached statement itself after a schema
 * change (migrations).
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDialectDatabase {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare: (sql: string) => {
      const hit = cache.get(sql);
      if (hit && !hit.busy) {
        // Most recently used last, so the oldest is evicted first.
        cache.delete(sql);
        cache.set(sql, hit);
        return hit;
      }
      const stmt = sqlite.prepare(sql);
      if (!hit) {
        cache.set(sql, stmt);
        if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
      }
      return stmt;
    },
  } as SqliteDialectDatabase;
}

/** Opens the database named by a `DATABASE_URL` (`file:PATH` or `postgres://…`). Does not migrate. */
export function openStore(databaseUrl: string): Store {
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    // Required here, not imported at the top: a SQLite deployment never loads pg (15 MB resident). openStore is
    // synchronous, so this is `require` (pg is CommonJS) rather than a dynamic import.
    const { Pool } = createRequire(import.meta.url)('pg') as typeof pg;
    const pool = new Pool({ connectionString: databaseUrl, max: 10 });
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
  const sqlite = openSqliteFile(databaseUrl, path);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(sqlite) });
  return { db, dialect: 'sqlite', description: `file:${path}`, sqlite, close: () => db.destroy() };
}

/**
 * Opens (creating if need be) the SQLite file of a `file:PATH` URL. What an operator can get wrong — a directory,
 * a folder that cannot be created, a file that is not a database — is one line naming DATABASE_URL.
 */
function openSqliteFile(url: string, path: string): SqliteDatabase.Database {
  const refuse = (why: string) => new ConfigError(`DATABASE_URL=${JSON.stringify(url)}: ${why}`);
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory())
    throw refuse(`${path} is a directory; give the path of a database file, e.g. file:./data/liancha.db`);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw refuse(
      `cannot create the folder ${dirname(path)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let sqlite: SqliteDatabase.Database | null = null;
  try {
    sqlite = new SqliteDatabase(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 10000');
    sqlite.pragma('synchronous = NORMAL');
    return sqlite;
  } catch (err) {
    sqlite?.close();
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_NOTADB')) throw refuse(`${path} is not a SQLite database`);
    throw refuse(`cannot open ${path} (${code || (err as Error).message})`);
  }
}

/**
 * The one line to print when PostgreSQL cannot be reached or refuses us (refused connection, unknown host,
 * wrong password, missing database), or null for any other error. Never includes the password.
 */
export function postgresConnectionProblem(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') {
    return /timeout|terminated unexpectedly|Connection terminated/i.test(err.message) ? err.message : null;
  }
  // SQLSTATE classes 08 (connection), 28 (authorization), 3D (no such database), 57P03 (starting up).
  const sqlstate = /^(08|28|3D)/.test(code) || code === '57P03';
  const network = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)$/.test(
    code,
  );
  if (!sqlstate && !network) return null;
  // Node's AggregateError (every address of "localhost" refused) has an empty message of its own.
  const inner = (err as { errors?: Error[] }).errors?.map((e) => e.message).filter(Boolean) ?? [];
  return err.message || inner.join('; ') || code;
}

/**
 * Throws unless the database really answers with liancha's schema: a read of a liancha table, not `select 1`
 * (that answers even when the database file was replaced), and on SQLite a look at the file's header, because
 * SQLite answers from its page cache even after the file was overwritten. For `/healthz`.
 */
export async function checkDatabase(store: Store): Promise<void> {
  const newest = await store.db
    .selectFrom('liancha_migrations')
    .select('name')
    .orderBy('name', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!newest) throw new Error('the database has no liancha schema (no migrations recorded)');
  if (store.sqlite) checkSqliteFile(store.sqlite.name);
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
