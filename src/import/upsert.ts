/**
 * Upsert by natural key, one batch at a time: look up the batch's existing rows by key, classify each
 * record as added, changed or unchanged in JS, then write the added and changed ones in a few statements.
 */
import type { Bulk, DbRow, DbValue } from './bulk.ts';

/** How a kind's records map onto its table. */
export interface TableSpec {
  table: 'departments' | 'items' | 'targets' | 'inspectors' | 'conflicts';
  /** Every column written, natural key included, in a fixed order. */
  columns: readonly string[];
  /** The natural key; the first column is the one looked up with `in (…)`. */
  key: readonly string[];
  /** A set of values held in a child table and replaced as a whole (a target's departments). */
  children?: { table: 'target_departments'; parent: string; value: string };
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

export const keyOf = (spec: TableSpec, row: DbRow): string =>
  spec.key.length === 1 ? String(row[spec.key[0]!]) : spec.key.map((k) => String(row[k])).join('\t');

const same = (a: DbValue | undefined, b: DbValue | undefined): boolean =>
  a === b || (a !== null && a !== undefined && b !== null && b !== undefined && String(a) === String(b));

/** Whether the table holds no rows at all (then a whole import is additions and needs no lookups). */
export async function tableIsEmpty(bulk: Bulk, spec: TableSpec): Promise<boolean> {
  const row = await bulk.db.selectFrom(spec.table).select(spec.key[0]!).limit(1).executeTakeFirst();
  return row === undefined;
}

/**
 * Classifies the batch and, when `write`, writes it. Records must have distinct keys, also across batches
 * (the caller refuses duplicates), so that `startedEmpty` — the table was empty when the import began — means
 * every record is new.
 */
export async function upsertBatch(
  bulk: Bulk,
  spec: TableSpec,
  records: readonly ImportRecord[],
  write: boolean,
  startedEmpty = false,
): Promise<Counts> {
  const counts: Counts = { added: 0, changed: 0, unchanged: 0 };
  if (records.length === 0) return counts;
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

  const toWrite: ImportRecord[] = [];
  const replaced: string[] = [];
  for (const record of records) {
    const key = keyOf(spec, record.row);
    const old = existing.get(key);
    if (!old) {
      counts.added++;
      toWrite.push(record);
      continue;
    }
    let changed = spec.columns.some((c) => !same(old[c], record.row[c]));
    if (spec.children) {
      const before = oldChildren.get(String(record.row[spec.children.parent])) ?? new Set<string>();
      const after = record.children ?? [];
      if (before.size !== after.length || after.some((v) => !before.has(v))) changed = true;
    }
    if (changed) {
      counts.changed++;
      toWrite.push(record);
      if (spec.children) replaced.push(String(record.row[spec.children.parent]));
    } else {
      counts.unchanged++;
    }
  }
  if (write && toWrite.length > 0) await writeRecords(bulk, spec, toWrite, replaced);
  return counts;
}

async function writeRecords(bulk: Bulk, spec: TableSpec, records: ImportRecord[], replaced: string[]) {
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
