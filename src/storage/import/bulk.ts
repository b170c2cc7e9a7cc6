/**
 * Batched statements for the importers, the same SQL on SQLite and PostgreSQL. kysely builds each statement
 * once per batch size; the SQL is then reused with new parameters — on SQLite as a cached prepared statement on
 * the transaction's own connection, on PostgreSQL through the transaction. Batch sizes are split into powers
 * of two, so a handful of statements serve every batch. Writes on SQLite go one row per statement: a prepared
 * single-row statement costs no round trip there and is markedly faster than a multi-row VALUES list, which
 * PostgreSQL needs to save round trips.
 */
import type SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { Store } from '../db.ts';
import type { Database } from '../schema.ts';

export type DbValue = string | number | null;
export type DbRow = Record<string, DbValue>;

/** A loosely typed view of the schema, for statements generic over the directory tables. */
export type LooseDb = Kysely<Record<string, Record<string, DbValue>>>;

/** Keeps every statement well under SQLite's limit of 32,766 bound parameters. */
const MAX_PARAMS = 8192;
const MAX_ROWS = 1024;

export class Bulk {
  readonly db: LooseDb;
  private readonly templates = new Map<string, string>();
  private readonly statements = new Map<string, SqliteDatabase.Statement>();
  private readonly sqlite: SqliteDatabase.Database | null;

  /** `db`: a transaction, or a handle bound to one connection (SQLite has only one). */
  constructor(db: Kysely<Database>, store: Store) {
    this.db = db as unknown as LooseDb;
    // The raw handle is that connection (SQLite has one): statements on it run inside its transaction.
    this.sqlite = store.dialect === 'sqlite' ? store.sqlite : null;
  }

  /** Runs `sql` with `params`; returns the rows of a query (none for a write). */
  async exec<R>(sql: string, params: readonly DbValue[]): Promise<R[]> {
    if (this.sqlite) {
      const stmt = this.prepared(this.sqlite, sql);
      if (stmt.reader) return stmt.all(params) as R[];
      stmt.run(params);
      return [];
    }
    const result = await this.db.executeQuery<R>(CompiledQuery.raw(sql, params as unknown[]));
    return result.rows;
  }

  /**
   * Runs a query and returns its rows as arrays of values in the select list's order: no object per row, for
   * reads of a whole table (on SQLite better-sqlite3's raw mode, a statement of its own).
   */
  async execArrays(sql: string, params: readonly DbValue[]): Promise<DbValue[][]> {
    if (this.sqlite) {
      let stmt = this.statements.get(`raw:${sql}`);
      if (!stmt) {
        stmt = this.sqlite.prepare(sql).raw(true);
        this.statements.set(`raw:${sql}`, stmt);
      }
      return stmt.all(params) as DbValue[][];
    }
    const result = await this.db.executeQuery<DbRow>(CompiledQuery.raw(sql, params as unknown[]));
    return result.rows.map((row) => Object.values(row));
  }

  private prepared(sqlite: SqliteDatabase.Database, sql: string): SqliteDatabase.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = sqlite.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private template(
    name: string,
    n: number,
    build: (n: number) => Compilable<unknown>,
    perRow: number,
  ): string {
    const key = `${name}/${n}`;
    let sql = this.templates.get(key);
    if (sql === undefined) {
      const compiled = build(n).compile();
      if (compiled.parameters.length !== n * perRow)
        throw new Error(
          `${name}: expected ${n * perRow} parameters, kysely compiled ${compiled.parameters.length}`,
        );
      sql = compiled.sql;
      this.templates.set(key, sql);
    }
    return sql;
  }

  /**
   * Runs a statement over `rows` (each one array of `perRow` parameters) in chunks: `build(n)` must return a
   * statement with exactly n × perRow parameters, row after row. Returns the rows of all chunks.
   */
  async chunked<R>(
    name: string,
    rows: readonly (readonly DbValue[])[],
    perRow: number,
    build: (n: number) => Compilable<unknown>,
  ): Promise<R[]> {
    const out: R[] = [];
    const max = largestPowerOfTwo(Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / perRow)));
    let at = 0;
    for (const n of chunkSizes(rows.length, max)) {
      const sql = this.template(name, n, build, perRow);
      const params: DbValue[] = new Array(n * perRow);
      let p = 0;
      for (let i = at; i < at + n; i++) for (const v of rows[i]!) params[p++] = v;
      at += n;
      const result = await this.exec<R>(sql, params);
      for (const r of result) out.push(r);
    }
    return out;
  }

  /** Like `chunked`, for writes: one row per statement on SQLite, as many as fit on PostgreSQL. */
  async write(
    name: string,
    rows: readonly (readonly DbValue[])[],
    perRow: number,
    build: (n: number) => Compilable<unknown>,
  ): Promise<void> {
    if (!this.sqlite) {
      await this.chunked(name, rows, perRow, build);
      return;
    }
    const stmt = this.prepared(this.sqlite, this.template(name, 1, build, perRow));
    for (const row of rows) stmt.run(row as DbValue[]);
  }

  /** `select columns from table where column in (values)`, chunked. */
  selectIn<R>(
    table: string,
    columns: readonly string[],
    column: string,
    values: readonly string[],
  ): Promise<R[]> {
    return this.chunked<R>(
      `select:${table}:${columns.join(',')}:${column}`,
      values.map((v) => [v]),
      1,
      (n) =>
        this.db
          .selectFrom(table)
          .select(columns as string[])
          .where(column, 'in', new Array<string>(n).fill('')),
    );
  }
}

function largestPowerOfTwo(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** 2,500 with max 1,024 → 1024, 1024, 256, 128, 64, 4. */
export function chunkSizes(total: number, max: number): number[] {
  const sizes: number[] = [];
  let left = total;
  while (left >= max) {
    sizes.push(max);
    left -= max;
  }
  for (let bit = max >> 1; bit >= 1; bit >>= 1) if (left & bit) sizes.push(bit);
  return sizes;
}
