/**
 * Reads a directory table whole, in key order, a page at a time with each row's child values: keyset pages
 * (`where key > last order by key limit n`), the same SQL on both dialects, no cursor held open, and each page
 * a range of the key index — neighbouring pages, read once. Rows come as arrays of values in the spec's column
 * order (a million objects of twelve properties were a second of a re-import's time, and garbage).
 */
import { sql } from 'kysely';
import type { Bulk, DbValue } from './bulk.ts';
import type { TableSpec } from './upsert.ts';

export const SCAN_PAGE = 5000;

export interface TableRow {
  /** The row's values, in `spec.columns` order. */
  values: DbValue[];
  /** Its child values (a target's departments), in no particular order; empty for a table without. */
  children: string[];
}

export async function* scanTable(bulk: Bulk, spec: TableSpec, page = SCAN_PAGE): AsyncGenerator<TableRow[]> {
  const keys = spec.key.map((k) => sql.ref(k));
  const keyAt = spec.key.map((k) => spec.columns.indexOf(k));
  let last: DbValue[] | null = null;
  for (;;) {
    let query = bulk.db
      .selectFrom(spec.table)
      .select(spec.columns as string[])
      .limit(page);
    for (const k of spec.key) query = query.orderBy(k);
    if (last !== null)
      // A row value comparison: (a, b) > (x, y), in both SQLite and PostgreSQL.
      query = query.where(sql<boolean>`(${sql.join(keys)}) > (${sql.join(last)})`);
    const compiled = query.compile();
    const values = await bulk.execArrays(compiled.sql, compiled.parameters as DbValue[]);
    if (values.length === 0) return;
    const rows: TableRow[] = values.map((v) => ({ values: v, children: [] }));
    if (spec.children) {
      const { table, parent, value } = spec.children;
      const parentAt = spec.columns.indexOf(parent);
      const byParent = new Map<string, string[]>();
      for (const r of rows) byParent.set(String(r.values[parentAt]), r.children);
      const children = bulk.db
        .selectFrom(table)
        .select([parent, value])
        .where(parent, '>=', rows[0]!.values[parentAt]!)
        .where(parent, '<=', rows.at(-1)!.values[parentAt]!)
        .compile();
      for (const [p, v] of await bulk.execArrays(children.sql, children.parameters as DbValue[]))
        byParent.get(String(p))?.push(String(v));
    }
    yield rows;
    if (values.length < page) return;
    const tail = values.at(-1)!;
    last = keyAt.map((i) => tail[i] ?? null);
  }
}
