/**
 * Reads a directory table whole, in key order, a page at a time with each row's child values: keyset pages
 * (`where key > last order by key limit n`), the same SQL on both dialects, no cursor held open, and each page
 * a range of the key index — neighbouring pages, read once.
 */
import { sql } from 'kysely';
import type { Bulk, DbRow, DbValue } from './bulk.ts';
import type { ImportRecord, TableSpec } from './upsert.ts';

export const SCAN_PAGE = 5000;

export async function* scanTable(
  bulk: Bulk,
  spec: TableSpec,
  page = SCAN_PAGE,
): AsyncGenerator<ImportRecord[]> {
  const keys = spec.key.map((k) => sql.ref(k));
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
    const rows = await bulk.exec<DbRow>(compiled.sql, compiled.parameters as DbValue[]);
    if (rows.length === 0) return;
    const records: ImportRecord[] = rows.map((row) => (spec.children ? { row, children: [] } : { row }));
    if (spec.children) {
      const { table, parent, value } = spec.children;
      const byParent = new Map<string, string[]>();
      for (const r of records) byParent.set(String(r.row[parent]), r.children!);
      const first = rows[0]![parent]!;
      const end = rows.at(-1)![parent]!;
      const children = bulk.db
        .selectFrom(table)
        .select([parent, value])
        .where(parent, '>=', first)
        .where(parent, '<=', end)
        .compile();
      for (const c of await bulk.exec<DbRow>(children.sql, children.parameters as DbValue[]))
        byParent.get(String(c[parent]))?.push(String(c[value]));
    }
    yield records;
    if (rows.length < page) return;
    const tail = rows.at(-1)!;
    last = spec.key.map((k) => tail[k] ?? null);
  }
}
