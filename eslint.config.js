import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'coverage', 'dist', 'test-results'] },
  js.configs.recommended,
  { files: ['bin/**/*.js'], languageOptions: { globals: { process: 'readonly', URL: 'readonly' } } },
  // The local-mode chat page (/sim) is plain browser JavaScript, served as it is.
  { files: ['src/sim/page/**/*.js'], languageOptions: { globals: { ...globals.browser } } },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Migrations are frozen in time and typed against Kysely<any> (kysely's own advice), never the app's schema.
    files: ['migrations/**', 'src/storage/migrate.ts', 'test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Storage owns the database (docs/architecture.md): outside src/storage and migrations, kysely and the drivers
    // may be imported for their types only (`import type`), never for a value such as `sql` or a dialect.
    files: ['src/**/*.ts'],
    ignores: ['src/storage/**', 'src/domain/**', 'src/cards/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'kysely', allowTypeImports: true, message: 'Queries live in src/storage.' },
            { name: 'better-sqlite3', allowTypeImports: true, message: 'The database lives in src/storage.' },
            { name: 'pg', allowTypeImports: true, message: 'The database lives in src/storage.' },
          ],
        },
      ],
    },
  },
  {
    // Cards are pure functions of domain data: no other layer, no database.
    files: ['src/cards/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/services/**',
                '**/storage/**',
                '**/bot/**',
                '**/cli/**',
                '**/import/**',
                '**/sim/**',
                '**/config*',
                '**/app*',
              ],
              message: 'src/cards may use src/domain only.',
            },
            {
              group: ['kysely', 'better-sqlite3', 'pg', 'hono', '@larksuiteoapi/*', 'node:fs*', 'fs'],
              message: 'src/cards is pure.',
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure: no other layer, no I/O, no clock, no ambient randomness.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/storage/**',
                '**/bot/**',
                '**/cards/**',
                '**/cli/**',
                '**/import/**',
                '**/sim/**',
                '**/services/**',
                '**/config*',
                '**/app*',
              ],
              message: 'src/domain must not depend on outer layers.',
            },
            {
              group: [
                'node:fs*',
                'fs',
                'fs/*',
                'node:net',
                'node:http*',
                'node:child_process',
                'node:os',
                'kysely',
                'better-sqlite3',
                'pg',
                'hono',
                '@larksuiteoapi/*',
                'pino',
                'node-cron',
              ],
              message: 'src/domain is pure: no I/O modules.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Randomness comes from a seed passed in.' },
        { object: 'Date', property: 'now', message: 'Time is injected: take `now` as a parameter.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Time is injected: take `now` as a parameter.',
        },
      ],
    },
  },
);
