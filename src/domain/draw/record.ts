/**
 * The draw record: the export JSON (docs/draw-algorithm.md §9), which is all an independent party needs, and its verifier.
 * verifyRecord trusts nothing in the record but the inputs (entropy, task id, parameters, snapshot texts,
 * substitution requests): it recomputes everything else and names the first difference in plain words.
 */
import { z } from 'zod';
import { indexSnapshots } from './candidates.ts';
import {
  ALGORITHM,
  computeSeed,
  drawPrepared,
  type DrawOutcome,
  type DrawParameters,
  type DrawTeam,
  type DrawnTargets,
  type PreparedDraw,
} from './draw.ts';
import { DrawError } from './errors.ts';
import {
  SNAPSHOT_NAMES,
  parseCompactSnapshots,
  snapshotHashes,
  type SnapshotHashes,
  type SnapshotTexts,
} from './snapshot.ts';
import { SubstitutionReplayer, type SubstitutionRecord } from './substitution.ts';
import { RISK_CLASSES } from '../directory.ts';

/** The export (docs/draw-algorithm.md §9), keys in the order it shows (buildRecord writes them so). */
export interface DrawRecord {
  algorithm: typeof ALGORITHM;
  taskId: string;
  entropySource: string;
  entropy: string;
  parameters: DrawParameters;
  snapshots: SnapshotTexts;
  hashes: SnapshotHashes;
  seed: string;
  targets: DrawnTargets;
  teams: DrawTeam[];
  substitutions: SubstitutionRecord[];
}

export interface RecordInput {
  taskId: string;
  entropySource: string;
  entropy: string;
  parameters: DrawParameters;
  snapshots: SnapshotTexts;
  outcome: DrawOutcome;
  /** Approved substitutions in approval order, as drawn. */
  substitutions?: readonly SubstitutionRecord[];
}

/** Copies the parameters with keys (and ratio classes) in the export's order. */
function orderedParameters(p: DrawParameters): DrawParameters {
  let ratioBp: DrawParameters['ratioBp'] = null;
  if (p.ratioBp !== null) {
    ratioBp = {};
    for (const cls of RISK_CLASSES) if (p.ratioBp[cls] !== undefined) ratioBp[cls] = p.ratioBp[cls];
  }
  return {
    ratioBp,
    count: p.count,
    initiator: p.initiator,
    participants: [...p.participants],
    targetsPerTeam: p.targetsPerTeam,
    officersPerParticipant: p.officersPerParticipant,
  };
}

function orderedTargets(targets: DrawnTargets): DrawnTargets {
  if (targets.all) return { all: [...targets.all] };
  return Object.fromEntries(RISK_CLASSES.map((cls) => [cls, [...(targets[cls] ?? [])]]));
}

function orderedTeam(t: DrawTeam): DrawTeam {
  return {
    no: t.no,
    region: t.region,
    targets: [...t.targets],
    members: t.members.map((m) =>
      m.leader ? { dept: m.dept, certNo: m.certNo, leader: true } : { dept: m.dept, certNo: m.certNo },
    ),
  };
}

function orderedSubstitution(s: SubstitutionRecord): SubstitutionRecord {
  const { team, dept, n, out, reason, approvedBy, approvedAt } = s;
  return { team, dept, n, out, in: s.in, reason, approvedBy, approvedAt };
}

/** Assembles the export JSON (key order as in docs/draw-algorithm.md) from a draw and its substitutions. */
export function buildRecord(input: RecordInput): DrawRecord {
  const { outcome } = input;
  return {
    algorithm: ALGORITHM,
    taskId: input.taskId,
    entropySource: input.entropySource,
    entropy: input.entropy,
    parameters: orderedParameters(input.parameters),
    snapshots: {
      targets: input.snapshots.targets,
      officers: input.snapshots.officers,
      conflicts: input.snapshots.conflicts,
    },
    hashes: {
      targets: outcome.hashes.targets,
      officers: outcome.hashes.officers,
      conflicts: outcome.hashes.conflicts,
    },
    seed: outcome.seed,
    targets: orderedTargets(outcome.targets),
    teams: outcome.teams.map(orderedTeam),
    substitutions: (input.substitutions ?? []).map(orderedSubstitution),
  };
}

const texts = z.object({ targets: z.string(), officers: z.string(), conflicts: z.string() });
const ids = z.array(z.string());
const recordSchema = z.object({
  algorithm: z.literal(ALGORITHM),
  taskId: z.string(),
  entropySource: z.string(),
  entropy: z.string(),
  parameters: z.object({
    ratioBp: z.record(z.number()).nullable(),
    count: z.number().nullable(),
    initiator: z.string(),
    participants: ids,
    targetsPerTeam: z.number(),
    officersPerParticipant: z.number(),
  }),
  snapshots: texts,
  hashes: texts,
  seed: z.string(),
  targets: z.record(ids),
  teams: z.array(
    z.object({
      no: z.number(),
      region: z.string(),
      targets: ids,
      members: z.array(z.object({ dept: z.string(), certNo: z.string(), leader: z.boolean().optional() })),
    }),
  ),
  substitutions: z.array(
    z.object({
      team: z.number(),
      dept: z.string(),
      n: z.number(),
      out: z.string(),
      in: z.string(),
      reason: z.string(),
      approvedBy: z.string(),
      approvedAt: z.string(),
    }),
  ),
});

/**
 * Checks that parsed JSON has the export's shape (types only; verifyRecord checks the content).
 * @throws DrawError DRAW.PARAMETERS naming the first field that is missing or of the wrong type.
 */
export function parseDrawRecord(json: unknown): DrawRecord {
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success)
    throw new DrawError('DRAW.PARAMETERS', `draw record: ${describeIssue(parsed.error.issues[0])}`);
  return json as DrawRecord;
}

function describeIssue(issue: z.ZodIssue | undefined): string {
  if (!issue) return 'not a draw record';
  const path = issue.path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
    '',
  );
  return `${path || 'the record'}: ${issue.message}`;
}

export type VerifyResult = { ok: true } | { ok: false; difference: string };

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return value;
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 77)}…` : json;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The first place where `recorded` and `replayed` differ, as `path: recorded X, replay gives Y`; arrays
 * element by element before their lengths, objects in the replay's key order then extra recorded keys.
 */
export function firstDifference(path: string, recorded: unknown, replayed: unknown): string | null {
  if (Array.isArray(recorded) && Array.isArray(replayed)) {
    const shared = Math.min(recorded.length, replayed.length);
    for (let i = 0; i < shared; i++) {
      const found = firstDifference(`${path}[${i}]`, recorded[i], replayed[i]);
      if (found) return found;
    }
    if (recorded.length !== replayed.length) {
      return `${path}: recorded ${recorded.length} entries, replay gives ${replayed.length}`;
    }
    return null;
  }
  if (isPlainObject(recorded) && isPlainObject(replayed)) {
    const keys = [...Object.keys(replayed), ...Object.keys(recorded).filter((k) => !(k in replayed))];
    for (const key of keys) {
      const found = firstDifference(path ? `${path}.${key}` : key, recorded[key], replayed[key]);
      if (found) return found;
    }
    return null;
  }
  if (recorded === replayed) return null;
  return `${path}: recorded ${show(recorded)}, replay gives ${show(replayed)}`;
}

/**
 * Replays a record from its own inputs — snapshot texts, entropy, task id, parameters and the substitution
 * requests — and compares the hashes, the seed, every target pick, every team and every substitution.
 * Reports the first difference in plain words, e.g.
 * `hashes.targets: recorded 0251… but the snapshot text hashes to 9a3c…` or
 * `teams[1].members[2].certNo: recorded X, replay gives Y` (indices are 0-based JSON positions).
 */
export function verifyRecord(record: unknown): VerifyResult {
  const differ = (difference: string): VerifyResult => ({ ok: false, difference });
  let rec: DrawRecord;
  try {
    rec = parseDrawRecord(record);
  } catch (error) {
    return differ(errorText(error));
  }

  // Hashes and seed first: a changed snapshot line must show up as a hash mismatch, even when the change
  // also breaks the canonical form.
  const hashes = snapshotHashes(rec.snapshots);
  for (const name of SNAPSHOT_NAMES) {
    if (rec.hashes[name] !== hashes[name]) {
      return differ(
        `hashes.${name}: recorded ${rec.hashes[name]} but the snapshot text hashes to ${hashes[name]}`,
      );
    }
  }
  const seed = computeSeed(rec.entropy, rec.taskId, hashes);
  if (rec.seed !== seed.toString('hex')) {
    return differ(
      `seed: recorded ${rec.seed} but the entropy, task id and hashes give ${seed.toString('hex')}`,
    );
  }
  let prepared: PreparedDraw;
  try {
    prepared = { hashes, seed, index: indexSnapshots(parseCompactSnapshots(rec.snapshots)) };
  } catch (error) {
    return differ(errorText(error));
  }

  let outcome: DrawOutcome;
  try {
    if (rec.entropy === '') throw new DrawError('DRAW.PARAMETERS', 'the entropy is empty');
    outcome = drawPrepared(prepared, rec.parameters);
  } catch (error) {
    return differ(`the draw cannot be replayed: ${errorText(error)}`);
  }
  const drawDifference =
    firstDifference('targets', rec.targets, outcome.targets) ??
    firstDifference('teams', rec.teams, outcome.teams);
  if (drawDifference) return differ(drawDifference);

  const replayer = new SubstitutionReplayer(prepared.seed, prepared.index, outcome.teams);
  for (const [i, recorded] of rec.substitutions.entries()) {
    let replayed: SubstitutionRecord;
    try {
      replayed = replayer.apply(recorded);
    } catch (error) {
      return differ(`substitutions[${i}] cannot be replayed: ${errorText(error)}`);
    }
    const found = firstDifference(`substitutions[${i}]`, recorded, replayed);
    if (found) return differ(found);
  }
  return { ok: true };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
