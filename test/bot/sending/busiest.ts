/**
 * The most times in any window of `windowMs` (a time t counts in (t - windowMs, t], as Feishu's and the fake's
 * windows). The times may come in any order. Used by the pacing tests and bench/feishu-send-multi.ts.
 *
 * @example
 * busiest([0, 400, 999, 1000], 1000); // → 3 (400, 999, 1000)
 */
export function busiest(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[i]! <= sorted[j]! - windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}
