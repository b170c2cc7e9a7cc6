import { describe, expect, it } from 'vitest';
import { checksFor, DEFAULT_SENDER_LIMITS, MINUTE_KEY } from '../../../src/bot/sending/limits.ts';
import type { Check } from '../../../src/bot/sending/rate-gate.ts';
import { planSlot, type KeyPace, type PaceView, type SlotPlan } from '../../../src/bot/sending/slots.ts';
import type { OutboxRow } from '../../../src/storage/outbox.ts';
import { busiest } from './busiest.ts';

const limits = DEFAULT_SENDER_LIMITS;
const HORIZON = 2000;
const send = (receiveId: string) =>
  ({ id: receiveId, kind: 'send', receive_id_type: 'open_id', receive_id: receiveId }) as OutboxRow;
const patch = (messageId: string) =>
  ({ id: `p-${messageId}`, kind: 'patch', target_message_id: messageId }) as OutboxRow;

/** What the database holds, kept in memory: the same reads and writes as src/storage/send-pace.ts. */
class MemoryPace {
  readonly pace = new Map<string, KeyPace>();
  readonly calls = new Map<string, number[]>();

  view(checks: readonly Check[], now: number): PaceView {
    return {
      pace: (key) => this.pace.get(key),
      kthRecent: (key) => {
        const c = checks.find((x) => x.key === key);
        if (!c || !('windowMs' in c)) return null;
        const recent = (this.calls.get(key) ?? []).filter((t) => t > now - c.windowMs).sort((a, b) => b - a);
        return recent[c.limit - 1] ?? null;
      },
    };
  }

  take(checks: readonly Check[], now: number): SlotPlan {
    const plan = planSlot(checks, now, this.view(checks, now), HORIZON);
    if (plan.kind === 'reserve') {
      for (const [key, nextAt] of plan.nextAt)
        this.pace.set(key, { nextAt, pausedUntil: this.pace.get(key)?.pausedUntil ?? 0 });
      for (const key of plan.counted) this.calls.set(key, [...(this.calls.get(key) ?? []), plan.at]);
    }
    return plan;
  }

  pause(key: string, until: number): void {
    this.pace.set(key, { nextAt: this.pace.get(key)?.nextAt ?? 0, pausedUntil: until });
  }
}

const gaps = (times: number[]) => {
  const s = [...times].sort((a, b) => a - b);
  return s.slice(1).map((t, i) => t - s[i]!);
};

/** A small deterministic random source. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('shared slots', () => {
  it('three instances of 16 workers each, taking turns on one state, never go over any of Feishu’s limits', () => {
    const db = new MemoryPace();
    const random = lcg(7);
    // A worker asks when its last call has gone (a few ms later), or when it was told to ask again.
    const asks: { at: number; worker: number }[] = Array.from({ length: 48 }, (_, worker) => ({
      at: random() * 5,
      worker,
    }));
    const sends: number[] = [];
    const byReceiver = new Map<string, number[]>();
    const byMessage = new Map<string, number[]>();
    while (sends.length < 1500) {
      asks.sort((a, b) => a.at - b.at);
      const ask = asks.shift()!;
      // A call to one of 300 users, the joint chat (one in ten) or an update of one of three cards (one in ten).
      const r = random();
      const row =
        r < 0.1
          ? send('oc_joint')
          : r < 0.2
            ? patch(`om_${Math.floor(r * 30) % 3}`)
            : send(`ou_${Math.floor(r * 300)}`);
      const checks = checksFor(row, limits);
      const plan = db.take(checks, ask.at);
      if (plan.kind === 'wait') {
        asks.push({ at: ask.at + plan.ms, worker: ask.worker });
        continue;
      }
      expect(plan.at).toBeGreaterThanOrEqual(ask.at);
      expect(plan.at).toBeLessThanOrEqual(ask.at + HORIZON + 1000 / limits.appPerSecond);
      const into = row.kind === 'patch' ? byMessage : byReceiver;
      const key = row.kind === 'patch' ? row.target_message_id! : row.receive_id!;
      into.set(key, [...(into.get(key) ?? []), plan.at]);
      if (row.kind === 'send') sends.push(plan.at);
      asks.push({ at: plan.at + 1 + random() * 5, worker: ask.worker });
    }
    expect(busiest(sends, 1000)).toBeLessThanOrEqual(48); // Feishu: 50
    expect(Math.min(...gaps(sends))).toBeGreaterThanOrEqual(1000 / limits.appPerSecond - 1e-9);
    expect(busiest(sends, 60_000)).toBeLessThanOrEqual(1000);
    // The minute is used to the full (a hair inside the window: a call leaves it exactly when the next comes).
    expect(busiest(sends, limits.appMinuteWindowMs - 1e-6)).toBe(1000);
    for (const [, times] of byReceiver) expect(busiest(times, 1000)).toBeLessThanOrEqual(5);
    expect(Math.min(...gaps(byReceiver.get('oc_joint')!))).toBeGreaterThanOrEqual(250 - 1e-9);
    for (const [, times] of byMessage) expect(Math.min(...gaps(times))).toBeGreaterThanOrEqual(250 - 1e-9);
    // The joint chat's limit never held the app back: until the minute filled, a send left at every interval
    // (or one later, the most a receiver may delay the app's next place).
    const firstMinute = [...sends].sort((a, b) => a - b).slice(0, 1000);
    expect(Math.max(...gaps(firstMinute))).toBeLessThanOrEqual(2 * (1000 / limits.appPerSecond) + 1e-9);
  });

  it('a fresh app sends now, and the next call of the app, the receiver and the minute goes after it', () => {
    const db = new MemoryPace();
    const plan = db.take(checksFor(send('ou_a'), limits), 10_000);
    expect(plan).toEqual({
      kind: 'reserve',
      at: 10_000,
      nextAt: new Map([
        ['send:app', 10_000 + 1000 / 47],
        ['to:open_id:ou_a', 10_250],
      ]),
      counted: [MINUTE_KEY],
    });
    expect(db.take(checksFor(send('ou_b'), limits), 10_000)).toMatchObject({ at: 10_000 + 1000 / 47 });
  });

  it('a receiver busy beyond the app’s schedule waits without taking the app’s place; within it, goes in it', () => {
    const db = new MemoryPace();
    const i = 1000 / 47;
    db.take(checksFor(send('oc_joint'), limits), 0); // the chat is busy until 250
    const wait = db.take(checksFor(send('oc_joint'), limits), 0);
    expect(wait).toEqual({ kind: 'wait', ms: 250 - i - i, key: 'to:open_id:oc_joint' });
    expect(db.pace.get('send:app')!.nextAt).toBe(i); // nothing reserved
    expect(db.take(checksFor(send('ou_b'), limits), 0)).toMatchObject({ kind: 'reserve', at: i });
    // With the app's schedule 11 calls ahead, the chat's 250 ms is inside it: it takes the app's next place.
    for (let k = 0; k < 10; k++) db.take(checksFor(send(`ou_${k}`), limits), 0);
    const joint = db.take(checksFor(send('oc_joint'), limits), 0);
    expect(joint.kind === 'reserve' && joint.at).toBeCloseTo(12 * i, 9);
  });

  it('a full minute waits unreserved until its first call is within the horizon of leaving the window', () => {
    const db = new MemoryPace();
    db.calls.set(
      MINUTE_KEY,
      Array.from({ length: 1000 }, (_, k) => 1000 + k),
    );
    const checks = checksFor(send('ou_late'), limits);
    expect(db.take(checks, 3000)).toEqual({
      kind: 'wait',
      ms: 1000 + limits.appMinuteWindowMs - HORIZON - 3000,
      key: MINUTE_KEY,
    });
    const at = 1000 + limits.appMinuteWindowMs;
    expect(db.take(checks, at - HORIZON)).toMatchObject({ kind: 'reserve', at });
  });

  it('a pause holds every call of its kind back, reserved at its end when that is near', () => {
    const db = new MemoryPace();
    db.pause('send:app', 1500);
    expect(db.take(checksFor(send('ou_a'), limits), 1000)).toMatchObject({ kind: 'reserve', at: 1500 });
    db.pause('send:app', 10_000);
    expect(db.take(checksFor(send('ou_b'), limits), 1000)).toEqual({
      kind: 'wait',
      ms: 10_000 - HORIZON - 1000,
      key: 'send:app',
    });
    expect(db.take(checksFor(patch('om_1'), limits), 1000)).toMatchObject({ kind: 'reserve', at: 1000 });
  });
});
