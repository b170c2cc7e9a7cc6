import type { RiskClass } from '../domain/directory.ts';
import type { SnapshotHashes } from '../domain/draw/index.ts';

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
}

export interface MyTasksCardData {
  name: string;
  assignments: {
    task: { id: string; name: string; window: { start: string; end: string } };
    team: number;
    leader: boolean;
    targets: number;
    confirmed: boolean;
    deadline: Deadline;
  }[];
}
