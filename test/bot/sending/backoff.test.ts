import { describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_RETRY_POLICY, nextStep } from '../../../src/bot/sending/backoff.ts';

const policy = { maxAttempts: 5, baseBackoffMs: 500, maxBackoffMs: 4000 };

describe('retry policy', () => {
  it('doubles the delay per attempt up to the cap, with jitter in [½, 1]', () => {
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffMs(a, policy, () => 1))).toEqual([
      500, 1000, 2000, 4000, 4000, 4000,
    ]);
    expect([1, 2, 3].map((a) => backoffMs(a, policy, () => 0))).toEqual([250, 500, 1000]);
    expect(DEFAULT_RETRY_POLICY).toEqual({ maxAttempts: 15, baseBackoffMs: 500, maxBackoffMs: 300_000 });
  });

  it('records a success as sent and a permanent refusal as failed', () => {
    expect(nextStep({ kind: 'ok', messageId: 'om_1' }, 1, 0, policy)).toEqual({
      kind: 'sent',
      messageId: 'om_1',
    });
    expect(
      nextStep({ kind: 'permanent', code: 230002, reason: 'bot is not in the chat' }, 1, 0, policy),
    ).toEqual({
      kind: 'failed',
      code: 230002,
      reason: 'bot is not in the chat',
    });
  });

  it('retries at now + back-off, and gives up after the last attempt', () => {
    expect(nextStep({ kind: 'retry', reason: 'HTTP 502' }, 2, 10_000, policy, () => 1)).toEqual({
      kind: 'retry',
      at: 11_000,
      delayMs: 1000,
      reason: 'HTTP 502',
    });
    expect(nextStep({ kind: 'retry', reason: 'HTTP 502' }, 5, 0, policy)).toEqual({
      kind: 'failed',
      reason: 'gave up after 5 attempts: HTTP 502',
    });
  });

  it('after a rate limit waits at least the reset and pauses that kind of call until it', () => {
    const limited = { kind: 'retry', reason: 'rate limited', rateLimited: true, retryAfterMs: 3000 } as const;
    expect(nextStep(limited, 1, 1000, policy, () => 1)).toEqual({
      kind: 'retry',
      at: 4000,
      delayMs: 3000,
      reason: 'rate limited',
      pauseUntil: 4000,
    });
    // Without a reset header: paused a second; the back-off still applies when it is longer.
    expect(nextStep({ ...limited, retryAfterMs: undefined }, 4, 0, policy, () => 1)).toMatchObject({
      at: 4000,
      pauseUntil: 1000,
    });
  });
});
