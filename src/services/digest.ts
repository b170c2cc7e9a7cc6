import type { App } from '../app.ts';
import type {
  DigestApproval,
  DigestData,
  DigestDeadline,
  DigestDepartment,
  DigestOverdue,
  DigestTask,
} from '../cards/digest-data.ts';
import { digestCard } from '../cards/digest.ts';
import { addDays } from '../domain/calendar.ts';
import { isoWeek } from '../domain/iso-week.ts';
import { localDate, localTime } from '../domain/time.ts';
import { UserError } from '../errors.ts';
import { departmentContacts, directoryNames, targetsByUscc } from '../storage/directory.ts';
import {
  activeTasks,
  memberCountsByDept,
  pendingApprovals,
  substitutionCountsByDept,
} from '../storage/digest.ts';
import { enqueueMessage, type OutboxMessage } from '../storage/outbox.ts';
import { openIdResolver } from './card-data.ts';
import { standingOfTasks } from './result-progress.ts';

/** "Deadlines in the next 7 days": today and the six calendar days after it. */
const DEADLINE_DAYS = 7;

/**
 * The weekly progress digest (周报) at `now`: every locked task's targets (drawn, inspected, complete, overdue),
 * each department's officers, confirmations, result parts and substitutions over all of them, the deadlines of
 * the next seven calendar days, every overdue part and every pending approval. Dates and the ISO week are the
 * office's (`LIANCHA_TZ`). `dept` puts that department's row first (a department head asking in a direct message).
 * One query per kind over all tasks (results grouped per target in the database), then the overdue targets' names.
 *
 * @example const d = await digestData(app, app.clock()); console.log(d.week, d.totals)
 */
export async function digestData(app: App, now: Date, opts: { dept?: string } = {}): Promise<DigestData> {
  const db = app.store.db;
  const tz = app.config.LIANCHA_TZ;
  const today = localDate(now, tz);
  const horizon = addDays(today, DEADLINE_DAYS - 1);
  const [tasks, names, members, substitutions, approvalRows] = await Promise.all([
    activeTasks(db),
    directoryNames(db),
    memberCountsByDept(db),
    substitutionCountsByDept(db),
    pendingApprovals(db),
  ]);
  const deptName = (code: string) => names.departments.get(code) ?? code;

  const standings = await standingOfTasks(
    db,
    tasks.map((t) => t.definition),
    today,
  );

  const depts = new Map<string, DigestDepartment>();
  const dept = (code: string): DigestDepartment => {
    let d = depts.get(code);
    if (!d) {
      d = {
        code,
        name: deptName(code),
        officers: 0,
        unconfirmed: 0,
        entered: 0,
        pending: 0,
        overdue: 0,
        substitutions: { requested: 0, approved: 0, pending: 0 },
      };
      depts.set(code, d);
    }
    return d;
  };
  const taskRows: DigestTask[] = [];
  const deadlines: DigestDeadline[] = [];
  const overdue: DigestOverdue[] = [];
  for (const task of tasks) {
    const targets = standings.get(task.id)!;
    const row: DigestTask = {
      id: task.id,
      name: task.name,
      window: task.definition.window,
      drawn: targets.length,
      inspected: 0,
      complete: 0,
      overdue: 0,
    };
    const due = new Map<string, DigestDeadline>();
    for (const target of targets) {
      if (target.entered.length > 0) row.inspected++;
      if (target.missing.length === 0) row.complete++;
      if (target.missing.some((p) => p.overdue)) row.overdue++;
      for (const code of target.entered) dept(code).entered++;
      for (const part of target.missing) {
        const d = dept(part.dept);
        if (part.overdue) {
          d.overdue++;
          overdue.push({
            taskId: task.id,
            taskName: task.name,
            team: target.team,
            uscc: target.uscc,
            target: target.uscc, // named below, once per target
            dept: part.dept,
            deptName: d.name,
            deadline: part.deadline.date,
            provisional: part.deadline.provisional,
          });
        } else {
          d.pending++;
          const date = part.deadline.date;
          if (date >= today && date <= horizon) {
            const entry = due.get(date) ?? {
              taskId: task.id,
              taskName: task.name,
              date,
              provisional: false,
              parts: 0,
            };
            entry.parts++;
            entry.provisional ||= part.deadline.provisional;
            due.set(date, entry);
          }
        }
      }
    }
    taskRows.push(row);
    deadlines.push(...due.values());
  }
  const overdueNames = await targetsByUscc(db, [...new Set(overdue.map((o) => o.uscc))]);
  for (const o of overdue) o.target = overdueNames.get(o.uscc)?.name ?? o.uscc;
  for (const [code, m] of members) Object.assign(dept(code), m);
  for (const [code, byState] of substitutions) {
    const d = dept(code);
    d.substitutions = {
      requested: [...byState.values()].reduce((a, b) => a + b, 0),
      approved: byState.get('approved') ?? 0,
      pending: byState.get('pending') ?? 0,
    };
  }
  const approvals: DigestApproval[] = approvalRows.map((r) => ({
    taskId: r.taskId,
    taskName: r.taskName,
    team: r.team,
    inspector: r.inspector ?? r.certNo,
    dept: r.dept,
    deptName: deptName(r.dept),
    requestedAt: r.requestedAt,
    requestedAtLocal: localTime(r.requestedAt, tz),
    decider: r.deciderRole,
  }));

  deadlines.sort((a, b) => cmp(a.date, b.date) || cmp(a.taskId, b.taskId));
  overdue.sort(
    (a, b) =>
      cmp(a.deadline, b.deadline) ||
      cmp(a.taskId, b.taskId) ||
      a.team - b.team ||
      cmp(a.uscc, b.uscc) ||
      cmp(a.dept, b.dept),
  );
  const departments = [...depts.values()].sort(
    (a, b) => Number(b.code === opts.dept) - Number(a.code === opts.dept) || cmp(a.code, b.code),
  );
  const total = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);
  return {
    week: isoWeek(today),
    today,
    generatedAt: now.toISOString(),
    generatedAtLocal: localTime(now, tz),
    tz,
    focusDept: opts.dept && depts.has(opts.dept) ? opts.dept : null,
    totals: {
      tasks: taskRows.length,
      drawn: total(taskRows, (t) => t.drawn),
      inspected: total(taskRows, (t) => t.inspected),
      complete: total(taskRows, (t) => t.complete),
      overdueTargets: total(taskRows, (t) => t.overdue),
      entered: total(departments, (d) => d.entered),
      pending: total(departments, (d) => d.pending),
      overdue: total(departments, (d) => d.overdue),
    },
    tasks: taskRows,
    departments,
    deadlines,
    overdue,
    approvals,
    provisional: deadlines.some((d) => d.provisional) || overdue.some((o) => o.provisional),
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The answer to `进度` / `progress` in chat: the digest now. In a group, the whole office; in a direct message from a
 * department's head (the imported head, resolved to this open_id), that department first.
 *
 * @example const card = digestCard(await progressAnswer(app, { chatType: 'p2p', senderOpenId: 'ou_…' }))
 */
export async function progressAnswer(
  app: App,
  e: { chatType: 'p2p' | 'group'; senderOpenId: string },
): Promise<DigestData> {
  const now = app.clock();
  if (e.chatType !== 'p2p') return digestData(app, now);
  return digestData(app, now, { dept: (await deptHeadedBy(app, e.senderOpenId)) ?? undefined });
}

/** The department whose head is this open_id (the first by code when one person heads several), or null. */
async function deptHeadedBy(app: App, openId: string): Promise<string | null> {
  const db = app.store.db;
  const [contacts, openIdOf] = await Promise.all([departmentContacts(db), openIdResolver(db)]);
  const headed = contacts.find((c) => c.head && openIdOf({ openId: c.head, mobile: null }) === openId);
  return headed?.code ?? null;
}

/**
 * `liancha digest --send`: the digest at `now` queued to the joint-meeting group (ref `digest:manual`) for the
 * running bot to send. A manual send claims no week: the Monday digest still goes out as scheduled. Refused when
 * JOINT_CHAT_ID is not set.
 */
export async function queueDigest(
  app: App,
  now: Date,
): Promise<{ chatId: string; outboxId: string; data: DigestData }> {
  const chatId = app.config.JOINT_CHAT_ID;
  if (!chatId)
    throw new UserError(
      'DIGEST.NO_CHAT',
      'JOINT_CHAT_ID is not set: there is no joint-meeting group to post the digest to (set it to the group chat id, oc_…)',
    );
  const data = await digestData(app, now);
  const content = digestCard(data);
  const row = await app.store.db.transaction().execute((trx) =>
    // Queued at the machine's time, not `--at`'s: the running bot sends it at once.
    enqueueMessage(trx, digestMessage(chatId, content, 'digest:manual'), app.clock()),
  );
  return { chatId, outboxId: row.id, data };
}

/** The digest card as a message to the joint-meeting group. */
export function digestMessage(chatId: string, content: Record<string, unknown>, ref: string): OutboxMessage {
  return { kind: 'send', receiveIdType: 'chat_id', receiveId: chatId, msgType: 'interactive', content, ref };
}
