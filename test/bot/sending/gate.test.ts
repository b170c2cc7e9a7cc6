import { describe, expect, it } from 'vitest';
import { awaitPlace, LATE_MS, localGate, type SendGate, type Taken } from '../../../src/bot/sending/gate.ts';
import { checksFor, DEFAULT_SENDER_LIMITS } from '../../../src/bot/sending/limits.ts';
import type { SenderClock } from '../../../src/bot/sending/clock.ts';
import type { OutboxRow } from '../../../src/storage/outbox.ts';

const limits = DEFAULT_SENDER_LIMITS;
const send = (receiveId: string) =>
  ({ id: receiveId, kind: 'send', receive_id_type: 'open_id', receive_id: receiveId }) as OutboxRow;

/** A clock whose sleeps end `lateBy` ms after they should (a busy process), and may run a step meanwhile. */
function handClock(lateBy = 0, during?: () => void): SenderClock & { t: number } {
  const c = {
    t: 1000,
    now: () => c.t,
    async sleep(ms: number) {
      during?.();
      c.t += ms + lateBy;
    },
  };
  return c;
}

/** A gate that hands out one place at `at`, and says whether it was given back. */
function onePlace(at: number): SendGate & { givenBack: boolean } {
  const g = {
    givenBack: false,
    ready: () => 0,
    take: async (): Promise<Taken> => ({
      ok: true,
      at,
      giveBack: async () => {
        g.givenBack = true;
      },
    }),
    pause: async () => {},
    sweep: async () => {},
  };
  return g;
}

const checks = checksFor(send('ou_a'), limits);

describe('waiting for a place', () => {
  it('sends at the place when the process wakes in time', async () => {
    const gate = onePlace(1200);
    const clock = handClock(LATE_MS);
    expect(await awaitPlace(gate, clock, checks, { stopped: () => false, lateAllowed: false })).toMatchObject(
      {
        kind: 'go',
      },
    );
    expect(gate.givenBack).toBe(false);
  });

  it('a process that wakes too late gives its place back, and sends late the next time rather than never', async () => {
    const gate = onePlace(1200);
    const late = { stopped: () => false, lateAllowed: false };
    expect(await awaitPlace(gate, handClock(LATE_MS + 5), checks, late)).toEqual({ kind: 'late' });
    expect(gate.givenBack).toBe(true);
    const again = onePlace(1200);
    expect(
      await awaitPlace(again, handClock(LATE_MS + 5), checks, { ...late, lateAllowed: true }),
    ).toMatchObject({ kind: 'go' });
    expect(again.givenBack).toBe(false);
  });

  it('a sender stopping while it waits gives the place back', async () => {
    const gate = onePlace(1200);
    let stopped = false;
    const clock = handClock(0, () => (stopped = true));
    expect(await awaitPlace(gate, clock, checks, { stopped: () => stopped, lateAllowed: false })).toEqual({
      kind: 'stop',
    });
    expect(gate.givenBack).toBe(true);
  });

  it('the local gate’s place is now, and a refused call gives back its place in the minute', async () => {
    const clock = handClock();
    const gate = localGate(clock, limits.appMinuteWindowMs);
    const minute = { ...limits, appPerSecond: 1000 }; // only the minute counts here
    const places: Taken[] = [];
    for (let k = 0; k < 1000; k++) {
      clock.t += 1;
      const place = await gate.take(checksFor(send(`ou_${k}`), minute));
      expect(place).toMatchObject({ ok: true, at: clock.t });
      places.push(place);
    }
    clock.t += 1;
    expect(await gate.take(checksFor(send('ou_more'), minute))).toMatchObject({ ok: false });
    const last = places.at(-1)!;
    if (last.ok) await last.giveBack();
    expect(await gate.take(checksFor(send('ou_more'), minute))).toMatchObject({ ok: true });
  });
});
