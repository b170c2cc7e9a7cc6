import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import {
  buildSnapshotTexts,
  DrawError,
  parseSnapshots,
  snapshotHashes,
  type SnapshotTexts,
} from '../../../src/domain/draw/index.ts';
import { inspector, target } from '../../helpers/draw-builders.ts';

describe('canonical snapshot texts', () => {
  const targets = [
    target('9115030300000000B2', { risk: 'B', region: '150303' }),
    target('9115030200000000A1', { risk: 'A' }),
  ];
  const officers = [
    inspector('222', 'WJW', { regions: ['150304', '150302', '150302'] }),
    inspector('111', 'SCJG', { regions: ['150303'] }),
  ];
  const texts = buildSnapshotTexts({
    targets,
    officers,
    conflicts: [
      { certNo: '222', uscc: '9115030300000000B2', reason: '近亲属任职' },
      { certNo: '222', uscc: '9115030300000000B2', reason: '重复登记' },
      { certNo: '999', uscc: '9115030300000000B2', reason: 'not a snapshot officer' },
      { certNo: '111', uscc: '9999999999999999XX', reason: 'not a snapshot target' },
    ],
  });

  it('sorts whole lines by byte order and ends every line with \\n', () => {
    expect(texts.targets).toBe('9115030200000000A1\tA\t150302\n9115030300000000B2\tB\t150303\n');
  });

  it('lists all of an officer’s regions, sorted and de-duplicated', () => {
    expect(texts.officers).toBe('111\tSCJG\t150303\n222\tWJW\t150302;150304\n');
  });

  it('keeps only conflicts between a snapshot officer and a snapshot target, once each', () => {
    expect(texts.conflicts).toBe('222\t9115030300000000B2\n');
  });

  it('an empty snapshot is the empty text', () => {
    const empty = buildSnapshotTexts({ targets: [], officers: [], conflicts: [] });
    expect(empty).toEqual({ targets: '', officers: '', conflicts: '' });
    expect(snapshotHashes(empty).targets).toBe(createHash('sha256').update('').digest('hex'));
  });

  it('hashes are the hex SHA-256 of the UTF-8 text', () => {
    expect(snapshotHashes(texts).officers).toBe(
      createHash('sha256').update(texts.officers, 'utf8').digest('hex'),
    );
  });

  it('refuses fields that would break the format', () => {
    expect(() => buildSnapshotTexts({ targets: [target('A\tB')], officers: [], conflicts: [] })).toThrow(
      DrawError,
    );
    expect(() =>
      buildSnapshotTexts({
        targets: [],
        officers: [inspector('1', 'WJW', { regions: ['1;2'] })],
        conflicts: [],
      }),
    ).toThrow(DrawError);
    expect(() =>
      buildSnapshotTexts({ targets: [target('X'), target('X')], officers: [], conflicts: [] }),
    ).toThrow('appears twice');
  });

  it('parses back to the same rows', () => {
    expect(parseSnapshots(texts)).toEqual({
      targets: [
        { uscc: '9115030200000000A1', risk: 'A', region: '150302' },
        { uscc: '9115030300000000B2', risk: 'B', region: '150303' },
      ],
      officers: [
        { certNo: '111', dept: 'SCJG', regions: ['150303'] },
        { certNo: '222', dept: 'WJW', regions: ['150302', '150304'] },
      ],
      conflicts: [{ certNo: '222', uscc: '9115030300000000B2' }],
    });
  });

  it('sorts and checks non-ASCII identifiers by UTF-8 bytes', () => {
    const odd = buildSnapshotTexts({
      targets: [target('X😀', { region: 'r' }), target('X\uFFFD', { region: 'r' })],
      officers: [],
      conflicts: [],
    });
    // U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80) in UTF-8, the other way round in UTF-16.
    expect(odd.targets).toBe('X\uFFFD\tA\tr\nX😀\tA\tr\n');
    expect(parseSnapshots(odd).targets.map((t) => t.uscc)).toEqual(['X\uFFFD', 'X😀']);
    expect(() => parseSnapshots({ ...odd, targets: 'X😀\tA\tr\nX\uFFFD\tA\tr\n' })).toThrow(
      'out of byte order',
    );
  });

  it('parsers reject text that is not canonical, naming snapshot and line', () => {
    const bad = (patch: Partial<SnapshotTexts>) => () => parseSnapshots({ ...texts, ...patch });
    expect(bad({ targets: 'B\tA\t1\nA\tA\t1\n' })).toThrow('snapshots.targets: line 2 is out of byte order');
    expect(bad({ targets: 'A\tA\t1' })).toThrow('does not end with a line break');
    expect(bad({ targets: 'A\tA\n' })).toThrow(
      'snapshots.targets: line 1 has 2 tab-separated fields, expected 3',
    );
    expect(bad({ targets: 'A\tE\t1\n' })).toThrow('risk class E');
    expect(bad({ targets: 'A\tA\t1\nA\tB\t1\n' })).toThrow('line 2 repeats A');
    expect(bad({ officers: '1\tWJW\t150304;150302\n' })).toThrow('snapshots.officers: line 1');
    expect(bad({ targets: 'A\tA\t1\r\n' })).toThrow('control character');
    expect(bad({ conflicts: '333\t9115030300000000B2\n' })).toThrow(
      'officer 333, which is not in its snapshot',
    );
  });
});
