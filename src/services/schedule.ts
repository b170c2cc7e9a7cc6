import { CronExpressionParser } from 'cron-parser';

/**
 * The latest moment at or before `now` at which `cron` (a 5-field expression, as REMINDER_CRON and DIGEST_CRON)
 * fires in the time zone `tz`. The scheduler ticks every minute; a job compares its occasion with this moment
 * instead of trusting that a tick landed exactly on it — so a tick after downtime still finds what is due now.
 * cron-parser does the calendar arithmetic (DST-free zones like Asia/Shanghai and others alike).
 *
 * @example latestFire('0 9 * * 1', new Date('2026-12-02T04:00:00Z'), 'Asia/Shanghai') // 2026-11-30T01:00:00Z
 */
export function latestFire(cron: string, now: Date, tz: string): Date {
  // prev() is strictly before currentDate: a millisecond later makes a fire at exactly `now` count.
  const expr = CronExpressionParser.parse(cron, { currentDate: new Date(now.getTime() + 1), tz });
  return expr.prev().toDate();
}
