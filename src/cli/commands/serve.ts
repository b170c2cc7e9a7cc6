import type { Command } from 'commander';
import type { CommandContext } from '../main.ts';

export function registerServe(program: Command, { withApp }: CommandContext): void {
  program
    .command('serve')
    .description('run the bot: migrate, then serve HTTP on PORT (the same as npm start)')
    .action(async () => {
      await withApp(async (app) => {
        // Loaded on demand: the Feishu SDK is large, and the operator's other commands start faster without it.
        const { startBot } = await import('../../bot/runtime.ts');
        const { listen } = await import('../../bot/server.ts');
        const bot = startBot(app);
        const server = await listen(bot.http, app.config.PORT);
        app.log.info(
          { port: app.config.PORT, database: app.store.description },
          `liancha listening on http://localhost:${app.config.PORT}`,
        );
        await new Promise<void>((resolve) => {
          const stop = () => {
            void bot.stop().finally(() => server.close(() => resolve()));
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      });
    });
}
