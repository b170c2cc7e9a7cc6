import type { App } from '../app.ts';
import type { RiskClass } from '../domain/directory.ts';
import { parseTargetsSnapshot } from '../domain/draw/index.ts';
import { targetsByUscc } from '../storage/directory.ts';
import { getDraw, loadMembers, loadTeams } from '../storage/draws.ts';
import { resultDeadline } from './card-data.ts';
import { requireTask } from './tasks.ts';

export interface TeamView {
  no: number;
  region: string;
  /** Result-entry deadline (ISO date) and whether the calendar could only estimate it (暂定). */
  deadline: string;
  deadlineProvisional: boolean;
  members: {
    certNo: string;
    name: string | null;
    dept: string;
    leader: boolean;
    active: boolean;
    via: string;
    confirmedAt: string | null;
  }[];
  targets: { uscc: string; name: string | null; address: string | null }[];
}

/** Everything `task show` prints, as data. */
export async function taskView(app: App, id: string) {
  const { db } = app.store;
  const task = await requireTask(app, id);
  const draw = await getDraw(db, id);
  const d = task.definition;
  const pools = draw
    ? {
        targets: countLines(draw.snapshots.targets),
        officers: countLines(draw.snapshots.officers),
        conflicts: countLines(draw.snapshots.conflicts),
        byRisk: riskCounts(draw.snapshots.targets),
      }
    : null;
  let teams: TeamView[] = [];
  if (draw?.seed) {
    const due = resultDeadline(d);
    const members = await loadMembers(db, id);
    const structure = await loadTeams(db, id, { drawnOnly: false });
    const names = await targetsByUscc(
      db,
      structure.flatMap((t) => t.targets),
    );
    teams = structure.map((t) => ({
      no: t.no,
      region: t.region,
      deadline: due.date,
      deadlineProvisional: due.provisional,
      members: members
        .filter((m) => m.teamNo === t.no)
        .map((m) => ({
          certNo: m.certNo,
          name: m.name,
          dept: m.dept,
          leader: m.leader,
          active: m.active,
          via: m.source,
          confirmedAt: m.confirmedAt,
        })),
      targets: t.targets.map((u) => ({
        uscc: u,
        name: names.get(u)?.name ?? null,
        address: names.get(u)?.address ?? null,
      })),
    }));
  }
  return {
    id: task.id,
    name: task.name,
    state: task.state,
    voidReason: task.voidReason,
    parameters: d,
    freeze: draw ? { at: draw.frozenAt, entropySource: draw.entropySource, hashes: draw.hashes } : null,
    run: draw?.seed ? { at: draw.runAt, entropy: draw.entropy, seed: draw.seed } : null,
    pools,
    teams,
  };
}

/** Eligible targets per risk class, read from the frozen snapshot (one pass over its lines). */
function riskCounts(targetsSnapshot: string): Record<RiskClass, number> {
  const counts: Record<RiskClass, number> = { A: 0, B: 0, C: 0, D: 0 };
  for (const t of parseTargetsSnapshot(targetsSnapshot)) counts[t.risk] += 1;
  return counts;
}

function countLines(text: string): number {
  return text === '' ? 0 : text.split('\n').length - 1;
}
