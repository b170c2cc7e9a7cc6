import type { App } from '../app.ts';
import { pruneDeliveries } from '../storage/inbound.ts';
import { withSchedulerLock } from '../storage/job-runs.ts';
import { digestJob } from './digest-tick.ts';
import { deadlineRemindersJob } from './reminders.ts';
import { substitutionLapses } from './substitution-lapses.ts';

/**
 * One kind of scheduled work (reminders, expiry, the digest, housekeeping), run on every tick.
 *
 * **The database decides what is due.** `run` looks at the data and does what is due at `now`, never what an
 * in-memory timer remembers: the scheduler (every minute), `liancha tick --at`, a restart and a second instance
 * all call the same `run`. After downtime, the next tick does what is due *now* — a reminder whose moment passed
 * while the bot was down is sent once if it is still due, never once per missed minute (no backlog).
 *
 * Every message a job sends is queued (`enqueueMessage`) in one transaction with the occasion's `job_runs` key
 * (`claimOccasion(trx, key, now, instance)`, e.g. `sub-remind:<request>`, `digest:<chat>:<ISO week>`): when the
 * key is already taken, the occasion was handled and nothing is queued. So a job may run any number of times at
 * the same moment and sends once.
 *
 * `run` returns counts of what it did, e.g. `{ reminded: 1, expired: 0 }`; `liancha tick` prints them.
 */
export interface TickJob {
  /** Short and stable (`prune-deliveries`): logs, `liancha tick` and `/healthz` name the job by it. */
  name: string;
  run(app: App, now: Date, instance: string): Promise<Record<string, number>>;
}

export interface TickJobReport {
  name: string;
  ok: boolean;
  /** What the job did, when it succeeded. */
  counts?: Record<string, number>;
  /** Why it failed, when it did. */
  error?: string;
}

export interface TickReport {
  /** The moment the tick ran for (ISO 8601). */
  at: string;
  /** False when another instance held the scheduler lock: this tick did nothing, and `jobs` is empty. */
  ran: boolean;
  jobs: TickJobReport[];
}

/** Delivery ids are kept this long: well past Feishu's last re-delivery (6 h) and the signed window (7 h). */
export const DELIVERY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** `inbound_deliveries` would grow forever: every tick forgets the ids received more than a week before `now`. */
export const pruneDeliveriesJob: TickJob = {
  name: 'prune-deliveries',
  async run(app, now) {
    const pruned = await pruneDeliveries(app.store.db, new Date(now.getTime() - DELIVERY_RETENTION_MS));
    return { pruned };
  },
};

/**
 * Every scheduled job, in the order a tick runs them. Adding one is one line here: its `TickJob` (in the service
 * it belongs to) appended to this list.
 */
export const TICK_JOBS: TickJob[] = [
  pruneDeliveriesJob,
  { name: 'substitution-lapses', run: substitutionLapses },
  deadlineRemindersJob,
  digestJob,
];

/**
 * Runs every job that is due at `now` (what the scheduler calls each minute, and `liancha tick --at`), under the
 * scheduler lock so that on PostgreSQL one instance at a time does it. A job that fails is logged and reported,
 * and the next one still runs. Throws only when the lock itself cannot be taken (the database is unreachable).
 *
 * @example const report = await tick(app, app.clock(), { instance: 'cli' })
 */
export async function tick(
  app: App,
  now: Date,
  opts: {
    /** Who runs it, recorded with each claimed occasion: `host:PORT` for the bot, `cli` (the default) for the CLI. */
    instance?: string;
    /** Default: TICK_JOBS. */
    jobs?: TickJob[];
  } = {},
): Promise<TickReport> {
  const instance = opts.instance ?? 'cli';
  const jobs = opts.jobs ?? TICK_JOBS;
  const at = now.toISOString();
  const locked = await withSchedulerLock(app.store, async () => {
    const reports: TickJobReport[] = [];
    for (const job of jobs) {
      try {
        const counts = await job.run(app, now, instance);
        reports.push({ name: job.name, ok: true, counts });
        if (Object.values(counts).some((n) => n > 0))
          app.log.info({ job: job.name, at, counts }, `tick: ${job.name} ${describeCounts(counts)}`);
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        reports.push({ name: job.name, ok: false, error });
        app.log.error({ err, job: job.name, at }, `tick: ${job.name} failed: ${error}`);
      }
    }
    return reports;
  });
  if (!locked.ran) {
    app.log.debug({ at, instance }, 'tick: another instance holds the scheduler lock; nothing done');
    return { at, ran: false, jobs: [] };
  }
  return { at, ran: true, jobs: locked.value };
}

/** `{ reminded: 1, expired: 0 }` → `reminded 1, expired 0`. */
export function describeCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts).map(([what, n]) => `${what} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing to report';
}
