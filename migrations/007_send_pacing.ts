import { type Kysely } from 'kysely';

/**
 * Shared pacing for the sender, so that several bot instances on one PostgreSQL keep to Feishu's limits together
 * (docs/sending.md). Frozen: add a new migration rather than editing this one.
 *
 * - `send_pace`: one row per pacing key (`send:app`, `patch:app`, `to:<type>:<receiver>`, `msg:<message>`): the
 *   earliest time the next call under the key may leave, and until when a rate-limit answer holds the key back.
 *   A call's reservation locks the rows of its keys, so two instances never hand out the same place.
 * - `send_calls`: the calls counted in a sliding window (the app's 1000 sends per minute), one row each, so that
 *   a call Feishu refused can be given back.
 *
 * Times are milliseconds since the epoch as double precision (the spacing 1000/47 ms is not a whole number).
 * SQLite gets the tables too, for one schema on both dialects, but one SQLite process paces itself in memory.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('send_pace')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('next_at', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('paused_until', 'double precision', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('send_calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'double precision', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('send_calls_by_key').on('send_calls').columns(['key', 'at']).execute();
}
