/**
 * The records an import will write, checked and classified, held in a temporary table until they are applied.
 * A temporary table belongs to the connection: on SQLite it lives in the connection's own temp database, so
 * filling it takes no lock on the main database file; on PostgreSQL no other session sees it. A million
 * records fit there without sitting in memory.
 */
import { sql, type Kysely } from 'kysely';
import type { Store } from '../storage/db.ts';
import type { Database } from '../storage/schema.ts';
import type { Bulk, DbValue } from './bulk.ts';
import type { ImportRecord, StagedRecord } from './upsert.ts';

const TABLE = 'import_staging';

export interface StagedChunk {
  /** Sequence number of the chunk's last record: the next chunk starts after it. */
  last: number;
  records: StagedRecord[];
}

export class Staging {
  /** Records staged so far. */
  count = 0;

  private constructor(private readonly db: Kysely<Database>) {}

  /** Creates the (empty) staging table on `db`, which must be bound to one connection. */
  static async create(db: Kysely<Database>, store: Store): Promise<Staging> {
    await sql`drop table if exists ${sql.raw(qualified(store))}`.execute(db);
    const seq = store.dialect === 'sqlite' ? 'integer primary key' : 'bigserial primary key';
    await sql`create temporary table ${sql.raw(TABLE)} (
      seq ${sql.raw(seq)},
      record text not null,
      before text
    )`.execute(db);
    const staging = new Staging(db);
    staging.drop = () => sql`drop table if exists ${sql.raw(qualified(store))}`.execute(db).then(() => {});
    return staging;
  }

  /** Drops the table. */
  drop: () => Promise<void> = async () => {};

  async add(bulk: Bulk, staged: readonly StagedRecord[]): Promise<void> {
    if (staged.length === 0) return;
    this.count += staged.length;
    await bulk.write(
      `stage`,
      staged.map((s): DbValue[] => [JSON.stringify(s.record), s.before ? JSON.stringify(s.before) : null]),
      2,
      (n) => bulk.db.insertInto(TABLE).values(new Array(n).fill({ record: '', before: null })),
    );
  }

  /** Up to `size` records after sequence number `after`, in the order they were staged. */
  async chunk(bulk: Bulk, after: number, size: number): Promise<StagedChunk> {
    const query = bulk.db
      .selectFrom(TABLE)
      .select(['seq', 'record', 'before'])
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(size)
      .compile();
    const rows = await bulk.exec<{ seq: number | string; record: string; before: string | null }>(
      query.sql,
      query.parameters as DbValue[],
    );
    return {
      last: rows.length > 0 ? Number(rows.at(-1)!.seq) : after,
      records: rows.map((r) => ({
        record: JSON.parse(r.record) as ImportRecord,
        before: r.before === null ? null : (JSON.parse(r.before) as ImportRecord),
      })),
    };
  }
}

const qualified = (store: Store) => (store.dialect === 'sqlite' ? `temp.${TABLE}` : `pg_temp.${TABLE}`);
