/**
 * The shared gate through the database (src/storage/send-pace.ts), on SQLite and PostgreSQL: reservations from
 * several connections at once, the minute's count and what a refusal gives back, pauses, forgetting idle keys.
 * The clock stands still, so every slot is known exactly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sharedGate, type SendGate, type Taken } from '../../../src/bot/sending/gate.ts';
import { checksFor, DEFAULT_SENDER_LIMITS, MINUTE_KEY } from '../../../src/bot/sending/limits.ts';
import type { SenderClock } from '../../../src/bot/sending/clock.ts';
import { openStore, type Store } from '../../../src/storage/db.ts';
import type { OutboxRow } from '../../../src/storage/outbox.ts';
import { countedCalls, forgetIdlePace, paceOf } from '../../../src/storage/send-pace.ts';
import { dialects } from '../../helpers/stores.ts';
import { silent } from '../feishu-harness.ts';

const T = 1_800_000_000_000;
const i = 1000 / DEFAULT_SENDER_LIMITS.appPerSecond;
const still: SenderClock = { now: () => T, sleep: async () => {} };
const send = (receiveId: string) =>
  ({ id: receiveId, kind: 'send', receive_id_type: 'open_id', receive_id: receiveId }) as OutboxRow;

describe.each(dialects())('shared pacing on $dialect', ({ dialect, fresh }) => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  /**
   * `n` instances on one fresh database, each its own connection pool on PostgreSQL. On SQLite they share the one
   * connection: a second connection in the same process would block it (better-sqlite3 waits synchronously).
   */
  async function instances(
    n: number,
    limits = DEFAULT_SENDER_LIMITS,
  ): Promise<{ gates: SendGate[]; store: Store }> {
    const { url, store } = await fresh();
    stores.push(store);
    const gates = Array.from({ length: n }, () => {
      const own = dialect === 'postgres' ? openStore(url) : store;
      if (own !== store) stores.push(own);
      return sharedGate({
        store: own,
        clock: still,
        log: silent,
        maxWindowMs: limits.appMinuteWindowMs,
        settleMs: 0,
      });
    });
    return { gates, store };
  }

  it('three instances reserving at once get one place each, spaced by the app’s interval', async () => {
    const { gates, store } = await instances(3);
    const taken = await Promise.all(
      Array.from({ length: 30 }, (_, k) =>
        gates[k % 3]!.take(checksFor(send(`ou_${k}`), DEFAULT_SENDER_LIMITS)),
      ),
    );
    const places = taken.map((t) => (t.ok ? t.at - T : NaN)).sort((a, b) => a - b);
    // Times are ms since the epoch as doubles: exact to a few ten-thousandths of a millisecond.
    places.forEach((at, k) => expect(at).toBeCloseTo(k * i, 3));
    expect((await countedCalls(store.db, MINUTE_KEY, 0)).length).toBe(30);
    expect((await paceOf(store.db, 'send:app'))!.nextAt - T).toBeCloseTo(30 * i, 3);
  });

  it('counts the minute across instances, and a call Feishu refused gives its place back', async () => {
    const limits = { ...DEFAULT_SENDER_LIMITS, appPerMinute: 4 };
    const { gates } = await instances(2, limits);
    const take = (g: SendGate, k: number) => g.take(checksFor(send(`ou_${k}`), limits));
    const first: Taken[] = [];
    for (let k = 0; k < 4; k++) first.push(await take(gates[k % 2]!, k));
    expect(first.every((t) => t.ok)).toBe(true);
    // The minute is full for both: a fifth waits a minute, unreserved.
    expect(await take(gates[0]!, 4)).toMatchObject({ ok: false });
    expect(await take(gates[1]!, 5)).toMatchObject({ ok: false });
    // The other instance's call was refused by Feishu: its place comes back, and this one takes it.
    const refused = first[1]!;
    if (refused.ok) await refused.giveBack();
    expect(await take(gates[1]!, 6)).toMatchObject({ ok: true });
    expect(await take(gates[0]!, 7)).toMatchObject({ ok: false });
  });

  it('a rate-limit pause from one instance holds the others back until it ends', async () => {
    const { gates, store } = await instances(2);
    await gates[0]!.pause('send:app', T + 10_000);
    expect(await gates[1]!.take(checksFor(send('ou_a'), DEFAULT_SENDER_LIMITS))).toEqual({
      ok: false,
      wait: 10_000 - 2000,
    });
    await gates[1]!.pause('send:app', T + 500); // an earlier end does not shorten it
    expect((await paceOf(store.db, 'send:app'))!.pausedUntil).toBe(T + 10_000);
    // Updates are not held back by a pause of sends.
    const update = { id: 'p', kind: 'patch', target_message_id: 'om_1' } as OutboxRow;
    expect(await gates[1]!.take(checksFor(update, DEFAULT_SENDER_LIMITS))).toMatchObject({ ok: true, at: T });
  });

  it('forgets keys with nothing left to say, and keeps the others', async () => {
    const { gates, store } = await instances(1);
    await gates[0]!.take(checksFor(send('ou_a'), DEFAULT_SENDER_LIMITS));
    await gates[0]!.pause('send:app', T + 60_000);
    // At T + 1 s the receiver's next time has passed (and the minute's row holds nothing but its lock); the
    // app's pause has not.
    expect(await forgetIdlePace(store, T + 1000)).toBe(2);
    expect(await paceOf(store.db, 'to:open_id:ou_a')).toBeNull();
    expect(await paceOf(store.db, 'send:app')).not.toBeNull();
    // A forgotten key paces as an idle one: the receiver may be sent to at once.
    const again = sharedGate({
      store,
      clock: { ...still, now: () => T + 61_000 },
      log: silent,
      maxWindowMs: 60_500,
    });
    expect(await again.take(checksFor(send('ou_a'), DEFAULT_SENDER_LIMITS))).toMatchObject({
      ok: true,
      at: T + 61_010,
    });
  });
});
