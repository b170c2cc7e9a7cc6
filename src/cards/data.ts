import type { RiskClass } from '../domain/directory.ts';
import type { SnapshotHashes } from '../domain/draw/index.ts';
import type { Decider, SubstitutionState } from '../domain/substitution-request.ts';

/** What the cards show, gathered by the caller; the card functions themselves are pure. */

export interface TaskSummary {
  id: string;
  name: string;
  initiator: { code: string; name: string };
  participants: { code: string; name: string }[];
  items: { code: string; name: string }[];
  window: { start: string; end: string };
  resultDays: number;
}

export interface FreezeCardData {
  task: TaskSummary;
  entropySource: string;
  frozenAt: string;
  hashes: SnapshotHashes;
  pools: {
    targets: number;
    byRisk: Record<RiskClass, number>;
    officers: number;
    officersByDept: Record<string, number>;
  };
  /**
   * Hash of the audit entry that records this step, written in the same transaction: anyone holding the card can
   * later check with `liancha audit verify --head HASH` that this step and every entry before it are still there.
   */
  auditHead: string;
}

export interface MemberView {
  certNo: string;
  name: string;
  dept: string;
  deptName: string;
  leader: boolean;
}

export interface DrawResultCardData {
  task: TaskSummary;
  entropySource: string;
  entropy: string;
  seed: string;
  hashes: SnapshotHashes;
  /** Counts only: the risk class of a single target never leaves the office. */
  targetsByRisk: Partial<Record<RiskClass | 'all', number>>;
  /** Drawn targets in each task department's directory. */
  targetsByDept: { code: string; name: string; count: number }[];
  teams: { no: number; region: string; targets: number; members: MemberView[] }[];
  /** Drawn people liancha cannot reach in Feishu (no resolved identity): their liaison must tell them. */
  undeliverable: { name: string; deptName: string; team: number }[];
  /**
   * Hash of the audit entry that records this step, written in the same transaction: anyone holding the card can
   * later check with `liancha audit verify --head HASH` that this step and every entry before it are still there.
   */
  auditHead: string;
}

export interface Deadline {
  date: string;
  /** The calendar does not cover that year yet: shown as 暂定 until it is updated. */
  provisional: boolean;
}

export interface AssignmentCardData {
  task: TaskSummary;
  team: { no: number; region: string };
  you: { certNo: string; name: string; openId: string | null };
  members: MemberView[];
  targets: { uscc: string; name: string; address: string | null }[];
  deadline: Deadline;
  /** `at` as people read it, in LIANCHA_TZ (`2026-12-01 14:03`). */
  confirmation: { at: string; by: string } | null;
  /** The member row's version: a click on an older card gets a toast and the current card. */
  version: number;
  /** The newest substitution request on this assignment (pending, or the last one decided), if any. */
  substitution: AssignmentSubstitution | null;
  /** Set once this person was replaced: the card says so and carries no buttons. */
  replaced: { byName: string; approvedByName: string; at: string } | null;
  /** `request-form`: the 申请更换 form is open (the answer to that button; nothing is saved until it is sent). */
  mode?: 'view' | 'request-form';
}

/** A substitution request as the requester's assignment card shows it; times already in LIANCHA_TZ. */
export interface AssignmentSubstitution {
  id: string;
  state: SubstitutionState;
  reason: string;
  note: string | null;
  requestedAt: string;
  /** Name of the person who decides it, and whether that is the head or the liaison. */
  deciderName: string;
  deciderRole: Decider['role'];
  decidedAt: string | null;
  comment: string | null;
  /** The request row's version (withdraw carries it). */
  version: number;
}

/** 更换申请: the approval card to the decider (and its one-day reminder). Times already in LIANCHA_TZ. */
export interface SubstitutionRequestCardData {
  id: string;
  task: TaskSummary;
  team: { no: number; region: string; leaderName: string };
  inspector: { certNo: string; name: string; deptName: string; leader: boolean; confirmed: boolean };
  /** Stored label (`工作冲突`); the card shows the English wording from the domain's reason list. */
  reason: string;
  note: string | null;
  requestedAt: string;
  /** Officers who could be drawn as the replacement right now (same department, region, no conflict, never on the team). */
  eligible: number;
  decider: { name: string; role: Decider['role']; why: Decider['why'] };
  state: SubstitutionState;
  /** Set once decided (or withdrawn / expired). */
  decision: {
    byName: string;
    at: string;
    comment: string | null;
    replacement: { name: string; deptName: string } | null;
  } | null;
  /** The request row's version: a click on an older card gets a toast and the current card. */
  version: number;
  /** The one-day reminder: the same card, re-sent with a note that it is still waiting. */
  reminder?: boolean;
}

/**
 * What the people around a decided request are told (substitution outcome): the requester (approved with who
 * replaces them, rejected with the comment, or expired), the team leader (who changed), and the initiating
 * department's liaison when no replacement could be drawn. Times already in LIANCHA_TZ.
 */
export interface SubstitutionOutcomeCardData {
  audience: 'requester' | 'leader' | 'liaison';
  outcome: 'approved' | 'rejected' | 'expired' | 'shortfall';
  task: TaskSummary;
  team: { no: number; region: string };
  inspector: { name: string; deptName: string; leader: boolean };
  reason: string;
  replacement: { name: string; deptName: string; leader: boolean } | null;
  decidedByName: string | null;
  at: string;
  comment: string | null;
  /** For `shortfall`: the department and region with nobody left to draw (the team's region). */
  shortfall: { deptName: string; region: string; why: string } | null;
}

export interface MyTasksCardData {
  name: string;
  assignments: {
    task: { id: string; name: string; window: { start: string; end: string } };
    team: number;
    /** The certificate this person serves the team with: 录入结果 carries it. */
    certNo: string;
    leader: boolean;
    targets: number;
    confirmed: boolean;
    deadline: Deadline;
    /** This person's department's parts still missing on the team: how many, how many overdue, the soonest due. */
    due: { pending: number; overdue: number; next: Deadline | null };
  }[];
}

/** A result category as the cards list it (from config/result-categories.json). */
export interface CategoryView {
  code: string;
  zh: string;
  en: string;
  exclusive?: boolean;
  needsFollowup?: boolean;
}

/**
 * 结果录入: the result-entry card for one officer's department on one team — a page of the team's targets, each with
 * what this department has entered (or a form to enter it), and which of the team's departments are still missing.
 * Times already in LIANCHA_TZ.
 */
export interface ResultEntryCardData {
  task: TaskSummary;
  team: { no: number; region: string };
  /** The department this card enters for (the officer's own), and the officer. */
  dept: { code: string; name: string };
  you: { certNo: string; name: string };
  categories: CategoryView[];
  /** Methods a result may name (the task items' own). */
  methods: string[];
  /** `YYYY-MM-DD` in LIANCHA_TZ: the date picker's default and the latest date allowed. */
  today: string;
  /** Page `page` (0-based) of `pages`, `pageSize` targets each; `targets` holds only this page's. */
  page: number;
  pages: number;
  pageSize: number;
  /** Targets on the team in all, and how many this department has entered. */
  totals: { targets: number; entered: number };
  targets: {
    uscc: string;
    name: string;
    address: string | null;
    /** What this department entered, with the row's version (a submit carries it), or null. */
    mine: {
      categories: string[];
      inspectedOn: string;
      methods: string[];
      note: string | null;
      followup: string | null;
      enteredAt: string;
      version: number;
    } | null;
    /** Names of the team's departments that have entered / are still missing for this target. */
    enteredDepts: string[];
    missingDepts: string[];
    /** When this department's part is due, and whether it is past due. */
    deadline: Deadline;
    overdue: boolean;
  }[];
  /** False once the task is closed (or void): the card shows results, no forms. */
  editable: boolean;
}

/** One department's part of one target still missing, as a reminder or an escalation lists it. */
export interface PendingPart {
  uscc: string;
  name: string;
  deadline: Deadline;
  /** Working days from today to the deadline: 0 on it, negative once overdue. */
  daysLeft: number;
}

/** 录入提醒: what one officer's department still owes on their team, and when it is due. */
export interface ReminderCardData {
  task: { id: string; name: string };
  team: number;
  dept: { code: string; name: string };
  you: { certNo: string; name: string; leader: boolean };
  /** `YYYY-MM-DD HH:mm` in LIANCHA_TZ. */
  sentAt: string;
  /** This department's missing parts, the most urgent first. */
  pending: PendingPart[];
  /** For the team leader: the team's other departments with parts missing. */
  othersMissing: { dept: string; pending: number; overdue: number }[];
}

/** 逾期督办: one department's overdue parts on one task, by team and officer, for its head (or liaison). */
export interface EscalationCardData {
  task: { id: string; name: string };
  dept: { code: string; name: string };
  /** Who it is addressed to: 负责人 or, when the head cannot be reached, 联络员. */
  role: 'head' | 'liaison';
  sentAt: string;
  /** The most working days any of these parts is overdue. */
  worstDaysOverdue: number;
  total: number;
  teams: { team: number; officers: string[]; parts: PendingPart[] }[];
}
