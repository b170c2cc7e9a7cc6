import { sql } from 'kysely';
import type { App } from '../app.ts';

export interface Health {
  ok: boolean;
  database: { ok: boolean; dialect: string; error?: string };
}

/** What `GET /healthz` reports: can we reach the database right now. */
export async function checkHealth(app: App): Promise<Health> {
  try {
    await sql`select 1`.execute(app.store.db);
    return { ok: true, database: { ok: true, dialect: app.store.dialect } };
  } catch (err) {
    return { ok: false, database: { ok: false, dialect: app.store.dialect, error: (err as Error).message } };
  }
}
