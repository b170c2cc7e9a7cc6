import type { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors.ts';
import { print, printJson, when } from '../io.ts';
import type { CommandContext } from '../main.ts';

/** An ISO 8601 time that names its offset (`Z` or `+08:00`): without one it would mean another moment per server. */
const AT = z.string().datetime({ offset: true });

/** The moment `--at` names, or a one-line UserError. */
export function parseAt(value: string): Date {
  if (!AT.safeParse(value).success)
    throw new UserError(
      'CLI.BAD_TIME',
      `--at must be an ISO 8601 time with an offset or Z, e.g. 2026-12-03T09:00:00+08:00; got "${value}"`,
    );
  return new Date(value);
}

export function registerTick(program: Command, { io, withApp }: CommandContext): void {
  program
    .command('tick')
    .description(
      'run whatever reminders, expiries and digests are due at that moment (what the scheduler does every minute)',
    )
    .option('--at <iso-time>', 'the moment to run for, e.g. 2026-12-03T09:00:00+08:00 (default: now)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { at?: string; json?: boolean }) => {
      const { describeCounts, tick } = await import('../../services/tick.ts');
      // Checked before the database is opened: a mistyped time costs nothing.
      const at = opts.at === undefined ? null : parseAt(opts.at);
      await withApp(async (app) => {
        const tz = app.config.LIANCHA_TZ;
        const report = await tick(app, at ?? app.clock(), { instance: 'cli' });
        const failed = report.jobs.filter((j) => !j.ok);
        if (opts.json) printJson(io, report);
        else if (report.ran) {
          print(io, `tick at ${when(tz, report.at)} (${tz}):`);
          for (const j of report.jobs)
            print(io, `  ${j.name}: ${j.ok ? describeCounts(j.counts ?? {}) : `failed: ${j.error}`}`);
          print(io, 'messages queued by this tick are sent by the running bot (or liancha outbox flush)');
        }
        if (!report.ran)
          throw new UserError(
            'TICK.LOCKED',
            `another instance is running the scheduled jobs at this moment; nothing was done at ${when(tz, report.at)}: try again in a minute`,
          );
        if (failed.length > 0)
          throw new UserError(
            'TICK.JOB_FAILED',
            `${failed.length === 1 ? 'a job' : `${failed.length} jobs`} failed: ${failed.map((j) => j.name).join(', ')} (see above; the others ran)`,
          );
      });
    });
}
