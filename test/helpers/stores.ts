import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { openStore, type Dialect, type Store } from '../../src/storage/db.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { createPostgresDatabase } from './pg-database.ts';

export interface DialectCase {
  dialect: Dialect;
  /** A fresh, empty database of this dialect; its DATABASE_URL too, for tests that go through the CLI. */
  fresh(): Promise<{ url: string; store: Store }>;
}

let counter = 0;

/** A new empty SQLite file in a temp dir. */
export function freshSqliteUrl(): string {
  return `file:${join(mkdtempSync(join(tmpdir(), 'liancha-test-')), 'liancha.db')}`;
}

/** A new empty database on the test PostgreSQL server. */
export async function freshPostgresUrl(): Promise<string> {
  const admin = inject('pgUrl');
  return createPostgresDatabase(admin, `t_${process.pid}_${Date.now().toString(36)}_${counter++}`);
}

export const pgAvailable = (): boolean => inject('pgUrl') !== '';

/** The dialects every storage test runs on: SQLite always, PostgreSQL when the setup started a server. */
export function dialects(): DialectCase[] {
  const cases: DialectCase[] = [
    {
      dialect: 'sqlite',
      async fresh() {
        const url = freshSqliteUrl();
        const store = openStore(url);
        await migrate(store);
        return { url, store };
      },
    },
  ];
  if (pgAvailable()) {
    cases.push({
      dialect: 'postgres',
      async fresh() {
        const url = await freshPostgresUrl();
        const store = openStore(url);
        await migrate(store);
        return { url, store };
      },
    });
  }
  return cases;
}
