import type { TaskState } from './task.ts';
import { refuse, type Refusal, type Transition } from './transition.ts';

/**
 * The task lifecycle: `draft → frozen → locked → closed`, and `void` (with a reason) from any state but void.
 * Every state change of a task is one of these steps; the service saves `next` only if the task is still in
 * the state it was read in (`saveTaskState`), so two commands racing cannot both move it.
 */
export type TaskStep = 'freeze' | 'lock' | 'close' | 'void';

const STEPS: Readonly<Record<TaskStep, { from: readonly TaskState[]; to: TaskState }>> = {
  freeze: { from: ['draft'], to: 'frozen' },
  lock: { from: ['frozen'], to: 'locked' },
  close: { from: ['locked'], to: 'closed' },
  void: { from: ['draft', 'frozen', 'locked', 'closed'], to: 'void' },
};

export interface TaskStatus {
  id: string;
  state: TaskState;
  voidReason: string | null;
  /** ISO time of the void. */
  voidedAt: string | null;
}

export type TaskStepRefusal = Refusal<'TASK.WRONG_STATE' | 'TASK.VOID_NEEDS_REASON'>;

/**
 * One step of a task's lifecycle.
 *
 * @example const t = stepTask(task, 'void', now, '重复立项'); if (t.ok) await saveTaskState(trx, task.state, t.next)
 */
export function stepTask(
  task: TaskStatus,
  step: TaskStep,
  now: Date,
  reason?: string,
): Transition<TaskStatus> | TaskStepRefusal {
  const rule = STEPS[step];
  if (!rule.from.includes(task.state))
    return refuse('TASK.WRONG_STATE', { state: task.state, step, allowed: rule.from.join('|') });
  if (step !== 'void') return { ok: true, next: { ...task, state: rule.to }, effects: [] };
  if (!reason?.trim()) return refuse('TASK.VOID_NEEDS_REASON');
  return {
    ok: true,
    next: { ...task, state: 'void', voidReason: reason, voidedAt: now.toISOString() },
    effects: [
      {
        kind: 'audit',
        action: 'task.void',
        subject: task.id,
        details: { reason, previousState: task.state },
      },
    ],
  };
}
