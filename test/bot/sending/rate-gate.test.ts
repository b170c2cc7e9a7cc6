import { describe, expect, it } from 'vitest';
import {
  checksFor,
  DEFAULT_SENDER_LIMITS,
  MINUTE_KEY,
  pauseKeyFor,
} from '../../../src/bot/sending/limits.ts';
import { RateGate } from '../../../src/bot/sending/rate-gate.ts';
import type { OutboxRow } from '../../../src/storage/outbox.ts';
import { busiest } from './busiest.ts';

const limits = DEFAULT_SENDER_LIMITS;
const send = (receiveId: string, id = receiveId) =>
  ({ id, kind: 'send', receive_id_type: 'open_id', receive_id: receiveId }) as OutboxRow;
const patch = (messageId: string, id = `p-${messageId}`) =>
  ({ id, kind: 'patch', target_message_id: messageId }) as OutboxRow;

/** Takes each row as soon as the gate lets it go, in order, and returns when each went (ms). */
function drain(gate: RateGate, rows: OutboxRow[], start = 0): number[] {
  const times: number[] = [];
  let now = start;
  for (const row of rows) {
    for (
      let wait = gate.tryTake(now, checksFor(row, limits));
      wait > 0;
      wait = gate.tryTake(now, checksFor(row, limits))
    )
      now += wait;
    times.push(now);
  }
  return times;
}

describe('rate gate under Feishu limits', () => {
  it('spaces an app’s sends evenly under 50 per second, at about 47', () => {
    const times = drain(
      new RateGate(),
      Array.from({ length: 200 }, (_, i) => send(`ou_${i}`)),
    );
    expect(busiest(times, 1000)).toBeLessThanOrEqual(50);
    expect(busiest(times, 1000)).toBeGreaterThanOrEqual(46);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000 / 47 - 0.001); // no bursts, ever
    expect(times.at(-1)! / 199).toBeCloseTo(1000 / 47, 5);
  });

  it('makes up half an interval of lateness, and no more', () => {
    const gate = new RateGate();
    const interval = 1000 / limits.appPerSecond;
    expect(gate.tryTake(0, checksFor(send('a'), limits))).toBe(0);
    // Taken 10 ms late (under half an interval): the schedule stands, the next may go at 2 intervals.
    expect(gate.tryTake(interval + 10, checksFor(send('b'), limits))).toBe(0);
    expect(gate.tryTake(2 * interval - 1, checksFor(send('c'), limits))).toBeCloseTo(1, 6);
    expect(gate.tryTake(2 * interval, checksFor(send('c'), limits))).toBe(0);
    // Taken a whole interval late: only half an interval is made up — no burst of two.
    const late = 4 * interval;
    expect(gate.tryTake(late, checksFor(send('d'), limits))).toBe(0);
    expect(gate.tryTake(late + interval / 2 - 1, checksFor(send('e'), limits))).toBeCloseTo(1, 6);
    expect(gate.tryTake(late + interval / 2, checksFor(send('e'), limits))).toBe(0);
  });

  it('keeps to 1000 sends per minute, counted over 60.5 s', () => {
    const times = drain(
      new RateGate(),
      Array.from({ length: 1200 }, (_, i) => send(`ou_${i}`)),
    );
    expect(busiest(times, 60_000)).toBeLessThanOrEqual(1000);
    // The 1001st waits until the first leaves the window, however fast the second-rate would allow it.
    expect(times[1000]! - times[0]!).toBeGreaterThanOrEqual(limits.appMinuteWindowMs);
    expect(times[1000]! - times[0]!).toBeLessThan(limits.appMinuteWindowMs + 1000 / 47);
  });

  it('spaces sends to one receiver at 4 per second (Feishu: 5), without holding back other receivers', () => {
    const gate = new RateGate();
    const rows = [...Array.from({ length: 12 }, (_, i) => send('oc_joint', `j${i}`))];
    const times = drain(gate, rows);
    expect(busiest(times, 1000)).toBeLessThanOrEqual(5);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(11 * 250 - 125);
    // Another receiver only waits for the app's spacing, not for the joint chat's.
    const wait = gate.tryTake(times.at(-1)! + 30, checksFor(send('ou_other'), limits));
    expect(wait).toBe(0);
  });

  it('spaces updates of one message at 4 per second (Feishu: 5), and updates of others apart from it', () => {
    const gate = new RateGate();
    const times = drain(
      gate,
      Array.from({ length: 10 }, (_, i) => patch('om_1', `p${i}`)),
    );
    expect(busiest(times, 1000)).toBeLessThanOrEqual(5);
    expect(Math.min(...times.slice(1).map((t, i) => t - times[i]!))).toBeGreaterThanOrEqual(250);
    expect(gate.tryTake(times.at(-1)! + 30, checksFor(patch('om_2'), limits))).toBe(0);
    // Updates and sends are counted apart.
    expect(gate.tryTake(times.at(-1)! + 30, checksFor(send('ou_a'), limits))).toBe(0);
  });

  it('a patch chained to a row paces by the message that row sent', () => {
    const chained = { id: 'p1', kind: 'patch', target_message_id: null } as OutboxRow;
    expect(checksFor(chained, limits, 'om_9').map((c) => c.key)).toEqual(['patch:app', 'msg:om_9']);
    expect(checksFor(chained, limits).map((c) => c.key)).toEqual(['patch:app', 'msg:p1']);
  });

  it('after a rate-limit answer holds back that kind of call until the reset, and gives the minute slot back', () => {
    const gate = new RateGate();
    expect(gate.tryTake(0, checksFor(send('a'), limits))).toBe(0);
    // Feishu refused it with x-ogw-ratelimit-reset: 2.
    gate.pause(pauseKeyFor(send('a')), 2000);
    gate.refund(MINUTE_KEY);
    expect(gate.tryTake(100, checksFor(send('b'), limits))).toBe(1900);
    expect(gate.tryTake(100, checksFor(patch('om_1'), limits))).toBe(0); // updates are not held back
    gate.pause('send:app', 1500); // an earlier end does not shorten the pause
    expect(gate.tryTake(1999, checksFor(send('b'), limits))).toBe(1);
    expect(gate.tryTake(2000, checksFor(send('b'), limits))).toBe(0);
    // Only 'b' counts in the minute window: 999 more fit before it fills.
    const gate2 = new RateGate();
    gate2.tryTake(0, checksFor(send('x'), limits));
    gate2.refund(MINUTE_KEY);
    const times = drain(
      gate2,
      Array.from({ length: 1000 }, (_, i) => send(`ou_${i}`)),
      1,
    );
    expect(times.at(-1)!).toBeLessThan(limits.appMinuteWindowMs);
  });

  it('forgets keys it no longer needs', () => {
    const gate = new RateGate();
    drain(gate, [send('a'), send('b'), patch('om_1')]);
    gate.pause('send:app', 500);
    expect(gate.size).toBeGreaterThan(0);
    gate.sweep(100_000, limits.appMinuteWindowMs);
    expect(gate.size).toBe(0);
  });
});
