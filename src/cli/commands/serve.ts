import type { Command } from 'commander';
import type { Hono } from 'hono';
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
          const { listen } = await import('../../bot/server.ts');
          const { host, PORT: port, localMode } = app.config;
          let bot: { http: Hono; stop(): Promise<void> };
          let announce = () => {};
          if (localMode) {
            const { startLocalBot, startOverHint } = await import('../../sim/local-mode.ts');
            const local = await startLocalBot(app);
            bot = { http: local.bot.http, stop: () => local.stop() };
            announce = () => {
              const url = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${port}/sim`;
              if (local.demo)
                app.log.info({ task: local.demo.food.taskId }, `demo data: ${local.demo.description}`);
              app.log.info(
                { url, host },
                `open ${url} to act as any inspector, department head or liaison and click the real cards` +
                  (host === '127.0.0.1'
                    ? ' (only this machine can reach it; HOST=0.0.0.0 opens it to the network)'
                    : ''),
              );
              app.log.info(
                `to start over with fresh demo data: stop liancha, then ${startOverHint(app.config.DATABASE_URL)}`,
              );
            };
          } else {
            const { startBot } = await import('../../bot/runtime.ts');
            bot = startBot(app);
          }
          const server = await listen(bot.http, port, host).catch(async (err: unknown) => {
            await bot.stop();
            throw listenError(err, port);
          });
          app.log.info(
            { port, host, database: app.store.description },
            `liancha listening on http://${host}:${port}`,
          );
          announce();
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
