import type { Kysely } from 'kysely';
import type { AssignmentCardData, DrawResultCardData, MemberView, TaskSummary } from '../cards/index.ts';
import { addWorkingDays } from '../domain/calendar.ts';
import { RISK_CLASSES } from '../domain/directory.ts';
import type { DrawOutcome } from '../domain/draw/index.ts';
import type { TaskDefinition } from '../domain/task.ts';
import { localTime } from '../domain/time.ts';
import { targetsByUscc } from '../storage/directory.ts';
import { loadMembers, type DrawRow } from '../storage/draws.ts';
import { identityKind, loadIdentities, normalizeIdentifier } from '../storage/identities.ts';
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

async function memberRows(db: Db, taskId: string, team?: number): Promise<MemberRow[]> {
  const rows = await loadMembers(db, taskId, team);
  return rows.map((r) => ({
    ...r,
    team_no: Number(r.team_no),
    leader: Number(r.leader),
    active: Number(r.active),
    version: Number(r.version),
  }));
}

/**
 * Resolves inspectors to Feishu open_ids: the imported open_id, or what their mobile/e-mail resolved to
 * (`liancha users check`). Loads the identity table once, so a draw with thousands of members costs one query.
 */
export async function openIdResolver(
  db: Db,
): Promise<(row: { open_id: string | null; mobile: string | null }) => string | null> {
  const identities = await loadIdentities(db);
  const resolve = (raw: string | null) => {
    const v = raw?.trim();
    if (!v) return null;
    if (identityKind(v) === 'open_id') return v;
    const found = identities.get(normalizeIdentifier(v)) ?? identities.get(v);
    return found?.status === 'resolved' ? found.open_id : null;
  };
  return (row) => resolve(row.open_id) ?? resolve(row.mobile);
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
): Promise<Omit<DrawResultCardData, 'auditHead'>> {
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
  const activeByTeam = groupBy(
    members.filter((m) => m.active === 1),
    (m) => m.team_no,
  );
  const openIdOf = await openIdResolver(db);
  const undeliverable: DrawResultCardData['undeliverable'] = [];
  for (const m of members) {
    if (m.active === 1 && !openIdOf(m))
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
      members: (activeByTeam.get(t.no) ?? []).map((m) => memberView(m, deptNames)),
    })),
    undeliverable,
  };
}

/** One assignment card's data per active member of the task (or of one member, with `certNo`). */
export async function assignmentData(
  db: Db,
  task: TaskDefinition,
  /** `only`: one member's card; `tz`: the zone times are shown in (`LIANCHA_TZ`). */
  opts: { only?: { team: number; certNo: string }; tz: string },
): Promise<(AssignmentCardData & { openId: string | null })[]> {
  const { only, tz } = opts;
  const summary = await taskSummary(db, task);
  const deptNames = new Map([summary.initiator, ...summary.participants].map((d) => [d.code, d.name]));
  // One member's card (a button press) reads only that team: a large draw has tens of thousands of members.
  const membersAll = await memberRows(db, task.id, only?.team);
  let teamsQuery = db.selectFrom('teams').selectAll().where('task_id', '=', task.id);
  let targetsQuery = db.selectFrom('team_targets').selectAll().where('task_id', '=', task.id);
  if (only) {
    teamsQuery = teamsQuery.where('no', '=', only.team);
    targetsQuery = targetsQuery.where('team_no', '=', only.team);
  }
  const regions = new Map((await teamsQuery.execute()).map((t) => [Number(t.no), t.region]));
  const teamTargets = await targetsQuery.orderBy('team_no').orderBy('position').execute();
  const names = await targetsByUscc(
    db,
    teamTargets.map((t) => t.uscc),
  );
  // Grouped once by team: a large draw has tens of thousands of members and targets.
  const targetsOf = groupBy(teamTargets, (t) => Number(t.team_no));
  const activeOf = groupBy(
    membersAll.filter((m) => m.active === 1),
    (m) => m.team_no,
  );
  const deadline = resultDeadline(task);
  const openIdOf = await openIdResolver(db);
  const out: (AssignmentCardData & { openId: string | null })[] = [];
  for (const m of membersAll) {
    if (m.active !== 1) continue;
    if (only && only.certNo !== m.cert_no) continue;
    const openId = openIdOf(m);
    out.push({
      task: summary,
      team: { no: m.team_no, region: regions.get(m.team_no) ?? '' },
      you: { certNo: m.cert_no, name: m.name ?? m.cert_no, openId },
      members: (activeOf.get(m.team_no) ?? []).map((x) => memberView(x, deptNames)),
      targets: (targetsOf.get(m.team_no) ?? []).map((t) => ({
        uscc: t.uscc,
        name: names.get(t.uscc)?.name ?? t.uscc,
        address: names.get(t.uscc)?.address ?? null,
      })),
      deadline,
      confirmation: m.confirmed_at ? { at: localTime(m.confirmed_at, tz), by: m.confirmed_by ?? '' } : null,
      version: m.version,
      openId,
    });
  }
  return out;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
