import { schedule, type Logger as CronLogger, type ScheduledTask } from 'node-cron';
import type { App } from '../app.ts';
import { tick, type TickJob, type TickReport } from '../services/tick.ts';

/** What `/healthz` says about scheduled work. */
export interface SchedulerStatus {
  state: 'running' | 'off';
  /** The moment the last tick ran for (ISO 8601), or null before the first. */
  lastTickAt: string | null;
  /** False when, at the last tick, another instance held the scheduler lock (it did the work). */
  lastTickRan: boolean;
  /** The jobs that failed at the last tick (see the log for why). */
  failedJobs: string[];
}

export const SCHEDULER_OFF: SchedulerStatus = {
  state: 'off',
  lastTickAt: null,
  lastTickRan: false,
  failedJobs: [],
};

export interface Scheduler {
  /**
   * Runs one tick now, at `app.clock()`, after any tick in progress; resolves with its report (null once
   * stopped, or when the tick could not run at all — the log says why). For start-up and tests.
   */
  tickNow(): Promise<TickReport | null>;
  status(): SchedulerStatus;
  /** No more ticks; waits for one in progress, so that the app can be closed after. */
  stop(): Promise<void>;
}

/** Every minute; each job works out from the data what is due (services/tick.ts). */
export const TICK_CRON = '* * * * *';

/**
 * Ticks every minute in LIANCHA_TZ, and once at start-up (a restart does what fell due while the bot was down).
 * Cron only ticks: what is due is decided by the jobs from the database (`tick`), so a tick that is late, skipped
 * or repeated changes nothing. A tick still running when the next minute comes makes that minute's tick skip.
 */
export function startScheduler(
  app: App,
  opts: {
    /** Recorded with each occasion claimed (`job_runs.instance`): `botInstanceId`. */
    instance: string;
    /** Default: TICK_JOBS. */
    jobs?: TickJob[];
    /** Default true. */
    tickOnStart?: boolean;
    /** After each tick that ran, e.g. to wake the sender for what it queued. */
    afterTick?: (report: TickReport) => void;
  },
): Scheduler {
  let last: TickReport | null = null;
  let stopped = false;
  let busy = false;
  let chain: Promise<TickReport | null> = Promise.resolve(null);

  const runOnce = async (): Promise<TickReport | null> => {
    if (stopped) return null;
    busy = true;
    try {
      const report = await tick(app, app.clock(), {
        instance: opts.instance,
        ...(opts.jobs ? { jobs: opts.jobs } : {}),
      });
      last = report;
      if (report.ran) opts.afterTick?.(report);
      return report;
    } catch (err) {
      // The lock could not be taken: the database is unreachable (/healthz says so). lastTickAt goes stale.
      app.log.error({ err }, `scheduler: the tick could not run: ${(err as Error).message}`);
      return null;
    } finally {
      busy = false;
    }
  };
  const enqueue = (): Promise<TickReport | null> => {
    chain = chain.then(runOnce);
    return chain;
  };

  const task: ScheduledTask = schedule(
    TICK_CRON,
    async () => {
      if (busy) {
        app.log.warn('scheduler: the previous tick is still running; this minute is skipped');
        return;
      }
      await enqueue();
    },
    {
      name: 'liancha-tick',
      timezone: app.config.LIANCHA_TZ,
      noOverlap: true,
      logger: cronLogger(app),
      // The HTTP server or the long connection keeps the process alive, not the schedule.
      unref: true,
    },
  );
  if (opts.tickOnStart ?? true) void enqueue();

  return {
    tickNow: enqueue,
    status() {
      if (stopped) return SCHEDULER_OFF;
      return {
        state: 'running',
        lastTickAt: last?.at ?? null,
        lastTickRan: last?.ran ?? false,
        failedJobs: last ? last.jobs.filter((j) => !j.ok).map((j) => j.name) : [],
      };
    },
    async stop() {
      stopped = true;
      await task.destroy();
      await chain;
    },
  };
}

/** node-cron's own messages (a missed minute, a failed run) go to the app's log instead of the console. */
function cronLogger(app: App): CronLogger {
  const log = app.log.child({ component: 'node-cron' });
  return {
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
    error: (message, err) =>
      message instanceof Error ? log.error({ err: message }, message.message) : log.error({ err }, message),
    debug: (message, err) =>
      message instanceof Error ? log.debug({ err: message }, message.message) : log.debug({ err }, message),
  };
}
