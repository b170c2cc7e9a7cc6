/**
 * The import's temporary files: what is appended comes back line for line, whatever the lines hold and however
 * they fall across the read buffer; the sorted runs give every record back in key order, from memory or merged
 * from disk, sorted on this thread or on one of their own — and a failure on that thread reaches the import.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { TempFolder } from '../../src/storage/import/record-file.ts';
import { SortedRuns, type SortedRunsOptions } from '../../src/storage/import/sorted-runs.ts';

const folders: TempFolder[] = [];
const folder = () => {
  const f = TempFolder.create();
  folders.push(f);
  return f;
};
const opened: SortedRuns[] = [];
const sortedRuns = (budget?: number, options?: SortedRunsOptions, into = folder()) => {
  const runs = new SortedRuns(into, budget, options);
  opened.push(runs);
  return runs;
};
afterEach(async () => {
  for (const runs of opened.splice(0)) await runs.close();
  folders.splice(0).forEach((f) => f.remove());
});

async function readAll(lines: AsyncIterable<string[]>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of lines) out.push(...chunk);
  return out;
}

describe('LineFile', () => {
  it('gives back lines longer than its read buffer, Chinese text split across reads, and empty lines', async () => {
    const file = folder().file('t');
    // 256 KiB is the read chunk: a line of 300,000 three-byte characters spans several reads, and the lines of
    // odd lengths put character boundaries at every offset of a chunk.
    const lines = [
      '联'.repeat(300_000),
      '',
      ...Array.from({ length: 5000 }, (_, i) => `${i} ${'查询'.repeat(i % 97)}x`),
      'last',
    ];
    for (const l of lines) file.append(l);
    expect(await readAll(file.lines())).toEqual(lines);
  });

  it('gives back what was appended after a flush, and nothing for a file never written', async () => {
    const f = folder();
    const written = f.file('a');
    written.append('one');
    written.flush();
    written.append('two');
    expect(await readAll(written.lines())).toEqual(['one', 'two']);
    expect(await readAll(f.file('b').lines())).toEqual([]);
  });

  it('is removed with its folder', () => {
    const f = TempFolder.create();
    const file = f.file('x');
    file.append('y');
    file.finish();
    expect(existsSync(file.path)).toBe(true);
    f.remove();
    expect(existsSync(file.path)).toBe(false);
  });
});

describe('SortedRuns', () => {
  // Keys in a scrambled order (7919 is prime, so i * 7919 mod 10007 visits every number below 10007 once).
  const keys = Array.from({ length: 10_007 }, (_, i) => `K${String((i * 7919) % 10_007).padStart(5, '0')}`);
  const expected = [...keys].sort().map((k) => `payload of ${k} — 联查`);

  it('gives records back in key order when they fit in memory', async () => {
    const runs = sortedRuns();
    for (const k of keys) runs.add(k, `payload of ${k} — 联查`);
    expect(await readAll(runs.merged(1000))).toEqual(expected);
  });

  it.each([
    ['on a thread of their own', true],
    ['on this thread', false],
  ])(
    'gives records back in key order merged from many runs on disk, in batches of the size asked, sorted %s',
    async (_, thread) => {
      const runs = sortedRuns(5_000, { thread }); // about 200 records a run: some 50 runs
      for (const k of keys) {
        runs.add(k, `payload of ${k} — 联查`);
        await runs.settle();
      }
      const batches: string[][] = [];
      for await (const b of runs.merged(4000)) batches.push(b);
      expect(batches.map((b) => b.length)).toEqual([4000, 4000, 2007]);
      expect(batches.flat()).toEqual(expected);
      expect(runs.count).toBe(keys.length);
    },
  );

  it('keeps keys and payloads that contain spaces and digits intact', async () => {
    const runs = sortedRuns(10);
    runs.add('b', '12 [" a ",null]');
    runs.add('a b', '');
    runs.add('c', '3 4');
    expect((await readAll(runs.merged(10))).join('|')).toBe('|12 [" a ",null]|3 4');
  });

  it('throws what stopped the sorting thread (its folder gone) instead of giving back part of the records', async () => {
    const f = folder();
    const runs = sortedRuns(5_000, {}, f);
    for (const k of keys.slice(0, 1000)) runs.add(k, `payload of ${k} — 联查`);
    f.remove();
    for (const k of keys.slice(1000)) runs.add(k, `payload of ${k} — 联查`);
    await expect(readAll(runs.merged(1000))).rejects.toMatchObject({
      code: 'ENOENT',
      message: expect.stringMatching(/^ENOENT: no such file or directory, open .*sorted-0001-run/),
    });
  });
});
