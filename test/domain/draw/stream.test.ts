import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import {
  byteCompare,
  drawK,
  drawPositions,
  DrawError,
  LabelStream,
  sortByteOrder,
  streamNumber,
} from '../../../src/domain/draw/index.ts';
import { loadVector } from '../../helpers/wuhai-fixtures.ts';
import { seedOf } from '../../helpers/draw-builders.ts';

interface DrawKVector {
  seed: string;
  label: string;
  pool: string[];
  k: number;
  picks: string[];
}

/** A second, deliberately naive implementation of docs/draw-algorithm.md drawK (array splice), to cross-check the Fenwick one. */
function naiveDrawK(seed: Buffer, label: string, pool: string[], k: number): string[] {
  const sorted = [...pool].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const out: string[] = [];
  let i = 0;
  for (let pick = 0; pick < k; pick++) {
    const n = BigInt(sorted.length);
    const limit = (1n << 256n) - ((1n << 256n) % n);
    let r: bigint;
    do {
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(i++);
      const digest = createHash('sha256')
        .update(Buffer.concat([seed, Buffer.from(label), Buffer.from([0]), counter]))
        .digest('hex');
      r = BigInt('0x' + digest);
    } while (r >= limit);
    out.push(sorted.splice(Number(r % n), 1)[0]!);
  }
  return out;
}

describe('drawK', () => {
  const vector = loadVector<DrawKVector>('drawk.json');
  const vectorSeed = Buffer.from(vector.seed, 'hex');

  it('reproduces drawk.json exactly', () => {
    expect(drawK(vectorSeed, vector.label, vector.pool, vector.k)).toEqual(vector.picks);
  });

  it('sorts a copy of the pool: input order does not matter and the input is untouched', () => {
    const shuffled = ['d', 'g', 'a', 'c', 'f', 'b', 'e'];
    expect(drawK(vectorSeed, vector.label, shuffled, vector.k)).toEqual(vector.picks);
    expect(shuffled).toEqual(['d', 'g', 'a', 'c', 'f', 'b', 'e']);
  });

  it('is prefix-stable: drawK(k) is a prefix of drawK(k + 5)', () => {
    const pool = Array.from({ length: 40 }, (_, i) => `id-${i}`);
    for (let k = 0; k <= 35; k++) {
      const seed = seedOf(`prefix-${k}`);
      const longer = drawK(seed, 'targets/B', pool, k + 5);
      expect(drawK(seed, 'targets/B', pool, k)).toEqual(longer.slice(0, k));
    }
  });

  it('draws a full permutation when k = |pool|', () => {
    const pool = Array.from({ length: 100 }, (_, i) => `x${i}`);
    const all = drawK(seedOf('perm'), 'groups/150302', pool, 100);
    expect(new Set(all).size).toBe(100);
    expect(sortByteOrder(all)).toEqual(sortByteOrder(pool));
  });

  it('agrees with a naive splice implementation of the spec', () => {
    const pool = Array.from({ length: 2000 }, (_, i) => `9115${(i * 7919) % 100000}`);
    const unique = [...new Set(pool)];
    for (const name of ['a', 'b', 'c']) {
      const seed = seedOf(name);
      expect(drawK(seed, `targets/${name}`, unique, 600)).toEqual(
        naiveDrawK(seed, `targets/${name}`, unique, 600),
      );
    }
  });

  it('depends on the label: a different label gives a different order', () => {
    const pool = Array.from({ length: 50 }, (_, i) => `p${i}`);
    expect(drawK(vectorSeed, 'targets/A', pool, 10)).not.toEqual(drawK(vectorSeed, 'targets/B', pool, 10));
  });

  it('throws for k > pool size, bad k, duplicate ids and a seed that is not 32 bytes', () => {
    const tooMany = () => drawK(vectorSeed, 'targets/A', ['a', 'b'], 3);
    expect(tooMany).toThrow(DrawError);
    expect(tooMany).toThrow('targets/A: cannot draw 3 from a pool of 2');
    try {
      tooMany();
    } catch (e) {
      expect((e as DrawError).code).toBe('DRAW.K_EXCEEDS_POOL');
    }
    expect(() => drawK(vectorSeed, 'x', ['a'], -1)).toThrow(DrawError);
    expect(() => drawK(vectorSeed, 'x', ['a', 'b'], 1.5)).toThrow(DrawError);
    expect(() => drawK(vectorSeed, 'x', ['a', 'a', 'b'], 1)).toThrow('twice');
    expect(() => drawK(Buffer.alloc(16), 'x', ['a'], 1)).toThrow('32 bytes');
    expect(drawK(vectorSeed, 'x', [], 0)).toEqual([]);
  });

  it('drawPositions works on a sorted pool in place and refuses an unsorted one', () => {
    const seed = Buffer.from(vector.seed, 'hex');
    const positions = drawPositions(seed, vector.label, vector.pool, vector.k);
    expect(positions.map((i) => vector.pool[i])).toEqual(vector.picks);
    expect(() => drawPositions(seed, 'x', ['b', 'a'], 1)).toThrow('not in byte order');
    expect(() => drawPositions(seed, 'x', ['a', 'a'], 1)).toThrow('twice');
  });

  it('handles a 250,000 pool with 25,000 picks quickly (Fenwick tree, not splice)', () => {
    const pool = Array.from({ length: 250_000 }, (_, i) => `91150302${String(i).padStart(10, '0')}`);
    const started = performance.now();
    const picks = drawK(seedOf('big'), 'targets/C', pool, 25_000);
    const elapsed = performance.now() - started;
    expect(new Set(picks).size).toBe(25_000);
    expect(elapsed).toBeLessThan(5_000);
    expect(drawK(seedOf('big'), 'targets/C', pool, 100)).toEqual(picks.slice(0, 100));
  });
});

describe('the stream', () => {
  it('is SHA-256(seed ‖ utf8(label) ‖ 0x00 ‖ u32be(i)) read big-endian', () => {
    const seed = seedOf('stream');
    const label = 'team/3/WJW';
    const expected = (i: number) => {
      const counter = Buffer.alloc(4);
      counter.writeUInt32BE(i);
      const digest = createHash('sha256')
        .update(seed)
        .update(label, 'utf8')
        .update(Buffer.from([0]))
        .update(counter);
      return BigInt('0x' + digest.digest('hex'));
    };
    const stream = new LabelStream(seed, label);
    for (let i = 0; i < 5; i++) {
      expect(stream.position).toBe(i);
      const r = stream.next();
      expect(r).toBe(expected(i));
      expect(streamNumber(seed, label, i)).toBe(r);
    }
    expect(streamNumber(seed, label, 0x1_0000)).toBe(expected(0x1_0000));
  });

  it('encodes a non-ASCII label as UTF-8', () => {
    const seed = seedOf('utf8');
    const digest = createHash('sha256')
      .update(Buffer.concat([seed, Buffer.from('groups/海南', 'utf8'), Buffer.from([0, 0, 0, 0, 0])]))
      .digest('hex');
    expect(streamNumber(seed, 'groups/海南', 0)).toBe(BigInt('0x' + digest));
  });
});

describe('byte order', () => {
  const bufferCompare = (a: string, b: string) =>
    Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));

  it('orders by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FFFD is EF BF BD in UTF-8, U+1F600 is F0 9F 98 80; in UTF-16 the emoji (D83D…) sorts first.
    expect(sortByteOrder(['😀', '\uFFFD', 'b', 'a', 'ab', ''])).toEqual(['', 'a', 'ab', 'b', '\uFFFD', '😀']);
    expect(['😀', '\uFFFD'].sort()).toEqual(['😀', '\uFFFD']);
    expect(sortByteOrder(['150303', '150302', '1503021'])).toEqual(['150302', '1503021', '150303']);
  });

  it('matches Buffer.compare on random mixed strings', () => {
    const alphabet = ['a', 'b', 'Z', '0', '乌', '海', '\uE000', '\uFFFD', '😀', '𝄞', '\u00e9'];
    let state = 12345;
    const rand = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
    const word = () => Array.from({ length: rand(5) }, () => alphabet[rand(alphabet.length)]).join('');
    for (let i = 0; i < 5000; i++) {
      const a = word();
      const b = rand(4) === 0 ? a + word() : word();
      expect(Math.sign(byteCompare(a, b))).toBe(bufferCompare(a, b));
    }
  });
});

describe('uniformity (chi-square, df = 9, critical value 27.877 at p = 0.001)', () => {
  const CRITICAL = 27.877;
  const pool = Array.from({ length: 10 }, (_, i) => `e${i}`);
  const chiSquare = (counts: number[], total: number) => {
    const expected = total / counts.length;
    return counts.reduce((sum, o) => sum + (o - expected) ** 2 / expected, 0);
  };

  it('k = 1 over 20,000 seeds picks every element equally often', () => {
    const counts = new Array<number>(10).fill(0);
    for (let s = 0; s < 20_000; s++) {
      const [pick] = drawK(seedOf(`uniform-${s}`), 'targets/A', pool, 1);
      counts[pool.indexOf(pick!)]! += 1;
    }
    expect(chiSquare(counts, 20_000)).toBeLessThan(CRITICAL);
  });

  it('k = 3: each position is uniform over the pool', () => {
    const counts = [0, 1, 2].map(() => new Array<number>(10).fill(0));
    for (let s = 0; s < 20_000; s++) {
      drawK(seedOf(`uniform3-${s}`), 'targets/B', pool, 3).forEach((pick, position) => {
        counts[position]![pool.indexOf(pick)]! += 1;
      });
    }
    for (const perPosition of counts) expect(chiSquare(perPosition, 20_000)).toBeLessThan(CRITICAL);
  });
});
