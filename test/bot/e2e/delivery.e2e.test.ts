/**
 * Issue flows 6–7: the draw's cards reach everyone exactly once through Feishu's failures (5xx, rate limits,
 * timeouts — one of them after Feishu had already created the message) and through a crash of the bot in the
 * middle of sending, after which a new bot instance on the same database delivers the rest.
 */
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeishuClient, SendResult } from '../../../src/bot/feishu/client.ts';
import { createSender } from '../../../src/bot/sender.ts';
import { openStore } from '../../../src/storage/db.ts';
import { dialects } from '../../helpers/stores.ts';
import { silent } from '../feishu-harness.ts';
import { JOINT_CHAT, activeMembers, cardTitle, cardsTo, e2e, type E2E } from './setup.ts';

const sqlite = dialects()[0]!;
const MESSAGES = '/open-apis/im/v1/messages';

/** Each member exactly one assignment card, the group exactly one draw card, nothing posted twice, nothing left. */
async function expectDeliveredOnce(e: E2E, taskId: string) {
  const members = await activeMembers(e.store, taskId);
  for (const m of members) expect(cardsTo(e.fake, m.openId), m.name).toHaveLength(1);
  const dms = e.fake.messages.filter((m) => m.receiveIdType === 'open_id');
  expect(dms).toHaveLength(members.length);
  const group = e.fake.messagesTo(JOINT_CHAT);
  expect(group.map((m) => cardTitle(m.card))).toEqual(['抽查名单已冻结', '抽查结果']);
  expect(e.fake.duplicateCount()).toBe(0);
  const rows = await e.store.db.selectFrom('outbox').select(['state']).execute();
  expect(rows).toHaveLength(members.length + 2);
  expect(rows.every((r) => r.state === 'sent')).toBe(true);
}

describe('delivering the draw cards (SQLite)', () => {
  let e: E2E | undefined;
  afterEach(async () => {
    await e?.close();
    e = undefined;
  });

  it('every card arrives exactly once through 5xx, rate limits and timeouts', async () => {
    e = await e2e(sqlite.fresh);
    const bot = await e.startBot({ feishu: e.feishuClient(400) });
    const taskId = await e.createFoodTask();
    await e.cli(['draw', 'freeze', taskId, '--entropy-source', 'src']);
    await bot.drain();

    e.fake.inject({ kind: '5xx', path: MESSAGES, count: 2 });
    e.fake.inject({ kind: '5xx', path: MESSAGES, status: 502 });
    e.fake.inject({ kind: 'rate-limit', path: MESSAGES, resetSeconds: 1 });
    e.fake.inject({ kind: 'hang', path: MESSAGES, afterProcessing: true, hangMs: 1500 }); // created, answer lost
    e.fake.inject({ kind: 'hang', path: MESSAGES, hangMs: 1500 }); // never reaches Feishu
    e.fake.inject({ kind: '5xx', path: MESSAGES, status: 503 });
    const run = await e.cli(['draw', 'run', taskId, '--entropy', '42']);
    expect(run.code, run.stderr).toBe(0);
    await bot.drain(40_000);

    // A hung request is logged by the fake when it finally answers (long after the client gave up on it).
    const faulted = () => e!.fake.requestsTo(MESSAGES).filter((r) => r.fault);
    for (let i = 0; i < 100 && faulted().length < 7; i++) await new Promise((r) => setTimeout(r, 50));
    const faults = faulted();
    expect(faults.map((r) => r.fault).sort()).toEqual([
      '5xx',
      '5xx',
      '5xx',
      '5xx',
      'hang',
      'hang',
      'rate-limit',
    ]);
    expect(e.fake.uuidHits).toBe(1); // the retry of the message Feishu had created was answered from its uuid
    await expectDeliveredOnce(e, taskId);
  });

  it('a bot that crashes mid-send loses nothing and doubles nothing: a new instance delivers the rest', async () => {
    e = await e2e(sqlite.fresh);
    const taskId = await e.createFoodTask();
    await e.drawTask(taskId); // no bot running: the cards wait in the outbox

    // Instance A claims every row, delivers two, gets a third through to Feishu, and then its process "dies"
    // before it can record that send: the call never returns, the rest of its claims are never sent.
    const real = e.feishuClient(2000);
    let calls = 0;
    const dying: FeishuClient = {
      ...real,
      async sendMessage(...args: Parameters<FeishuClient['sendMessage']>): Promise<SendResult> {
        calls++;
        if (calls < 3) return real.sendMessage(...args);
        if (calls === 3) await real.sendMessage(...args);
        return new Promise<SendResult>(() => {}); // frozen
      },
    };
    const storeA = openStore(e.url);
    const a = createSender({
      store: storeA,
      feishu: dying,
      clock: () => new Date(),
      log: silent,
      instanceId: 'A',
      concurrency: 1,
      leaseMs: 2500,
    });
    void a.drainOnce();
    for (let i = 0; i < 100 && e.fake.messages.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(e.fake.messages).toHaveLength(3);
    const claimed = await e.store.db.selectFrom('outbox').select(['state', 'claimed_by']).execute();
    expect(claimed.filter((r) => r.state === 'sent')).toHaveLength(2);
    expect(claimed.filter((r) => r.state === 'sending' && r.claimed_by === 'A').length).toBe(
      claimed.length - 2,
    );

    // Instance B starts on the same database; A's claims are taken over once their lease runs out.
    const b = await e.startBot();
    await b.drain();
    await storeA.close().catch(() => undefined);
    expect(e.fake.uuidHits).toBe(1); // the send A made but never recorded was not posted again
    await expectDeliveredOnce(e, taskId);
    const byB = await e.store.db
      .selectFrom('outbox')
      .select('claimed_by')
      .where('claimed_by', '=', 'A')
      .execute();
    expect(byB).toHaveLength(2); // only the two A recorded; B took over the rest
  });

  it('a restarted bot takes back what it had claimed before its crash at once, not after the 60 s lease', async () => {
    e = await e2e(sqlite.fresh);
    const taskId = await e.createFoodTask();
    await e.drawTask(taskId);
    const port = '39871';
    const sameInstance = `${hostname()}:${port}`; // what the bot on that port calls itself
    const real = e.feishuClient(2000);
    let calls = 0;
    const dying: FeishuClient = {
      ...real,
      async sendMessage(...args: Parameters<FeishuClient['sendMessage']>): Promise<SendResult> {
        if (++calls === 1) return real.sendMessage(...args);
        return new Promise<SendResult>(() => {}); // the process froze, then died
      },
    };
    const storeA = openStore(e.url);
    const before = createSender({
      store: storeA,
      feishu: dying,
      clock: () => new Date(),
      log: silent,
      instanceId: sameInstance,
      concurrency: 1,
      leaseMs: 60_000,
    });
    void before.drainOnce();
    for (let i = 0; i < 100 && e.fake.messages.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
    const stuck = await e.store.db.selectFrom('outbox').select('id').where('state', '=', 'sending').execute();
    expect(stuck.length).toBeGreaterThan(1);

    const started = Date.now();
    const after = await e.startBot({ env: { PORT: port } });
    await after.drain(20_000);
    await storeA.close().catch(() => undefined);
    expect(Date.now() - started).toBeLessThan(20_000); // well before the lease would have run out
    await expectDeliveredOnce(e, taskId);
  });

  it("delivery ids older than a week are forgotten at the scheduler's start-up tick; recent ones are kept for deduplication", async () => {
    e = await e2e(sqlite.fresh);
    const day = 24 * 60 * 60 * 1000;
    const at = (ago: number) => new Date(Date.now() - ago).toISOString();
    await e.store.db
      .insertInto('inbound_deliveries')
      .values([
        { delivery_id: 'event:old', kind: 'message', received_at: at(8 * day), outcome: null },
        { delivery_id: 'event:recent', kind: 'message', received_at: at(day), outcome: null },
      ])
      .execute();
    const bot = await e.startBot({ scheduler: true });
    const ids = async () =>
      (await e!.store.db.selectFrom('inbound_deliveries').select('delivery_id').execute()).map(
        (r) => r.delivery_id,
      );
    for (let i = 0; i < 100 && (await ids()).includes('event:old'); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await ids()).toEqual(['event:recent']);
    await bot.stop();
  });
});
