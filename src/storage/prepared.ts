import { randomUUID } from 'node:crypto';
import type { Compilable, CompiledQuery, Kysely, QueryResult, Transaction } from 'kysely';
import { dialectOf, type Dialect } from './db.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Stands for parameter `name` while the query is compiled; never sent to the database (a value cannot guess it). */
const MARK = `liancha-param-${randomUUID()}`;
const placeholder = (name: string) => `${MARK}:${name};`;
const PLACEHOLDER = new RegExp(`^${MARK}:(.*);$`, 's');
const PLACEHOLDERS = new RegExp(`${MARK}:(.*?);`, 'gs');

interface Compiled<R> {
  query: CompiledQuery<R>;
  /** For each parameter of the SQL: the name of a call parameter, or a value the builder wrote itself. */
  slots: ({ param: string } | { value: unknown })[];
}

/**
 * A query kysely builds and compiles once per dialect and then only runs, each call's values put where the
 * placeholders were. Building and compiling cost about as much CPU as SQLite spends running a small statement (the
 * card-callback profile in BENCHMARKS.md), and every click runs the same few statements. Only for queries whose SQL
 * does not depend on the values: no `in` lists, no clauses added or left out by value; a value the builder inlines
 * into the SQL instead of binding it is refused when the query is first compiled.
 *
 * @example
 * const taskState = prepared((db, p: { id: string }) => db.selectFrom('tasks').select('state').where('id', '=', p.id));
 * const { rows } = await taskState.run(db, { id: 'T-1' });
 */
export function prepared<P extends Record<string, unknown>, R>(
  build: (db: Db, params: P) => Compilable<R>,
): { run(db: Db, params: P): Promise<QueryResult<R>> } {
  const byDialect = new Map<Dialect, Compiled<R>>();
  return {
    async run(db, params) {
      const dialect = dialectOf(db);
      let compiled = byDialect.get(dialect);
      if (!compiled) {
        compiled = compileOnce(db, build);
        byDialect.set(dialect, compiled);
      }
      const parameters = compiled.slots.map((s) => ('param' in s ? params[s.param] : s.value));
      return db.executeQuery<R>({ ...compiled.query, parameters });
    },
  };
}

function compileOnce<P extends Record<string, unknown>, R>(
  db: Db,
  build: (db: Db, params: P) => Compilable<R>,
): Compiled<R> {
  const names = new Proxy({} as P, { get: (_t, name) => placeholder(String(name)) });
  const query = build(db, names).compile();
  if (query.sql.includes(MARK))
    throw new Error(
      `prepared query inlines a parameter instead of binding it: ${query.sql.replace(PLACEHOLDERS, ':$1')}`,
    );
  const slots = query.parameters.map((v) => {
    const m = typeof v === 'string' ? PLACEHOLDER.exec(v) : null;
    return m ? { param: m[1]! } : { value: v };
  });
  return { query, slots };
}
