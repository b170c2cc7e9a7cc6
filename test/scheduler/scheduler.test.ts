import { getTasks, type ScheduledTask } from 'node-cron';
import { describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { checkHealth } from '../../src/bot/health.ts';
import { startBot } from '../../src/bot/runtime.ts';
import { startScheduler } from '../../src/bot/scheduler.ts';
import type { TickJob } from '../../src/services/tick.ts';
import { recordDelivery } from '../../src/storage/inbound.ts';
import { freshSqliteUrl } from '../helpers/stores.ts';

/** What /healthz says of a bot with no scheduler running. */
const SCHEDULER_OFF = { state: 'off', lastTickAt: null, lastTickRan: false, failedJobs: [] };

const T0 = new Date('2026-12-03T01:00:00.000Z');

/** An app (local mode) whose clock the test moves. */
async function appAt(): Promise<{ app: App; set(at: Date): void }> {
  let now = T0;
  const app = await createApp({
    env: { DATABASE_URL: freshSqliteUrl(), LOG_LEVEL: 'silent' },
    clock: () => now,
  });
  return { app, set: (at) => (now = at) };
}

const healthz = async (bot: ReturnType<typeof startBot>) => {
  const res = await bot.http.request('/healthz');
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

function cronTask(): ScheduledTask {
  const tasks = [...getTasks().values()].filter(
    (t) => t.name === 'liancha-tick' && t.getStatus() !== 'destroyed',
  );
  expect(tasks).toHaveLength(1);
  return tasks[0]!;
}

describe('the scheduler in the running bot', () => {
  it("/healthz shows the last tick: its moment, that it ran, no failed jobs; 'off' once stopped", async () => {
    const { app, set } = await appAt();
    const bot = startBot(app);
    try {
      await bot.scheduler!.tickNow(); // after the start-up tick, at T0
      expect(await healthz(bot)).toMatchObject({
        status: 200,
        body: {
          ok: true,
          scheduler: { state: 'running', lastTickAt: T0.toISOString(), lastTickRan: true, failedJobs: [] },
        },
      });
      const later = new Date(T0.getTime() + 60_000);
      set(later);
      const report = await bot.scheduler!.tickNow();
      expect(report?.at).toBe(later.toISOString());
      expect((await healthz(bot)).body.scheduler).toMatchObject({ lastTickAt: later.toISOString() });
      await bot.stop();
      expect((await healthz(bot)).body.scheduler).toEqual(SCHEDULER_OFF);
    } finally {
      await bot.stop();
      await app.close();
    }
  });

  it('the cron task ticks every minute: when it fires, the tick runs at the clock and /healthz shows it', async () => {
    const { app, set } = await appAt();
    const bot = startBot(app);
    try {
      await bot.scheduler!.tickNow();
      const task = cronTask();
      expect(task.getPattern()).toBe('* * * * *');
      const fired = new Date(T0.getTime() + 5 * 60_000);
      set(fired);
      await task.execute(); // what node-cron does at the minute
      expect((await healthz(bot)).body.scheduler).toMatchObject({ lastTickAt: fired.toISOString() });
      await bot.stop();
      expect(task.getStatus()).toBe('destroyed');
    } finally {
      await bot.stop();
      await app.close();
    }
  });

  it('the start-up tick prunes old delivery ids without waiting for the first minute', async () => {
    const { app } = await appAt();
    await recordDelivery(app.store.db, 'event:old', 'message', new Date(T0.getTime() - 8 * 86_400_000));
    const bot = startBot(app);
    try {
      // No tickNow(): the bot ticks by itself as it starts.
      for (let i = 0; i < 100 && bot.scheduler!.status().lastTickAt === null; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(bot.scheduler!.status()).toMatchObject({ lastTickAt: T0.toISOString(), lastTickRan: true });
      expect(await app.store.db.selectFrom('inbound_deliveries').select('delivery_id').execute()).toEqual([]);
    } finally {
      await bot.stop();
      await app.close();
    }
  });

  it("startBot({ scheduler: false }) has no scheduler and /healthz says 'off'", async () => {
    const { app } = await appAt();
    const bot = startBot(app, { scheduler: false });
    try {
      expect(bot.scheduler).toBeNull();
      expect((await healthz(bot)).body.scheduler).toEqual(SCHEDULER_OFF);
    } finally {
      await bot.stop();
      await app.close();
    }
  });

  it('a failed job is named in /healthz while ok stays about the database (200)', async () => {
    const { app } = await appAt();
    const broken: TickJob = {
      name: 'broken',
      async run() {
        throw new Error('boom');
      },
    };
    const fine: TickJob = { name: 'fine', run: async () => ({ done: 1 }) };
    const scheduler = startScheduler(app, { instance: 'test', jobs: [broken, fine], tickOnStart: false });
    try {
      expect(scheduler.status()).toEqual({
        state: 'running',
        lastTickAt: null,
        lastTickRan: false,
        failedJobs: [],
      });
      await scheduler.tickNow();
      const health = await checkHealth(app, null, scheduler);
      expect(health.ok).toBe(true);
      expect(health.scheduler).toEqual({
        state: 'running',
        lastTickAt: T0.toISOString(),
        lastTickRan: true,
        failedJobs: ['broken'],
      });
    } finally {
      await scheduler.stop();
      await app.close();
    }
  });
});
