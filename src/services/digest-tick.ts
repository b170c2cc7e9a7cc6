import type { App } from '../app.ts';
import { digestCard } from '../cards/digest.ts';
import { isoWeek } from '../domain/iso-week.ts';
import { localDate } from '../domain/time.ts';
import { claimOccasion, occasionTaken } from '../storage/job-runs.ts';
import { enqueueMessage } from '../storage/outbox.ts';
import { digestData, digestMessage } from './digest.ts';
import { latestFire } from './schedule.ts';
import type { TickJob } from './tick.ts';

/** The `job_runs` key of one week's digest to one chat: once per chat and ISO week, ever. */
const digestOccasion = (chatId: string, week: string) => `digest:${chatId}:${week}`;

/**
 * The weekly digest 周报 to the joint-meeting group (JOINT_CHAT_ID). Due once `DIGEST_CRON` (Monday 09:00 by
 * default, in LIANCHA_TZ) has fired in the current ISO week; the week's `digest:<chat>:<ISO week>` key is claimed
 * in the transaction that queues the card, so it goes out once per week whatever the number of ticks, restarts or
 * instances — and after downtime (down Monday, back Tuesday) the week's digest goes out once, on the first tick
 * back. A week whose schedule has not fired yet (Sunday) is not due. No JOINT_CHAT_ID: nothing, counted `skipped`.
 */
export const digestJob: TickJob = {
  name: 'weekly-digest',
  async run(app, now, instance) {
    const chatId = app.config.JOINT_CHAT_ID;
    if (!chatId) return { posted: 0, skipped: 1 };
    const week = dueWeek(app, now);
    if (!week) return { posted: 0, skipped: 0 };
    const key = digestOccasion(chatId, week);
    if (await occasionTaken(app.store.db, key)) return { posted: 0, skipped: 0 };
    const content = digestCard(await digestData(app, now));
    const posted = await app.store.db.transaction().execute(async (trx) => {
      if (!(await claimOccasion(trx, key, now, instance))) return 0;
      // Queued at the machine's time, not the tick's: `liancha tick --at` a later moment sends it at once.
      await enqueueMessage(trx, digestMessage(chatId, content, `digest:${week}`), app.clock());
      return 1;
    });
    return { posted, skipped: 0 };
  },
};

/** The ISO week whose digest is due at `now` (the schedule fired in this local week), or null. */
function dueWeek(app: App, now: Date): string | null {
  const tz = app.config.LIANCHA_TZ;
  const week = isoWeek(localDate(now, tz));
  const fired = latestFire(app.config.DIGEST_CRON, now, tz);
  return isoWeek(localDate(fired, tz)) === week ? week : null;
}
