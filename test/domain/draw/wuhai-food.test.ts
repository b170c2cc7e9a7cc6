import { describe, it, expect } from 'vitest';
import {
  applySubstitutions,
  buildRecord,
  buildSnapshotTexts,
  drawParametersFor,
  eligibleOfficers,
  eligibleTargets,
  runDraw,
  snapshotHashes,
  verifyRecord,
  type DrawRecord,
} from '../../../src/domain/draw/index.ts';
import {
  loadConflicts,
  loadInspectors,
  loadItems,
  loadTargets,
  loadTask,
  loadVector,
  SPEC_RECORD_KEYS,
} from '../../helpers/wuhai-fixtures.ts';

const vector = loadVector<DrawRecord>('wuhai-food.json');
const task = loadTask('task-food.yaml', 'WH-2026-FOOD-01');

function foodSnapshots() {
  const targets = eligibleTargets(task, loadTargets(), {
    items: loadItems(),
    excludedUsccs: new Set(),
    sameYearExclusion: true,
  });
  const officers = eligibleOfficers(task, loadInspectors());
  return buildSnapshotTexts({ targets, officers, conflicts: loadConflicts() });
}

describe('wuhai-food.json vector (task WH-2026-FOOD-01 over the Wuhai fixtures)', () => {
  const snapshots = foodSnapshots();
  const parameters = drawParametersFor(task);
  const outcome = runDraw({ taskId: task.id, entropy: vector.entropy, parameters, snapshots });

  it('derives the task parameters, the ratio as basis points', () => {
    expect(task.id).toBe(vector.taskId);
    expect(parameters).toEqual(vector.parameters);
    expect(JSON.stringify(parameters)).toBe(JSON.stringify(vector.parameters));
  });

  it('builds the three canonical snapshot texts byte for byte from the CSV fixtures', () => {
    expect(snapshots.targets).toBe(vector.snapshots.targets);
    expect(snapshots.officers).toBe(vector.snapshots.officers);
    expect(snapshots.conflicts).toBe(vector.snapshots.conflicts);
  });

  it('hashes the snapshots and derives the seed', () => {
    expect(snapshotHashes(snapshots)).toEqual(vector.hashes);
    expect(outcome.hashes).toEqual(vector.hashes);
    expect(outcome.seed).toBe(vector.seed);
  });

  it('reproduces every target pick, class by class in draw order', () => {
    expect(outcome.targets).toEqual(vector.targets);
    expect(Object.keys(outcome.targets)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('reproduces every team: region, target order and members in draw order', () => {
    expect(outcome.teams).toEqual(vector.teams);
  });

  it('replays the approved substitution and draws 154581382531', () => {
    const requests = vector.substitutions.map(({ team, dept, out, reason, approvedBy, approvedAt }) => ({
      team,
      dept,
      out,
      reason,
      approvedBy,
      approvedAt,
    }));
    const replay = applySubstitutions(outcome, snapshots, requests);
    expect(replay.substitutions).toEqual(vector.substitutions);
    expect(replay.substitutions[0]!.in).toBe('154581382531');
    const wjw = replay.teams[0]!.members.find((m) => m.dept === 'WJW');
    expect(wjw?.certNo).toBe('154581382531');
    // The drawn teams stay as drawn; only the replay's copy changed.
    expect(outcome.teams[0]!.members[1]!.certNo).toBe('153541073065');
  });

  it('builds the export record with the spec key order, and it verifies', () => {
    const record = buildRecord({
      taskId: task.id,
      entropySource: vector.entropySource,
      entropy: vector.entropy,
      parameters,
      snapshots,
      outcome,
      substitutions: vector.substitutions,
    });
    expect(Object.keys(record)).toEqual(SPEC_RECORD_KEYS);
    expect(record).toEqual(vector);
    expect(verifyRecord(record)).toEqual({ ok: true });
  });
});
