/**
 * Approved replacements (docs/draw-algorithm.md "Substitutions"): the n-th replacement on a team for a department is
 * `drawK("sub/<team>/<dept>/<n>", candidates, 1)`, candidates as for the team draw minus everyone ever on
 * that team, then the least loaded. Replayed in approval order, since each one changes the loads.
 */
import {
  indexSnapshots,
  leastLoaded,
  teamCandidates,
  type SnapshotIndex,
  type TeamPlace,
} from './candidates.ts';
import type { DrawOutcome, DrawTeam } from './draw.ts';
import { DrawError } from './errors.ts';
import { parseCompactSnapshots, snapshotHashes, type SnapshotTexts } from './snapshot.ts';
import { drawPositions } from './stream.ts';

/** An approved request, as the export lists it minus what the draw decides (`n`, `in`). */
export interface SubstitutionRequest {
  team: number;
  dept: string;
  out: string;
  reason: string;
  approvedBy: string;
  /** ISO time of the approval. */
  approvedAt: string;
}

/** One entry of the export's `substitutions`, keys in the order the export writes them. */
export interface SubstitutionRecord {
  team: number;
  dept: string;
  n: number;
  out: string;
  in: string;
  reason: string;
  approvedBy: string;
  approvedAt: string;
}

export interface SubstituteDraw {
  seed: Buffer;
  index: SnapshotIndex;
  team: TeamPlace;
  dept: string;
  /** 1 for the team's first approved replacement for this department, 2 for the second, … */
  n: number;
  /** Everyone who has ever been on the team, the one leaving included. */
  everOnTeam: ReadonlySet<string>;
  /** Teams each officer is on right now, earlier substitutions included. */
  load: ReadonlyMap<string, number>;
}

/**
 * Draws one replacement: `drawK("sub/<team>/<dept>/<n>", leastLoaded(candidates), 1)`.
 * @throws DrawError SUB.SHORTFALL when no officer is left for the department in the team's region.
 */
export function drawSubstitute(args: SubstituteDraw): string {
  const { seed, index, team, dept, n, everOnTeam, load } = args;
  const candidates = teamCandidates(index, team, dept, everOnTeam);
  if (candidates.length === 0) {
    throw new DrawError(
      'SUB.SHORTFALL',
      `team ${team.no}: department ${dept} has 0 eligible officers left in region ${team.region} for replacement ${n}, needs 1`,
      { team: team.no, dept, region: team.region, needed: 1, available: 0 },
    );
  }
  // Candidates come in certificate byte order by construction, so no re-sort is needed.
  const pool = leastLoaded(candidates, load, 1);
  return pool[drawPositions(seed, `sub/${team.no}/${dept}/${n}`, pool, 1)[0]!]!;
}

/** The records with `n` and `in`, and every team's membership after them. */
export interface SubstitutionReplay {
  substitutions: SubstitutionRecord[];
  /** Current membership: a replacement takes the leaving member's place (and leader flag). */
  teams: DrawTeam[];
}

/**
 * Replays approved substitutions one at a time, in approval order, against a draw's teams. Step by step
 * so the verifier can compare each record before the next one is drawn.
 */
export class SubstitutionReplayer {
  private readonly current: DrawTeam[];
  private readonly byNo: Map<number, DrawTeam>;
  private readonly everOn: Map<number, Set<string>>;
  private readonly load = new Map<string, number>();
  private readonly approvedSoFar = new Map<string, number>();

  constructor(
    private readonly seed: Buffer,
    private readonly index: SnapshotIndex,
    drawnTeams: readonly DrawTeam[],
  ) {
    this.current = drawnTeams.map((t) => ({
      ...t,
      targets: [...t.targets],
      members: t.members.map((m) => ({ ...m })),
    }));
    this.byNo = new Map(this.current.map((t) => [t.no, t]));
    this.everOn = new Map(this.current.map((t) => [t.no, new Set(t.members.map((m) => m.certNo))]));
    for (const t of this.current) for (const m of t.members) this.bumpLoad(m.certNo, 1);
  }

  /** Current membership: a replacement takes the leaving member's place (and leader flag). */
  get teams(): DrawTeam[] {
    return this.current;
  }

  /**
   * How many officers a replacement on this team for this department could be drawn from right now: the
   * department's officers covering the team's region, with no conflict with its targets, never on the team.
   */
  eligibleCount(teamNo: number, dept: string): number {
    const team = this.byNo.get(teamNo);
    if (!team) return 0;
    return teamCandidates(this.index, team, dept, this.everOn.get(teamNo)!).length;
  }

  private bumpLoad(certNo: string, by: number): void {
    this.load.set(certNo, (this.load.get(certNo) ?? 0) + by);
  }

  /**
   * Applies the next approved request and returns its record with `n` and `in`.
   * @throws DrawError SUB.UNKNOWN_TEAM, SUB.NOT_MEMBER (the one leaving is not on the team for that
   *   department at this point) or SUB.SHORTFALL.
   */
  apply(request: SubstitutionRequest): SubstitutionRecord {
    const team = this.byNo.get(request.team);
    if (!team)
      throw new DrawError('SUB.UNKNOWN_TEAM', `there is no team ${request.team}`, { team: request.team });
    const member = team.members.find((m) => m.certNo === request.out);
    if (!member || member.dept !== request.dept) {
      const where = member
        ? `is on team ${team.no} for ${member.dept}, not ${request.dept}`
        : `is not on team ${team.no}`;
      throw new DrawError('SUB.NOT_MEMBER', `${request.out} ${where} at this point`, { team: team.no });
    }
    const key = `${team.no}\t${request.dept}`;
    const n = (this.approvedSoFar.get(key) ?? 0) + 1;
    this.approvedSoFar.set(key, n);
    this.bumpLoad(request.out, -1);
    const ever = this.everOn.get(team.no)!;
    const incoming = drawSubstitute({
      seed: this.seed,
      index: this.index,
      team,
      dept: request.dept,
      n,
      everOnTeam: ever,
      load: this.load,
    });
    member.certNo = incoming;
    ever.add(incoming);
    this.bumpLoad(incoming, 1);
    return {
      team: request.team,
      dept: request.dept,
      n,
      out: request.out,
      in: incoming,
      reason: request.reason,
      approvedBy: request.approvedBy,
      approvedAt: request.approvedAt,
    };
  }
}

/** Replays all requests in order from an already indexed snapshot; see SubstitutionReplayer.apply. */
export function replaySubstitutions(
  seed: Buffer,
  index: SnapshotIndex,
  drawnTeams: readonly DrawTeam[],
  requests: readonly SubstitutionRequest[],
): SubstitutionReplay {
  const replayer = new SubstitutionReplayer(seed, index, drawnTeams);
  const substitutions = requests.map((r) => replayer.apply(r));
  return { substitutions, teams: replayer.teams };
}

/**
 * Replays approved substitutions (in approval order) on a draw outcome using its snapshot texts. To draw a
 * newly approved replacement, pass the earlier ones plus the new one and take the last record.
 * @throws DrawError DRAW.PARAMETERS when the texts are not the ones the outcome was drawn from; see
 *   replaySubstitutions for the rest.
 */
export function applySubstitutions(
  outcome: DrawOutcome,
  snapshots: SnapshotTexts,
  requests: readonly SubstitutionRequest[],
): SubstitutionReplay {
  const hashes = snapshotHashes(snapshots);
  if (
    hashes.targets !== outcome.hashes.targets ||
    hashes.officers !== outcome.hashes.officers ||
    hashes.conflicts !== outcome.hashes.conflicts
  ) {
    throw new DrawError('DRAW.PARAMETERS', 'the snapshot texts are not the ones this draw was made from');
  }
  const index = indexSnapshots(parseCompactSnapshots(snapshots));
  return replaySubstitutions(Buffer.from(outcome.seed, 'hex'), index, outcome.teams, requests);
}
