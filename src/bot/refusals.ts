import type { Refusal } from '../domain/transition.ts';
import { toast, type CallbackAnswer } from './events.ts';

type Toast = NonNullable<CallbackAnswer['toast']>;
type Details = Record<string, string>;

/**
 * What a person reads for each coded refusal, in one place: listeners return the refusal, dispatch turns it
 * into this toast. `error`: you may not do this; `warning`: it cannot be done any more; `info`: nothing to do.
 */
const REFUSALS = new Map<string, (d: Details) => Toast>([
  ['ASSIGNMENT.NOT_FOUND', () => toast('error', '任务不存在', 'This task no longer exists')],
  [
    'TASK.VOID',
    (d) => toast('warning', `任务已作废：${d.reason ?? ''}`, `This task was voided: ${d.reason ?? ''}`),
  ],
  [
    'ASSIGNMENT.NOT_ASSIGNEE',
    () =>
      toast(
        'error',
        '只有被抽中的执法人员本人可以确认',
        'Only the inspector this assignment is for can confirm it',
      ),
  ],
  [
    'ASSIGNMENT.REPLACED',
    () => toast('warning', '您已不在该检查组（已更换）', 'You are no longer on this team (replaced)'),
  ],
  [
    'ASSIGNMENT.ALREADY_CONFIRMED',
    (d) => toast('info', `已于 ${d.at ?? ''} 确认`, `Already confirmed at ${d.at ?? ''}`),
  ],
  [
    'CARD.STALE',
    () => toast('info', '卡片已更新，请查看最新内容', 'This card was out of date; here is the current one'),
  ],
  ['BUTTON.UNKNOWN', () => toast('warning', '此按钮已失效', 'This button is no longer in use')],
  ['BUTTON.MALFORMED', () => toast('error', '无法识别的按钮', 'Unrecognised button')],
]);

/** The toast for a refusal; an unknown code (a bug) still gets a readable one, and its code in the log. */
export function refusalToast(refusal: Refusal): Toast {
  const make = REFUSALS.get(refusal.code);
  return make ? make(refusal.details ?? {}) : toast('error', '操作未完成', 'That could not be done');
}
