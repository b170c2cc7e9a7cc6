import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSender, type SenderOptions } from '../../src/bot/sender.ts';
import { openStore, type Store } from '../../src/storage/db.ts';
import {
  claimDue,
  enqueueMessage,
  enqueuePatchByRef,
  getOutboxRow,
  latestByRef,
  listOutbox,
  uuidForRow,
} from '../../src/storage/outbox.ts';
import { clearPace } from '../../src/storage/send-pace.ts';
import { simpleCard } from '../fake-feishu/sample-cards.ts';
import { dialects } from '../helpers/stores.ts';
import { countByReceiver, harness, silent, type Harness } from './feishu-harness.ts';
import { virtualClock, type VirtualClock } from './sending/virtual-clock.ts';

/**
 * The real sender, the real SDK and a real database against the fake Feishu, on a virtual clock: pacing, back-off
 * and leases are checked in clock time without being waited for (the fake's clock jumps along with it).
 */
describe.each(dialects())('sender on $dialect', ({ dialect, fresh }) => {
  let h: Harness;
  let clock: VirtualClock;
  // One database per dialect, emptied before each test: creating and migrating one per test took longer than
  // the tests themselves (~0.6 s each on PostgreSQL).
  let shared: { url: string; store: Store };
  beforeAll(async () => {
    shared = await fresh();
  });
  afterAll(async () => shared?.store.close());
  afterEach(async () => h?.close());

  async function setUp(options?: Parameters<typeof harness>[1]): Promise<void> {
    await shared.store.db.deleteFrom('outbox').execute();
    // Each test's virtual clock starts again at the real time: the pacing another test left is in its future.
    await clearPace(shared.store.db);
    // The harness closes its store at the end of a test; the shared one stays open until afterAll.
    h = await harness(
      async () => ({ ...shared, store: { ...shared.store, close: async () => {} } }),
      options,
    );
    clock = virtualClock({ onAdvance: (ms) => h.fake.advance(ms) });
  }
  const sender = (options: Partial<SenderOptions> = {}) =>
    h.sender({ clock, feishu: clock.track(h.feishu), ...options });

  it('delivers every enqueued card exactly once, with the uuid of its row', async () => {
    await setUp();
    const users = h.fake.addUsers(30).map((u) => u.openId);
    const rows = await h.enqueueCards(users);
    const report = await clock.run(sender().drainOnce());
    expect(report).toMatchObject({ sent: 30, failed: 0, retried: 0 });
    expect([...countByReceiver(h.fake).values()]).toEqual(Array(30).fill(1));
    for (const row of rows) {
      const after = (await getOutboxRow(h.store.db, row.id))!;
      expect(after.state).toBe('sent');
      const msg = h.fake.message(after.sent_message_id!)!;
      expect(msg).toMatchObject({ receiveId: row.receive_id, uuid: uuidForRow(row.id) });
    }
    expect(await listOutbox(h.store.db)).toEqual([]);
  });

  it('gets every card through 5xx answers, a rate limit and a timeout, each exactly once', async () => {
    await setUp({ timeoutMs: 200 });
    const users = h.fake.addUsers(12).map((u) => u.openId);
    await h.enqueueCards(users);
    const path = '/open-apis/im/v1/messages';
    h.fake.inject({ kind: '5xx', path, count: 2 });
    h.fake.inject({ kind: '5xx', path, status: 502 });
    h.fake.inject({ kind: 'rate-limit', path, resetSeconds: 1 });
    // The message is created, but the answer never comes: the retry must not post it again.
    h.fake.inject({ kind: 'hang', path, afterProcessing: true });
    h.fake.inject({ kind: 'hang', path });
    const report = await clock.run(sender({ concurrency: 1 }).drainUntilIdle({ maxWaitMs: 20_000 }));
    expect(report.sent).toBe(12);
    expect(report.failed).toBe(0);
    expect(report.retried).toBe(6);
    expect(h.fake.messages).toHaveLength(12);
    expect([...countByReceiver(h.fake).values()]).toEqual(Array(12).fill(1));
    expect(h.fake.duplicateCount()).toBe(0);
    expect(h.fake.uuidHits).toBe(1);

    // The rate-limited card was tried again only after the reset the answer named.
    const requests = h.fake.requestsTo(path);
    const limited = requests.find((r) => r.fault === 'rate-limit')!;
    const receiver = (limited.body as { receive_id: string }).receive_id;
    const next = requests.find(
      (r) => r.at > limited.at && (r.body as { receive_id: string }).receive_id === receiver,
    )!;
    expect(next.status).toBe(200);
    expect(next.at - limited.at).toBeGreaterThanOrEqual(1000);
    const rows = await h.store.db.selectFrom('outbox').select(['attempts', 'state']).execute();
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
    expect(rows.map((r) => Number(r.attempts)).reduce((a, b) => a + b, 0)).toBe(12 + 6);
  });

  it('refreshes a token Feishu no longer accepts and delivers at once', async () => {
    await setUp();
    const [alice, bob] = h.fake.addUsers(2).map((u) => u.openId);
    await h.enqueueCards([alice!]);
    const s = sender();
    await clock.run(s.drainOnce());
    expect(h.fake.tokensIssued).toBe(1);
    h.fake.revokeTokens();
    const [row] = await h.enqueueCards([bob!]);
    expect(await clock.run(s.drainOnce())).toMatchObject({ sent: 1, retried: 0 });
    expect(h.fake.tokensIssued).toBe(2);
    expect(h.fake.requests.map((r) => r.code)).toContain(99991663);
    expect(await getOutboxRow(h.store.db, row!.id)).toMatchObject({ state: 'sent', attempts: 1 });
    expect(h.fake.messagesTo(bob!)).toHaveLength(1);
  });

  it('fails for good, with the reason, when Feishu refuses for good', async () => {
    await setUp();
    h.fake.addUser({ openId: 'ou_far', outsideAvailability: true });
    h.fake.addUser({ openId: 'ou_ok' });
    h.fake.addChat({ chatId: 'oc_nobot', botIsMember: false });
    await h.enqueueCards(['ou_far']);
    await h.enqueueCards(['oc_nobot'], 'chat_id');
    await h.enqueueCards(['ou_ok'], 'open_id', () => ({
      schema: '2.0',
      body: { elements: [{ tag: 'note' }] },
    }));
    const report = await clock.run(sender().drainOnce());
    expect(report).toMatchObject({ sent: 0, failed: 3, retried: 0 });
    const failed = await listOutbox(h.store.db, { failed: true });
    expect(failed.map((r) => [r.receive_id, r.attempts, r.last_error])).toEqual([
      ['ou_far', 1, expect.stringMatching(/^user is outside the bot's availability \(code 230013/)],
      ['oc_nobot', 1, expect.stringMatching(/^bot is not in the chat \(code 230002/)],
      [
        'ou_ok',
        1,
        expect.stringMatching(/^card rejected \(code 230099.*unknown or unsupported component tag "note"/),
      ],
    ]);
    expect(h.fake.messages).toEqual([]);
  });

  it('takes over the claims of a crashed instance when their lease ends, and the uuid keeps it to one message', async () => {
    await setUp();
    const users = h.fake.addUsers(5).map((u) => u.openId);
    await h.enqueueCards(users);
    // Instance A claims everything, posts three of the five, and dies before recording anything.
    const claimed = await claimDue(h.store, {
      instanceId: 'A',
      now: new Date(clock.now()),
      limit: 10,
      leaseMs: 400,
    });
    expect(claimed).toHaveLength(5);
    for (const row of claimed.slice(0, 3))
      expect(
        await h.feishu.sendMessage('open_id', row.receive_id!, row.msg_type, row.content, row.uuid!),
      ).toMatchObject({ kind: 'ok' });
    const b = sender({ instanceId: 'B' });
    expect(await clock.run(b.drainOnce())).toMatchObject({ sent: 0 }); // still A's
    clock.advance(450);
    expect(await clock.run(b.drainOnce())).toMatchObject({ sent: 5 });
    expect(h.fake.messages).toHaveLength(5);
    expect(h.fake.uuidHits).toBe(3);
    const rows = await h.store.db.selectFrom('outbox').selectAll().execute();
    expect(rows.every((r) => r.state === 'sent' && r.claimed_by === 'B' && Number(r.attempts) === 2)).toBe(
      true,
    );
    for (const r of rows) expect(h.fake.message(r.sent_message_id!)!.uuid).toBe(r.uuid);
  });

  it('updates a card once its message is sent, and skips updates that a newer one supersedes', async () => {
    await setUp();
    h.fake.addUser({ openId: 'ou_alice' });
    const now = () => new Date();
    const original = await h.store.db.transaction().execute(async (trx) => {
      const sent = await enqueueMessage(
        trx,
        {
          kind: 'send',
          receiveIdType: 'open_id',
          receiveId: 'ou_alice',
          msgType: 'interactive',
          content: simpleCard('v1'),
          ref: 'assignment:T1:1:C1',
        },
        now(),
      );
      // Two updates before it was even sent: only the newest needs to reach Feishu.
      await enqueuePatchByRef(trx, 'assignment:T1:1:C1', simpleCard('v2'), now());
      await enqueuePatchByRef(trx, 'assignment:T1:1:C1', simpleCard('v3'), now());
      return sent;
    });
    const report = await clock.run(sender().drainUntilIdle({ maxWaitMs: 5000 }));
    expect(report).toMatchObject({ sent: 2, superseded: 1, failed: 0 });
    const sent = (await latestByRef(h.store.db, 'assignment:T1:1:C1'))!;
    expect(sent.id).toBe(original.id);
    const msg = h.fake.message(sent.sent_message_id!)!;
    expect(msg.patches.map((p) => (p.card.header as any).title.content)).toEqual(['v3']);

    // Later updates go straight to the message.
    const later = await h.store.db
      .transaction()
      .execute((trx) => enqueuePatchByRef(trx, 'assignment:T1:1:C1', simpleCard('v4'), now()));
    expect(later).toMatchObject({ target_message_id: msg.messageId, patch_of: null });
    await clock.run(sender().drainOnce());
    expect(msg.patches.map((p) => (p.card.header as any).title.content)).toEqual(['v3', 'v4']);
  });

  it('paces sends to one chat under 5 per second, so Feishu never refuses them', async () => {
    await setUp();
    h.fake.addChat({ chatId: 'oc_joint' });
    await h.enqueueCards(Array(12).fill('oc_joint'), 'chat_id');
    const started = clock.now();
    expect(await clock.run(sender().drainOnce())).toMatchObject({ sent: 12, retried: 0 });
    expect(clock.now() - started).toBeGreaterThanOrEqual(2500); // 11 intervals of 250 ms, less a little catch-up
    expect(h.fake.rateLimited).toBe(0);
    expect(h.fake.messagesTo('oc_joint')).toHaveLength(12);
  });

  it('start() delivers what is enqueued while it runs; wake() sends without waiting for the poll', async () => {
    await setUp();
    const users = h.fake.addUsers(3).map((u) => u.openId);
    const s = sender({ pollMs: 60_000 });
    s.start();
    // The first drain found nothing: the loop waits for its next poll, a minute away.
    await clock.until(() => clock.sleeping().includes(60_000));
    await h.enqueueCards(users);
    s.wake();
    // Only sleeps due within a second are jumped: the poll never comes, so only wake() can have sent them.
    await clock.until(() => h.fake.messages.length === 3, { maxMs: 1000 });
    expect(h.fake.messages).toHaveLength(3);
    await clock.run(s.stop());
  });

  if (dialect === 'postgres')
    it('two instances draining one outbox concurrently send each message once', async () => {
      await setUp();
      const users = h.fake.addUsers(80).map((u) => u.openId);
      await h.enqueueCards(users);
      const second = openStore(h.url);
      try {
        const a = sender({ instanceId: 'A', batchSize: 10, limits: { appPerSecond: 24 } });
        const b = createSender({
          store: second,
          feishu: clock.track(h.feishu),
          clock,
          log: silent,
          instanceId: 'B',
          batchSize: 10,
          limits: { appPerSecond: 24 },
        });
        const [ra, rb] = await clock.run(Promise.all([a.drainUntilIdle(), b.drainUntilIdle()]));
        expect(ra.sent + rb.sent).toBe(80);
        expect(ra.sent).toBeGreaterThan(0);
        expect(rb.sent).toBeGreaterThan(0);
        expect([...countByReceiver(h.fake).values()]).toEqual(Array(80).fill(1));
        // No row was ever dispatched by both.
        expect(h.fake.uuidHits).toBe(0);
        expect(h.fake.requestsTo('/open-apis/im/v1/messages').filter((r) => r.status === 200)).toHaveLength(
          80,
        );
      } finally {
        await second.close();
      }
    });
});
