import { describe, it, expect } from 'vitest';
import {
  applySubstitutions,
  drawK,
  DrawError,
  runDraw,
  type SubstitutionRequest,
} from '../../../src/domain/draw/index.ts';
import { parameters, snapshotsOf } from '../../helpers/draw-builders.ts';

const targets = Array.from({ length: 12 }, (_, i): [string, 'A', string] => [
  `T${String(i).padStart(2, '0')}`,
  'A',
  '150302',
]);
const snapshots = snapshotsOf({
  targets,
  officers: [
    ['S1', 'SCJG', ['150302']],
    ['S2', 'SCJG', ['150302']],
    ['S3', 'SCJG', ['150302']],
    ['W1', 'WJW', ['150302']],
    ['W2', 'WJW', ['150302']],
    ['W3', 'WJW', ['150302']],
    ['W4', 'WJW', ['150302']],
    ['W5', 'WJW', ['150303']],
  ],
});
const outcome = runDraw({ taskId: 'T-SUB', entropy: 'sub', parameters: parameters(), snapshots });
const seed = Buffer.from(outcome.seed, 'hex');
const request = (team: number, dept: string, out: string): SubstitutionRequest => ({
  team,
  dept,
  out,
  reason: '工作冲突',
  approvedBy: 'ou_head',
  approvedAt: '2026-12-02T10:00:00+08:00',
});
const wjwOf = (no: number, teams = outcome.teams) =>
  teams[no - 1]!.members.find((m) => m.dept === 'WJW')!.certNo;

describe('substitutions', () => {
  it('draws sub/<team>/<dept>/<n> from covering, non-conflicting, least-loaded officers never on the team', () => {
    const out = wjwOf(1);
    const otherTeam = wjwOf(2);
    const [record] = applySubstitutions(outcome, snapshots, [request(1, 'WJW', out)]).substitutions;
    // W5 does not cover 150302; the one on team 2 has load 1 while two are free.
    const free = ['W1', 'W2', 'W3', 'W4'].filter((c) => c !== out && c !== otherTeam);
    expect(record).toEqual({ ...request(1, 'WJW', out), n: 1, in: drawK(seed, 'sub/1/WJW/1', free, 1)[0] });
    expect(Object.keys(record!)).toEqual([
      'team',
      'dept',
      'n',
      'out',
      'in',
      'reason',
      'approvedBy',
      'approvedAt',
    ]);
  });

  it('counts n per team and department, and never brings back anyone who was on the team', () => {
    const first = applySubstitutions(outcome, snapshots, [request(1, 'WJW', wjwOf(1))]);
    const second = applySubstitutions(outcome, snapshots, [
      request(1, 'WJW', wjwOf(1)),
      request(1, 'WJW', first.substitutions[0]!.in),
    ]);
    const [one, two] = second.substitutions;
    expect(two!.n).toBe(2);
    expect([wjwOf(1), one!.in]).not.toContain(two!.in);
    expect(wjwOf(1, second.teams)).toBe(two!.in);
  });

  it('counts current load, earlier substitutions included, in approval order', () => {
    const [a, b] = applySubstitutions(outcome, snapshots, [
      request(1, 'WJW', wjwOf(1)),
      request(2, 'WJW', wjwOf(2)),
    ]).substitutions;
    // Team 1's replacement is now busy (load 1); the officer it replaced is free again (load 0) and was
    // never on team 2, so team 2's replacement comes from the free ones only.
    const free = ['W1', 'W2', 'W3', 'W4'].filter((c) => c !== wjwOf(2) && c !== a!.in);
    expect(free).toContain(wjwOf(1));
    expect(free).toHaveLength(2);
    expect(b!.in).toBe(drawK(seed, 'sub/2/WJW/1', free, 1)[0]);
  });

  it('a replacement leader keeps the leader flag', () => {
    const leader = outcome.teams[0]!.members[0]!;
    const replay = applySubstitutions(outcome, snapshots, [request(1, 'SCJG', leader.certNo)]);
    expect(replay.teams[0]!.members[0]).toEqual({
      dept: 'SCJG',
      certNo: replay.substitutions[0]!.in,
      leader: true,
    });
  });

  it('refuses a request for someone not on the team for that department', () => {
    const wrong = () => applySubstitutions(outcome, snapshots, [request(1, 'WJW', 'S1')]);
    expect(wrong).toThrow(DrawError);
    expect(() => applySubstitutions(outcome, snapshots, [request(9, 'WJW', 'W1')])).toThrow(
      'there is no team 9',
    );
  });

  it('fails with the team, department and region when nobody is left', () => {
    const tiny = snapshotsOf({
      targets: [['T1', 'A', '150302']],
      officers: [
        ['S1', 'SCJG', ['150302']],
        ['W1', 'WJW', ['150302']],
      ],
    });
    const drawn = runDraw({ taskId: 'T', entropy: 'x', parameters: parameters(), snapshots: tiny });
    const err = (() => {
      try {
        applySubstitutions(drawn, tiny, [request(1, 'WJW', 'W1')]);
      } catch (e) {
        return e as DrawError;
      }
      throw new Error('expected a shortfall');
    })();
    expect(err.code).toBe('SUB.SHORTFALL');
    expect(err.message).toContain('team 1: department WJW has 0 eligible officers left in region 150302');
  });

  it('refuses snapshot texts that are not the draw’s', () => {
    expect(() =>
      applySubstitutions(outcome, { ...snapshots, conflicts: 'W1\tT00\n' }, [request(1, 'WJW', wjwOf(1))]),
    ).toThrow('not the ones');
  });
});
