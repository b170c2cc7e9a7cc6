import { sql, type Kysely, type Transaction } from 'kysely';
import { RISK_CLASSES } from '../domain/directory.ts';
import {
  SNAPSHOT_NAMES,
  type DrawOutcome,
  type DrawParameters,
  type DrawTeam,
  type DrawnTargets,
  type SnapshotHashes,
  type SnapshotTexts,
  type SubstitutionRecord,
} from '../domain/draw/index.ts';
import type { Database, DrawsTable } from './schema.ts';
import { dialectOf } from './db.ts';
import { prepared } from './prepared.ts';

/** Rows per multi-row INSERT: well under SQLite's bound-parameter limit for every table here. */
const BATCH = 500;

export interface FreezeRow {
  taskId: string;
  entropySource: string;
  frozenAt: string;
  frozenBy: string;
  parameters: DrawParameters;
  snapshots: SnapshotTexts;
  hashes: SnapshotHashes;
}

export interface DrawRow extends FreezeRow {
  entropy: string | null;
  seed: string | null;
  runAt: string | null;
  runBy: string | null;
}

function toDrawRow(r: DrawsTable, snapshots: SnapshotTexts): DrawRow {
  return {
    taskId: r.task_id,
    entropySource: r.entropy_source,
    frozenAt: r.frozen_at,
    frozenBy: r.frozen_by,
    parameters: JSON.parse(r.parameters) as DrawParameters,
    snapshots,
    hashes: { targets: r.targets_hash, officers: r.officers_hash, conflicts: r.conflicts_hash },
    entropy: r.entropy,
    seed: r.seed,
    runAt: r.run_at,
    runBy: r.run_by,
  };
}

/**
 * A freeze as written. The targets snapshot may be given as its UTF-8 bytes: a million-target text is then never
 * a JavaScript string on the way in (the driver would copy a string to UTF-8 first), and is stored as text.
 */
export type FreezeInsert = Omit<FreezeRow, 'snapshots'> & {
  snapshots: Omit<SnapshotTexts, 'targets'> & { targets: string | Buffer };
};

/** Text from UTF-8 bytes, in the statement itself; each dialect keeps the bytes exactly. */
function textFromUtf8(trx: Transaction<Database>, value: string | Buffer) {
  if (typeof value === 'string') return value;
  return dialectOf(trx) === 'postgres'
    ? sql<string>`convert_from(${value}, 'UTF8')`
    : sql<string>`cast(${value} as text)`;
}

/**
 * The freeze's row and, in `draw_snapshots`, its three texts (migration 008: apart from the row, so that setting
 * the seed later rewrites a few hundred bytes, not the snapshots).
 */
export async function insertFreeze(trx: Transaction<Database>, f: FreezeInsert): Promise<void> {
  await trx
    .insertInto('draws')
    .values({
      task_id: f.taskId,
      entropy_source: f.entropySource,
      frozen_at: f.frozenAt,
      frozen_by: f.frozenBy,
      parameters: JSON.stringify(f.parameters),
      targets_hash: f.hashes.targets,
      officers_hash: f.hashes.officers,
      conflicts_hash: f.hashes.conflicts,
      entropy: null,
      seed: null,
      run_at: null,
      run_by: null,
    })
    .execute();
  // The targets text in a statement of its own: SQLite runs a multi-row VALUES into a table with an INSERT trigger
  // through a temporary copy of its rows (measured: +81 MB of peak RSS for a 27 MB text, none for one row alone).
  await trx
    .insertInto('draw_snapshots')
    .values({ task_id: f.taskId, kind: 'targets', text: textFromUtf8(trx, f.snapshots.targets) })
    .execute();
  await trx
    .insertInto('draw_snapshots')
    .values([
      { task_id: f.taskId, kind: 'officers', text: f.snapshots.officers },
      { task_id: f.taskId, kind: 'conflicts', text: f.snapshots.conflicts },
    ])
    .execute();
}

/** A draw with its snapshot texts, or null when the task was never frozen. */
export async function getDraw(db: Kysely<Database>, taskId: string): Promise<DrawRow | null> {
  const row = await db.selectFrom('draws').selectAll().where('task_id', '=', taskId).executeTakeFirst();
  if (!row) return null;
  const texts = await db
    .selectFrom('draw_snapshots')
    .select(['kind', 'text'])
    .where('task_id', '=', taskId)
    .execute();
  const snapshots: Partial<SnapshotTexts> = {};
  for (const t of texts) snapshots[t.kind] = t.text;
  const missing = SNAPSHOT_NAMES.filter((name) => snapshots[name] === undefined);
  // The freeze writes all three in its transaction and the triggers keep them: a gap is a damaged database.
  if (missing.length > 0) throw new Error(`the draw of task ${taskId} has no ${missing.join(', ')} snapshot`);
  return toDrawRow(row, snapshots as SnapshotTexts);
}

async function insertBatched<T extends keyof Database>(
  trx: Transaction<Database>,
  table: T,
  rows: Database[T][],
): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + BATCH) as never)
      .execute();
  }
}

/**
 * Records a draw's outcome and then sets its seed — the moment the database triggers lock it. Returns false
 * when the draw had already run (nothing is written then: the caller's transaction rolls back).
 */
export async function recordOutcome(
  trx: Transaction<Database>,
  taskId: string,
  entropy: string,
  outcome: DrawOutcome,
  at: string,
  by: string,
): Promise<boolean> {
  const picks = Object.entries(outcome.targets).flatMap(([cls, usccs]: [string, string[]]) =>
    usccs.map((uscc, position) => ({ task_id: taskId, class: cls, position, uscc })),
  );
  await insertBatched(trx, 'draw_picks', picks);
  await insertBatched(
    trx,
    'teams',
    outcome.teams.map((t) => ({ task_id: taskId, no: t.no, region: t.region })),
  );
  await insertBatched(
    trx,
    'team_targets',
    outcome.teams.flatMap((t) =>
      t.targets.map((uscc, position) => ({ task_id: taskId, team_no: t.no, position, uscc })),
    ),
  );
  await insertBatched(
    trx,
    'team_members',
    outcome.teams.flatMap((t) =>
      t.members.map((m, position) => ({
        task_id: taskId,
        team_no: t.no,
        cert_no: m.certNo,
        dept: m.dept,
        leader: m.leader ? 1 : 0,
        position,
        source: 'draw' as const,
        active: 1,
        confirmed_at: null,
        confirmed_by: null,
        version: 1,
      })),
    ),
  );
  const res = await trx
    .updateTable('draws')
    .set({ entropy, seed: outcome.seed, run_at: at, run_by: by })
    .where('task_id', '=', taskId)
    .where('seed', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** The outcome as the draw recorded it (members as drawn, before substitutions). */
export async function loadOutcome(db: Kysely<Database>, draw: DrawRow): Promise<DrawOutcome> {
  const taskId = draw.taskId;
  const picks = await db
    .selectFrom('draw_picks')
    .selectAll()
    .where('task_id', '=', taskId)
    .orderBy('class')
    .orderBy('position')
    .execute();
  let targets: DrawnTargets;
  if (draw.parameters.count !== null) {
    targets = { all: picks.filter((p) => p.class === 'all').map((p) => p.uscc) };
  } else {
    const byClass = Object.fromEntries(RISK_CLASSES.map((c) => [c, [] as string[]])) as Record<
      (typeof RISK_CLASSES)[number],
      string[]
    >;
    for (const p of picks) byClass[p.class as (typeof RISK_CLASSES)[number]]?.push(p.uscc);
    targets = byClass;
  }
  const teams = await loadTeams(db, taskId, { drawnOnly: true });
  return { hashes: draw.hashes, seed: draw.seed ?? '', targets, teams };
}

/** Teams with their targets and members; `drawnOnly` leaves out substitutes (the draw's own view). */
export async function loadTeams(
  db: Kysely<Database>,
  taskId: string,
  opts: { drawnOnly: boolean },
): Promise<DrawTeam[]> {
  const teams = await db
    .selectFrom('teams')
    .selectAll()
    .where('task_id', '=', taskId)
    .orderBy('no')
    .execute();
  const targets = await db
    .selectFrom('team_targets')
    .selectAll()
    .where('task_id', '=', taskId)
    .orderBy('team_no')
    .orderBy('position')
    .execute();
  let membersQuery = db.selectFrom('team_members').selectAll().where('task_id', '=', taskId);
  if (opts.drawnOnly) membersQuery = membersQuery.where('source', '=', 'draw');
  const members = await membersQuery.orderBy('team_no').orderBy('position').execute();
  const byNo = new Map<number, DrawTeam>(
    teams.map((t) => [Number(t.no), { no: Number(t.no), region: t.region, targets: [], members: [] }]),
  );
  for (const t of targets) byNo.get(Number(t.team_no))!.targets.push(t.uscc);
  for (const m of members)
    byNo
      .get(Number(m.team_no))!
      .members.push(
        m.leader ? { dept: m.dept, certNo: m.cert_no, leader: true } : { dept: m.dept, certNo: m.cert_no },
      );
  return [...byNo.values()];
}

/** One person's place on a team as it is now, with their name and how Feishu may reach them. */
export interface TeamMember {
  teamNo: number;
  certNo: string;
  dept: string;
  leader: boolean;
  /** False once replaced by an approved substitution. */
  active: boolean;
  source: 'draw' | 'substitution';
  confirmedAt: string | null;
  confirmedBy: string | null;
  version: number;
  name: string | null;
  /** As imported: an open_id, and/or a mobile the bot resolves. */
  openId: string | null;
  mobile: string | null;
}

/**
 * Teams `from` to `to` (numbers, both included): the assignment cards of a large draw are built a range of teams at
 * a time, so that tens of thousands of members' card data are never held at once.
 */
export interface TeamRange {
  from: number;
  to: number;
}

/** The numbers of a task's teams, in order. */
export async function teamNumbers(db: Kysely<Database>, taskId: string): Promise<number[]> {
  const rows = await db
    .selectFrom('teams')
    .select('no')
    .where('task_id', '=', taskId)
    .orderBy('no')
    .execute();
  return rows.map((r) => Number(r.no));
}

/**
 * Current team membership (one team's with `team`, a range of teams' with a TeamRange) with names and
 * confirmation state, for `task show` and the cards.
 */
export async function loadMembers(
  db: Kysely<Database>,
  taskId: string,
  team?: number | TeamRange,
): Promise<TeamMember[]> {
  // One team's (a button press, a card) is compiled once; the others' SQL depends on the range.
  if (typeof team === 'number') return (await oneTeamsMembers.run(db, { taskId, team })).rows.map(toMember);
  let query = membersQuery(db).where('m.task_id', '=', taskId);
  if (team) query = query.where('m.team_no', '>=', team.from).where('m.team_no', '<=', team.to);
  return (await query.orderBy('m.team_no').orderBy('m.position').execute()).map(toMember);
}

function membersQuery(db: Kysely<Database> | Transaction<Database>) {
  return db
    .selectFrom('team_members as m')
    .leftJoin('inspectors as i', 'i.cert_no', 'm.cert_no')
    .select([
      'm.team_no',
      'm.cert_no',
      'm.dept',
      'm.leader',
      'm.active',
      'm.source',
      'm.confirmed_at',
      'm.confirmed_by',
      'm.version',
      'i.name',
      'i.open_id',
      'i.mobile',
    ]);
}

const oneTeamsMembers = prepared((db, p: { taskId: string; team: number }) =>
  membersQuery(db)
    .where('m.task_id', '=', p.taskId)
    .where('m.team_no', '=', p.team)
    .orderBy('m.team_no')
    .orderBy('m.position'),
);

type MemberRow = Awaited<ReturnType<ReturnType<typeof membersQuery>['execute']>>[number];

function toMember(r: MemberRow): TeamMember {
  return {
    teamNo: Number(r.team_no),
    certNo: r.cert_no,
    dept: r.dept,
    leader: Number(r.leader) === 1,
    active: Number(r.active) === 1,
    source: r.source,
    confirmedAt: r.confirmed_at,
    confirmedBy: r.confirmed_by,
    version: Number(r.version),
    name: r.name,
    openId: r.open_id,
    mobile: r.mobile,
  };
}

/**
 * One team's region and its targets in visiting order, each with its name and address from the directory (null
 * when the directory no longer has it): what teamRegions, teamTargets and targetsByUscc give for one team, in one
 * statement compiled once, for the card a button press answers with. Null when the task has no such team.
 */
export async function oneTeamsTargets(
  db: Kysely<Database>,
  taskId: string,
  team: number,
): Promise<{
  region: string;
  targets: { uscc: string; name: string | null; address: string | null }[];
} | null> {
  const { rows } = await teamWithTargets.run(db, { taskId, team });
  if (rows.length === 0) return null;
  return {
    region: rows[0]!.region,
    targets: rows.flatMap((r) =>
      r.uscc === null ? [] : [{ uscc: r.uscc, name: r.name, address: r.address }],
    ),
  };
}

const teamWithTargets = prepared((db, p: { taskId: string; team: number }) =>
  db
    .selectFrom('teams as tm')
    .leftJoin('team_targets as tt', (j) =>
      j.onRef('tt.task_id', '=', 'tm.task_id').onRef('tt.team_no', '=', 'tm.no'),
    )
    .leftJoin('targets as t', 't.uscc', 'tt.uscc')
    .select(['tm.region', 'tt.uscc', 't.name', 't.address'])
    .where('tm.task_id', '=', p.taskId)
    .where('tm.no', '=', p.team)
    .orderBy('tt.position'),
);

/** Approved substitutions in the order they were approved, as the export lists them. */
export async function approvedSubstitutions(
  db: Kysely<Database>,
  taskId: string,
): Promise<SubstitutionRecord[]> {
  const rows = await db
    .selectFrom('substitutions')
    .selectAll()
    .where('task_id', '=', taskId)
    .where('state', '=', 'approved')
    .orderBy('approval_seq')
    .execute();
  return rows.map((r) => ({
    team: Number(r.team_no),
    dept: r.dept,
    n: Number(r.n),
    out: r.out_cert,
    in: r.in_cert!,
    reason: r.reason,
    approvedBy: r.decided_by!,
    approvedAt: r.decided_at!,
  }));
}

/** USCCs drawn by locked (or closed) tasks whose window starts in `year`, other than `exceptTaskId`. */
export async function usccsDrawnInYear(
  db: Kysely<Database>,
  year: number,
  exceptTaskId: string,
): Promise<Set<string>> {
  const rows = await db
    .selectFrom('draw_picks as p')
    .innerJoin('tasks as t', 't.id', 'p.task_id')
    .select('p.uscc')
    .distinct()
    .where('t.year', '=', year)
    .where('t.state', 'in', ['locked', 'closed'])
    .where('t.id', '<>', exceptTaskId)
    .execute();
  return new Set(rows.map((r) => r.uscc));
}

/** Each team's region (one team's with `team`, a range's with a TeamRange), by team number. */
export async function teamRegions(
  db: Kysely<Database>,
  taskId: string,
  team?: number | TeamRange,
): Promise<Map<number, string>> {
  let q = db.selectFrom('teams').select(['no', 'region']).where('task_id', '=', taskId);
  if (typeof team === 'number') q = q.where('no', '=', team);
  else if (team) q = q.where('no', '>=', team.from).where('no', '<=', team.to);
  return new Map((await q.execute()).map((t) => [Number(t.no), t.region]));
}

/** Each team's targets in visiting order (one team's with `team`, a range's with a TeamRange), by team number. */
export async function teamTargets(
  db: Kysely<Database>,
  taskId: string,
  team?: number | TeamRange,
): Promise<Map<number, string[]>> {
  let q = db.selectFrom('team_targets').select(['team_no', 'uscc']).where('task_id', '=', taskId);
  if (typeof team === 'number') q = q.where('team_no', '=', team);
  else if (team) q = q.where('team_no', '>=', team.from).where('team_no', '<=', team.to);
  const out = new Map<number, string[]>();
  for (const r of await q.orderBy('team_no').orderBy('position').execute()) {
    const list = out.get(Number(r.team_no));
    if (list) list.push(r.uscc);
    else out.set(Number(r.team_no), [r.uscc]);
  }
  return out;
}

/**
 * Runs `step` in a transaction that reads one consistent state of the directories: on PostgreSQL at REPEATABLE
 * READ (a freeze's snapshots are read in several queries); SQLite's BEGIN IMMEDIATE already is.
 */
export async function inOneSnapshot<T>(
  db: Kysely<Database>,
  step: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const tx = db.transaction();
  return (dialectOf(db) === 'postgres' ? tx.setIsolationLevel('repeatable read') : tx).execute(step);
}

/** Whether the draw already ran, read with a row lock (PostgreSQL) so that two `draw run`s cannot both go on. */
export async function drawRunForUpdate(
  trx: Transaction<Database>,
  taskId: string,
): Promise<{ seed: string | null; runAt: string | null; entropy: string | null } | null> {
  const row = await trx
    .selectFrom('draws')
    .select(['seed', 'run_at', 'entropy'])
    .where('task_id', '=', taskId)
    .$if(dialectOf(trx) === 'postgres', (q) => q.forUpdate())
    .executeTakeFirst();
  return row ? { seed: row.seed, runAt: row.run_at, entropy: row.entropy } : null;
}
