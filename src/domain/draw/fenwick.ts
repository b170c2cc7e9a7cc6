/**
 * A Fenwick (binary indexed) tree of 0/1 flags over a pool's original indices. It lets drawK find "the j-th
 * element still in the pool" and remove it in O(log n), instead of splicing an array per pick (O(n·k)).
 */
export class RemainingIndex {
  private readonly tree: Int32Array;
  private readonly highBit: number;
  private remaining: number;

  /** All `size` indices start present. */
  constructor(readonly size: number) {
    // 1-based tree; with every flag 1, node i covers (i - lowbit(i), i] and so holds lowbit(i).
    this.tree = new Int32Array(size + 1);
    for (let i = 1; i <= size; i++) this.tree[i] = i & -i;
    let bit = 1;
    while (bit * 2 <= size) bit *= 2;
    this.highBit = size === 0 ? 0 : bit;
    this.remaining = size;
  }

  /** How many indices are still present. */
  get count(): number {
    return this.remaining;
  }

  /** Removes and returns the original index of the j-th (0-based) present element. */
  takeNth(j: number): number {
    if (!Number.isInteger(j) || j < 0 || j >= this.remaining) {
      throw new RangeError(`index ${j} out of range 0..${this.remaining - 1}`);
    }
    // Binary lifting: find the largest position whose prefix count is <= j; the answer is the next one.
    let pos = 0;
    let rest = j;
    for (let bit = this.highBit; bit > 0; bit >>= 1) {
      const next = pos + bit;
      if (next <= this.size && this.tree[next]! <= rest) {
        pos = next;
        rest -= this.tree[next]!;
      }
    }
    const found = pos + 1; // 1-based
    for (let i = found; i <= this.size; i += i & -i) this.tree[i] = this.tree[i]! - 1;
    this.remaining -= 1;
    return found - 1;
  }
}
