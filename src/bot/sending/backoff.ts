import type { SendResult } from '../feishu/classify.ts';

/** How long a row keeps being retried, and how far apart. */
export interface RetryPolicy {
  /** A row that still fails after this many attempts is marked failed. */
  maxAttempts: number;
  /** First retry delay; doubles per attempt up to `maxBackoffMs`, with jitter. */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

/** Defaults: 15 attempts from 500 ms doubling to 5 min ≈ 15–30 min of retries, well inside uuid's hour. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 15,
  baseBackoffMs: 500,
  maxBackoffMs: 300_000,
};

/** What to record for a row after its call. */
export type Step =
  | { kind: 'sent'; messageId: string }
  | { kind: 'failed'; reason: string; code?: number }
  /** Try again at `at`; `pauseUntil`: a rate-limit answer, hold back every call of this kind until then. */
  | { kind: 'retry'; at: number; delayMs: number; reason: string; pauseUntil?: number };

/**
 * Exponential back-off with jitter in [½, 1] of the step, so that rows failed together do not retry together.
 * `random` is `Math.random` outside tests.
 */
export function backoffMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (0.5 + random() / 2));
}

/**
 * Decides what becomes of a row after one call. `attempts` counts this one. A retry waits at least what Feishu's
 * `x-ogw-ratelimit-reset` asked for.
 *
 * @example
 * nextStep({ kind: 'retry', reason: 'HTTP 502' }, 1, now, DEFAULT_RETRY_POLICY) // → { kind: 'retry', at: now + 250…500, … }
 */
export function nextStep(
  result: SendResult,
  attempts: number,
  now: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): Step {
  if (result.kind === 'ok') return { kind: 'sent', messageId: result.messageId };
  if (result.kind === 'permanent') return { kind: 'failed', reason: result.reason, code: result.code };
  if (attempts >= policy.maxAttempts)
    return { kind: 'failed', reason: `gave up after ${attempts} attempts: ${result.reason}` };
  const delayMs = Math.max(result.retryAfterMs ?? 0, backoffMs(attempts, policy, random));
  return {
    kind: 'retry',
    at: now + delayMs,
    delayMs,
    reason: result.reason,
    ...(result.rateLimited ? { pauseUntil: now + (result.retryAfterMs ?? 1000) } : {}),
  };
}
