import { describe, expect, it } from 'vitest';
import { senderClock, timerClock } from '../../../src/bot/sending/clock.ts';
import { virtualClock } from './virtual-clock.ts';

describe('sender clocks', () => {
  it('the real one reads the app clock and ends a sleep early when its signal aborts', async () => {
    const at = new Date('2026-12-01T06:00:00Z');
    const clock = senderClock(() => at);
    expect(clock.now()).toBe(at.getTime());
    const abort = new AbortController();
    const started = Date.now();
    const sleeping = timerClock(() => new Date()).sleep(60_000, abort.signal);
    abort.abort();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(1000);
    await timerClock(() => new Date()).sleep(1);
    const passed = virtualClock();
    expect(senderClock(passed)).toBe(passed);
  });

  it('the virtual one jumps over sleeps in order of their end, and tells the fake by how much', async () => {
    let told = 0;
    const clock = virtualClock({ onAdvance: (ms) => (told += ms) });
    const order: string[] = [];
    const started = Date.now();
    const work = Promise.all([
      clock.sleep(5000).then(() => order.push('5 s')),
      clock.sleep(60_000).then(() => order.push('1 min')),
      clock.sleep(1000).then(() => order.push('1 s')),
    ]);
    await clock.run(work);
    expect(order).toEqual(['1 s', '5 s', '1 min']);
    expect(clock.jumped).toBeGreaterThanOrEqual(59_000);
    expect(told).toBe(clock.jumped);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('jumps no further than maxMs, and an aborted sleep ends at once', async () => {
    const clock = virtualClock();
    const abort = new AbortController();
    let polled = false;
    void clock.sleep(60_000, abort.signal).then(() => (polled = true));
    let paced = false;
    void clock.sleep(50).then(() => (paced = true));
    await clock.until(() => paced, { maxMs: 1000 });
    expect(polled).toBe(false);
    expect(clock.sleeping()).toEqual([60_000]);
    await expect(clock.until(() => polled, { maxMs: 1000, realMs: 50 })).rejects.toThrow(/did not/);
    abort.abort();
    await clock.until(() => polled);
    expect(clock.sleeping()).toEqual([]);
  });
});
