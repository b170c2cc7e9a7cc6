/**
 * The draw itself (docs/draw-algorithm.md liancha-draw-v1): seed, targets per risk class, teams by region, members per
 * team and department. Input is the canonical snapshot texts and the export's `parameters` object only, so the
 * same function serves `draw run`, `draw preview` and `draw verify`.
 */
import { createHash } from 'node:crypto';
import { RISK_CLASSES, type RiskClass } from '../directory.ts';
import type { TaskDefinition } from '../task.ts';
import { indexSnapshots, leastLoaded, teamCandidates, type SnapshotIndex } from './candidates.ts';
import { DrawError } from './errors.ts';
import {
  parseCompactSnapshots,
  snapshotHashes,
  type SnapshotHashes,
  type SnapshotTexts,
} from './snapshot.ts';
import { drawFromSortedPool, drawK, drawPositions, sortByteOrder } from './stream.ts';
import type { TargetTable } from './target-lines.ts';

export const ALGORITHM = 'liancha-draw-v1';

/** Exactly the `parameters` object of the export (docs/draw-algorithm.md §9). */
export interface DrawParameters {
  /** Basis points per risk class (0.05 → 500); a missing class draws 0. Null when `count` is set. */
  ratioBp: Partial<Record<RiskClass, number>> | null;
  count: number | null;
  initiator: string;
  participants: string[];
  targetsPerTeam: number;
  officersPerParticipant: number;
}

/**
 * Picks per risk class in draw order — all four keys A..D with `ratioBp` (empty for a class that draws 0) —
 * or the single key `all` when the task draws a fixed count.
 */
export type DrawnTargets = Partial<Record<RiskClass | 'all', string[]>>;

export interface TeamMember {
  dept: string;
  certNo: string;
  /** Present (and true) only on the leader. */
  leader?: true;
}

export interface DrawTeam {
  no: number;
  region: string;
  /** In `groups/<region>` order. */
  targets: string[];
  /** In draw order: the initiator's first, then each participant's as the task lists them. */
  members: TeamMember[];
}

export interface DrawOutcome {
  hashes: SnapshotHashes;
  /** Hex of the 32-byte seed. */
  seed: string;
  targets: DrawnTargets;
  teams: DrawTeam[];
}

export interface DrawInput {
  taskId: string;
  entropy: string;
  parameters: DrawParameters;
  snapshots: SnapshotTexts;
}

/** The export's `parameters` of a task, ratio classes in A..D order (the order the export shows). */
export function drawParametersFor(task: TaskDefinition): DrawParameters {
  let ratioBp: DrawParameters['ratioBp'] = null;
  if (task.ratioBp !== null) {
    ratioBp = {};
    for (const cls of RISK_CLASSES) {
      const bp = task.ratioBp[cls];
      if (bp !== undefined) ratioBp[cls] = bp;
    }
  }
  return {
    ratioBp,
    count: task.count,
    initiator: task.initiator,
    participants: [...task.participants],
    targetsPerTeam: task.targetsPerTeam,
    officersPerParticipant: task.officersPerParticipant,
  };
}

/**
 * seed = SHA-256(utf8("liancha-draw-v1\n" + entropy + "\n" + taskId + "\n" + targetHash + "\n" +
 * officerHash + "\n" + conflictHash)).
 */
export function computeSeed(entropy: string, taskId: string, hashes: SnapshotHashes): Buffer {
  const text = [ALGORITHM, entropy, taskId, hashes.targets, hashes.officers, hashes.conflicts].join('\n');
  return createHash('sha256').update(text, 'utf8').digest();
}

/** k = ceil(bp × n / 10000) in integer arithmetic (BigInt, so no float ever rounds it). */
export function stratumDrawCount(bp: number, n: number): number {
  const product = BigInt(bp) * BigInt(n);
  return Number((product + 9999n) / 10000n);
}

function isCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/** Rejects parameters the algorithm does not define, with the reason. */
export function assertDrawParameters(p: DrawParameters): void {
  const bad = (why: string): never => {
    throw new DrawError('DRAW.PARAMETERS', `draw parameters: ${why}`);
  };
  if ((p.ratioBp === null) === (p.count === null)) bad('exactly one of ratioBp and count must be set');
  if (p.ratioBp !== null) {
    for (const [cls, bp] of Object.entries(p.ratioBp)) {
      if (!(RISK_CLASSES as readonly string[]).includes(cls)) bad(`ratioBp has an unknown risk class ${cls}`);
      if (!isCount(bp, 0) || bp > 10000) bad(`ratioBp.${cls} must be whole basis points from 0 to 10000`);
    }
  }
  if (p.count !== null && !isCount(p.count, 0)) bad('count must be a whole number');
  if (typeof p.initiator !== 'string' || p.initiator === '') bad('the initiator is missing');
  const departments = [p.initiator, ...p.participants];
  if (new Set(departments).size !== departments.length) bad('a department is listed twice');
  if (!isCount(p.targetsPerTeam, 1)) bad('targetsPerTeam must be a whole number of at least 1');
  if (!isCount(p.officersPerParticipant, 1))
    bad('officersPerParticipant must be a whole number of at least 1');
}

/** Line numbers of the targets snapshot, in its (USCC byte) order. */
type TargetPool = Uint32Array;

/** Eligible targets per risk class; filtering the sorted snapshot keeps each class sorted. */
function poolsByRiskClass(targets: TargetTable): Record<RiskClass, TargetPool> {
  const sizes = [0, 0, 0, 0];
  for (let i = 0; i < targets.size; i++) sizes[targets.riskCode(i)]! += 1;
  const pools = RISK_CLASSES.map((_, code) => new Uint32Array(sizes[code]!));
  const filled = [0, 0, 0, 0];
  for (let i = 0; i < targets.size; i++) {
    const code = targets.riskCode(i);
    pools[code]![filled[code]!++] = i;
  }
  return Object.fromEntries(RISK_CLASSES.map((cls, code) => [cls, pools[code]!])) as Record<
    RiskClass,
    TargetPool
  >;
}

/** The picks, and the region of every drawn target (all the team step needs to know about it). */
interface TargetDraw {
  targets: DrawnTargets;
  regionOf: Map<string, string>;
}

/**
 * Per-class draws `targets/<class>` with `ratioBp`, or one `targets/all` draw with `count`. A pool is a filter of
 * the checked snapshot, so it is in byte order by construction and only the picked targets become strings.
 */
function drawTargets(seed: Buffer, p: DrawParameters, index: SnapshotIndex): TargetDraw {
  const all = index.targets;
  const regionOf = new Map<string, string>();
  const drawFrom = (label: string, size: number, lineAt: (position: number) => number, k: number): string[] =>
    drawFromSortedPool(seed, label, size, k).map((position) => {
      const line = lineAt(position);
      const uscc = all.uscc(line);
      regionOf.set(uscc, all.region(line));
      return uscc;
    });

  if (p.ratioBp === null) {
    const count = p.count!;
    if (count > all.size) {
      throw new DrawError(
        'DRAW.K_EXCEEDS_POOL',
        `count ${count} is more than the ${all.size} eligible targets`,
        { needed: count, available: all.size },
      );
    }
    return { targets: { all: drawFrom('targets/all', all.size, (i) => i, count) }, regionOf };
  }
  const pools = poolsByRiskClass(all);
  const targets: DrawnTargets = {};
  for (const cls of RISK_CLASSES) {
    const pool = pools[cls];
    const k = stratumDrawCount(p.ratioBp[cls] ?? 0, pool.length);
    targets[cls] = drawFrom(`targets/${cls}`, pool.length, (i) => pool[i]!, k);
  }
  return { targets, regionOf };
}

/** Region groups in byte order, each ordered by `groups/<region>` and cut into teams of targetsPerTeam. */
function formTeams(seed: Buffer, regionOf: ReadonlyMap<string, string>, perTeam: number): DrawTeam[] {
  const byRegion = new Map<string, string[]>();
  for (const [uscc, region] of regionOf) {
    const group = byRegion.get(region);
    if (group) group.push(uscc);
    else byRegion.set(region, [uscc]);
  }
  const teams: DrawTeam[] = [];
  for (const region of sortByteOrder([...byRegion.keys()])) {
    const group = byRegion.get(region)!;
    const order = drawK(seed, `groups/${region}`, group, group.length);
    for (let start = 0; start < order.length; start += perTeam) {
      teams.push({ no: teams.length + 1, region, targets: order.slice(start, start + perTeam), members: [] });
    }
  }
  return teams;
}

/** A shortfall names the team, department, region, what is needed and what is there. */
export function shortfall(
  team: number,
  dept: string,
  region: string,
  needed: number,
  available: number,
): DrawError {
  const officers = available === 1 ? 'officer' : 'officers';
  return new DrawError(
    'DRAW.SHORTFALL',
    `team ${team}: department ${dept} has ${available} eligible ${officers} in region ${region}, needs ${needed}`,
    { team, dept, region, needed, available },
  );
}

/**
 * For each team in order and each department (initiator, then participants): candidates per the officer
 * rules, the least-loaded of them, then `drawK("team/<no>/<dept>", …, m)`. m = 1 for the initiator (the
 * leader) or 2 when it is the only department; officersPerParticipant for each participant.
 */
function drawMembers(seed: Buffer, index: SnapshotIndex, teams: DrawTeam[], p: DrawParameters): void {
  const departments = [p.initiator, ...p.participants];
  const load = new Map<string, number>();
  for (const team of teams) {
    const onTeam = new Set<string>();
    departments.forEach((dept, position) => {
      const isInitiator = position === 0;
      const m = isInitiator ? (departments.length === 1 ? 2 : 1) : p.officersPerParticipant;
      const candidates = teamCandidates(index, team, dept, onTeam);
      if (candidates.length < m) throw shortfall(team.no, dept, team.region, m, candidates.length);
      // Candidates come in certificate byte order by construction, so no re-sort is needed.
      const pool = leastLoaded(candidates, load, m);
      const picks = drawPositions(seed, `team/${team.no}/${dept}`, pool, m).map((i) => pool[i]!);
      picks.forEach((certNo, i) => {
        team.members.push(isInitiator && i === 0 ? { dept, certNo, leader: true } : { dept, certNo });
        onTeam.add(certNo);
        load.set(certNo, (load.get(certNo) ?? 0) + 1);
      });
    });
  }
}

/** Every drawn USCC, class by class in A..D order (or the `all` list). */
export function drawnUsccs(targets: DrawnTargets): string[] {
  return targets.all ? [...targets.all] : RISK_CLASSES.flatMap((cls) => targets[cls] ?? []);
}

/** Everything runDraw derives before drawing members; shared with substitution replay and verify. */
export interface PreparedDraw {
  hashes: SnapshotHashes;
  seed: Buffer;
  index: SnapshotIndex;
}

/** Hashes the texts, derives the seed and indexes the parsed snapshots. */
export function prepareDraw(taskId: string, entropy: string, snapshots: SnapshotTexts): PreparedDraw {
  const hashes = snapshotHashes(snapshots);
  return {
    hashes,
    seed: computeSeed(entropy, taskId, hashes),
    index: indexSnapshots(parseCompactSnapshots(snapshots)),
  };
}

/**
 * The whole draw from the canonical snapshot texts: seed, target picks and teams with their members, exactly
 * as the export records them (before substitutions). Pure and deterministic.
 * @throws DrawError DRAW.SHORTFALL naming team, department, region, needed and available;
 *   DRAW.K_EXCEEDS_POOL, DRAW.PARAMETERS, DRAW.SNAPSHOT_FORMAT.
 */
export function runDraw(input: DrawInput): DrawOutcome {
  assertDrawParameters(input.parameters);
  if (input.entropy === '') throw new DrawError('DRAW.PARAMETERS', 'the entropy is empty');
  return drawPrepared(prepareDraw(input.taskId, input.entropy, input.snapshots), input.parameters);
}

/** runDraw after prepareDraw, for callers that also need the index (substitution replay, verify). */
export function drawPrepared(prepared: PreparedDraw, parameters: DrawParameters): DrawOutcome {
  assertDrawParameters(parameters);
  const { hashes, seed, index } = prepared;
  const { targets, regionOf } = drawTargets(seed, parameters, index);
  const teams = formTeams(seed, regionOf, parameters.targetsPerTeam);
  drawMembers(seed, index, teams, parameters);
  return { hashes, seed: seed.toString('hex'), targets, teams };
}
