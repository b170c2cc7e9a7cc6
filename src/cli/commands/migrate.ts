import type { Command } from 'commander';
import { print, printJson } from '../io.ts';
import type { CommandContext } from '../main.ts';

export function registerMigrate(program: Command, { io, withApp }: CommandContext): void {
  program
    .command('migrate')
    .description('bring the database to the newest schema (start-up does this too)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { appliedMigrations } = await import('../../storage/migrate.ts');
      await withApp(async (app) => {
        // createApp has already migrated; report where the database stands.
        const rows = await appliedMigrations(app.store.db);
        const { applied } = app.migrations;
        if (opts.json) return printJson(io, { database: app.store.description, applied, migrations: rows });
        if (applied.length > 0)
          print(
            io,
            `${app.store.description}: applied ${applied.length} migration(s): ${applied.join(', ')}`,
          );
        print(
          io,
          `${app.store.description}: schema is current (${rows.length} migrations, newest ${rows.at(-1)?.name ?? '—'})`,
        );
      });
    });
}
