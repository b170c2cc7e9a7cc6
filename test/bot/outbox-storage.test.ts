import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { recordDelivery, setDeliveryOutcome } from '../../src/storage/inbound.ts';
import {
  claimDue,
  enqueueMessage,
  listOutbox,
  markFailed,
  markSent,
  reschedule,
  retryFailed,
} from '../../src/storage/outbox.ts';
import { outboxHealth } from '../../src/bot/sender.ts';
import { dialects } from '../helpers/stores.ts';

const T0 = new Date('2026-12-01T01:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const card = { schema: '2.0', body: { elements: [] } };

describe.each(dialects())('outbox storage on $dialect', ({ fresh }) => {
  it('commits a message with the change that caused it, or not at all', async () => {
    const { store } = await fresh();
    try {
      await expect(
        store.db.transaction().execute(async (trx) => {
          await enqueueMessage(
            trx,
            {
              kind: 'send',
              receiveIdType: 'open_id',
              receiveId: 'ou_a',
              msgType: 'interactive',
              content: card,
            },
            T0,
          );
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      expect(await listOutbox(store.db)).toEqual([]);
      const row = await store.db.transaction().execute((trx) =>
        enqueueMessage(
          trx,
          {
            kind: 'send',
            receiveIdType: 'open_id',
            receiveId: 'ou_a',
            msgType: 'interactive',
            content: card,
            ref: 'r1',
          },
          T0,
        ),
      );
      expect(row).toMatchObject({ state: 'pending', uuid: `lc-${row.id}`, content: JSON.stringify(card) });
      expect(row.uuid!.length).toBeLessThanOrEqual(50);
      expect(await outboxHealth(store)).toEqual({
        pending: 1,
        sending: 0,
        failed: 0,
        oldestWaitingSince: T0.toISOString(),
      });
    } finally {
      await store.close();
    }
  });

  it('claims due rows oldest first with a lease; a lapsed lease is claimable again; chained patches wait', async () => {
    const { store } = await fresh();
    try {
      const send = (id: string, now: Date) =>
        enqueueMessage(
          store.db,
          { kind: 'send', receiveIdType: 'open_id', receiveId: id, msgType: 'text', content: { text: id } },
          now,
        );
      const a = await send('ou_a', T0);
      const b = await send('ou_b', T0);
      const patch = await enqueueMessage(store.db, { kind: 'patch', patchOf: a.id, content: card }, T0);
      const later = await send('ou_later', at(60_000));

      const first = await claimDue(store, { instanceId: 'A', now: at(1000), limit: 10, leaseMs: 30_000 });
      expect(first.map((r) => r.id)).toEqual([a.id, b.id]); // not the patch (a is not sent), not the later one
      expect(first[0]).toMatchObject({
        state: 'sending',
        claimed_by: 'A',
        attempts: 1,
        lease_until: at(31_000).toISOString(),
      });
      expect(await claimDue(store, { instanceId: 'B', now: at(2000), limit: 10, leaseMs: 30_000 })).toEqual(
        [],
      );

      await markSent(store.db, a.id, 'om_1', at(3000));
      const taken = await claimDue(store, { instanceId: 'B', now: at(31_000), limit: 10, leaseMs: 30_000 });
      expect(taken.map((r) => [r.id, r.claimed_by, r.attempts])).toEqual([
        [b.id, 'B', 2], // A's lease lapsed
        [patch.id, 'B', 1],
      ]);
      // A comes back late: its outcome no longer counts, B's claim stands.
      expect(await reschedule(store.db, b.id, at(40_000), 'late', 'A')).toBe(false);
      expect(await markFailed(store.db, b.id, 'late', 'A')).toBe(false);
      expect(await reschedule(store.db, b.id, at(40_000), 'HTTP 500', 'B')).toBe(true);
      expect(await claimDue(store, { instanceId: 'B', now: at(39_000), limit: 10, leaseMs: 30_000 })).toEqual(
        [],
      );
      const due = await claimDue(store, { instanceId: 'B', now: at(60_000), limit: 10, leaseMs: 30_000 });
      expect(due.map((r) => r.id)).toEqual([b.id, later.id]);
      expect(due[0]).toMatchObject({ last_error: 'HTTP 500', attempts: 3 });

      expect(await markFailed(store.db, b.id, 'bot is not in the chat', 'B')).toBe(true);
      expect((await listOutbox(store.db, { failed: true })).map((r) => [r.id, r.last_error])).toEqual([
        [b.id, 'bot is not in the chat'],
      ]);
      expect(await retryFailed(store.db, later.id, at(70_000))).toBe(false);
      expect(await retryFailed(store.db, b.id, at(70_000))).toBe(true);
      const again = await claimDue(store, { instanceId: 'C', now: at(70_000), limit: 10, leaseMs: 30_000 });
      expect(again.map((r) => [r.id, r.attempts])).toContainEqual([b.id, 1]);
    } finally {
      await store.close();
    }
  });

  it('records an inbound delivery once', async () => {
    const { store } = await fresh();
    try {
      expect(await recordDelivery(store.db, 'event:e1', 'card.action.trigger', T0)).toBe(true);
      expect(await recordDelivery(store.db, 'event:e1', 'card.action.trigger', at(15_000))).toBe(false);
      expect(
        await store.db
          .transaction()
          .execute((trx) => recordDelivery(trx, 'message:om_1', 'im.message.receive_v1', T0)),
      ).toBe(true);
      await setDeliveryOutcome(store.db, 'event:e1', 'ok');
      const rows = await store.db
        .selectFrom('inbound_deliveries')
        .selectAll()
        .orderBy('delivery_id')
        .execute();
      expect(rows).toEqual([
        {
          delivery_id: 'event:e1',
          kind: 'card.action.trigger',
          received_at: T0.toISOString(),
          outcome: 'ok',
        },
        {
          delivery_id: 'message:om_1',
          kind: 'im.message.receive_v1',
          received_at: T0.toISOString(),
          outcome: null,
        },
      ]);
    } finally {
      await store.close();
    }
  });
});

describe('outbox on one SQLite file shared by two processes', () => {
  it('enqueues in a child process while this one claims, without SQLITE_BUSY', async () => {
    const { url, store } = await dialects()[0]!.fresh();
    const COUNT = 300;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/bot/fixtures/enqueue-loop.ts', url, String(COUNT)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
    let done = false;
    void exited.then(() => (done = true));
    let claimed = 0;
    let claimedWhileChildRan = 0;
    try {
      for (let rounds = 0; ; rounds++) {
        const rows = await claimDue(store, {
          instanceId: 'parent',
          now: new Date(),
          limit: 7,
          leaseMs: 60_000,
        });
        for (const r of rows) await markSent(store.db, r.id, `om_${r.id}`, new Date());
        claimed += rows.length;
        if (!done) claimedWhileChildRan += rows.length;
        if (done && rows.length === 0) break;
        if (rows.length === 0) await new Promise((r) => setTimeout(r, 2));
      }
      expect(await exited).toBe(0);
      expect(out).toContain(`enqueued ${COUNT}`);
      expect(claimed).toBe(COUNT);
      expect(claimedWhileChildRan).toBeGreaterThan(0);
      expect(await outboxHealth(store)).toMatchObject({ pending: 0, sending: 0, failed: 0 });
    } finally {
      child.kill();
      await store.close();
    }
  }, 60_000);
});
