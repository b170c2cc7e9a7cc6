/**
 * The per-team officer rules shared by the team draw and substitutions (docs/domain.md rule 3, docs/draw-algorithm.md "Teams"):
 * department, region coverage, conflicts, not already (or ever) on the team, and load spreading.
 * Look-ups are precomputed once per draw so a team costs O(its candidates + its targets' conflicts).
 */
import type { CompactSnapshots } from './snapshot.ts';
import type { TargetTable } from './target-lines.ts';

/** The snapshots indexed for the draw. */
export interface SnapshotIndex {
  /** The targets snapshot, in USCC byte order. */
  targets: TargetTable;
  /**
   * `dept \t region` → certificate numbers of that department's officers covering the region, in byte
   * order (the parsed snapshot's order), so candidate lists need no re-sort before drawK.
   */
  officersByDeptRegion: ReadonlyMap<string, readonly string[]>;
  /** USCC → certificate numbers in conflict with it. */
  conflictsByUscc: ReadonlyMap<string, readonly string[]>;
}

const deptRegionKey = (dept: string, region: string): string => `${dept}\t${region}`;

/** Builds the look-ups the team draw needs from parsed snapshots (parseCompactSnapshots: canonical order). */
export function indexSnapshots(snapshots: CompactSnapshots): SnapshotIndex {
  const officersByDeptRegion = new Map<string, string[]>();
  for (const officer of snapshots.officers) {
    for (const region of officer.regions) {
      const key = deptRegionKey(officer.dept, region);
      const list = officersByDeptRegion.get(key);
      if (list) list.push(officer.certNo);
      else officersByDeptRegion.set(key, [officer.certNo]);
    }
  }
  const conflictsByUscc = new Map<string, string[]>();
  for (const c of snapshots.conflicts) {
    const list = conflictsByUscc.get(c.uscc);
    if (list) list.push(c.certNo);
    else conflictsByUscc.set(c.uscc, [c.certNo]);
  }
  return { targets: snapshots.targets, officersByDeptRegion, conflictsByUscc };
}

/** What the officer rules need to know about a team. */
export interface TeamPlace {
  no: number;
  region: string;
  targets: readonly string[];
}

/**
 * The department's snapshot officers whose regions include the team's region, with no conflict with any
 * of the team's targets, and not in `excluded` (already on the team, or ever on it for substitutions).
 */
export function teamCandidates(
  index: SnapshotIndex,
  team: TeamPlace,
  dept: string,
  excluded: ReadonlySet<string>,
): string[] {
  const covering = index.officersByDeptRegion.get(deptRegionKey(dept, team.region)) ?? [];
  const conflicted = new Set<string>();
  for (const uscc of team.targets)
    for (const cert of index.conflictsByUscc.get(uscc) ?? []) conflicted.add(cert);
  return covering.filter((cert) => !excluded.has(cert) && !conflicted.has(cert));
}

/**
 * Load spreading: keep only the candidates on the fewest teams so far. If fewer than `m` share the lowest
 * load (only possible when m > 1), the next load level joins, and so on, until at least `m` remain — a
 * busier officer is taken only when not enough less-busy ones are left. With m = 1 this is exactly
 * "the fewest teams so far".
 */
export function leastLoaded(
  candidates: readonly string[],
  load: ReadonlyMap<string, number>,
  m: number,
): string[] {
  if (candidates.length <= m) return [...candidates];
  const loads = candidates.map((cert) => load.get(cert) ?? 0);
  const levels = [...new Set(loads)].sort((a, b) => a - b);
  for (const level of levels) {
    const kept = candidates.filter((_, i) => loads[i]! <= level);
    if (kept.length >= m) return kept;
  }
  return [...candidates];
}
