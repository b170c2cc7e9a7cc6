import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // In this order: the run's temporary folder first, so that it is removed last.
    globalSetup: ['test/setup/tmpdir.ts', 'test/setup/postgres.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on every machine here; the PostgreSQL server and SQLite files are shared per worker.
    maxWorkers: 2,
  },
});
