import type { App } from '../app.ts';
import {
  escalationCard,
  reminderCard,
  type EscalationCardData,
  type PendingPart,
  type ReminderCardData,
} from '../cards/index.ts';
import { workingDaysBetween, type CalendarData } from '../domain/calendar.ts';
import { escalationOccasion, reminderOccasion, type Occasion } from '../domain/reminder.ts';
import { chooseDecider } from '../domain/substitution-request.ts';
import { localDate, localTime } from '../domain/time.ts';
import { directoryNames } from '../storage/directory.ts';
import { loadMembers, type TeamMember } from '../storage/draws.ts';
import { claimOccasion } from '../storage/job-runs.ts';
import { enqueueMessage } from '../storage/outbox.ts';
import { listTasks, type TaskRecord } from '../storage/tasks.ts';
import { loadCalendar } from './calendar.ts';
import { openIdResolver } from './card-data.ts';
import { taskResults, type TargetResults } from './result-progress.ts';
import { latestFire } from './schedule.ts';
import { departmentOpenIds } from './substitution-cards.ts';
import type { TickJob } from './tick.ts';

/**
 * The scheduler's job for results still missing (a TickJob, `deadline-reminders`). On a working day, once the
 * day's REMINDER_CRON moment has passed (09:00 by default, office time):
 *
 * - every active team member with parts of their department still missing gets 录入提醒 on the occasions of
 *   `domain/reminder.ts` (5, 3, 1, 0 working days before the deadline, then daily while overdue) — the team leader's
 *   also lists the team's other departments still missing;
 * - the head of each department with overdue parts gets 逾期督办 at 1 and 5 working days overdue (its liaison when the
 *   head cannot be reached in Feishu).
 *
 * What is missing is read at the tick, so a result entered at 08:59 is not in the 09:00 reminder, and a person with
 * nothing missing gets nothing. Each occasion's `job_runs` key — `remind:<task>:<team>:<cert>:<deadline>:<occasion>`,
 * `escalate:<task>:<dept>:<deadline>:<occasion>` — is claimed in the card's transaction: sent once ever, on any
 * instance, and after downtime only the most recent occasion is due (no backlog).
 */
export const deadlineRemindersJob: TickJob = { name: 'deadline-reminders', run: deadlineReminders };

export async function deadlineReminders(
  app: App,
  now: Date,
  instance: string,
): Promise<Record<string, number>> {
  const counts = { reminded: 0, escalated: 0, unreachable: 0 };
  const tz = app.config.LIANCHA_TZ;
  const today = localDate(now, tz);
  // Before today's reminder moment (or on a day the schedule skips), nothing is due yet.
  if (localDate(latestFire(app.config.REMINDER_CRON, now, tz), tz) !== today) return counts;
  const cal = loadCalendar();
  const tasks = (await listTasks(app.store.db)).filter((t) => t.state === 'locked');
  if (tasks.length === 0) return counts;
  const ctx: RunContext = {
    app,
    now,
    instance,
    today,
    cal,
    sentAt: localTime(now, tz),
    deptNames: (await directoryNames(app.store.db)).departments,
    openIdOf: await openIdResolver(app.store.db),
    counts,
  };
  for (const task of tasks) await remindTask(ctx, task);
  return counts;
}

interface RunContext {
  app: App;
  now: Date;
  instance: string;
  today: string;
  cal: CalendarData;
  sentAt: string;
  deptNames: Map<string, string>;
  openIdOf: (person: { openId: string | null; mobile: string | null }) => string | null;
  counts: { reminded: number; escalated: number; unreachable: number };
}

/** One department's missing part of one target, with its team. */
interface MissingPart extends PendingPart {
  team: number;
  dept: string;
}

async function remindTask(ctx: RunContext, task: TaskRecord): Promise<void> {
  const { db } = ctx.app.store;
  const targets = await taskResults(db, task.definition, ctx.today);
  const missing = missingParts(ctx.cal, ctx.today, targets);
  if (missing.length === 0) return;
  const members = (await loadMembers(db, task.id)).filter((m) => m.active);
  const deptName = (code: string) => ctx.deptNames.get(code) ?? code;

  for (const m of members) {
    const mine = missing.filter((p) => p.team === m.teamNo && p.dept === m.dept);
    const keys = dueKeys(mine, (deadline) => reminderOccasion(ctx.cal, ctx.today, deadline)).map(
      (k) => `remind:${task.id}:${m.teamNo}:${m.certNo}:${k}`,
    );
    if (keys.length === 0) continue;
    const openId = ctx.openIdOf(m);
    if (!openId) {
      ctx.counts.unreachable++;
      continue;
    }
    const data: ReminderCardData = {
      task: { id: task.id, name: task.definition.name },
      team: m.teamNo,
      dept: { code: m.dept, name: deptName(m.dept) },
      you: { certNo: m.certNo, name: m.name ?? m.certNo, leader: m.leader },
      sentAt: ctx.sentAt,
      pending: mine.map(pendingPart),
      othersMissing: m.leader ? othersMissing(missing, m, deptName) : [],
    };
    const ref = `reminder:${task.id}:${m.teamNo}:${m.certNo}:${ctx.today}`;
    if (await queueOnce(ctx, keys, openId, reminderCard(data), ref)) ctx.counts.reminded++;
  }

  for (const dept of [...new Set(missing.map((p) => p.dept))]) {
    const overdue = missing.filter((p) => p.dept === dept && p.daysLeft < 0);
    const keys = dueKeys(overdue, (deadline) => escalationOccasion(ctx.cal, ctx.today, deadline)).map(
      (k) => `escalate:${task.id}:${dept}:${k}`,
    );
    if (keys.length === 0) continue;
    const decider = chooseDecider(await departmentOpenIds(db, dept), '');
    if (!decider) {
      ctx.counts.unreachable++;
      continue;
    }
    const data: EscalationCardData = {
      task: { id: task.id, name: task.definition.name },
      dept: { code: dept, name: deptName(dept) },
      role: decider.role,
      sentAt: ctx.sentAt,
      worstDaysOverdue: Math.max(...overdue.map((p) => -p.daysLeft)),
      total: overdue.length,
      teams: [...new Set(overdue.map((p) => p.team))].map((team) => ({
        team,
        officers: officersOf(members, team, dept),
        parts: overdue.filter((p) => p.team === team).map(pendingPart),
      })),
    };
    const ref = `escalation:${task.id}:${dept}:${ctx.today}`;
    if (await queueOnce(ctx, keys, decider.openId, escalationCard(data), ref)) ctx.counts.escalated++;
  }
}

/** Every department's missing part of every target, the most urgent first (then by team and target). */
function missingParts(cal: CalendarData, today: string, targets: readonly TargetResults[]): MissingPart[] {
  const out: MissingPart[] = [];
  for (const t of targets)
    for (const p of t.parts) {
      if (p.result) continue;
      out.push({
        uscc: t.uscc,
        name: t.name,
        team: t.team,
        dept: p.dept,
        deadline: p.deadline,
        // The calendar remembers each (today, deadline) count: a few distinct deadlines per task.
        daysLeft: workingDaysBetween(cal, today, p.deadline.date),
      });
    }
  return out.sort((a, b) => a.daysLeft - b.daysLeft || a.team - b.team || a.uscc.localeCompare(b.uscc));
}

/** The `<deadline>:<occasion>` of each deadline among `parts` that has an occasion due today. */
function dueKeys(parts: readonly MissingPart[], occasionOf: (deadline: string) => Occasion | null): string[] {
  return [...new Set(parts.map((p) => p.deadline.date))].flatMap((deadline) => {
    const occasion = occasionOf(deadline);
    return occasion ? [`${deadline}:${occasion.key}`] : [];
  });
}

const pendingPart = (p: MissingPart): PendingPart => ({
  uscc: p.uscc,
  name: p.name,
  deadline: p.deadline,
  daysLeft: p.daysLeft,
});

function othersMissing(
  missing: readonly MissingPart[],
  leader: TeamMember,
  deptName: (code: string) => string,
) {
  const others = missing.filter((p) => p.team === leader.teamNo && p.dept !== leader.dept);
  return [...new Set(others.map((p) => p.dept))].map((dept) => {
    const parts = others.filter((p) => p.dept === dept);
    return {
      dept: deptName(dept),
      pending: parts.length,
      overdue: parts.filter((p) => p.daysLeft < 0).length,
    };
  });
}

const officersOf = (members: readonly TeamMember[], team: number, dept: string) =>
  members.filter((m) => m.teamNo === team && m.dept === dept).map((m) => m.name ?? m.certNo);

/**
 * Claims the occasions' keys and queues the card in one transaction. Sent when at least one key was new (a later
 * deadline's occasion may fall on a day an earlier one's was already sent); false when all were claimed already.
 */
async function queueOnce(
  ctx: RunContext,
  keys: readonly string[],
  openId: string,
  content: Record<string, unknown>,
  ref: string,
): Promise<boolean> {
  return ctx.app.store.db.transaction().execute(async (trx) => {
    let fresh = false;
    for (const key of keys) if (await claimOccasion(trx, key, ctx.now, ctx.instance)) fresh = true;
    if (!fresh) return false;
    await enqueueMessage(
      trx,
      { kind: 'send', receiveIdType: 'open_id', receiveId: openId, msgType: 'interactive', content, ref },
      // Queued at the machine's time, not the tick's: `liancha tick --at` a later moment sends it at once.
      ctx.app.clock(),
    );
    return true;
  });
}
