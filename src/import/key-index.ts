/**
 * Remembers the natural keys seen so far in a file, and the row each was first seen in, in typed arrays: a
 * million 18-character keys take about 40 MB here against about 100 MB in a Map of strings. Exact: keys are
 * compared byte for byte (UTF-8), the hash only finds candidates.
 */
export class KeyIndex {
  private arena = new Uint8Array(1 << 16);
  private used = 0;
  private offsets = new Uint32Array(1 << 10);
  private lengths = new Uint32Array(1 << 10);
  private rows = new Uint32Array(1 << 10);
  private hashes = new Uint32Array(1 << 10);
  private count = 0;
  /** Open addressing: 0 is empty, otherwise entry index + 1. Kept at most half full. */
  private slots = new Int32Array(1 << 11);
  private scratch = Buffer.alloc(256);

  get size(): number {
    return this.count;
  }

  /**
   * The row where `key` was first seen, or undefined when it is new (and is now remembered at `row`).
   *
   * @example index.firstSeen('SCJG', 2) // undefined; index.firstSeen('SCJG', 9) // 2
   */
  firstSeen(key: string, row: number): number | undefined {
    const e = this.locate(key);
    if (e >= 0) return this.rows[e];
    this.add(this.lastHash, this.lastLength, row, this.lastSlot);
    return undefined;
  }

  /**
   * The entry number of `key` (0, 1, 2, … in the order keys were first added), added with row 0 when it is new
   * — for callers that keep more per key in arrays of their own, indexed by entry.
   */
  entry(key: string): number {
    const e = this.locate(key);
    if (e >= 0) return e;
    this.add(this.lastHash, this.lastLength, 0, this.lastSlot);
    return this.count - 1;
  }

  rowAt(entry: number): number {
    return this.rows[entry]!;
  }

  setRow(entry: number, row: number): void {
    this.rows[entry] = row;
  }

  /** The entry number of `key`, or -1 when it was never added; adds nothing. */
  entryOf(key: string): number {
    return this.locate(key);
  }

  // What the last `locate` computed, for `add` (fields rather than an object: no allocation per key).
  private lastHash = 0;
  private lastLength = 0;
  private lastSlot = 0;

  /** The entry holding `key`, or -1 (then `lastSlot` is the empty slot where it would go). */
  private locate(key: string): number {
    if (key.length * 3 > this.scratch.length) this.scratch = Buffer.alloc(key.length * 3);
    const n = this.scratch.write(key, 0, 'utf8');
    const bytes = this.scratch;
    let h = 0x811c9dc5;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    h >>>= 0;
    const mask = this.slots.length - 1;
    let i = h & mask;
    for (let slot = this.slots[i]!; slot !== 0; slot = this.slots[i]!) {
      const e = slot - 1;
      if (this.hashes[e] === h && this.lengths[e] === n && this.equals(this.offsets[e]!, n)) return e;
      i = (i + 1) & mask;
    }
    this.lastHash = h;
    this.lastLength = n;
    this.lastSlot = i;
    return -1;
  }

  private equals(offset: number, n: number): boolean {
    const { arena, scratch } = this;
    for (let k = 0; k < n; k++) if (arena[offset + k] !== scratch[k]) return false;
    return true;
  }

  private add(hash: number, n: number, row: number, slot: number): void {
    if (this.used + n > this.arena.length) this.arena = grow(this.arena, this.used + n);
    this.arena.set(this.scratch.subarray(0, n), this.used);
    if (this.count === this.offsets.length) {
      const size = this.count * 2;
      this.offsets = grow(this.offsets, size);
      this.lengths = grow(this.lengths, size);
      this.rows = grow(this.rows, size);
      this.hashes = grow(this.hashes, size);
    }
    const e = this.count++;
    this.offsets[e] = this.used;
    this.lengths[e] = n;
    this.rows[e] = row;
    this.hashes[e] = hash;
    this.used += n;
    this.slots[slot] = e + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.count; e++) {
      let i = this.hashes[e]! & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = e + 1;
    }
    this.slots = slots;
  }
}

function grow<T extends Uint8Array | Uint32Array>(array: T, atLeast: number): T {
  let size = array.length;
  while (size < atLeast) size = Math.ceil(size * 1.5);
  const bigger = new (array.constructor as new (n: number) => T)(size);
  bigger.set(array);
  return bigger;
}
