import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { App } from '../app.ts';
import type { Target } from '../domain/directory.ts';
import {
  DrawError,
  buildRecord,
  conflictsSnapshotText,
  officersSnapshotText,
  sha256Hex,
  TargetLinesBuilder,
  describePools,
  drawParametersFor,
  eligibleOfficers,
  eligibleTargets,
  targetDirectories,
  runDraw,
  verifyRecord,
  type DrawOutcome,
  type DrawRecord,
  type PoolReport,
  type SnapshotHashes,
  type SnapshotTexts,
  type TargetEligibilityOptions,
} from '../domain/draw/index.ts';
import type { TaskDefinition } from '../domain/task.ts';
import { UserError } from '../errors.ts';
import { appendAudit, auditHead } from '../storage/audit.ts';
import { listConflicts, listInspectors, listItems } from '../storage/directory.ts';
import { countTargets, targetsForEligibility } from '../storage/draw-targets.ts';
import {
  approvedSubstitutions,
  drawRunForUpdate,
  getDraw,
  inOneSnapshot,
  insertFreeze,
  loadOutcome,
  recordOutcome,
  usccsDrawnInYear,
  type DrawRow,
} from '../storage/draws.ts';
import type { TaskRecord } from '../storage/tasks.ts';
import type { Database } from '../storage/schema.ts';
import { staffingRefusal } from '../domain/draw/staffing.ts';
import { isConcurrentRefusal } from '../storage/refusal.ts';
import { queueDrawCards, queueFreezeAnnouncement, type QueuedDrawCards } from './notifications.ts';
import { moveTask, requireTask } from './tasks.ts';

/**
 * The draw protocol of docs/draw-algorithm.md: preview (saves nothing), freeze (fixes the snapshots and announces their
 * hashes and the entropy source), run (once, with the published entropy; locks the draw), export and verify.
 * The algorithm itself is pure and lives in src/domain/draw.
 */

interface Snapshots {
  /** The targets text as UTF-8 bytes (a million lines are 27 MB; the string is made only where one is needed). */
  targets: Buffer;
  officers: string;
  conflicts: string;
  hashes: SnapshotHashes;
  pools: PoolReport;
}

/** The three texts as strings. */
function textsOf(snap: Snapshots): SnapshotTexts {
  return { targets: snap.targets.toString('utf8'), officers: snap.officers, conflicts: snap.conflicts };
}

async function eligibilityOptions(
  app: App,
  db: Kysely<Database>,
  task: TaskDefinition,
): Promise<TargetEligibilityOptions> {
  return {
    items: await listItems(db),
    excludedUsccs: await usccsDrawnInYear(db, Number(task.window.start.slice(0, 4)), task.id),
    sameYearExclusion: app.config.LIANCHA_SAME_YEAR_EXCLUSION === 'on',
  };
}

/**
 * Reads the directories as they are now and computes the task's canonical snapshots. Targets are read a page at
 * a time with only the columns the rules read, and only the eligible ones' lines are kept, as bytes in one buffer
 * (TargetLinesBuilder: about 32 bytes a target), which also sorts and hashes them.
 */
async function computeSnapshots(app: App, db: Kysely<Database>, task: TaskDefinition): Promise<Snapshots> {
  const opts = await eligibilityOptions(app, db, task);
  const inspectors = await listInspectors(db);
  const officers = eligibleOfficers(task, inspectors);
  const conflicts = await listConflicts(db);
  const conflictUsccs = new Set(conflicts.map((c) => c.uscc));
  const lines = new TargetLinesBuilder({ expectedLines: await countTargets(db) });
  const inConflict: Target[] = [];
  // One eligible target per region is enough for the officer pools per region (preview and announcement).
  const regionSamples = new Map<string, Target>();
  let pools: PoolReport | null = null;
  for await (const page of targetsForEligibility(db, targetDirectories(task))) {
    const pagePools = describePools(task, page, [], opts);
    pools = pools ? addTargetPools(pools, pagePools) : pagePools;
    for (const t of eligibleTargets(task, page, opts)) {
      if (!regionSamples.has(t.region)) regionSamples.set(t.region, t);
      lines.add(t);
      if (conflictUsccs.has(t.uscc)) inConflict.push(t);
    }
  }
  const officerPools = describePools(task, [...regionSamples.values()], inspectors, {
    ...opts,
    excludedUsccs: new Set(),
    sameYearExclusion: false,
  });
  pools = { targets: (pools ?? officerPools).targets, officers: officerPools.officers };
  const targets = lines.finish();
  const officersText = officersSnapshotText(officers);
  const conflictsText = conflictsSnapshotText(conflicts, officers, inConflict);
  const hashes = {
    targets: targets.hash,
    officers: sha256Hex(officersText),
    conflicts: sha256Hex(conflictsText),
  };
  return { targets: targets.bytes, officers: officersText, conflicts: conflictsText, hashes, pools };
}

function addTargetPools(a: PoolReport, b: PoolReport): PoolReport {
  const sum = <K extends string>(x: Record<K, number>, y: Record<K, number>) =>
    Object.fromEntries(Object.keys(x).map((k) => [k, x[k as K] + y[k as K]])) as Record<K, number>;
  const byRegion = { ...a.targets.byRegion };
  for (const [region, counts] of Object.entries(b.targets.byRegion))
    byRegion[region] = byRegion[region] ? sum(byRegion[region], counts) : counts;
  return {
    ...a,
    targets: {
      eligible: a.targets.eligible + b.targets.eligible,
      byRisk: sum(a.targets.byRisk, b.targets.byRisk),
      byRegion: Object.fromEntries(
        Object.keys(byRegion)
          .sort()
          .map((r) => [r, byRegion[r]!]),
      ),
      sameYearExclusionApplies: a.targets.sameYearExclusionApplies,
      excluded: sum(a.targets.excluded, b.targets.excluded),
    },
  };
}

function asUserError(err: unknown): never {
  if (err instanceof DrawError) throw new UserError(err.code, err.message);
  throw err;
}

export interface Preview {
  task: TaskRecord;
  pools: PoolReport;
  hashes: SnapshotHashes;
  /** A draw with throw-away entropy: what a draw could look like, never what it will be. */
  sample: { entropy: string; outcome: DrawOutcome } | { entropy: string; error: string };
  /** Why `draw freeze` would refuse this task (its draw can never succeed), or null. */
  freezeRefusal: string | null;
}

/** `draw preview ID`: pool sizes and a sample draw with throw-away entropy. Saves nothing. */
export async function previewDraw(app: App, taskId: string): Promise<Preview> {
  const task = await requireTask(app, taskId);
  const snap = await computeSnapshots(app, app.store.db, task.definition);
  const entropy = `preview-${randomBytes(8).toString('hex')}`;
  let sample: Preview['sample'];
  try {
    sample = {
      entropy,
      outcome: runDraw({
        taskId,
        entropy,
        parameters: drawParametersFor(task.definition),
        snapshots: textsOf(snap),
      }),
    };
  } catch (err) {
    if (!(err instanceof DrawError)) throw err;
    sample = { entropy, error: err.message };
  }
  const freezeRefusal = staffingRefusal(task.definition, snap.pools, await listInspectors(app.store.db));
  return { task, pools: snap.pools, hashes: snap.hashes, sample, freezeRefusal };
}

/** Longest entropy source accepted: it names a public draw, and every group card about the task shows it. */
export const ENTROPY_SOURCE_MAX = 200;

/** `draw freeze ID --entropy-source TEXT`: fixes the snapshots; later directory changes do not affect them. */
export async function freezeDraw(app: App, taskId: string, entropySource: string): Promise<DrawRow> {
  if (!entropySource.trim())
    throw new UserError(
      'DRAW.NO_ENTROPY_SOURCE',
      'name the public entropy source (--entropy-source TEXT), e.g. "福彩3D 第2026330期开奖号码"',
    );
  if ([...entropySource].length > ENTROPY_SOURCE_MAX)
    throw new UserError(
      'DRAW.ENTROPY_SOURCE_TOO_LONG',
      `--entropy-source is ${[...entropySource].length} characters long; at most ${ENTROPY_SOURCE_MAX} (it is printed on the group cards), e.g. "福彩3D 第2026330期开奖号码"`,
    );
  const task = await requireTask(app, taskId);
  const notDraft = async (state: string) => {
    const draw = await getDraw(app.store.db, taskId);
    return new UserError(
      'DRAW.ALREADY_FROZEN',
      draw
        ? `task ${taskId} was frozen at ${draw.frozenAt} (entropy source: ${draw.entropySource}); a freeze is final — void the task and create it again to change it`
        : `task ${taskId} is ${state} and cannot be frozen`,
    );
  };
  if (task.state !== 'draft') throw await notDraft(task.state);
  const at = app.clock().toISOString();
  // The database refuses the second of two concurrent writers. Another freeze of this task: say what it did.
  // A freeze of another task (on PostgreSQL both may have read the same last audit entry from their snapshots):
  // this task is still a draft, so freeze it again on a fresh snapshot.
  for (let attempt = 1; ; attempt++) {
    try {
      // The row just committed, from memory: reading it back would load a second copy of the snapshots.
      return await freezeOnce(app, task, entropySource, at);
    } catch (err) {
      if (!isConcurrentRefusal(err)) throw err;
      const now = await requireTask(app, taskId);
      if (now.state !== 'draft') throw await notDraft('no longer a draft');
      if (attempt >= 3)
        throw new UserError(
          'DRAW.CONCURRENT',
          `other commands kept writing while task ${taskId} was being frozen; nothing was saved, try again`,
        );
    }
  }
}

/** One attempt at a freeze: snapshots, the freeze row, the task's step, the audit entry and the announcement. */
async function freezeOnce(app: App, task: TaskRecord, entropySource: string, at: string): Promise<DrawRow> {
  const taskId = task.id;
  return inOneSnapshot(app.store.db, async (trx) => {
    // Read inside the transaction so that the snapshot is one consistent state of the directories.
    const snap = await computeSnapshots(app, trx, task.definition);
    // A freeze is final: refuse one whose draw can never succeed, while the directories can still be fixed.
    const refusal = staffingRefusal(task.definition, snap.pools, await listInspectors(trx));
    if (refusal)
      throw new UserError(
        'DRAW.CANNOT_STAFF',
        `task ${taskId} cannot be frozen: ${refusal}. Nothing was saved; fix the directories or the task and freeze again`,
      );
    const freeze = {
      taskId,
      entropySource,
      frozenAt: at,
      frozenBy: app.actor,
      parameters: drawParametersFor(task.definition),
      hashes: snap.hashes,
    };
    // The targets text goes in as the bytes that were hashed; its string is made only after (for the row).
    const { officers, conflicts } = snap;
    await insertFreeze(trx, { ...freeze, snapshots: { targets: snap.targets, officers, conflicts } });
    await moveTask(trx, task, 'freeze', app.clock());
    const audit = await appendAudit(trx, {
      at,
      actor: app.actor,
      action: 'draw.freeze',
      subject: taskId,
      details: {
        entropySource,
        hashes: snap.hashes,
        eligibleTargets: snap.pools.targets.eligible,
        eligibleOfficers: snap.pools.officers.eligible,
      },
    });
    // The announcement commits with the freeze and carries the hash of its audit entry (the anchor);
    // the running bot's sender delivers it.
    const row = { ...freeze, snapshots: textsOf(snap), entropy: null, seed: null, runAt: null, runBy: null };
    await queueFreezeAnnouncement(trx, app, task.definition, row, snap.pools, audit.hash);
    return row;
  });
}

/** `draw run ID --entropy TEXT`: the draw, once. Records it and locks it. */
export async function runTaskDraw(
  app: App,
  taskId: string,
  entropy: string,
): Promise<{ draw: DrawRow; outcome: DrawOutcome; cards: QueuedDrawCards }> {
  if (entropy === '')
    throw new UserError('DRAW.NO_ENTROPY', 'give the published entropy value (--entropy TEXT)');
  const task = await requireTask(app, taskId);
  const draw = await getDraw(app.store.db, taskId);
  if (draw?.seed) throw alreadyRun(taskId, draw);
  if (task.state !== 'frozen' || !draw) {
    throw new UserError(
      'DRAW.NOT_FROZEN',
      `task ${taskId} is ${task.state}: freeze it first (liancha draw freeze ${taskId} --entropy-source TEXT)`,
    );
  }
  let outcome: DrawOutcome;
  try {
    outcome = runDraw({ taskId, entropy, parameters: draw.parameters, snapshots: draw.snapshots });
  } catch (err) {
    asUserError(err);
  }
  const at = app.clock().toISOString();
  const ran: DrawRow = { ...draw, entropy, seed: outcome.seed, runAt: at, runBy: app.actor };
  const cards = await inRace(app, taskId, async (trx) => {
    // Checked again inside the transaction: another `draw run` may have committed since the check above.
    const current = await drawRunForUpdate(trx, taskId);
    if (current?.seed) throw alreadyRun(taskId, current);
    if (!(await recordOutcome(trx, taskId, entropy, outcome, at, app.actor))) throw alreadyRun(taskId, null);
    await moveTask(trx, task, 'lock', app.clock());
    const audit = await appendAudit(trx, {
      at,
      actor: app.actor,
      action: 'draw.run',
      subject: taskId,
      details: {
        entropy,
        seed: outcome.seed,
        hashes: outcome.hashes,
        targets: outcome.teams.reduce((n, t) => n + t.targets.length, 0),
        teams: outcome.teams.length,
      },
    });
    // The draw card (with the hash of the audit entry above) and the assignment cards commit with the draw;
    // the running bot's sender delivers them.
    return queueDrawCards(trx, app, task.definition, ran, outcome, audit.hash);
  });
  // The row as just committed, from memory: reading it back would load a second copy of the snapshots.
  return { draw: ran, outcome, cards };
}

function alreadyRun(
  taskId: string,
  draw: { runAt: string | null; entropy: string | null } | null,
): UserError {
  return new UserError(
    'DRAW.ALREADY_RUN',
    draw
      ? `the draw of task ${taskId} ran at ${draw.runAt} with entropy "${draw.entropy}"; a draw runs once`
      : `the draw of task ${taskId} has already run; a draw runs once`,
  );
}

/**
 * Runs a draw step's transaction; when the database refuses it because another command changed the same draw
 * meanwhile (two `draw run` at once), reports what that other command did instead of the database's error.
 */
async function inRace<T>(
  app: App,
  taskId: string,
  step: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  try {
    return await app.store.db.transaction().execute(step);
  } catch (err) {
    if (!isConcurrentRefusal(err)) throw err;
    const now = await getDraw(app.store.db, taskId);
    if (now?.seed) throw alreadyRun(taskId, now);
    throw new UserError(
      'DRAW.CONCURRENT',
      `another command was changing the draw of task ${taskId} at the same time; try again`,
    );
  }
}

/**
 * What `draw export` writes: the export record (docs/draw-algorithm.md §9), then `auditHead`, the hash of the newest audit entry when it was
 * read — publish it, and `audit verify --head HASH` later shows that nothing recorded up to then was removed.
 * Replays (`draw verify`, the script in docs/draw-algorithm.md) ignore it.
 */
export type DrawExport = DrawRecord & { auditHead: string };

/** the export record (docs/draw-algorithm.md §9) of a task's draw, from the database, with the audit head that covers it. */
export async function drawRecord(app: App, taskId: string): Promise<DrawExport> {
  await requireTask(app, taskId);
  const draw = await getDraw(app.store.db, taskId);
  if (!draw?.seed || draw.entropy === null)
    throw new UserError('DRAW.NOT_RUN', `the draw of task ${taskId} has not run yet`);
  const record = buildRecord({
    taskId,
    entropySource: draw.entropySource,
    entropy: draw.entropy,
    parameters: draw.parameters,
    snapshots: draw.snapshots,
    outcome: await loadOutcome(app.store.db, draw),
    substitutions: await approvedSubstitutions(app.store.db, taskId),
  });
  // Read last: the head then covers the draw and every substitution in the record (each audited as it committed).
  return { ...record, auditHead: await auditHead(app.store.db) };
}

/** `draw verify ID`: replays the draw and every substitution from the database. */
export async function verifyTaskDraw(
  app: App,
  taskId: string,
): Promise<{ ok: true } | { ok: false; difference: string }> {
  const record = await drawRecord(app, taskId);
  const result = verifyRecord(record);
  const at = app.clock().toISOString();
  await app.store.db.transaction().execute((trx) =>
    appendAudit(trx, {
      at,
      actor: app.actor,
      action: 'draw.verify',
      subject: taskId,
      details: result.ok
        ? { result: 'MATCH', seed: record.seed, hashes: record.hashes }
        : { result: 'DIFFERENT', difference: result.difference, seed: record.seed },
    }),
  );
  return result;
}
