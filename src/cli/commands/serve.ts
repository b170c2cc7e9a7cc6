import type { Command } from 'commander';
import { UserError } from '../../errors.ts';
import type { CommandContext } from '../main.ts';

export function registerServe(program: Command, { withApp }: CommandContext): void {
  program
    .command('serve')
    .description('run the bot: migrate, then serve HTTP on PORT (the same as npm start)')
    .action(async () => {
      await withApp(
        async (app) => {
          // Loaded on demand: the Feishu SDK is large, and the operator's other commands start faster without it.
          const { startBot } = await import('../../bot/runtime.ts');
          const { listen } = await import('../../bot/server.ts');
          const bot = startBot(app);
          const server = await listen(bot.http, app.config.PORT).catch(async (err: unknown) => {
            await bot.stop();
            throw listenError(err, app.config.PORT);
          });
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
        },
        { server: true },
      );
    });
}

/** A port that cannot be bound is the operator's to fix: one line naming PORT. */
function listenError(err: unknown, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new UserError(
      'SERVE.PORT_IN_USE',
      `PORT=${port}: port ${port} is already in use (is liancha already running?); stop that program or set PORT to a free port`,
    );
  if (code === 'EACCES')
    return new UserError(
      'SERVE.PORT_DENIED',
      `PORT=${port}: not allowed to listen on port ${port}; choose a port above 1023 or run with the right to bind it`,
    );
  return err;
}
