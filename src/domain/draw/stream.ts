/**
 * The liancha-draw-v1 primitives (docs/draw-algorithm.md): byte order, the SHA-256 number stream and drawK.
 * Everything else in the draw is built from these three.
 */
import { createHash } from 'node:crypto';
import { DrawError } from './errors.ts';
import { RemainingIndex } from './fenwick.ts';

const TWO_POW_256 = 1n << 256n;
const MAX_COUNTER = 0xffff_ffff;
const SURROGATE_START = 0xd800;

/**
 * Compares two strings by their UTF-8 bytes, exactly as `Buffer.compare(utf8(a), utf8(b))`.
 * Below U+D800 UTF-16 code units sort like UTF-8 bytes, so the common case needs no encoding;
 * anything touching surrogates or U+E000+ falls back to the real byte comparison.
 */
export function byteCompare(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca < SURROGATE_START && cb < SURROGATE_START) return ca < cb ? -1 : 1;
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  if (a.length === b.length) return 0;
  // A trailing lone surrogate encodes as U+FFFD, which can outrank what follows in the longer string.
  if (shorter > 0 && a.charCodeAt(shorter - 1) >= SURROGATE_START) {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  return a.length < b.length ? -1 : 1;
}

/** True when no string holds a code unit at or above U+D800, so plain `<` is byte order. */
function allBelowSurrogates(ids: readonly string[]): boolean {
  for (const id of ids) {
    for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) >= SURROGATE_START) return false;
  }
  return true;
}

/** A sorted copy of `ids` in UTF-8 byte order (the order every pool and label list uses). */
export function sortByteOrder(ids: readonly string[]): string[] {
  return sortByteOrderInPlace([...ids]);
}

/** sortByteOrder without the copy: sorts `ids` itself and returns it. */
export function sortByteOrderInPlace(ids: string[]): string[] {
  const copy = ids;
  // The engine's default string sort compares UTF-16 code units: native speed, and byte order for
  // identifiers below U+D800 (all real codes are ASCII). The comparator handles the rest.
  if (allBelowSurrogates(copy)) return copy.sort();
  return copy.sort(byteCompare);
}

/** True when `ids` is strictly ascending in byte order (sorted and without duplicates). */
export function isStrictlyByteOrdered(ids: readonly string[]): boolean {
  for (let i = 1; i < ids.length; i++) if (byteCompare(ids[i - 1]!, ids[i]!) >= 0) return false;
  return true;
}

/** Reads 32 bytes as a 256-bit big-endian unsigned integer. */
function toUint256(digest: Buffer): bigint {
  return BigInt('0x' + digest.toString('hex'));
}

/**
 * The stream for one label: r_i = SHA-256(seed ‖ utf8(label) ‖ 0x00 ‖ u32be(i)), i = 0, 1, …
 * One object per label, because the counter runs on across rejections and picks within a label.
 */
export class LabelStream {
  private readonly message: Buffer;
  private readonly counterAt: number;
  private counter = 0;

  constructor(seed: Buffer, label: string) {
    assertSeed(seed);
    const labelBytes = Buffer.from(label, 'utf8');
    this.message = Buffer.concat([seed, labelBytes, Buffer.from([0]), Buffer.alloc(4)]);
    this.counterAt = this.message.length - 4;
  }

  /** The index the next call to `next()` will use. */
  get position(): number {
    return this.counter;
  }

  /** The next r as a 256-bit unsigned integer. */
  next(): bigint {
    if (this.counter > MAX_COUNTER) {
      throw new DrawError('DRAW.STREAM_EXHAUSTED', 'the draw stream for one label ran past 2^32 numbers');
    }
    this.message.writeUInt32BE(this.counter, this.counterAt);
    this.counter += 1;
    return toUint256(createHash('sha256').update(this.message).digest());
  }
}

/** r_i for one label and index, for documentation and tests; drawK uses a LabelStream. */
export function streamNumber(seed: Buffer, label: string, i: number): bigint {
  if (!Number.isInteger(i) || i < 0 || i > MAX_COUNTER)
    throw new RangeError(`stream index ${i} is not a u32`);
  const message = Buffer.concat([seed, Buffer.from(label, 'utf8'), Buffer.from([0]), Buffer.alloc(4)]);
  message.writeUInt32BE(i, message.length - 4);
  return toUint256(createHash('sha256').update(message).digest());
}

function assertSeed(seed: Buffer): void {
  if (!Buffer.isBuffer(seed) || seed.length !== 32) {
    throw new DrawError('DRAW.PARAMETERS', 'the seed must be the 32 bytes of a SHA-256 digest');
  }
}

function assertDrawable(label: string, size: number, k: number): void {
  if (!Number.isInteger(k) || k < 0) {
    throw new DrawError('DRAW.PARAMETERS', `${label}: cannot draw ${k} elements`, { label, k });
  }
  if (k > size) {
    throw new DrawError('DRAW.K_EXCEEDS_POOL', `${label}: cannot draw ${k} from a pool of ${size}`, {
      label,
      needed: k,
      available: size,
    });
  }
}

/**
 * drawK on a pool already strictly ascending in byte order (checked, O(n)), returning the picked positions
 * in draw order. Lets the draw keep data alongside the pool (a target's region) and skip re-sorting lists
 * that are sorted by construction.
 * @throws DrawError DRAW.PARAMETERS when the pool is not strictly ascending (unsorted or repeated ids).
 */
export function drawPositions(
  seed: Buffer,
  label: string,
  sortedPool: readonly string[],
  k: number,
): number[] {
  assertSeed(seed);
  assertDrawable(label, sortedPool.length, k);
  for (let i = 1; i < sortedPool.length; i++) {
    const order = byteCompare(sortedPool[i - 1]!, sortedPool[i]!);
    if (order === 0) {
      throw new DrawError('DRAW.PARAMETERS', `${label}: the pool lists ${sortedPool[i]} twice`, { label });
    }
    if (order > 0)
      throw new DrawError('DRAW.PARAMETERS', `${label}: the pool is not in byte order`, { label });
  }
  return drawFromSortedPool(seed, label, sortedPool.length, k);
}

/**
 * The positions drawPositions picks, for a pool of `size` elements whose byte order the caller guarantees by
 * construction (a filter of a checked canonical snapshot): the draw needs only the pool's size, so a pool of a
 * million targets need not exist as strings.
 */
export function drawFromSortedPool(seed: Buffer, label: string, size: number, k: number): number[] {
  assertSeed(seed);
  assertDrawable(label, size, k);
  if (k === 0) return [];
  const stream = new LabelStream(seed, label);
  const remaining = new RemainingIndex(size);
  const positions: number[] = [];
  for (let pick = 0; pick < k; pick++) {
    const n = BigInt(remaining.count);
    const limit = TWO_POW_256 - (TWO_POW_256 % n);
    let r = stream.next();
    while (r >= limit) r = stream.next(); // the counter runs on across rejections and picks
    positions.push(remaining.takeNth(Number(r % n)));
  }
  return positions;
}

/**
 * drawK(L, pool, k) per docs/draw-algorithm.md: sort the pool by byte order, then k times take the next r below
 * limit = 2^256 − (2^256 mod n) (rejection sampling keeps every element equally likely), and remove and
 * emit pool[r mod n]. Prefix-stable: the first k picks do not depend on how many more are drawn.
 * O(n log n + k log n) via a Fenwick tree over the sorted pool's indices.
 * @throws DrawError DRAW.K_EXCEEDS_POOL when k > |pool|, DRAW.PARAMETERS for a bad k, seed or repeated ids.
 */
export function drawK(seed: Buffer, label: string, pool: readonly string[], k: number): string[] {
  assertSeed(seed);
  assertDrawable(label, pool.length, k);
  const sorted = sortByteOrder(pool);
  return drawPositions(seed, label, sorted, k).map((i) => sorted[i]!);
}
