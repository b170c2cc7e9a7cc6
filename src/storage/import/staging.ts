/**
 * The records an import will write, checked and classified, held in a temporary table until they are applied.
 * A temporary table belongs to the connection: on SQLite it lives in the connection's own temp database, so
 * filling it takes no lock on the main database file; on PostgreSQL no other session sees it. A million
 * records fit there without sitting in memory.
 *
 * Records come back in natural-key order, not file order. Written in key order, each short transaction touches
 * a few neighbouring pages of the key indexes; in file (random) order every transaction would rewrite pages all
 * over them — measured on SQLite, a million targets took six times as long that way. Records are staged in file
 * order (appended) and the key index is built once, after the last (a sort, much cheaper than keeping the
 * table in key order while it fills: that cost half a minute for a million targets).
 */
import type { Store } from '../db.ts';
import type { Bulk, DbValue } from './bulk.ts';
import { keyOf, type ImportRecord, type StagedRecord, type TableSpec } from './upsert.ts';

const TABLE = 'import_staging';

export interface StagedChunk {
  /** The chunk's last key: the next chunk starts after it (null: the chunk is empty). */
  last: string | null;
  records: StagedRecord[];
}

export class Staging {
  /** Records staged so far. */
  count = 0;

  private constructor(private readonly spec: TableSpec) {}

  /** Creates the (empty) staging table through `bulk`, whose handle must be bound to one connection. */
  static async create(bulk: Bulk, store: Store, spec: TableSpec): Promise<Staging> {
    const drop = `drop table if exists ${store.dialect === 'sqlite' ? 'temp' : 'pg_temp'}.${TABLE}`;
    await bulk.exec(drop, []);
    const seq = store.dialect === 'sqlite' ? 'integer primary key' : 'bigserial primary key';
    await bulk.exec(
      `create temporary table ${TABLE} (seq ${seq}, key text not null, record text not null, before text)`,
      [],
    );
    const staging = new Staging(spec);
    const index = store.dialect === 'sqlite' ? `temp.${TABLE}_key` : `${TABLE}_key`;
    staging.seal = () => bulk.exec(`create unique index ${index} on ${TABLE} (key)`, []).then(() => {});
    staging.drop = () => bulk.exec(drop, []).then(() => {});
    return staging;
  }

  /** Builds the key index: call once every record is staged, before reading chunks. */
  seal: () => Promise<void> = async () => {};

  /** Drops the table. */
  drop: () => Promise<void> = async () => {};

  async add(bulk: Bulk, staged: readonly StagedRecord[]): Promise<void> {
    if (staged.length === 0) return;
    this.count += staged.length;
    await bulk.write(
      `stage`,
      staged.map((s): DbValue[] => [
        keyOf(this.spec, s.record.row),
        JSON.stringify(s.record),
        s.before ? JSON.stringify(s.before) : null,
      ]),
      3,
      (n) => bulk.db.insertInto(TABLE).values(new Array(n).fill({ key: '', record: '', before: null })),
    );
  }

  /**
   * Up to `size` records in key order, after key `after` (null: from the first), and at most up to key
   * `upTo` when given.
   */
  async chunk(bulk: Bulk, after: string | null, size: number, upTo?: string): Promise<StagedChunk> {
    let query = bulk.db.selectFrom(TABLE).select(['key', 'record', 'before']);
    if (after !== null) query = query.where('key', '>', after);
    if (upTo !== undefined) query = query.where('key', '<=', upTo);
    const compiled = query.orderBy('key').limit(size).compile();
    const rows = await bulk.exec<{ key: string; record: string; before: string | null }>(
      compiled.sql,
      compiled.parameters as DbValue[],
    );
    return {
      last: rows.length > 0 ? rows.at(-1)!.key : null,
      records: rows.map((r) => ({
        record: JSON.parse(r.record) as ImportRecord,
        before: r.before === null ? null : (JSON.parse(r.before) as ImportRecord),
      })),
    };
  }
}
