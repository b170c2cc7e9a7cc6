/**
 * The secondary indexes an import into an empty table builds after its last row rather than row by row
 * (`TableSpec.indexes`).
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';
import type { TableSpec } from './upsert.ts';

type Db = Kysely<Database> | Transaction<Database>;

export async function dropIndexes(db: Db, spec: TableSpec): Promise<void> {
  for (const index of spec.indexes ?? []) await db.schema.dropIndex(index.name).ifExists().execute();
}

/**
 * Builds the indexes that are missing: after a load, and before any import in case an earlier one was killed
 * between dropping and rebuilding them (then this costs one sort of the table, once).
 */
export async function buildIndexes(db: Db, spec: TableSpec): Promise<void> {
  for (const index of spec.indexes ?? [])
    await db.schema
      .createIndex(index.name)
      .ifNotExists()
      .on(index.table)
      .columns([...index.columns])
      .execute();
}
