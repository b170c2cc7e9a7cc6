import type { Refusal } from '../domain/transition.ts';
import { toast, type CallbackAnswer } from './events.ts';

type Toast = NonNullable<CallbackAnswer['toast']>;
type Details = Record<string, string>;

/** A decided request's state, as the toast names it. */
const STATE_WORDS: Record<string, [string, string]> = {
  approved: ['已同意', 'approved'],
  rejected: ['已驳回', 'rejected'],
  withdrawn: ['已撤回', 'withdrawn'],
  expired: ['已过期（检查期已结束）', 'expired (the window has ended)'],
};
const stateWord = (state: string | undefined) => STATE_WORDS[state ?? ''] ?? ['已处理', 'decided'];

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
  [
    'TASK.NOT_LOCKED',
    () => toast('warning', '该任务当前不在检查阶段', 'This task is not in its inspection phase'),
  ],
  [
    'SUBSTITUTION.WINDOW_ENDED',
    (d) =>
      toast(
        'warning',
        `检查期已于 ${d.end ?? ''} 结束，不能再申请更换`,
        `The inspection window ended on ${d.end ?? ''}; replacements can no longer be requested`,
      ),
  ],
  [
    'SUBSTITUTION.ALREADY_PENDING',
    (d) =>
      toast(
        'info',
        `您已于 ${d.at ?? ''} 提交更换申请，正在等待审批`,
        `You requested a replacement at ${d.at ?? ''}; it is waiting for approval`,
      ),
  ],
  ['SUBSTITUTION.REASON_MISSING', () => toast('error', '请选择更换原因', 'Please choose a reason')],
  [
    'SUBSTITUTION.NOTE_REQUIRED',
    (d) =>
      toast(
        'error',
        `原因为“${d.reason ?? ''}”时须填写说明`,
        `A note is required for the reason “${d.reason ?? ''}”`,
      ),
  ],
  [
    'SUBSTITUTION.NOTE_TOO_LONG',
    (d) => toast('error', `说明最多 ${d.max ?? ''} 字`, `At most ${d.max ?? ''} characters, please`),
  ],
  [
    'SUBSTITUTION.NO_DECIDER',
    () =>
      toast(
        'error',
        '本部门负责人和联络员均未关联飞书账号，无法送审；请联系联络员',
        'Neither the head nor the liaison of your department can be reached in Feishu; please contact your liaison',
      ),
  ],
  ['SUBSTITUTION.NOT_FOUND', () => toast('error', '更换申请不存在', 'This request no longer exists')],
  [
    'SUBSTITUTION.NOT_REQUESTER',
    () => toast('error', '只有申请人本人可以撤回', 'Only the person who asked can withdraw the request'),
  ],
  [
    'SUBSTITUTION.ALREADY_DECIDED',
    (d) => {
      const [zh, en] = stateWord(d.state);
      return toast('info', `该申请${zh}`, `This request was already ${en}`);
    },
  ],
  [
    'SUBSTITUTION.OWN_REQUEST',
    () => toast('error', '不能审批本人的更换申请', 'You cannot decide your own request'),
  ],
  [
    'SUBSTITUTION.NOT_DECIDER',
    () =>
      toast(
        'error',
        '只有被抽中人员所在部门的负责人可以审批',
        "Only the head of the inspector's own department can decide this request",
      ),
  ],
  [
    'SUBSTITUTION.COMMENT_REQUIRED',
    () => toast('error', '驳回须填写意见', 'Please write a comment to reject'),
  ],
  [
    'SUBSTITUTION.NO_REPLACEMENT',
    (d) =>
      toast(
        'error',
        `无法更换：${d.dept ?? ''}在区域 ${d.region ?? ''} 已无符合条件的执法人员；申请仍待审批，已通知发起部门联络员`,
        `No replacement possible: ${d.dept ?? ''} has no eligible officer left in region ${d.region ?? ''}; the request stays pending and the initiating department's liaison was told`,
      ),
  ],
  [
    'RESULT.NOT_ON_TEAM',
    () =>
      toast(
        'error',
        `只有本检查组的成员可以录入本组的检查结果`,
        `Only members of this team can enter its results`,
      ),
  ],
  [
    'RESULT.TARGET_NOT_ON_TEAM',
    () => toast('error', `该检查对象不属于本检查组`, `This target is not on this team`),
  ],
  [
    'RESULT.CARD_STALE',
    () =>
      toast(
        'info',
        `该结果已被更新，请查看最新内容后再修改`,
        `This result was changed meanwhile; here is the current card`,
      ),
  ],
  [
    'TASK.CLOSED',
    () =>
      toast('warning', `任务已结束，不能再录入或修改结果`, `This task is closed and takes no more results`),
  ],
  [
    'RESULT.CATEGORY_MISSING',
    (d) =>
      toast(
        'error',
        `「${d.target ?? ''}」：请选择检查结果`,
        `“${d.target ?? ''}”: choose at least one result`,
      ),
  ],
  [
    'RESULT.CATEGORY_UNKNOWN',
    (d) =>
      toast('error', `「${d.target ?? ''}」：检查结果无法识别`, `“${d.target ?? ''}”: unrecognised result`),
  ],
  [
    'RESULT.CATEGORY_EXCLUSIVE',
    (d) =>
      toast(
        'error',
        `「${d.target ?? ''}」：“未发现问题”不能与其他检查结果同时选择`,
        `“${d.target ?? ''}”: “No issue found” cannot be combined with another result`,
      ),
  ],
  [
    'RESULT.FOLLOWUP_REQUIRED',
    (d) =>
      toast(
        'error',
        `「${d.target ?? ''}」：“发现问题待后续处理”须填写后续处置`,
        `“${d.target ?? ''}”: “Follow-up pending” needs a follow-up note`,
      ),
  ],
  [
    'RESULT.DATE_INVALID',
    (d) =>
      toast(
        'error',
        `「${d.target ?? ''}」：请选择检查日期`,
        `“${d.target ?? ''}”: choose the inspection date`,
      ),
  ],
  [
    'RESULT.DATE_OUTSIDE_WINDOW',
    (d) =>
      toast(
        'error',
        `「${d.target ?? ''}」：检查日期须在检查时间 ${d.start ?? ''} 至 ${d.end ?? ''} 之内`,
        `“${d.target ?? ''}”: the inspection date must be within ${d.start ?? ''} to ${d.end ?? ''}`,
      ),
  ],
  [
    'RESULT.DATE_IN_FUTURE',
    (d) =>
      toast(
        'error',
        `「${d.target ?? ''}」：检查日期不能晚于今天（${d.today ?? ''}）`,
        `“${d.target ?? ''}”: the inspection date cannot be after today (${d.today ?? ''})`,
      ),
  ],
  [
    'RESULT.METHOD_UNKNOWN',
    (d) =>
      toast(
        'error',
        `「${d.target ?? ''}」：检查方式不属于本任务的抽查事项`,
        `“${d.target ?? ''}”: that inspection method is not one of this task's`,
      ),
  ],
  [
    'RESULT.TEXT_TOO_LONG',
    (d) =>
      toast(
        'error',
        `「${d.target ?? ''}」：${d.field === 'followup' ? '后续处置' : '备注'}最多 500 字`,
        `“${d.target ?? ''}”: the ${d.field === 'followup' ? 'follow-up' : 'note'} is limited to 500 characters`,
      ),
  ],
  ['BUTTON.UNKNOWN', () => toast('warning', '此按钮已失效', 'This button is no longer in use')],
  ['BUTTON.MALFORMED', () => toast('error', '无法识别的按钮', 'Unrecognised button')],
]);

/** The toast for a refusal; an unknown code (a bug) still gets a readable one, and its code in the log. */
export function refusalToast(refusal: Refusal): Toast {
  const make = REFUSALS.get(refusal.code);
  return make ? make(refusal.details ?? {}) : toast('error', '操作未完成', 'That could not be done');
}
