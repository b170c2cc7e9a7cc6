import type { App } from '../app.ts';
import type { RiskClass } from '../domain/directory.ts';
import { parseTargetsSnapshot } from '../domain/draw/index.ts';
import { targetsByUscc } from '../storage/directory.ts';
import { directoryNames } from '../storage/directory.ts';
import { getDraw, loadMembers, loadTeams } from '../storage/draws.ts';
import { requestsOfTask } from '../storage/substitutions.ts';
import { deciderLabel, resultDeadline } from './card-data.ts';
import { localDate } from '../domain/time.ts';
import { taskResults } from './result-progress.ts';
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
  targets: {
    uscc: string;
    name: string | null;
    address: string | null;
    /** Complete when every department of the team has entered its part. */
    complete: boolean;
    /** Each department's part: entered (with its inspection date and categories) or due by its deadline. */
    results: {
      dept: string;
      entered: boolean;
      inspectedOn: string | null;
      categories: string[];
      deadline: string;
      deadlineProvisional: boolean;
      overdue: boolean;
    }[];
  }[];
  /** The team's substitution requests in the order they were made: who asked, why, and what became of it. */
  substitutions: SubstitutionView[];
}

export interface SubstitutionView {
  id: string;
  dept: string;
  out: { certNo: string; name: string | null };
  reason: string;
  note: string | null;
  requestedAt: string;
  state: string;
  /** Who decides it (head or liaison of the inspector's department), and why the liaison when it is. */
  decider: { role: string; label: string; why: string | null };
  decidedAt: string | null;
  decidedBy: string | null;
  comment: string | null;
  in: { certNo: string; name: string | null } | null;
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
    const requests = await requestsOfTask(db, id);
    const deptNames = (await directoryNames(db)).departments;
    const nameOf = (cert: string) => members.find((m) => m.certNo === cert)?.name ?? null;
    const today = localDate(app.clock(), app.config.LIANCHA_TZ);
    const progress = new Map((await taskResults(db, d, today)).map((t) => [t.uscc, t]));
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
        complete: progress.get(u)?.complete ?? false,
        results: (progress.get(u)?.parts ?? []).map((p) => ({
          dept: p.dept,
          entered: p.result !== null,
          inspectedOn: p.result?.inspectedOn ?? null,
          categories: p.result?.categories ?? [],
          deadline: p.deadline.date,
          deadlineProvisional: p.deadline.provisional,
          overdue: p.overdue,
        })),
      })),
      substitutions: requests
        .filter((r) => r.team === t.no)
        .map((r) => ({
          id: r.id,
          dept: r.dept,
          out: { certNo: r.outCert, name: nameOf(r.outCert) },
          reason: r.reason,
          note: r.note,
          requestedAt: r.requestedAt,
          state: r.state,
          decider: {
            role: r.decider.role,
            label: deciderLabel(deptNames.get(r.dept) ?? r.dept, r.decider.role),
            why: r.decider.why,
          },
          decidedAt: r.decidedAt,
          decidedBy: r.decidedBy,
          comment: r.comment,
          in: r.inCert ? { certNo: r.inCert, name: nameOf(r.inCert) } : null,
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
