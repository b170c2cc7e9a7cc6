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
import { directoryNames, targetsByUscc } from '../storage/directory.ts';
import { loadMembers, type TeamMember } from '../storage/draws.ts';
import { claimOccasions } from '../storage/job-runs.ts';
import { enqueueMessage } from '../storage/outbox.ts';
import { listTasks, type TaskRecord } from '../storage/tasks.ts';
import { loadCalendar } from './calendar.ts';
import { openIdResolver } from './card-data.ts';
import { standingOfTasks, type TargetStanding } from './result-progress.ts';
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
  const db = app.store.db;
  const tasks = (await listTasks(db)).filter((t) => t.state === 'locked');
  if (tasks.length === 0) return counts;
  const standings = await standingOfTasks(
    db,
    tasks.map((t) => t.definition),
    today,
  );
  const missingUsccs = [...standings.values()].flatMap((ts) =>
    ts.filter((t) => t.missing.length > 0).map((t) => t.uscc),
  );
  const names = await targetsByUscc(db, [...new Set(missingUsccs)]);
  const deciders = new Map<string, ReturnType<typeof departmentOpenIds>>();
  const ctx: RunContext = {
    app,
    now,
    instance,
    today,
    cal,
    sentAt: localTime(now, tz),
    deptNames: (await directoryNames(db)).departments,
    targetName: (uscc) => names.get(uscc)?.name ?? uscc,
    openIdOf: await openIdResolver(db),
    contactsOf: (dept) => {
      if (!deciders.has(dept)) deciders.set(dept, departmentOpenIds(db, dept));
      return deciders.get(dept)!;
    },
    counts,
  };
  for (const task of tasks) await remindTask(ctx, task, standings.get(task.id)!);
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
  targetName: (uscc: string) => string;
  openIdOf: (person: { openId: string | null; mobile: string | null }) => string | null;
  /** The department's head and liaison, read once per tick. */
  contactsOf: (dept: string) => ReturnType<typeof departmentOpenIds>;
  counts: { reminded: number; escalated: number; unreachable: number };
}

/** A card due today: the occasion keys it claims, and where it goes. */
interface DueCard {
  keys: string[];
  openId: string;
  content: Record<string, unknown>;
  ref: string;
  counts: 'reminded' | 'escalated';
}

/** One department's missing part of one target, with its team. */
interface MissingPart extends PendingPart {
  team: number;
  dept: string;
}

async function remindTask(
  ctx: RunContext,
  task: TaskRecord,
  targets: readonly TargetStanding[],
): Promise<void> {
  const { db } = ctx.app.store;
  const missing = missingParts(ctx, targets);
  if (missing.length === 0) return;
  const cards: DueCard[] = [];
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
    cards.push({ keys, openId, content: reminderCard(data), ref, counts: 'reminded' });
  }

  for (const dept of [...new Set(missing.map((p) => p.dept))]) {
    const overdue = missing.filter((p) => p.dept === dept && p.daysLeft < 0);
    const keys = dueKeys(overdue, (deadline) => escalationOccasion(ctx.cal, ctx.today, deadline)).map(
      (k) => `escalate:${task.id}:${dept}:${k}`,
    );
    if (keys.length === 0) continue;
    const decider = chooseDecider(await ctx.contactsOf(dept), '');
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
    cards.push({ keys, openId: decider.openId, content: escalationCard(data), ref, counts: 'escalated' });
  }
  await queueOnce(ctx, cards);
}

/** Every department's missing part of every target, the most urgent first (then by team and target). */
function missingParts(ctx: RunContext, targets: readonly TargetStanding[]): MissingPart[] {
  const out: MissingPart[] = [];
  for (const t of targets)
    for (const p of t.missing) {
      out.push({
        uscc: t.uscc,
        name: ctx.targetName(t.uscc),
        team: t.team,
        dept: p.dept,
        deadline: p.deadline,
        // The calendar remembers each (today, deadline) count: a few distinct deadlines per task.
        daysLeft: workingDaysBetween(ctx.cal, ctx.today, p.deadline.date),
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
 * Claims each card's occasion keys and queues it in the same transaction — one transaction for a task's cards, not
 * one per card (a province's tick writes thousands). A card is sent when at least one of its keys was new (a later
 * deadline's occasion may fall on a day an earlier one's was already sent); not when all were claimed already.
 */
async function queueOnce(ctx: RunContext, cards: readonly DueCard[]): Promise<void> {
  if (cards.length === 0) return;
  const queued = await ctx.app.store.db.transaction().execute(async (trx) => {
    const sent: DueCard[] = [];
    const fresh = await claimOccasions(
      trx,
      cards.flatMap((c) => c.keys),
      ctx.now,
      ctx.instance,
    );
    for (const card of cards) {
      if (!card.keys.some((k) => fresh.has(k))) continue;
      const { openId: receiveId, content, ref } = card;
      await enqueueMessage(
        trx,
        { kind: 'send', receiveIdType: 'open_id', receiveId, msgType: 'interactive', content, ref },
        // Queued at the machine's time, not the tick's: `liancha tick --at` a later moment sends it at once.
        ctx.app.clock(),
      );
      sent.push(card);
    }
    return sent;
  });
  // Counted once committed: a rolled-back transaction sent nothing.
  for (const card of queued) ctx.counts[card.counts]++;
}
