import type { Kysely } from 'kysely';
import type { AssignmentCardData, DrawResultCardData, MemberView, TaskSummary } from '../cards/index.ts';
import { resultDeadline as deadlineRule } from '../domain/deadline.ts';
import { RISK_CLASSES } from '../domain/directory.ts';
import type { DrawOutcome } from '../domain/draw/index.ts';
import type { TaskDefinition } from '../domain/task.ts';
import { localTime } from '../domain/time.ts';
import { directoryCounts, directoryNames, targetsByUscc } from '../storage/directory.ts';
import {
  loadMembers,
  oneTeamsTargets,
  teamNumbers,
  teamRegions,
  teamTargets,
  type DrawRow,
  type TeamMember,
  type TeamRange,
} from '../storage/draws.ts';
import { identitiesOf, identityKind, loadIdentities, normalizeIdentifier } from '../storage/identities.ts';
import type { Database } from '../storage/schema.ts';
import { latestRequestsOfTask } from '../storage/substitutions.ts';
import type { Decider, SubstitutionRequest } from '../domain/substitution-request.ts';
import { loadCalendar } from './calendar.ts';

/** Gathers what the cards show from the database; the cards themselves (src/cards) stay pure. */

type Db = Kysely<Database>;

export async function taskSummary(db: Db, task: TaskDefinition): Promise<TaskSummary> {
  const { departments: depts, items } = await directoryNames(db);
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

/** The task's result-entry deadline while no inspection date is known (the domain rule, on the loaded calendar). */
export function resultDeadline(task: TaskDefinition) {
  return deadlineRule(loadCalendar(), task);
}

/**
 * Resolves inspectors to Feishu open_ids: the imported open_id, or what their mobile/e-mail resolved to
 * (`liancha users check`). Loads the identity table once, so a draw with thousands of members costs one query —
 * or, given `only` the people it will be asked about (one team's card, on a button press), just their rows: the
 * whole table was two thirds of a click's time in SQLite (BENCHMARKS.md, card callbacks).
 */
export async function openIdResolver(
  db: Db,
  only?: readonly { openId: string | null; mobile: string | null }[],
): Promise<(person: { openId: string | null; mobile: string | null }) => string | null> {
  const raws = only?.flatMap((p) =>
    [p.openId, p.mobile].flatMap((v) => (v?.trim() ? [v.trim(), normalizeIdentifier(v)] : [])),
  );
  const identities = raws ? await identitiesOf(db, raws) : await loadIdentities(db);
  const resolve = (raw: string | null) => {
    const v = raw?.trim();
    if (!v) return null;
    if (identityKind(v) === 'open_id') return v;
    const found = identities.get(normalizeIdentifier(v)) ?? identities.get(v);
    return found?.status === 'resolved' ? found.open_id : null;
  };
  return (person) => resolve(person.openId) ?? resolve(person.mobile);
}

function memberView(m: TeamMember, deptNames: Map<string, string>): MemberView {
  return {
    certNo: m.certNo,
    name: m.name ?? m.certNo,
    dept: m.dept,
    deptName: deptNames.get(m.dept) ?? m.dept,
    leader: m.leader,
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
  const members = await loadMembers(db, task.id);
  const drawn = outcome.teams.flatMap((t) => t.targets);
  const inDept = await directoryCounts(db, drawn);
  const byRisk: DrawResultCardData['targetsByRisk'] = {};
  const picks = outcome.targets as Partial<Record<string, string[]>>;
  if (picks.all) byRisk.all = picks.all.length;
  else for (const c of RISK_CLASSES) byRisk[c] = picks[c]?.length ?? 0;
  const activeByTeam = groupBy(
    members.filter((m) => m.active),
    (m) => m.teamNo,
  );
  const openIdOf = await openIdResolver(db);
  const undeliverable: DrawResultCardData['undeliverable'] = [];
  for (const m of members) {
    if (m.active && !openIdOf(m))
      undeliverable.push({
        name: m.name ?? m.certNo,
        deptName: deptNames.get(m.dept) ?? m.dept,
        team: m.teamNo,
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

/** How a decider is named on cards: the directory has no names for heads and liaisons, only their department. */
export function deciderLabel(deptName: string, role: Decider['role']): string {
  return `${deptName}${role === 'head' ? '负责人' : '联络员'}`;
}

/** One assignment card's data, with the open_id it goes to (null: liancha cannot reach this person). */
export type AssignmentData = AssignmentCardData & { openId: string | null };

/**
 * One assignment card's data per active member of the task — or of one member (`only`), who may also be one
 * already replaced: their card then says by whom, and has no buttons.
 */
export async function assignmentData(
  db: Db,
  task: TaskDefinition,
  /** `only`: one member's card; `tz`: the zone times are shown in (`LIANCHA_TZ`). */
  opts: { only?: { team: number; certNo: string }; tz: string },
): Promise<AssignmentData[]> {
  const { only, tz } = opts;
  const shared = await sharedCardData(db, task, tz);
  // One member's card (a button press) reads only that team: a large draw has tens of thousands of members.
  const members = await loadMembers(db, task.id, only?.team);
  const openIdOf = await openIdResolver(db, only ? members : undefined);
  const requests = await latestRequestsOfTask(db, task.id, only?.team);
  if (only) {
    // The team's region, targets and their names in one statement (three for a range of teams).
    const team = await oneTeamsTargets(db, task.id, only.team);
    const places: TeamPlaces = {
      regions: new Map(team ? [[only.team, team.region]] : []),
      targets: new Map(team && team.targets.length > 0 ? [[only.team, team.targets]] : []),
    };
    const wanted = (m: TeamMember) => m.certNo === only.certNo;
    return teamsCards(shared, { members, places, wanted }, openIdOf, requests);
  }
  const places = await teamPlaces(db, task.id, undefined);
  return teamsCards(shared, { members, places, wanted: (m) => m.active }, openIdOf, requests);
}

/** Teams whose cards are built together by assignmentDataByTeam: a few hundred members' data at a time. */
const TEAMS_PER_BATCH = 200;

/**
 * assignmentData of every active member, a batch of whole teams at a time and in the same order (team, then draw
 * position), for `draw run` to queue as they come: a million-target draw has 24,000 members, and their cards' data
 * all at once (each with its team's targets and members) were 47 MB of the step's peak (BENCHMARKS.md).
 * @example for await (const batch of assignmentDataByTeam(trx, task, { tz })) for (const a of batch) …
 */
export async function* assignmentDataByTeam(
  db: Db,
  task: TaskDefinition,
  /** `teamsPerBatch`: how many teams' cards at a time (200; tests use fewer). */
  opts: { tz: string; teamsPerBatch?: number },
): AsyncGenerator<AssignmentData[]> {
  const perBatch = opts.teamsPerBatch ?? TEAMS_PER_BATCH;
  const shared = await sharedCardData(db, task, opts.tz);
  const openIdOf = await openIdResolver(db);
  const requests = await latestRequestsOfTask(db, task.id);
  const teams = await teamNumbers(db, task.id);
  for (let i = 0; i < teams.length; i += perBatch) {
    const range = { from: teams[i]!, to: teams[Math.min(i + perBatch, teams.length) - 1]! };
    const members = await loadMembers(db, task.id, range);
    const places = await teamPlaces(db, task.id, range);
    yield teamsCards(shared, { members, places, wanted: (m) => m.active }, openIdOf, requests);
  }
}

/** What every assignment card of a task shows alike. */
interface SharedCardData {
  summary: TaskSummary;
  deptNames: Map<string, string>;
  deadline: ReturnType<typeof resultDeadline>;
  tz: string;
}

async function sharedCardData(db: Db, task: TaskDefinition, tz: string): Promise<SharedCardData> {
  const summary = await taskSummary(db, task);
  const deptNames = new Map([summary.initiator, ...summary.participants].map((d) => [d.code, d.name]));
  return { summary, deptNames, deadline: resultDeadline(task), tz };
}

/** Some teams' regions and their targets in visiting order, with the targets' names and addresses. */
interface TeamPlaces {
  regions: Map<number, string>;
  targets: Map<number, { uscc: string; name: string | null; address: string | null }[]>;
}

/** TeamPlaces of some teams (`teams`: one, a range, or undefined for all of the task's). */
async function teamPlaces(
  db: Db,
  taskId: string,
  teams: number | TeamRange | undefined,
): Promise<TeamPlaces> {
  const regions = await teamRegions(db, taskId, teams);
  const targetsOf = await teamTargets(db, taskId, teams);
  const names = await targetsByUscc(db, [...targetsOf.values()].flat());
  const targets = new Map(
    [...targetsOf].map(([team, usccs]) => [
      team,
      usccs.map((uscc) => ({
        uscc,
        name: names.get(uscc)?.name ?? null,
        address: names.get(uscc)?.address ?? null,
      })),
    ]),
  );
  return { regions, targets };
}

/**
 * The card data of the `wanted` members of some teams (`members`: all of those teams' members, replaced ones too,
 * in team and draw order), with those teams' regions and targets (`places`).
 */
function teamsCards(
  { summary, deptNames, deadline, tz }: SharedCardData,
  {
    members,
    places,
    wanted,
  }: {
    members: readonly TeamMember[];
    places: TeamPlaces;
    wanted: (m: TeamMember) => boolean;
  },
  openIdOf: (person: { openId: string | null; mobile: string | null }) => string | null,
  requests: Map<string, SubstitutionRequest>,
): AssignmentData[] {
  const activeOf = groupBy(
    members.filter((m) => m.active),
    (m) => m.teamNo,
  );
  const byCert = new Map(members.map((m) => [`${m.teamNo}\t${m.certNo}`, m]));
  return members.filter(wanted).map((m): AssignmentData => {
    const request = requests.get(`${m.teamNo}\t${m.certNo}`) ?? null;
    const deptName = deptNames.get(m.dept) ?? m.dept;
    const openId = openIdOf(m);
    return {
      task: summary,
      team: { no: m.teamNo, region: places.regions.get(m.teamNo) ?? '' },
      you: { certNo: m.certNo, name: m.name ?? m.certNo, openId },
      members: (activeOf.get(m.teamNo) ?? []).map((x) => memberView(x, deptNames)),
      targets: (places.targets.get(m.teamNo) ?? []).map((t) => ({
        uscc: t.uscc,
        name: t.name ?? t.uscc,
        address: t.address,
      })),
      deadline,
      confirmation: m.confirmedAt ? { at: localTime(m.confirmedAt, tz), by: m.confirmedBy ?? '' } : null,
      version: m.version,
      substitution: request ? requestView(request, deptName, tz) : null,
      replaced:
        !m.active && request?.state === 'approved'
          ? {
              byName: byCert.get(`${m.teamNo}\t${request.inCert}`)?.name ?? request.inCert ?? '—',
              approvedByName: deciderLabel(deptName, request.decider.role),
              at: localTime(request.decidedAt!, tz),
            }
          : null,
      openId,
    };
  });
}

function requestView(
  r: SubstitutionRequest,
  deptName: string,
  tz: string,
): NonNullable<AssignmentCardData['substitution']> {
  return {
    id: r.id,
    state: r.state,
    reason: r.reason,
    note: r.note,
    requestedAt: localTime(r.requestedAt, tz),
    deciderName: deciderLabel(deptName, r.decider.role),
    deciderRole: r.decider.role,
    decidedAt: r.decidedAt ? localTime(r.decidedAt, tz) : null,
    comment: r.comment,
    version: r.version,
  };
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
