import { describe, it, expect } from 'vitest';
import { computeSeed, sha256Hex, verifyRecord, type DrawRecord } from '../../../src/domain/draw/index.ts';
import { loadVector } from '../../helpers/wuhai-fixtures.ts';

const vector = loadVector<DrawRecord>('wuhai-food.json');
const tampered = (change: (r: DrawRecord) => void): DrawRecord => {
  const copy = structuredClone(vector);
  change(copy);
  return copy;
};

describe('verifyRecord', () => {
  it('MATCH on the published vector', () => {
    expect(verifyRecord(vector)).toEqual({ ok: true });
  });

  it('reports a changed target pick', () => {
    const record = tampered((r) => {
      r.targets.B![2] = '9115030260J006RL9Q';
    });
    expect(verifyRecord(record)).toEqual({
      ok: false,
      difference: 'targets.B[2]: recorded 9115030260J006RL9Q, replay gives 9215030317F0WTXG5N',
    });
  });

  it('reports a missing pick by count', () => {
    const record = tampered((r) => {
      r.targets.D!.pop();
    });
    expect(verifyRecord(record)).toEqual({
      ok: false,
      difference: 'targets.D: recorded 0 entries, replay gives 1',
    });
  });

  it('reports a changed snapshot line as a hash difference', () => {
    const record = tampered((r) => {
      r.snapshots.targets = r.snapshots.targets.replace('91150302006A7LTF3D\tA', '91150302006A7LTF3D\tB');
    });
    const result = verifyRecord(record);
    expect(result).toEqual({
      ok: false,
      difference: `hashes.targets: recorded ${vector.hashes.targets} but the snapshot text hashes to ${sha256Hex(record.snapshots.targets)}`,
    });
  });

  it('reports a seed that does not follow from the inputs', () => {
    const record = tampered((r) => {
      r.entropy = '3.0.9./';
    });
    const result = verifyRecord(record);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.difference).toMatch(
      /^seed: recorded adad8cc8\w+ but the entropy, task id and hashes give \w{64}$/,
    );
  });

  it('reports a changed snapshot with hash and seed recomputed at the first pick that differs', () => {
    const record = tampered((r) => {
      r.snapshots.targets = r.snapshots.targets.replace('91150302425Y00BB7Q\tA\t150302\n', '');
      r.hashes.targets = sha256Hex(r.snapshots.targets);
      r.seed = computeSeed(r.entropy, r.taskId, r.hashes).toString('hex');
    });
    const result = verifyRecord(record);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.difference).toMatch(
      /^targets\.A\[0\]: recorded 91150302425Y00BB7Q, replay gives \w{18}$/,
    );
  });

  it('reports a changed team member with its JSON path', () => {
    const record = tampered((r) => {
      r.teams[1]!.members[2]!.certNo = '151059988324';
    });
    expect(verifyRecord(record)).toEqual({
      ok: false,
      difference: 'teams[1].members[2].certNo: recorded 151059988324, replay gives 155482037864',
    });
  });

  it('reports a leader flag that should not be there', () => {
    const record = tampered((r) => {
      r.teams[0]!.members[1]!.leader = true;
    });
    expect(verifyRecord(record)).toEqual({
      ok: false,
      difference: 'teams[0].members[1].leader: recorded true, replay gives nothing',
    });
  });

  it('reports a changed substitution', () => {
    const record = tampered((r) => {
      r.substitutions[0]!.in = '156676319290';
    });
    expect(verifyRecord(record)).toEqual({
      ok: false,
      difference: 'substitutions[0].in: recorded 156676319290, replay gives 154581382531',
    });
    const wrongOut = tampered((r) => {
      r.substitutions[0]!.out = '150534496444';
    });
    const result = verifyRecord(wrongOut);
    expect(!result.ok && result.difference).toBe(
      'substitutions[0] cannot be replayed: 150534496444 is not on team 1 at this point',
    );
  });

  it('reports a record that is not shaped like an export', () => {
    const result = verifyRecord({ ...vector, teams: 'none' });
    expect(!result.ok && result.difference).toMatch(/^draw record: teams: /);
    expect(verifyRecord({ ...vector, algorithm: 'other' }).ok).toBe(false);
  });

  it('reports a parameter change as a replay difference', () => {
    const record = tampered((r) => {
      r.parameters.targetsPerTeam = 4;
    });
    const result = verifyRecord(record);
    expect(!result.ok && result.difference).toMatch(/^teams/);
  });
});
