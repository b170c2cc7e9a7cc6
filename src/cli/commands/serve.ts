import type { Command } from 'commander';
import { createHttpApp, listen } from '../../bot/server.ts';
import type { CommandContext } from '../main.ts';

export function registerServe(program: Command, { withApp }: CommandContext): void {
  program
    .command('serve')
    .description('run the bot: migrate, then serve HTTP on PORT (the same as npm start)')
    .action(async () => {
      await withApp(async (app) => {
        const server = await listen(createHttpApp(app), app.config.PORT);
        app.log.info(
          { port: app.config.PORT, database: app.store.description },
          `liancha listening on http://localhost:${app.config.PORT}`,
        );
        app.log.info('Feishu endpoints and local mode are not built yet: only GET /healthz is served');
        await new Promise<void>((resolve) => {
          const stop = () => server.close(() => resolve());
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      });
    });
}
