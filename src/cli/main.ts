import { Command, CommanderError } from 'commander';
import type { App, AppOptions } from '../app.ts';
import { ConfigError, UserError } from '../errors.ts';
import type { CliIO } from './io.ts';
import { registerAudit } from './commands/audit.ts';
import { registerImport } from './commands/import.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerOutbox } from './commands/outbox.ts';
import { registerResults } from './commands/results.ts';
import { registerServe } from './commands/serve.ts';
import { registerUsers } from './commands/users.ts';
import { registerTask } from './commands/task.ts';
import { registerDraw } from './commands/draw.ts';
import { registerTick } from './commands/tick.ts';
import { registerDigest } from './commands/digest.ts';

/**
 * Runs an action with the application wired up, and closes it afterwards. Commands print their logs as
 * sentences for the person at the terminal; `serve` (`server: true`) logs JSON unless stderr is a terminal.
 * LOG_FORMAT overrides both.
 */
export type WithApp = <T>(action: (app: App) => Promise<T>, options?: { server?: boolean }) => Promise<T>;

export interface CommandContext {
  io: CliIO;
  withApp: WithApp;
}

/** Exit codes: 0 success, 1 user error (one clear message), 2 usage error. */
export const EXIT = { ok: 0, userError: 1, usage: 2 } as const;

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('liancha')
    .description('联查 liancha — joint "double random, one public" inspections on Feishu')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    })
    .exitOverride();
  registerMigrate(program, ctx);
  registerServe(program, ctx);
  registerImport(program, ctx);
  registerTask(program, ctx);
  registerDraw(program, ctx);
  registerResults(program, ctx);
  registerTick(program, ctx);
  registerDigest(program, ctx);
  registerAudit(program, ctx);
  registerOutbox(program, ctx);
  registerUsers(program, ctx);
  // Subcommands inherit the output and exit behaviour.
  for (const cmd of allCommands(program)) cmd.exitOverride().configureOutput(program.configureOutput());
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/**
 * The `liancha` command line. Returns the exit code instead of exiting so that tests run it in-process.
 *
 * @example process.exitCode = await main(['import', 'targets', 'targets.csv', '--dry-run'])
 */
export async function main(
  argv: string[],
  io: Partial<CliIO> = {},
  appOptions: AppOptions = {},
): Promise<number> {
  const fullIO: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, ...io };
  const withApp: WithApp = async (action, options = {}) => {
    // Loaded on demand, like everything a command needs: `liancha --help` loads commander and the commands' names.
    const { createApp } = await import('../app.ts');
    const app = await createApp({
      env: fullIO.env,
      logDestination: fullIO.stderr,
      ...(options.server ? { server: true } : { logFormat: 'pretty' as const }),
      ...appOptions,
    });
    try {
      return await action(app);
    } finally {
      await app.close();
    }
  };
  const program = buildProgram({ io: fullIO, withApp });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    return exitCodeFor(err, fullIO);
  }
}

function exitCodeFor(err: unknown, io: CliIO): number {
  if (err instanceof CommanderError) {
    // --help and --version end through here too, with exit code 0; commander already printed the message.
    if (err.exitCode === 0) return EXIT.ok;
    return EXIT.usage;
  }
  if (err instanceof UserError || err instanceof ConfigError) {
    io.stderr.write(`error: ${err.message}\n`);
    return EXIT.userError;
  }
  io.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 70; // EX_SOFTWARE: a bug, not the user's fault.
}
