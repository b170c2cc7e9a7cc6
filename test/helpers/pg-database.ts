import pg from 'pg';

/**
 * Creates the empty database `name` on the PostgreSQL server at `admin` and returns its URL. Plain `pg`, no
 * vitest: the tests (./stores.ts) and the benchmarks (bench/feishu-send-multi.ts) both use it.
 *
 * @example
 * const url = await createPostgresDatabase('postgres://postgres@127.0.0.1:5432/postgres', 't_1');
 * // → 'postgres://postgres@127.0.0.1:5432/t_1'
 */
export async function createPostgresDatabase(admin: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  return admin.replace(/\/[^/]*$/, `/${name}`);
}
