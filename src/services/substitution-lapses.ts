import type { App } from '../app.ts';
import { addWorkingDays, isWorkingDay } from '../domain/calendar.ts';
import { expireSubstitution, lapseOf } from '../domain/substitution-request.ts';
import type { TaskDefinition } from '../domain/task.ts';
import { localDate, localTime } from '../domain/time.ts';
import { claimOccasion } from '../storage/job-runs.ts';
import { getRequest, pendingRequests, saveDecision } from '../storage/substitutions.ts';
import { loadCalendar } from './calendar.ts';
import { applyEffects } from './effects.ts';
import { patchRequestCards, queueClosedNotice, queueRequestCard } from './substitution-cards.ts';

/**
 * The scheduler's job for pending substitution requests (a TickJob): a request still pending a full working day
 * after it was made reminds the person who decides it, once (`sub-remind:<request>`); one still pending after the
 * window's last day expires, and the requester is told. What is due is read from the database at `now`, so a
 * tick after downtime does what is due now: one reminder, not one per missed minute.
 */
export async function substitutionLapses(
  app: App,
  now: Date,
  instance: string,
): Promise<Record<string, number>> {
  const tz = app.config.LIANCHA_TZ;
  const cal = loadCalendar();
  const today = localDate(now, tz);
  const nowLocal = localTime(now, tz);
  let reminded = 0;
  let expired = 0;
  for (const pending of await pendingRequests(app.store.db)) {
    const task = JSON.parse(pending.taskDefinition) as TaskDefinition;
    const asked = localTime(pending.requestedAt, tz);
    const remindAt = `${addWorkingDays(cal, asked.slice(0, 10), 1).date} ${asked.slice(11)}`;
    const lapse = lapseOf(pending, {
      today,
      windowEnd: task.window.end,
      nowLocal,
      remindAt,
      workingDay: isWorkingDay(cal, today),
    });
    if (lapse === 'remind') {
      const sent = await app.store.db.transaction().execute(async (trx) => {
        if (!(await claimOccasion(trx, `sub-remind:${pending.id}`, now, instance))) return false;
        await queueRequestCard(trx, app, pending, { reminder: true });
        return true;
      });
      if (sent) reminded++;
    } else if (lapse === 'expire') {
      const done = await app.store.db.transaction().execute(async (trx) => {
        const current = await getRequest(trx, pending.id);
        if (current?.state !== 'pending') return false;
        const t = expireSubstitution(current, now);
        if (!(await saveDecision(trx, t.next, current.version))) return false;
        await applyEffects(app, trx, t.effects, { actor: 'system', at: t.next.decidedAt! });
        await queueClosedNotice(trx, app, t.next);
        await patchRequestCards(trx, app, t.next);
        return true;
      });
      if (done) expired++;
    }
  }
  return { reminded, expired };
}
