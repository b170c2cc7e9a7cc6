import { sql, type Kysely } from 'kysely';
import { MIGRATIONS, type Migration } from '../../migrations/index.ts';
import type { Store } from './db.ts';
import type { Database } from './schema.ts';

export interface MigrationReport {
  applied: string[];
  current: string | null;
}

/**
 * Brings the database to the newest schema. Each migration runs with its bookkeeping row in one transaction,
 * so a failed migration leaves nothing behind on SQLite and PostgreSQL alike (kysely's own Migrator does not
 * wrap SQLite migrations in a transaction). On PostgreSQL an advisory lock keeps two instances from racing.
 */
export async function migrate(store: Store, migrations: Migration[] = MIGRATIONS): Promise<MigrationReport> {
  const db = store.db as unknown as Kysely<any>;
  await db.schema
    .createTable('liancha_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();

  const applied: string[] = [];
  for (const migration of migrations) {
    const done = await db.transaction().execute(async (trx) => {
      if (store.dialect === 'postgres') await sql`select pg_advisory_xact_lock(4242001)`.execute(trx);
      const row = await trx
        .selectFrom('liancha_migrations')
        .select('name')
        .where('name', '=', migration.name)
        .executeTakeFirst();
      if (row) return false;
      await migration.up(trx);
      await trx
        .insertInto('liancha_migrations')
        .values({ name: migration.name, applied_at: new Date().toISOString() })
        .execute();
      return true;
    });
    if (done) applied.push(migration.name);
  }
  return { applied, current: migrations.at(-1)?.name ?? null };
}

/** The migrations recorded in the database, oldest first. */
export async function appliedMigrations(
  db: Kysely<Database>,
): Promise<{ name: string; applied_at: string }[]> {
  return db.selectFrom('liancha_migrations').select(['name', 'applied_at']).orderBy('name').execute();
}
