import { describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { DELIVERY_RETENTION_MS, TICK_JOBS, tick, type TickJob } from '../../src/services/tick.ts';
import { recordDelivery } from '../../src/storage/inbound.ts';
import { claimOccasion } from '../../src/storage/job-runs.ts';
import { enqueueMessage, listOutbox } from '../../src/storage/outbox.ts';
import { dialects } from '../helpers/stores.ts';

const NOW = new Date('2026-12-03T01:00:00.000Z');
const MINUTE = 60_000;

async function appOn(url: string): Promise<App> {
  return createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'silent' }, clock: () => NOW });
}

/**
 * A job that sends one message per minute: the occasion is the minute, claimed in the transaction that queues
 * the message — the way every real job is written. `hold`, when given, keeps it from finishing (and so its tick
 * inside the scheduler lock) until released; `entered` is called once it is running.
 */
function minuteMessageJob(hold?: { entered: () => void; until: Promise<void> }): TickJob {
  return {
    name: 'minute-message',
    async run(app, now, instance) {
      if (hold) {
        hold.entered();
        await hold.until;
      }
      return app.store.db.transaction().execute(async (trx) => {
        if (!(await claimOccasion(trx, `test:${now.toISOString().slice(0, 16)}`, now, instance)))
          return { queued: 0 };
        await enqueueMessage(
          trx,
          {
            kind: 'send',
            receiveIdType: 'chat_id',
            receiveId: 'oc_joint',
            msgType: 'text',
            content: { text: `it is ${now.toISOString()}` },
          },
          now,
        );
        return { queued: 1 };
      });
    },
  };
}

const messages = async (app: App) => (await listOutbox(app.store.db)).map((r) => JSON.parse(r.content).text);

describe.each(dialects())('tick on $dialect', ({ dialect, fresh }) => {
  it('ticking twice at one moment queues the occasion once; the next minute is a new occasion', async () => {
    const { url, store } = await fresh();
    await store.close();
    const app = await appOn(url);
    try {
      const jobs = [minuteMessageJob()];
      const first = await tick(app, NOW, { instance: 'host:3000', jobs });
      const again = await tick(app, NOW, { instance: 'host:3000', jobs });
      expect(first).toEqual({
        at: NOW.toISOString(),
        ran: true,
        jobs: [{ name: 'minute-message', ok: true, counts: { queued: 1 } }],
      });
      expect(again.jobs).toEqual([{ name: 'minute-message', ok: true, counts: { queued: 0 } }]);
      expect(await messages(app)).toEqual([`it is ${NOW.toISOString()}`]);

      const later = new Date(NOW.getTime() + MINUTE);
      await tick(app, later, { jobs });
      expect(await messages(app)).toEqual([`it is ${NOW.toISOString()}`, `it is ${later.toISOString()}`]);
      const runs = await app.store.db
        .selectFrom('job_runs')
        .select(['key', 'instance'])
        .orderBy('key')
        .execute();
      expect(runs).toEqual([
        { key: 'test:2026-12-03T01:00', instance: 'host:3000' },
        { key: 'test:2026-12-03T01:01', instance: 'cli' },
      ]);
    } finally {
      await app.close();
    }
  });

  it('a failing job is reported and logged, and the jobs after it still run', async () => {
    const { url, store } = await fresh();
    await store.close();
    const app = await appOn(url);
    try {
      const broken: TickJob = {
        name: 'broken',
        async run() {
          throw new Error('the digest query failed');
        },
      };
      const report = await tick(app, NOW, { jobs: [broken, minuteMessageJob()] });
      expect(report).toEqual({
        at: NOW.toISOString(),
        ran: true,
        jobs: [
          { name: 'broken', ok: false, error: 'the digest query failed' },
          { name: 'minute-message', ok: true, counts: { queued: 1 } },
        ],
      });
      expect(await messages(app)).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it('delivery pruning: a tick forgets delivery ids received more than 7 days before it, keeps the rest', async () => {
    const { url, store } = await fresh();
    await store.close();
    const app = await appOn(url);
    try {
      const ago = (ms: number) => new Date(NOW.getTime() - ms);
      await recordDelivery(app.store.db, 'event:old', 'message', ago(8 * 24 * 60 * MINUTE));
      await recordDelivery(app.store.db, 'event:just-over', 'message', ago(DELIVERY_RETENTION_MS + MINUTE));
      await recordDelivery(app.store.db, 'event:just-under', 'message', ago(DELIVERY_RETENTION_MS - MINUTE));
      await recordDelivery(app.store.db, 'event:recent', 'message', ago(60 * MINUTE));
      expect(DELIVERY_RETENTION_MS).toBe(7 * 24 * 60 * MINUTE);

      const report = await tick(app, NOW); // the real registry
      expect(report.jobs).toContainEqual({ name: 'prune-deliveries', ok: true, counts: { pruned: 2 } });
      const left = await app.store.db.selectFrom('inbound_deliveries').select('delivery_id').execute();
      expect(left.map((r) => r.delivery_id).sort()).toEqual(['event:just-under', 'event:recent']);
      // A re-delivery of a kept id is still recognised; a forgotten one would be taken as new.
      expect(await recordDelivery(app.store.db, 'event:recent', 'message', NOW)).toBe(false);
      expect(TICK_JOBS.map((j) => j.name)).toContain('prune-deliveries');
    } finally {
      await app.close();
    }
  });

  if (dialect === 'postgres') {
    it('two instances on one database ticking at once queue one message; the one kept out says ran: false', async () => {
      const { url, store } = await fresh();
      await store.close();
      const [a, b] = [await appOn(url), await appOn(url)];
      try {
        // Both at once, many times over: whichever way each race goes, one message per minute.
        for (let i = 0; i < 5; i++) {
          const at = new Date(NOW.getTime() + i * MINUTE);
          const jobs = [minuteMessageJob()];
          const reports = await Promise.all([
            tick(a, at, { instance: 'host-a:3000', jobs }),
            tick(b, at, { instance: 'host-b:3000', jobs }),
          ]);
          const queued = reports.flatMap((r) => r.jobs).reduce((n, j) => n + (j.counts?.queued ?? 0), 0);
          expect(queued).toBe(1);
        }
        expect(await messages(a)).toHaveLength(5);

        // One instance is in the middle of its tick when the other's comes: the other does nothing.
        let release!: () => void;
        const until = new Promise<void>((r) => (release = r));
        let entered!: () => void;
        const inside = new Promise<void>((r) => (entered = r));
        const at = new Date(NOW.getTime() + 10 * MINUTE);
        const slow = tick(a, at, { instance: 'host-a:3000', jobs: [minuteMessageJob({ entered, until })] });
        await inside;
        const kept = await tick(b, at, { instance: 'host-b:3000', jobs: [minuteMessageJob()] });
        expect(kept).toEqual({ at: at.toISOString(), ran: false, jobs: [] });
        release();
        expect((await slow).jobs).toEqual([{ name: 'minute-message', ok: true, counts: { queued: 1 } }]);
        expect(await messages(a)).toHaveLength(6);
      } finally {
        await a.close();
        await b.close();
      }
    });
  }
});
