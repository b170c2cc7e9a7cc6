/**
 * The weekly progress digest (周报) as plain data: what `services/digest.ts` gathers, what `liancha digest --json`
 * prints, and what `digest.ts` draws the card from. JSON-able throughout: ISO times beside their office-time text.
 */

/** One active task's targets. */
export interface DigestTask {
  id: string;
  name: string;
  window: { start: string; end: string };
  /** Targets drawn (on the task's teams). */
  drawn: number;
  /** Targets for which any department has entered its part. */
  inspected: number;
  /** Targets every department of the team has entered. */
  complete: number;
  /** Targets with a part still missing after its deadline. */
  overdue: number;
}

/** One department over every active task. Parts are one department's result of one target. */
export interface DigestDepartment {
  code: string;
  name: string;
  /** Places on teams held by this department's officers now (replaced ones left out). */
  officers: number;
  /** Of those, not yet confirmed (确认). */
  unconfirmed: number;
  /** Parts entered. */
  entered: number;
  /** Parts missing, not yet due. */
  pending: number;
  /** Parts missing after their deadline. */
  overdue: number;
  substitutions: { requested: number; approved: number; pending: number };
}

/** Parts of one task falling due on one day of the next seven. */
export interface DigestDeadline {
  taskId: string;
  taskName: string;
  date: string;
  provisional: boolean;
  parts: number;
}

/** One part missing after its deadline. */
export interface DigestOverdue {
  taskId: string;
  taskName: string;
  team: number;
  uscc: string;
  target: string;
  dept: string;
  deptName: string;
  deadline: string;
  provisional: boolean;
}

/** A substitution request waiting for its decision. */
export interface DigestApproval {
  taskId: string;
  taskName: string;
  team: number;
  inspector: string;
  dept: string;
  deptName: string;
  /** ISO 8601, and as people read it in the office's zone. */
  requestedAt: string;
  requestedAtLocal: string;
  /** Who decides: the head of the inspector's department, or its liaison. */
  decider: 'head' | 'liaison';
}

export interface DigestData {
  /** ISO week of the office date, e.g. `2026-W49`. */
  week: string;
  /** The office date the digest is for (`YYYY-MM-DD`, LIANCHA_TZ). */
  today: string;
  /** ISO 8601, and `YYYY-MM-DD HH:mm` in the office's zone. */
  generatedAt: string;
  generatedAtLocal: string;
  tz: string;
  /** The department listed first (a head asking in a direct message), or null. */
  focusDept: string | null;
  totals: {
    tasks: number;
    drawn: number;
    inspected: number;
    complete: number;
    /** Targets with an overdue part. */
    overdueTargets: number;
    entered: number;
    pending: number;
    overdue: number;
  };
  tasks: DigestTask[];
  departments: DigestDepartment[];
  /** Calendar days `today` … `today + 6`, by date then task. */
  deadlines: DigestDeadline[];
  /** Every overdue part, earliest deadline first. */
  overdue: DigestOverdue[];
  approvals: DigestApproval[];
  /** Some deadline shown (next seven days or overdue) falls in a year the holiday calendar does not cover yet. */
  provisional: boolean;
}
