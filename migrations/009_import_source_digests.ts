import { type Kysely } from 'kysely';

/**
 * Each directory row keeps the source digest of the file line that last wrote it (src/import/source-digest.ts):
 * a re-import then knows an unchanged line without checking its cells or reading its row (issue 13: a million
 * unchanged targets). Null for rows written before this migration: their next import checks and compares them
 * as before and records their digests. A nullable column without a default: added in place, no table rewrite,
 * on both dialects. Frozen: add a new migration rather than editing this one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['departments', 'items', 'targets', 'inspectors', 'conflicts'])
    await db.schema.alterTable(table).addColumn('source_digest', 'bigint').execute();
}
