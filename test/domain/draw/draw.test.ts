import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import {
  computeSeed,
  drawK,
  DrawError,
  runDraw,
  snapshotHashes,
  stratumDrawCount,
  type DrawOutcome,
  type DrawParameters,
  type SnapshotTexts,
} from '../../../src/domain/draw/index.ts';
import type { RiskClass } from '../../../src/domain/directory.ts';
import { parameters, snapshotsOf } from '../../helpers/draw-builders.ts';

const draw = (snapshots: SnapshotTexts, p: DrawParameters, entropy = 'e') =>
  runDraw({ taskId: 'T-1', entropy, parameters: p, snapshots });

const targetRows = (n: number, region = '150302', risk: RiskClass = 'A'): [string, RiskClass, string][] =>
  Array.from({ length: n }, (_, i) => [`${region}-${risk}-${String(i).padStart(3, '0')}`, risk, region]);

function drawError(fn: () => unknown): DrawError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DrawError) return e;
    throw e;
  }
  throw new Error('expected a DrawError');
}

describe('seed', () => {
  it('is SHA-256 of the algorithm, entropy, task id and the three hashes joined by newlines', () => {
    const hashes = { targets: 'aa', officers: 'bb', conflicts: 'cc' };
    const expected = createHash('sha256').update('liancha-draw-v1\nE\nTASK\naa\nbb\ncc', 'utf8').digest();
    expect(computeSeed('E', 'TASK', hashes).equals(expected)).toBe(true);
  });
});

describe('target picks', () => {
  it('k = ceil(bp × n / 10000) in integers (0.1 × 30 is 3, not 4)', () => {
    expect(stratumDrawCount(1000, 30)).toBe(3);
    expect(stratumDrawCount(300, 203)).toBe(7);
    expect(stratumDrawCount(300, 100)).toBe(3);
    expect(stratumDrawCount(1, 1)).toBe(1);
    expect(stratumDrawCount(0, 500)).toBe(0);
    expect(stratumDrawCount(2000, 0)).toBe(0);
  });

  it('draws each class with its own label and a missing class draws 0', () => {
    const snapshots = snapshotsOf({
      targets: [...targetRows(30, '150302', 'A'), ...targetRows(10, '150302', 'C')],
      officers: [
        ['S1', 'SCJG', ['150302']],
        ['W1', 'WJW', ['150302']],
      ],
    });
    const outcome = draw(snapshots, parameters({ ratioBp: { A: 1000 }, targetsPerTeam: 100 }));
    const seed = Buffer.from(outcome.seed, 'hex');
    const a = targetRows(30, '150302', 'A').map((r) => r[0]);
    expect(outcome.targets).toEqual({ A: drawK(seed, 'targets/A', a, 3), B: [], C: [], D: [] });
  });

  it('with count draws one `targets/all` list over every class', () => {
    const rows = [...targetRows(5, '150302', 'A'), ...targetRows(5, '150302', 'D')];
    const snapshots = snapshotsOf({
      targets: rows,
      officers: [
        ['S1', 'SCJG', ['150302']],
        ['W1', 'WJW', ['150302']],
      ],
    });
    const outcome = draw(snapshots, parameters({ ratioBp: null, count: 4 }));
    const seed = Buffer.from(outcome.seed, 'hex');
    expect(outcome.targets).toEqual({
      all: drawK(
        seed,
        'targets/all',
        rows.map((r) => r[0]),
        4,
      ),
    });
    const err = drawError(() => draw(snapshots, parameters({ ratioBp: null, count: 11 })));
    expect(err.code).toBe('DRAW.K_EXCEEDS_POOL');
    expect(err.message).toBe('count 11 is more than the 10 eligible targets');
  });

  it('rejects parameters the algorithm does not define', () => {
    const snapshots = snapshotsOf({ targets: targetRows(1), officers: [] });
    for (const bad of [
      parameters({ ratioBp: null, count: null }),
      parameters({ count: 3 }),
      parameters({ ratioBp: { A: 0.5 } }),
      parameters({ ratioBp: { A: 10001 } }),
      parameters({ targetsPerTeam: 0 }),
      parameters({ officersPerParticipant: 0 }),
      parameters({ participants: ['SCJG'] }),
    ]) {
      expect(drawError(() => draw(snapshots, bad)).code).toBe('DRAW.PARAMETERS');
    }
    expect(() => runDraw({ taskId: 'T', entropy: '', parameters: parameters(), snapshots })).toThrow(
      'entropy',
    );
  });
});

describe('teams', () => {
  it('groups by region in byte order, orders by groups/<region>, cuts into targetsPerTeam and numbers 1..', () => {
    const rows = [...targetRows(7, '150303'), ...targetRows(4, '150302')];
    const snapshots = snapshotsOf({
      targets: rows,
      officers: [
        ['S1', 'SCJG', ['150302', '150303']],
        ['S2', 'SCJG', ['150302', '150303']],
        ['W1', 'WJW', ['150302', '150303']],
        ['W2', 'WJW', ['150302', '150303']],
      ],
    });
    const outcome = draw(snapshots, parameters({ targetsPerTeam: 3 }));
    const seed = Buffer.from(outcome.seed, 'hex');
    const order302 = drawK(
      seed,
      'groups/150302',
      targetRows(4, '150302').map((r) => r[0]),
      4,
    );
    const order303 = drawK(
      seed,
      'groups/150303',
      targetRows(7, '150303').map((r) => r[0]),
      7,
    );
    expect(outcome.teams.map((t) => [t.no, t.region, t.targets])).toEqual([
      [1, '150302', order302.slice(0, 3)],
      [2, '150302', order302.slice(3)],
      [3, '150303', order303.slice(0, 3)],
      [4, '150303', order303.slice(3, 6)],
      [5, '150303', order303.slice(6)],
    ]);
  });

  it('draws the leader from the initiator first, then each participant, with team/<no>/<dept> labels', () => {
    const snapshots = snapshotsOf({
      targets: targetRows(2),
      officers: [
        ['S1', 'SCJG', ['150302']],
        ['S2', 'SCJG', ['150302']],
        ['W1', 'WJW', ['150302']],
        ['W2', 'WJW', ['150302']],
        ['W3', 'WJW', ['150302']],
        ['Y1', 'YJGL', ['150302']],
        ['Y2', 'YJGL', ['150302']],
      ],
    });
    const outcome = draw(snapshots, parameters({ participants: ['YJGL', 'WJW'], officersPerParticipant: 2 }));
    const seed = Buffer.from(outcome.seed, 'hex');
    expect(outcome.teams[0]!.members).toEqual([
      { dept: 'SCJG', certNo: drawK(seed, 'team/1/SCJG', ['S1', 'S2'], 1)[0], leader: true },
      ...drawK(seed, 'team/1/YJGL', ['Y1', 'Y2'], 2).map((certNo) => ({ dept: 'YJGL', certNo })),
      ...drawK(seed, 'team/1/WJW', ['W1', 'W2', 'W3'], 2).map((certNo) => ({ dept: 'WJW', certNo })),
    ]);
  });

  it('draws two from the initiator when it is the only department; the first leads', () => {
    const snapshots = snapshotsOf({
      targets: targetRows(1),
      officers: [
        ['S1', 'SCJG', ['150302']],
        ['S2', 'SCJG', ['150302']],
        ['S3', 'SCJG', ['150302']],
      ],
    });
    const outcome = draw(snapshots, parameters({ participants: [] }));
    const seed = Buffer.from(outcome.seed, 'hex');
    const [first, second] = drawK(seed, 'team/1/SCJG', ['S1', 'S2', 'S3'], 2);
    expect(outcome.teams[0]!.members).toEqual([
      { dept: 'SCJG', certNo: first, leader: true },
      { dept: 'SCJG', certNo: second },
    ]);
  });

  it('only officers whose regions cover the team region are drawn', () => {
    const snapshots = snapshotsOf({
      targets: targetRows(1, '150303'),
      officers: [
        ['S1', 'SCJG', ['150303']],
        ['W-ELSEWHERE', 'WJW', ['150302', '150304']],
        ['W-HERE', 'WJW', ['150303']],
      ],
    });
    for (const entropy of ['a', 'b', 'c', 'd', 'e', 'f']) {
      expect(draw(snapshots, parameters(), entropy).teams[0]!.members[1]!.certNo).toBe('W-HERE');
    }
  });

  it('never matches an officer with a target they are in conflict with', () => {
    const rows = targetRows(2);
    const snapshots = snapshotsOf({
      targets: rows,
      officers: [
        ['S1', 'SCJG', ['150302']],
        ['W-CONFLICT', 'WJW', ['150302']],
        ['W-FREE', 'WJW', ['150302']],
      ],
      conflicts: [['W-CONFLICT', rows[1]![0]]],
    });
    for (const entropy of ['a', 'b', 'c', 'd', 'e', 'f']) {
      expect(draw(snapshots, parameters(), entropy).teams[0]!.members[1]!.certNo).toBe('W-FREE');
    }
  });

  it('spreads the load: 2 teams and 2 eligible WJW officers, each gets one team', () => {
    const snapshots = snapshotsOf({
      targets: targetRows(12),
      officers: [
        ['S1', 'SCJG', ['150302']],
        ['S2', 'SCJG', ['150302']],
        ['W1', 'WJW', ['150302']],
        ['W2', 'WJW', ['150302']],
      ],
    });
    for (let i = 0; i < 30; i++) {
      const teams = draw(snapshots, parameters(), `spread-${i}`).teams;
      expect(teams).toHaveLength(2);
      const wjw = teams.map((t) => t.members.find((m) => m.dept === 'WJW')!.certNo);
      const scjg = teams.map((t) => t.members.find((m) => m.dept === 'SCJG')!.certNo);
      expect(new Set(wjw).size).toBe(2);
      expect(new Set(scjg).size).toBe(2);
    }
  });

  it('reuses a busy officer only when nobody less busy is eligible', () => {
    const snapshots = snapshotsOf({
      targets: targetRows(18),
      officers: [
        ['S1', 'SCJG', ['150302']],
        ['W1', 'WJW', ['150302']],
        ['W2', 'WJW', ['150302']],
      ],
    });
    const teams = draw(snapshots, parameters()).teams;
    expect(teams.map((t) => t.members[0]!.certNo)).toEqual(['S1', 'S1', 'S1']);
    const wjw = teams.map((t) => t.members[1]!.certNo);
    expect(new Set(wjw.slice(0, 2)).size).toBe(2);
  });

  it('fails the whole draw naming team, department, region, needed and available', () => {
    const snapshots = snapshotsOf({
      targets: [...targetRows(6, '150302'), ...targetRows(6, '150303')],
      officers: [
        ['S1', 'SCJG', ['150302', '150303']],
        ['W1', 'WJW', ['150302']],
      ],
    });
    const err = drawError(() => draw(snapshots, parameters()));
    expect(err.code).toBe('DRAW.SHORTFALL');
    expect(err.message).toBe('team 2: department WJW has 0 eligible officers in region 150303, needs 1');
    expect(err.details).toEqual({ team: 2, dept: 'WJW', region: '150303', needed: 1, available: 0 });
  });

  it('counts a shortfall for officersPerParticipant > available', () => {
    const snapshots = snapshotsOf({
      targets: targetRows(1),
      officers: [
        ['S1', 'SCJG', ['150302']],
        ['W1', 'WJW', ['150302']],
      ],
    });
    expect(drawError(() => draw(snapshots, parameters({ officersPerParticipant: 2 }))).message).toBe(
      'team 1: department WJW has 1 eligible officer in region 150302, needs 2',
    );
  });

  it('is deterministic and depends on the entropy', () => {
    const snapshots = snapshotsOf({
      targets: targetRows(50),
      officers: [
        ['S1', 'SCJG', ['150302']],
        ['S2', 'SCJG', ['150302']],
        ['W1', 'WJW', ['150302']],
      ],
    });
    const once: DrawOutcome = draw(snapshots, parameters({ ratioBp: { A: 2000 } }), 'x');
    expect(draw(snapshots, parameters({ ratioBp: { A: 2000 } }), 'x')).toEqual(once);
    expect(draw(snapshots, parameters({ ratioBp: { A: 2000 } }), 'y').seed).not.toBe(once.seed);
    expect(once.hashes).toEqual(snapshotHashes(snapshots));
  });
});
