import type { TaskState } from './task.ts';
import { refuse, type Refusal, type Transition } from './transition.ts';

/** One inspector's place on one team, as the confirmation rule sees it. */
export interface Assignment {
  taskId: string;
  taskState: TaskState;
  voidReason: string | null;
  team: number;
  certNo: string;
  /** False once they were replaced by an approved substitution. */
  active: boolean;
  /** ISO time. */
  confirmedAt: string | null;
  confirmedBy: string | null;
  /** Goes up with every change; a card carries the version it shows. */
  version: number;
}

/** Who is acting: their Feishu open_id and the certificates that open_id resolves to. */
export interface Actor {
  openId: string;
  certNos: readonly string[];
}

export type ConfirmRefusal = Refusal<
  | 'ASSIGNMENT.NOT_FOUND'
  | 'TASK.VOID'
  | 'ASSIGNMENT.NOT_ASSIGNEE'
  | 'ASSIGNMENT.REPLACED'
  | 'ASSIGNMENT.ALREADY_CONFIRMED'
  | 'CARD.STALE'
>;

/**
 * 确认 / Confirm on an assignment card. Only the assigned inspector may confirm (who may act is checked before
 * anything about the card); a replaced inspector cannot; confirming twice confirms once; a click on a card older
 * than the assignment (`version`) is refused so that the person sees the current card first.
 *
 * @example const t = confirmAssignment(a, { version: 1 }, { openId, certNos }, now); if (t.ok) save(t.next)
 */
export function confirmAssignment(
  a: Assignment | null,
  input: { version: number },
  actor: Actor,
  now: Date,
): Transition<Assignment> | ConfirmRefusal {
  if (!a) return refuse('ASSIGNMENT.NOT_FOUND');
  if (a.taskState === 'void') return refuse('TASK.VOID', { reason: a.voidReason ?? '' });
  if (!actor.certNos.includes(a.certNo)) return refuse('ASSIGNMENT.NOT_ASSIGNEE');
  if (!a.active) return refuse('ASSIGNMENT.REPLACED');
  if (a.confirmedAt) return refuse('ASSIGNMENT.ALREADY_CONFIRMED', { at: a.confirmedAt });
  if (a.version !== input.version) return refuse('CARD.STALE');
  const at = now.toISOString();
  return {
    ok: true,
    next: { ...a, confirmedAt: at, confirmedBy: actor.openId, version: a.version + 1 },
    effects: [
      {
        kind: 'audit',
        action: 'assignment.confirm',
        subject: a.taskId,
        details: { team: a.team, certNo: a.certNo },
      },
      { kind: 'update-card', card: 'assignment', taskId: a.taskId, team: a.team, certNo: a.certNo },
    ],
  };
}
