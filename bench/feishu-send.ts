/**
 * Benchmark: N assignment-sized cards (card JSON 2.0, ~3.7 KB) to N distinct users, through the outbox and the
 * sender, over real HTTP to the fake Feishu enforcing Feishu's limits (50 sends/s and 1000/min per app, 5/s per
 * receiver). Reports throughput as a share of the 50/s ceiling (goal ≥ 90 %) and the duplicates the fake saw
 * (goal 0).
 *
 * Run alone: `node --import tsx bench/feishu-send.ts [cards]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { systemClock } from '../src/app.ts';
import { createFeishuClient } from '../src/bot/feishu/client.ts';
import { createSender } from '../src/bot/sender.ts';
import { openStore, type Store } from '../src/storage/db.ts';
import { migrate } from '../src/storage/migrate.ts';
import { enqueueMessage } from '../src/storage/outbox.ts';
import { assignmentCard } from '../test/fake-feishu/sample-cards.ts';
import { startFakeFeishu } from '../src/sim/feishu/server.ts';

export interface BenchSendResult {
  name: 'feishu-send';
  cards: number;
  /** Size of one card's JSON, bytes. */
  cardBytes: number;
  /** Wall time of the drain: first claim to last delivery recorded. */
  seconds: number;
  cardsPerSecond: number;
  /** Feishu's per-app send limit. */
  ceilingPerSecond: 50;
  /** cardsPerSecond / 50 (goal ≥ 0.9). */
  shareOfCeiling: number;
  /** Messages the fake received beyond one per card (goal 0). */
  duplicates: number;
  /** Sends the fake refused for a rate limit (the sender paces itself to avoid them). */
  rateLimited: number;
  failed: number;
  retried: number;
  /** Seconds to enqueue the cards (one transaction per 100). */
  enqueueSeconds: number;
}

/** Queues one assignment card to each of `users`, one transaction per 100 (the multi-instance bench too). */
export async function enqueueAssignmentCards(
  store: Store,
  users: readonly { openId: string }[],
): Promise<void> {
  for (let i = 0; i < users.length; i += 100) {
    await store.db.transaction().execute(async (trx) => {
      for (let j = i; j < Math.min(users.length, i + 100); j++)
        await enqueueMessage(
          trx,
          {
            kind: 'send',
            receiveIdType: 'open_id',
            receiveId: users[j]!.openId,
            msgType: 'interactive',
            content: assignmentCard(j),
            ref: `assignment:BENCH:${j % 40}:C${j}`,
          },
          new Date(),
        );
    });
  }
}

export async function benchSend(options: { cards?: number } = {}): Promise<BenchSendResult> {
  const n = options.cards ?? 1000;
  const dir = mkdtempSync(join(tmpdir(), 'liancha-bench-send-'));
  const store = openStore(`file:${join(dir, 'bench.db')}`);
  const fake = await startFakeFeishu();
  const log = pino({ level: 'silent' });
  try {
    await migrate(store);
    const users = fake.addUsers(n, 'bench');
    const cardBytes = Buffer.byteLength(JSON.stringify(assignmentCard(0)), 'utf8');

    const t0 = performance.now();
    await enqueueAssignmentCards(store, users);
    const enqueueSeconds = (performance.now() - t0) / 1000;

    const feishu = createFeishuClient({
      appId: fake.appId,
      appSecret: fake.appSecret,
      domain: fake.url,
      log,
    });
    const sender = createSender({ store, feishu, clock: systemClock, log, instanceId: 'bench' });
    const t1 = performance.now();
    const report = await sender.drainUntilIdle({ maxWaitMs: 600_000 });
    const seconds = (performance.now() - t1) / 1000;

    const perReceiver = new Map<string, number>();
    for (const m of fake.messages) perReceiver.set(m.receiveId, (perReceiver.get(m.receiveId) ?? 0) + 1);
    const duplicates = [...perReceiver.values()].reduce((sum, c) => sum + Math.max(0, c - 1), 0);
    const cardsPerSecond = report.sent / seconds;
    return {
      name: 'feishu-send',
      cards: n,
      cardBytes,
      seconds: round(seconds, 2),
      cardsPerSecond: round(cardsPerSecond, 1),
      ceilingPerSecond: 50,
      shareOfCeiling: round(cardsPerSecond / 50, 3),
      duplicates,
      rateLimited: fake.rateLimited,
      failed: report.failed,
      retried: report.retried,
      enqueueSeconds: round(enqueueSeconds, 2),
    };
  } finally {
    await fake.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchSend({ cards: Number(process.argv[2] ?? 1000) });
  console.log(JSON.stringify(result, null, 2));
}

/** The Markdown section for BENCHMARKS.md. */
export function sendReport(r: BenchSendResult): string {
  return [
    `${r.cards} assignment cards of ${r.cardBytes} bytes to ${r.cards} distinct users, through the fake Feishu enforcing 50 sends/s per app, 1000/min and 5/s per user.`,
    '',
    '| cards/s | share of the 50/s ceiling | duplicates | refused by rate limits | failed | wall time |',
    '| --- | --- | --- | --- | --- | --- |',
    `| ${r.cardsPerSecond.toFixed(1)} | ${(r.shareOfCeiling * 100).toFixed(0)} % | ${r.duplicates} | ${r.rateLimited} | ${r.failed} | ${r.seconds.toFixed(1)} s |`,
    '',
    'Goal: ≥ 90 % of the ceiling, 0 duplicates.',
  ].join('\n');
}
