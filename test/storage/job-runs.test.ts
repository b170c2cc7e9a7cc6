import { describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/storage/db.ts';
import { claimOccasion, withSchedulerLock } from '../../src/storage/job-runs.ts';
import { dialects } from '../helpers/stores.ts';

const NOW = new Date('2026-12-03T01:00:00.000Z');

const claim = (store: Store, key: string, instance = 'test') =>
  store.db.transaction().execute((trx) => claimOccasion(trx, key, NOW, instance));

describe.each(dialects())('job_runs on $dialect', ({ dialect, fresh }) => {
  it('an occasion is claimed once: true the first time, false ever after, other keys unaffected', async () => {
    const { store } = await fresh();
    try {
      expect(await claim(store, 'sub-remind:r1', 'host:3000')).toBe(true);
      expect(await claim(store, 'sub-remind:r1', 'host:3001')).toBe(false);
      expect(await claim(store, 'sub-remind:r1', 'host:3000')).toBe(false);
      expect(await claim(store, 'sub-remind:r2')).toBe(true);
      const rows = await store.db.selectFrom('job_runs').selectAll().orderBy('key').execute();
      expect(rows).toEqual([
        { key: 'sub-remind:r1', ran_at: NOW.toISOString(), instance: 'host:3000' },
        { key: 'sub-remind:r2', ran_at: NOW.toISOString(), instance: 'test' },
      ]);
    } finally {
      await store.close();
    }
  });

  it('a claim whose transaction rolls back leaves the occasion to be claimed again', async () => {
    const { store } = await fresh();
    try {
      await expect(
        store.db.transaction().execute(async (trx) => {
          expect(await claimOccasion(trx, 'digest:oc_1:2026-W49', NOW, 'a')).toBe(true);
          throw new Error('queueing the digest failed');
        }),
      ).rejects.toThrow('queueing the digest failed');
      expect(await claim(store, 'digest:oc_1:2026-W49')).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('two concurrent claims of one key: exactly one wins', async () => {
    const { url, store } = await fresh();
    // On PostgreSQL two instances (two pools on one database); SQLite in one process shares one handle, since
    // better-sqlite3 blocks the event loop while it waits for another handle's write lock.
    const other = dialect === 'postgres' ? openStore(url) : store;
    try {
      for (let round = 0; round < 5; round++) {
        const key = `race:${round}`;
        const results = await Promise.all([claim(store, key, 'a'), claim(other, key, 'b')]);
        expect(results.filter(Boolean)).toHaveLength(1);
      }
      expect(await store.db.selectFrom('job_runs').select('key').execute()).toHaveLength(5);
    } finally {
      if (other !== store) await other.close();
      await store.close();
    }
  });

  it('withSchedulerLock runs the work and hands back its value', async () => {
    const { store } = await fresh();
    try {
      expect(await withSchedulerLock(store, async () => 42)).toEqual({ ran: true, value: 42 });
      await expect(
        withSchedulerLock(store, async () => {
          throw new Error('job failed');
        }),
      ).rejects.toThrow('job failed');
      // Released after a throw: the next run takes it again.
      expect(await withSchedulerLock(store, async () => 'again')).toEqual({ ran: true, value: 'again' });
    } finally {
      await store.close();
    }
  });

  if (dialect === 'postgres') {
    it('while one instance holds the scheduler lock, another is told ran: false without running; then it may', async () => {
      const { url, store } = await fresh();
      const other = openStore(url);
      try {
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        let entered!: () => void;
        const inside = new Promise<void>((r) => (entered = r));
        const first = withSchedulerLock(store, async () => {
          entered();
          await held;
          return 'first';
        });
        await inside;
        let ranSecond = false;
        expect(
          await withSchedulerLock(other, async () => {
            ranSecond = true;
          }),
        ).toEqual({ ran: false });
        expect(ranSecond).toBe(false);
        release();
        expect(await first).toEqual({ ran: true, value: 'first' });
        expect(await withSchedulerLock(other, async () => 'second')).toEqual({ ran: true, value: 'second' });
      } finally {
        await other.close();
        await store.close();
      }
    });
  }
});
