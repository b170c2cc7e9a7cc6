import type { Kysely, Transaction } from 'kysely';
import type { App } from '../app.ts';
import {
  assignmentCard,
  substitutionOutcomeCard,
  substitutionRequestCard,
  type SubstitutionOutcomeCardData,
  type SubstitutionRequestCardData,
} from '../cards/index.ts';
import type { SubstitutionRecord } from '../domain/draw/index.ts';
import type { SubstitutionRequest } from '../domain/substitution-request.ts';
import type { TaskDefinition } from '../domain/task.ts';
import { localTime } from '../domain/time.ts';
import { departmentContacts, directoryNames } from '../storage/directory.ts';
import { loadMembers, teamRegions, type TeamMember } from '../storage/draws.ts';
import { enqueueMessage, enqueuePatchByRef } from '../storage/outbox.ts';
import type { Database } from '../storage/schema.ts';
import { getTask } from '../storage/tasks.ts';
import { assignmentData, deciderLabel, openIdResolver, taskSummary } from './card-data.ts';
import { assignmentRef } from './notifications.ts';
import { replayedDraw } from './substitutions.ts';

/**
 * The cards of the substitution workflow, gathered from the database and queued in the outbox inside the
 * action's own transaction: the approval card to the decider, the outcome to the requester and the team, the
 * replacement's assignment card, and in-place updates of every card the change makes out of date.
 */

type Db = Kysely<Database>;

export const requestCardRef = (id: string) => `substitution:${id}`;
export const reminderCardRef = (id: string) => `substitution:${id}:reminder`;
const outcomeRef = (id: string, audience: string, to: string) =>
  `substitution-outcome:${id}:${audience}:${to}`;

async function deptName(db: Db, code: string): Promise<string> {
  return (await directoryNames(db)).departments.get(code) ?? code;
}

/**
 * The head and liaison of a department as Feishu open_ids (null when not imported or not resolved): who an
 * approval card can go to, and who hears of a shortfall.
 */
export async function departmentOpenIds(
  db: Db,
  dept: string,
): Promise<{ headOpenId: string | null; liaisonOpenId: string | null }> {
  const contact = (await departmentContacts(db)).find((d) => d.code === dept);
  const openIdOf = await openIdResolver(db);
  const resolve = (raw: string | null | undefined) => (raw ? openIdOf({ openId: raw, mobile: null }) : null);
  return { headOpenId: resolve(contact?.head), liaisonOpenId: resolve(contact?.liaison) };
}

/** The approval card's data for a request as it is now (eligible replacements counted on the current teams). */
export async function requestCardData(
  db: Db,
  r: SubstitutionRequest,
  tz: string,
  opts: { reminder?: boolean } = {},
): Promise<SubstitutionRequestCardData> {
  const task = (await getTask(db, r.taskId))!;
  const summary = await taskSummary(db, task.definition);
  const names = (await directoryNames(db)).departments;
  const members = await loadMembers(db, r.taskId, r.team);
  const region = (await teamRegions(db, r.taskId, r.team)).get(r.team) ?? '';
  const leader = members.find((m) => m.leader && m.active);
  const out = members.find((m) => m.certNo === r.outCert);
  const incoming = r.inCert ? members.find((m) => m.certNo === r.inCert) : undefined;
  const replayed = r.state === 'pending' ? await replayedDraw(db, r.taskId) : null;
  const dName = names.get(r.dept) ?? r.dept;
  const decidedBy =
    r.state === 'expired'
      ? '系统'
      : r.decidedBy === r.requestedBy
        ? nameOf(out)
        : deciderLabel(dName, r.decider.role);
  return {
    id: r.id,
    task: summary,
    team: { no: r.team, region, leaderName: nameOf(leader) },
    inspector: {
      certNo: r.outCert,
      name: nameOf(out),
      deptName: dName,
      leader: out?.leader ?? false,
      confirmed: out?.confirmedAt != null,
    },
    reason: r.reason,
    note: r.note,
    requestedAt: localTime(r.requestedAt, tz),
    eligible: replayed ? replayed.replayer.eligibleCount(r.team, r.dept) : 0,
    decider: { name: deciderLabel(dName, r.decider.role), role: r.decider.role, why: r.decider.why },
    state: r.state,
    decision:
      r.state === 'pending' || !r.decidedAt
        ? null
        : {
            byName: decidedBy,
            at: localTime(r.decidedAt, tz),
            comment: r.comment,
            replacement: incoming ? { name: nameOf(incoming), deptName: dName } : null,
          },
    version: r.version,
    ...(opts.reminder ? { reminder: true } : {}),
  };
}

const nameOf = (m: TeamMember | undefined) => m?.name ?? m?.certNo ?? '—';

/** Sends the approval card (or its one-day reminder) to the decider. */
export async function queueRequestCard(
  trx: Transaction<Database>,
  app: App,
  r: SubstitutionRequest,
  opts: { reminder?: boolean } = {},
): Promise<void> {
  const data = await requestCardData(trx, r, app.config.LIANCHA_TZ, opts);
  await enqueueMessage(
    trx,
    {
      kind: 'send',
      receiveIdType: 'open_id',
      receiveId: r.decider.openId,
      msgType: 'interactive',
      content: substitutionRequestCard(data),
      ref: opts.reminder ? reminderCardRef(r.id) : requestCardRef(r.id),
    },
    app.clock(),
  );
}

/** Updates the approval card and its reminder (when one was sent) to the request's current state. */
export async function patchRequestCards(
  trx: Transaction<Database>,
  app: App,
  r: SubstitutionRequest,
): Promise<void> {
  const data = await requestCardData(trx, r, app.config.LIANCHA_TZ);
  const now = app.clock();
  await enqueuePatchByRef(trx, requestCardRef(r.id), substitutionRequestCard(data), now);
  await enqueuePatchByRef(
    trx,
    reminderCardRef(r.id),
    substitutionRequestCard({ ...data, reminder: true }),
    now,
  );
}

/** Updates one member's assignment card in place (it was sent as `assignmentRef`), if it was ever sent. */
export async function patchAssignmentCard(
  trx: Transaction<Database>,
  app: App,
  task: TaskDefinition,
  key: { team: number; certNo: string },
): Promise<void> {
  const [data] = await assignmentData(trx, task, { only: key, tz: app.config.LIANCHA_TZ });
  if (!data) return;
  await enqueuePatchByRef(
    trx,
    assignmentRef(task.id, key.team, key.certNo),
    assignmentCard(data),
    app.clock(),
  );
}

async function sendOutcome(
  trx: Transaction<Database>,
  app: App,
  requestId: string,
  to: string | null,
  data: SubstitutionOutcomeCardData,
): Promise<void> {
  if (!to) return;
  await enqueueMessage(
    trx,
    {
      kind: 'send',
      receiveIdType: 'open_id',
      receiveId: to,
      msgType: 'interactive',
      content: substitutionOutcomeCard(data),
      ref: outcomeRef(requestId, data.audience, to),
    },
    app.clock(),
  );
}

/** What every outcome card shares: the task, the team and the person who asked. */
async function outcomeBase(db: Db, r: SubstitutionRequest, tz: string) {
  const task = (await getTask(db, r.taskId))!;
  const summary = await taskSummary(db, task.definition);
  const members = await loadMembers(db, r.taskId, r.team);
  const region = (await teamRegions(db, r.taskId, r.team)).get(r.team) ?? '';
  const dName = await deptName(db, r.dept);
  const out = members.find((m) => m.certNo === r.outCert);
  return {
    task,
    members,
    dName,
    base: {
      task: summary,
      team: { no: r.team, region },
      inspector: { name: nameOf(out), deptName: dName, leader: out?.leader ?? false },
      reason: r.reason,
      at: localTime(r.decidedAt ?? r.requestedAt, tz),
    },
  };
}

/**
 * After an approval: the requester hears who replaces them and their old card says so; the replacement gets a
 * full assignment card; the leader hears who changed (when the leader was the one replaced, the rest of the team
 * does, and the replacement leads); every other member's card shows the new team.
 */
export async function queueApprovalNotices(
  trx: Transaction<Database>,
  app: App,
  r: SubstitutionRequest,
  record: SubstitutionRecord,
): Promise<{ replacementReachable: boolean }> {
  const tz = app.config.LIANCHA_TZ;
  const { task, members, dName, base } = await outcomeBase(trx, r, tz);
  const incoming = members.find((m) => m.certNo === record.in);
  const replacement = { name: nameOf(incoming), deptName: dName, leader: incoming?.leader ?? false };
  const decidedByName = deciderLabel(dName, r.decider.role);
  const notice = (audience: 'requester' | 'leader'): SubstitutionOutcomeCardData => ({
    ...base,
    audience,
    outcome: 'approved',
    replacement,
    decidedByName,
    comment: r.comment,
    shortfall: null,
  });
  const openIdOf = await openIdResolver(trx);
  await sendOutcome(trx, app, r.id, r.requestedBy, notice('requester'));
  await patchAssignmentCard(trx, app, task.definition, { team: r.team, certNo: r.outCert });

  const [card] = await assignmentData(trx, task.definition, {
    only: { team: r.team, certNo: record.in },
    tz,
  });
  const replacementOpenId = card?.openId ?? null;
  if (card && replacementOpenId) {
    await enqueueMessage(
      trx,
      {
        kind: 'send',
        receiveIdType: 'open_id',
        receiveId: replacementOpenId,
        msgType: 'interactive',
        content: assignmentCard(card),
        ref: assignmentRef(task.id, r.team, record.in),
      },
      app.clock(),
    );
  }
  const others = members.filter((m) => m.active && m.certNo !== record.in);
  const leaderReplaced = incoming?.leader ?? false;
  for (const m of others) {
    if (!leaderReplaced && !m.leader) continue;
    await sendOutcome(trx, app, r.id, openIdOf(m), notice('leader'));
  }
  for (const m of others)
    await patchAssignmentCard(trx, app, task.definition, { team: r.team, certNo: m.certNo });
  return { replacementReachable: replacementOpenId !== null };
}

/** After a rejection or an expiry: the requester hears it, and their assignment card shows it. */
export async function queueClosedNotice(
  trx: Transaction<Database>,
  app: App,
  r: SubstitutionRequest,
): Promise<void> {
  const { task, dName, base } = await outcomeBase(trx, r, app.config.LIANCHA_TZ);
  if (r.state === 'rejected' || r.state === 'expired') {
    await sendOutcome(trx, app, r.id, r.requestedBy, {
      ...base,
      audience: 'requester',
      outcome: r.state,
      replacement: null,
      decidedByName: r.state === 'rejected' ? deciderLabel(dName, r.decider.role) : null,
      comment: r.comment,
      shortfall: null,
    });
  }
  await patchAssignmentCard(trx, app, task.definition, { team: r.team, certNo: r.outCert });
}

/**
 * An approval failed because nobody is left to draw: the initiating department's liaison is told, so that the
 * directory can be completed (the caller makes it once per request).
 */
export async function queueShortfallNotice(
  trx: Transaction<Database>,
  app: App,
  r: SubstitutionRequest,
  shortfall: { region: string; why: string },
): Promise<void> {
  const { task, dName, base } = await outcomeBase(trx, r, app.config.LIANCHA_TZ);
  const { liaisonOpenId } = await departmentOpenIds(trx, task.definition.initiator);
  await sendOutcome(trx, app, r.id, liaisonOpenId, {
    ...base,
    at: localTime(app.clock(), app.config.LIANCHA_TZ),
    audience: 'liaison',
    outcome: 'shortfall',
    replacement: null,
    decidedByName: deciderLabel(dName, r.decider.role),
    comment: null,
    shortfall: { deptName: dName, region: shortfall.region, why: shortfall.why },
  });
}
