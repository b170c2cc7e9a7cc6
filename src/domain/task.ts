import type { RiskClass } from './directory.ts';

/** A joint inspection task (联合抽查任务) as the draw sees it; the task file is parsed into this. */
export interface TaskScope {
  /** Absent filter = allow all. */
  kinds?: string[];
  regions?: string[];
  industries?: string[];
  /** Departments whose directory a target must be in; absent = any of the task's departments. */
  directories?: string[];
}

export interface TaskDefinition {
  id: string;
  name: string;
  initiator: string;
  participants: string[];
  items: string[];
  scope: TaskScope;
  /** Ratio per risk class in basis points (0.05 → 500); a missing class draws 0. Null when `count` is set. */
  ratioBp: Partial<Record<RiskClass, number>> | null;
  /** Fixed number of targets; null when `ratioBp` is set. */
  count: number | null;
  /** ISO dates, inclusive. */
  window: { start: string; end: string };
  targetsPerTeam: number;
  officersPerParticipant: number;
  specialty: string | null;
  /** Result-entry limit in working days. */
  resultDays: number;
}

export const TASK_STATES = ['draft', 'frozen', 'locked', 'closed', 'void'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** The initiator first, then the participants in the order the task lists them. */
export function taskDepartments(task: Pick<TaskDefinition, 'initiator' | 'participants'>): string[] {
  return [task.initiator, ...task.participants];
}

/**
 * A ratio such as 0.05 in basis points (500), read from its decimal text so that no float is ever multiplied.
 * Returns null when the ratio is outside 0–1 or has more than four decimals.
 */
export function ratioToBasisPoints(ratio: number): number | null {
  const text = String(ratio);
  const m = /^(0|1)(?:\.(\d{1,4}))?$/.exec(text);
  if (!m) return null;
  const bp = Number(m[1]) * 10000 + Number((m[2] ?? '').padEnd(4, '0'));
  return bp <= 10000 ? bp : null;
}

/** Whether a task is limited by the general-item ratio cap: only when every item is 一般 (general). */
export function allItemsGeneral(categories: readonly string[]): boolean {
  return categories.length > 0 && categories.every((c) => c === 'general');
}
