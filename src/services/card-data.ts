import type { Kysely } from 'kysely';
import type { AssignmentCardData, DrawResultCardData, MemberView, TaskSummary } from '../cards/index.ts';
import { addWorkingDays } from '../domain/calendar.ts';
import { RISK_CLASSES } from '../domain/directory.ts';
import type { DrawOutcome } from '../domain/draw/index.ts';
import type { TaskDefinition } from '../domain/task.ts';
import { targetsByUscc } from '../storage/directory.ts';
import type { DrawRow } from '../storage/draws.ts';
import { openIdFor } from '../storage/identities.ts';
import type { Database } from '../storage/schema.ts';
import { loadCalendar } from './calendar.ts';

/** Gathers what the cards show from the database; the cards themselves (src/cards) stay pure. */

type Db = Kysely<Database>;

export async function taskSummary(db: Db, task: TaskDefinition): Promise<TaskSummary> {
  const depts = new Map(
    (await db.selectFrom('departments').select(['code', 'name']).execute()).map((d) => [d.code, d.name]),
  );
  const items = new Map(
    (await db.selectFrom('items').select(['code', 'name']).execute()).map((i) => [i.code, i.name]),
  );
  const dept = (code: string) => ({ code, name: depts.get(code) ?? code });
  return {
    id: task.id,
    name: task.name,
    initiator: dept(task.initiator),
    participants: task.participants.map(dept),
    items: task.items.map((code) => ({ code, name: items.get(code) ?? code })),
    window: task.window,
    resultDays: task.resultDays,
  };
}

/** Until a result carries its inspection date, it is due N working days after the window's end. */
export function resultDeadline(task: TaskDefinition) {
  return addWorkingDays(loadCalendar(), task.window.end, task.resultDays);
}

interface MemberRow {
  team_no: number;
  cert_no: string;
  dept: string;
  leader: number;
  active: number;
  confirmed_at: string | null;
  confirmed_by: string | null;
  version: number;
  name: string | null;
  open_id: string | null;
  mobile: string | null;
}

async function memberRows(db: Db, taskId: string): Promise<MemberRow[]> {
  const rows = await db
    .selectFrom('team_members as m')
    .innerJoin('inspectors as i', 'i.cert_no', 'm.cert_no')
    .select([
      'm.team_no',
      'm.cert_no',
      'm.dept',
      'm.leader',
      'm.active',
      'm.confirmed_at',
      'm.confirmed_by',
      'm.version',
      'i.name',
      'i.open_id',
      'i.mobile',
    ])
    .where('m.task_id', '=', taskId)
    .orderBy('m.team_no')
    .orderBy('m.position')
    .execute();
  return rows.map((r) => ({
    ...r,
    team_no: Number(r.team_no),
    leader: Number(r.leader),
    active: Number(r.active),
    version: Number(r.version),
  }));
}

/** The Feishu open_id of an inspector: the imported open_id, or the resolved mobile; null when unknown. */
export async function inspectorOpenId(
  db: Db,
  row: { open_id: string | null; mobile: string | null },
): Promise<string | null> {
  if (row.open_id) return openIdFor(db, row.open_id);
  return row.mobile ? openIdFor(db, row.mobile) : null;
}

function memberView(r: MemberRow, deptNames: Map<string, string>): MemberView {
  return {
    certNo: r.cert_no,
    name: r.name ?? r.cert_no,
    dept: r.dept,
    deptName: deptNames.get(r.dept) ?? r.dept,
    leader: r.leader === 1,
  };
}

export async function drawResultData(
  db: Db,
  task: TaskDefinition,
  draw: DrawRow,
  outcome: DrawOutcome,
): Promise<DrawResultCardData> {
  const summary = await taskSummary(db, task);
  const deptNames = new Map([summary.initiator, ...summary.participants].map((d) => [d.code, d.name]));
  const members = await memberRows(db, task.id);
  const drawn = outcome.teams.flatMap((t) => t.targets);
  const inDept = new Map<string, number>();
  for (let i = 0; i < drawn.length; i += 500) {
    const rows = await db
      .selectFrom('target_departments')
      .select(['department'])
      .where('uscc', 'in', drawn.slice(i, i + 500))
      .execute();
    for (const r of rows) inDept.set(r.department, (inDept.get(r.department) ?? 0) + 1);
  }
  const byRisk: DrawResultCardData['targetsByRisk'] = {};
  const picks = outcome.targets as Partial<Record<string, string[]>>;
  if (picks.all) byRisk.all = picks.all.length;
  else for (const c of RISK_CLASSES) byRisk[c] = picks[c]?.length ?? 0;
  const undeliverable: DrawResultCardData['undeliverable'] = [];
  for (const m of members) {
    if (m.active === 1 && !(await inspectorOpenId(db, m)))
      undeliverable.push({
        name: m.name ?? m.cert_no,
        deptName: deptNames.get(m.dept) ?? m.dept,
        team: m.team_no,
      });
  }
  return {
    task: summary,
    entropySource: draw.entropySource,
    entropy: draw.entropy ?? '',
    seed: outcome.seed,
    hashes: outcome.hashes,
    targetsByRisk: byRisk,
    targetsByDept: [summary.initiator, ...summary.participants].map((d) => ({
      ...d,
      count: inDept.get(d.code) ?? 0,
    })),
    teams: outcome.teams.map((t) => ({
      no: t.no,
      region: t.region,
      targets: t.targets.length,
      members: members
        .filter((m) => m.team_no === t.no && m.active === 1)
        .map((m) => memberView(m, deptNames)),
    })),
    undeliverable,
  };
}

/** One assignment card's data per active member of the task (or of one member, with `certNo`). */
export async function assignmentData(
  db: Db,
  task: TaskDefinition,
  only?: { team: number; certNo: string },
): Promise<(AssignmentCardData & { openId: string | null })[]> {
  const summary = await taskSummary(db, task);
  const deptNames = new Map([summary.initiator, ...summary.participants].map((d) => [d.code, d.name]));
  const members = await memberRows(db, task.id);
  const teams = await db
    .selectFrom('teams')
    .selectAll()
    .where('task_id', '=', task.id)
    .orderBy('no')
    .execute();
  const teamTargets = await db
    .selectFrom('team_targets')
    .selectAll()
    .where('task_id', '=', task.id)
    .orderBy('team_no')
    .orderBy('position')
    .execute();
  const names = await targetsByUscc(
    db,
    teamTargets.map((t) => t.uscc),
  );
  const deadline = resultDeadline(task);
  const out: (AssignmentCardData & { openId: string | null })[] = [];
  for (const m of members) {
    if (m.active !== 1) continue;
    if (only && (only.team !== m.team_no || only.certNo !== m.cert_no)) continue;
    const team = teams.find((t) => Number(t.no) === m.team_no)!;
    const openId = await inspectorOpenId(db, m);
    out.push({
      task: summary,
      team: { no: m.team_no, region: team.region },
      you: { certNo: m.cert_no, name: m.name ?? m.cert_no, openId },
      members: members
        .filter((x) => x.team_no === m.team_no && x.active === 1)
        .map((x) => memberView(x, deptNames)),
      targets: teamTargets
        .filter((t) => Number(t.team_no) === m.team_no)
        .map((t) => ({
          uscc: t.uscc,
          name: names.get(t.uscc)?.name ?? t.uscc,
          address: names.get(t.uscc)?.address ?? null,
        })),
      deadline,
      confirmation: m.confirmed_at ? { at: m.confirmed_at, by: m.confirmed_by ?? '' } : null,
      version: m.version,
      openId,
    });
  }
  return out;
}
