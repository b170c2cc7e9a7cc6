/** What one drain did. */
export interface DrainReport {
  sent: number;
  failed: number;
  /** Rescheduled after a transient failure. */
  retried: number;
  /** Of the retried: refused by a rate limit. */
  rateLimited: number;
  /** Updates not sent because a newer update of the same card follows. */
  superseded: number;
}

export const emptyReport = (): DrainReport => ({
  sent: 0,
  failed: 0,
  retried: 0,
  rateLimited: 0,
  superseded: 0,
});

export const addReports = (a: DrainReport, b: DrainReport): DrainReport => ({
  sent: a.sent + b.sent,
  failed: a.failed + b.failed,
  retried: a.retried + b.retried,
  rateLimited: a.rateLimited + b.rateLimited,
  superseded: a.superseded + b.superseded,
});
