/**
 * Upsert by natural key: look up a batch's existing rows by key and classify each record as added, changed or
 * unchanged in JS (keeping what changed rows held, to undo a write); later, write the added and changed ones
 * in a few statements, or put the old rows back.
 */
import type { Bulk, DbRow, DbValue } from './bulk.ts';

/**
 * The column where each directory row keeps the source digest of the file line that last wrote it
 * (src/import/source-digest.ts). Written with the row; not part of what the row holds: two rows that differ only
 * in it are the same row (a line written differently that means the same is unchanged, and only its digest is
 * brought up to date).
 */
export const SOURCE_DIGEST = 'source_digest';

/** How a kind's records map onto its table. */
export interface TableSpec {
  table: 'departments' | 'items' | 'targets' | 'inspectors' | 'conflicts';
  /** Every column written, natural key included, in a fixed order; the last is `SOURCE_DIGEST`. */
  columns: readonly string[];
  /** The natural key; the first column is the one looked up with `in (…)`. */
  key: readonly string[];
  /**
   * A set of values held in a child table and replaced as a whole (a target's departments). `references`: the
   * table and column each value must name. Every foreign key a write of this kind touches is then one the
   * import checks itself — the child's parent is the row written just before it — so that SQLite's own checks
   * can be off while it writes (see apply.ts).
   */
  children?: {
    table: 'target_departments';
    parent: string;
    value: string;
    references?: { table: 'departments'; column: 'code' };
  };
  /**
   * Secondary indexes that an import into an empty table drops first and builds once after the last row (a
   * sort, much cheaper than keeping the index up to date row by row). Declared here as the migrations create
   * them, so that an import killed before rebuilding one can put it back (`restoreIndexes`).
   */
  indexes?: readonly { name: string; table: string; columns: readonly string[] }[];
}

export interface ImportRecord {
  row: DbRow;
  children?: string[];
}

export interface Counts {
  added: number;
  changed: number;
  unchanged: number;
}

/**
 * A record as one line of text for the import's temporary files (JSON: no newline in it, whatever the cells
 * hold): the columns' values in `spec.columns` order, then the child values.
 */
export function encodeRecord(spec: TableSpec, record: ImportRecord): string {
  const values: unknown[] = spec.columns.map((c) => record.row[c] ?? null);
  if (spec.children) values.push(record.children ?? []);
  return JSON.stringify(values);
}

export function decodeRecord(spec: TableSpec, line: string): ImportRecord {
  const values = JSON.parse(line) as unknown[];
  const row: DbRow = {};
  spec.columns.forEach((c, i) => (row[c] = values[i] as DbValue));
  return spec.children ? { row, children: values[spec.columns.length] as string[] } : { row };
}

export const keyOf = (spec: TableSpec, row: DbRow): string =>
  spec.key.length === 1 ? String(row[spec.key[0]!]) : spec.key.map((k) => String(row[k])).join('\t');

const same = (a: DbValue | undefined, b: DbValue | undefined): boolean =>
  a === b || (a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b));

/** Whether the table holds no rows at all (then a whole import is additions and needs no lookups). */
export async function tableIsEmpty(bulk: Bulk, spec: TableSpec): Promise<boolean> {
  const row = await bulk.db.selectFrom(spec.table).select(spec.key[0]!).limit(1).executeTakeFirst();
  return row === undefined;
}

/** A record to write, with what its row held before (null: the row is new), so that the write can be undone. */
export interface StagedRecord {
  record: ImportRecord;
  before: ImportRecord | null;
  /** The row holds what the record does: only its source digest is written. */
  digestOnly?: boolean;
}

/**
 * Classifies the batch against the database: counts, and the added and changed records with their before
 * images (and the unchanged ones whose source digest is to be brought up to date, `digestOnly`). Records must
 * have distinct keys, also across batches (the caller refuses duplicates), so that `startedEmpty` — the table
 * was empty when the import began — means every record is new. Writes nothing.
 */
export async function classifyBatch(
  bulk: Bulk,
  spec: TableSpec,
  records: readonly ImportRecord[],
  startedEmpty = false,
): Promise<{ counts: Counts; toWrite: StagedRecord[] }> {
  const counts: Counts = { added: 0, changed: 0, unchanged: 0 };
  const toWrite: StagedRecord[] = [];
  if (records.length === 0) return { counts, toWrite };
  const lookup = spec.key[0]!;
  const existing = new Map<string, DbRow>();
  if (!startedEmpty) {
    const probe = [...new Set(records.map((r) => String(r.row[lookup])))];
    for (const row of await bulk.selectIn<DbRow>(spec.table, spec.columns, lookup, probe))
      existing.set(keyOf(spec, row), row);
  }

  const oldChildren = new Map<string, Set<string>>();
  if (spec.children && existing.size > 0) {
    const { table, parent, value } = spec.children;
    const parents = [...existing.values()].map((r) => String(r[parent]));
    for (const r of await bulk.selectIn<DbRow>(table, [parent, value], parent, parents)) {
      const p = String(r[parent]);
      let set = oldChildren.get(p);
      if (!set) oldChildren.set(p, (set = new Set()));
      set.add(String(r[value]));
    }
  }

  for (const record of records) {
    const key = keyOf(spec, record.row);
    const old = existing.get(key);
    if (!old) {
      counts.added++;
      toWrite.push({ record, before: null });
      continue;
    }
    let changed = spec.columns.some((c) => c !== SOURCE_DIGEST && !same(old[c], record.row[c]));
    let before: ImportRecord = { row: old };
    if (spec.children) {
      const set = oldChildren.get(String(record.row[spec.children.parent])) ?? new Set<string>();
      const after = record.children ?? [];
      if (set.size !== after.length || after.some((v) => !set.has(v))) changed = true;
      before = { row: old, children: [...set] };
    }
    if (changed) {
      counts.changed++;
      toWrite.push({ record, before });
    } else {
      counts.unchanged++;
      if (!same(old[SOURCE_DIGEST], record.row[SOURCE_DIGEST]))
        toWrite.push({ record, before, digestOnly: true });
    }
  }
  return { counts, toWrite };
}

/**
 * Refuses a write whose child values name a row that is not there (a department removed since the file was
 * checked), as the foreign key would: for an import that writes with SQLite's own checks off (see apply.ts).
 * One query over the distinct values of a transaction's records.
 */
export async function checkChildReferences(
  bulk: Bulk,
  spec: TableSpec,
  staged: readonly StagedRecord[],
): Promise<void> {
  const references = spec.children?.references;
  if (!references) return;
  const wanted = new Set<string>();
  for (const { record } of staged) for (const v of record.children ?? []) wanted.add(v);
  if (wanted.size === 0) return;
  const { table, column } = references;
  const rows = await bulk.selectIn<DbRow>(table, [column], column, [...wanted]);
  const found = new Set(rows.map((r) => String(r[column])));
  const missing = [...wanted].filter((v) => !found.has(v));
  if (missing.length > 0)
    throw new Error(`FOREIGN KEY: ${table} ${missing.slice(0, 3).join(', ')} not in the directory`);
}

/**
 * Writes records (upsert by key). `replaced` lists the parents whose child rows are replaced as a whole: the
 * records that were already in the table.
 */
export async function writeRecords(
  bulk: Bulk,
  spec: TableSpec,
  records: readonly ImportRecord[],
  replaced: readonly string[],
): Promise<void> {
  await upsertRows(bulk, spec, records);
  if (!spec.children) return;
  const { table: child, parent, value } = spec.children;
  if (replaced.length > 0) {
    await bulk.write(
      `delete:${child}`,
      replaced.map((p) => [p]),
      1,
      (n) => bulk.db.deleteFrom(child).where(parent, 'in', new Array<string>(n).fill('')),
    );
  }
  const pairs: DbValue[][] = [];
  for (const r of records) for (const v of r.children ?? []) pairs.push([r.row[parent]!, v]);
  const pairPlaceholder = { [parent]: '', [value]: '' };
  await bulk.write(`insert:${child}`, pairs, 2, (n) =>
    bulk.db.insertInto(child).values(new Array(n).fill(pairPlaceholder)),
  );
}

/**
 * The rows of records, upserted by key, their child rows left alone: `writeRecords`' first step, and all an
 * unchanged row needs to get its new source digest.
 */
export async function upsertRows(
  bulk: Bulk,
  spec: TableSpec,
  records: readonly ImportRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const { table, columns, key } = spec;
  const updated = columns.filter((c) => !key.includes(c));
  const placeholder = Object.fromEntries(columns.map((c) => [c, '']));
  await bulk.write(
    `upsert:${table}`,
    records.map((r) => columns.map((c) => r.row[c] ?? null)),
    columns.length,
    (n) =>
      bulk.db
        .insertInto(table)
        .values(new Array(n).fill(placeholder))
        .onConflict((oc) =>
          oc
            .columns(key as string[])
            .doUpdateSet((eb) => Object.fromEntries(updated.map((c) => [c, eb.ref(`excluded.${c}`)]))),
        ),
  );
}

/** Removes the rows with these keys (and their child rows): undoes the addition of `records`. */
export async function deleteRecords(
  bulk: Bulk,
  spec: TableSpec,
  records: readonly ImportRecord[],
): Promise<void> {
  if (records.length === 0) return;
  if (spec.children) {
    const { table, parent } = spec.children;
    await bulk.write(
      `delete:${table}`,
      records.map((r) => [r.row[parent]!]),
      1,
      (n) => bulk.db.deleteFrom(table).where(parent, 'in', new Array<string>(n).fill('')),
    );
  }
  await bulk.write(
    `delete-by-key:${spec.table}`,
    records.map((r) => spec.key.map((k) => r.row[k] ?? null)),
    spec.key.length,
    (n) =>
      bulk.db
        .deleteFrom(spec.table)
        .where((eb) => eb.or(Array.from({ length: n }, () => eb.and(spec.key.map((k) => eb(k, '=', '')))))),
  );
}
