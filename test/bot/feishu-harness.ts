import pino from 'pino';
import { systemClock, type Clock } from '../../src/app.ts';
import { createFeishuClient, type FeishuClient } from '../../src/bot/feishu/client.ts';
import { createSender, type Sender, type SenderOptions } from '../../src/bot/sender.ts';
import type { Store } from '../../src/storage/db.ts';
import { enqueueMessage, type OutboxRow } from '../../src/storage/outbox.ts';
import { startFakeFeishu, type FakeFeishu, type FakeFeishuOptions } from '../../src/sim/feishu/server.ts';
import { simpleCard } from '../fake-feishu/sample-cards.ts';

export const silent = pino({ level: 'silent' });

export interface Harness {
  fake: FakeFeishu;
  store: Store;
  url: string;
  feishu: FeishuClient;
  clock: Clock;
  sender(options?: Partial<SenderOptions>): Sender;
  /** Enqueues one card per receiver (each in its own transaction, as the bot's listeners do). */
  enqueueCards(
    receivers: string[],
    type?: 'open_id' | 'chat_id',
    card?: (i: number) => object,
  ): Promise<OutboxRow[]>;
  env(): NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** A fake Feishu, a fresh database and the real client pointed at the fake. */
export async function harness(
  fresh: () => Promise<{ url: string; store: Store }>,
  options: { fake?: FakeFeishuOptions; timeoutMs?: number } = {},
): Promise<Harness> {
  const fake = await startFakeFeishu(options.fake);
  const { url, store } = await fresh();
  const feishu = createFeishuClient({
    appId: fake.appId,
    appSecret: fake.appSecret,
    domain: fake.url,
    timeoutMs: options.timeoutMs ?? 3000,
    log: silent,
  });
  const senders: Sender[] = [];
  return {
    fake,
    store,
    url,
    feishu,
    clock: systemClock,
    sender(opts = {}) {
      const s = createSender({
        store,
        feishu,
        clock: systemClock,
        log: silent,
        instanceId: 'A',
        baseBackoffMs: 100,
        ...opts,
      });
      senders.push(s);
      return s;
    },
    async enqueueCards(receivers, type = 'open_id', card = (i) => simpleCard(`card ${i}`)) {
      const rows: OutboxRow[] = [];
      for (const [i, r] of receivers.entries())
        rows.push(
          await store.db.transaction().execute((trx) =>
            enqueueMessage(
              trx,
              {
                kind: 'send',
                receiveIdType: type,
                receiveId: r,
                msgType: 'interactive',
                content: card(i),
                ref: `test:${i}`,
              },
              new Date(),
            ),
          ),
        );
      return rows;
    },
    env() {
      return { FEISHU_APP_ID: fake.appId, FEISHU_APP_SECRET: fake.appSecret, FEISHU_DOMAIN: fake.url };
    },
    async close() {
      for (const s of senders) await s.stop();
      await store.close();
      await fake.close();
    },
  };
}

/** Each message exactly once per receiver: the fake's messages by receiver. */
export function countByReceiver(fake: FakeFeishu): Map<string, number> {
  const m = new Map<string, number>();
  for (const msg of fake.messages) m.set(msg.receiveId, (m.get(msg.receiveId) ?? 0) + 1);
  return m;
}
