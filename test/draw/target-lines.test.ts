import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DrawError, parseTargetTable, TargetLinesBuilder, TargetTable } from '../../src/domain/draw/index.ts';
import type { RiskClass } from '../../src/domain/directory.ts';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function build(
  rows: { uscc: string; risk: RiskClass; region: string }[],
  expectedLines?: number,
): { text: string; hash: string; lines: number } {
  const builder = new TargetLinesBuilder({ expectedLines });
  for (const row of rows) builder.add(row);
  const done = builder.finish();
  return { text: done.bytes.toString('utf8'), hash: done.hash, lines: done.lines };
}

describe('TargetLinesBuilder: the targets snapshot from lines held as bytes', () => {
  it('sorts lines that arrive out of order, ends each with \\n and hashes the text', () => {
    const got = build([
      { uscc: '9115030300000000B2', risk: 'B', region: '150303' },
      { uscc: '9115030200000000A1', risk: 'A', region: '150302' },
      { uscc: '9115030200000000A', risk: 'D', region: '150302' },
    ]);
    // A USCC that is a prefix of another sorts first: its tab (0x09) is below every character.
    const expected =
      '9115030200000000A\tD\t150302\n9115030200000000A1\tA\t150302\n9115030300000000B2\tB\t150303\n';
    expect(got).toEqual({ text: expected, hash: sha256(expected), lines: 3 });
  });

  it('gives the empty text, and its hash, for no lines', () => {
    expect(build([])).toEqual({
      text: '',
      hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      lines: 0,
    });
  });

  it('orders by UTF-8 bytes, not UTF-16 code units', () => {
    const got = build([
      { uscc: 'X😀', risk: 'A', region: '乌海' },
      { uscc: 'X\uFFFD', risk: 'A', region: 'r' },
      { uscc: 'Xé', risk: 'C', region: 'r' },
      { uscc: 'Xz', risk: 'B', region: 'r' },
    ]);
    // z 7A < é C3 A9 < U+FFFD EF BF BD < 😀 F0 9F 98 80 (in UTF-16 the emoji, D83D…, would come before U+FFFD).
    expect(got.text).toBe('Xz\tB\tr\nXé\tC\tr\nX\uFFFD\tA\tr\nX😀\tA\t乌海\n');
    expect(got.hash).toBe(sha256('Xz\tB\tr\nXé\tC\tr\nX\uFFFD\tA\tr\nX😀\tA\t乌海\n'));
  });

  it('refuses a USCC given twice, even with another risk class or region', () => {
    const twice = () =>
      build([
        { uscc: 'A1', risk: 'A', region: 'r1' },
        { uscc: 'B2', risk: 'A', region: 'r1' },
        { uscc: 'A1', risk: 'C', region: 'r2' },
      ]);
    expect(twice).toThrow(DrawError);
    expect(twice).toThrow('targets snapshot: A1 appears twice');
  });

  it('refuses an empty field or a control character as it is added', () => {
    const builder = new TargetLinesBuilder();
    expect(() => builder.add({ uscc: 'A\tB', risk: 'A', region: 'r' })).toThrow(
      'targets snapshot: USCC "A\\tB" is empty or holds a control character or separator',
    );
    expect(() => builder.add({ uscc: 'A', risk: 'A', region: '' })).toThrow(
      'targets snapshot: region "" is empty',
    );
  });

  it('grows past its expected size and gives the same text in any input order', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      uscc: `USCC-${String((i * 7919) % 5000).padStart(6, '0')}-${'x'.repeat(i % 40)}`,
      risk: 'ABCD'[i % 4] as RiskClass,
      region: `R${i % 13}`,
    }));
    const expected =
      rows
        .map((r) => `${r.uscc}\t${r.risk}\t${r.region}`)
        .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
        .join('\n') + '\n';
    const shuffled = build(rows, 1);
    expect(shuffled.lines).toBe(5000);
    expect(shuffled.text).toBe(expected);
    expect(shuffled.hash).toBe(sha256(expected));
    const inOrder = build(
      [...rows].sort((a, b) => Buffer.compare(Buffer.from(a.uscc), Buffer.from(b.uscc))),
      5000,
    );
    expect(inOrder.text).toBe(expected);
  });

  it('takes no line after finishing', () => {
    const builder = new TargetLinesBuilder();
    builder.finish();
    expect(() => builder.add({ uscc: 'A', risk: 'A', region: 'r' })).toThrow('add after finish');
  });
});

describe('TargetTable: a checked targets snapshot held as offsets into its text', () => {
  const text = '9115030200000000A1\tA\t150302\n9115030300000000B2\tD\t150303\nX😀\tC\t乌海\n';

  it('reads each line’s USCC, risk class and region', () => {
    const table = parseTargetTable(text);
    expect(table.size).toBe(3);
    expect([0, 1, 2].map((i) => [table.uscc(i), table.risk(i), table.riskCode(i), table.region(i)])).toEqual([
      ['9115030200000000A1', 'A', 0, '150302'],
      ['9115030300000000B2', 'D', 3, '150303'],
      ['X😀', 'C', 2, '乌海'],
    ]);
    expect(table.has('9115030300000000B2')).toBe(true);
    expect(table.has('X😀')).toBe(true);
    expect(table.has('9115030300000000B')).toBe(false);
    expect(parseTargetTable('').size).toBe(0);
  });

  it('is the same table when built from rows', () => {
    const table = TargetTable.fromRows([
      { uscc: '9115030200000000A1', risk: 'A', region: '150302' },
      { uscc: 'X😀', risk: 'C', region: '乌海' },
    ]);
    expect([table.size, table.uscc(1), table.risk(1), table.region(1), table.region(0)]).toEqual([
      2,
      'X😀',
      'C',
      '乌海',
      '150302',
    ]);
  });

  it('refuses what is not canonical, naming the line', () => {
    const bad = (t: string) => () => parseTargetTable(t);
    expect(bad('B\tA\tr\nA\tA\tr\n')).toThrow('snapshots.targets: line 2 is out of byte order');
    expect(bad('A\tA\tr\nA\tB\tr\n')).toThrow('snapshots.targets: line 2 repeats A');
    expect(bad('A\tE\tr\n')).toThrow('snapshots.targets: line 1 has risk class E');
    expect(bad('A\tAB\tr\n')).toThrow('snapshots.targets: line 1 has risk class AB');
    expect(bad('A\tA\t\n')).toThrow('snapshots.targets: line 1 has no region');
    expect(bad('A\tA\n')).toThrow('snapshots.targets: line 1 has 2 tab-separated fields, expected 3');
    expect(bad('A\tA\tr')).toThrow('snapshots.targets: line 1 does not end with a line break');
  });
});
