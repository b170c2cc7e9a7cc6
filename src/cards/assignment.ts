import { MAX_NOTE_CHARS, SUBSTITUTION_REASONS } from '../domain/substitution-request.ts';
import type { AssignmentCardData, AssignmentSubstitution } from './data.ts';
import { deadlineText, reasonText, taskLines } from './format.ts';
import {
  buttonRow,
  callbackButton,
  card,
  form,
  hr,
  markdown,
  md,
  selectStatic,
  t,
  textInput,
  type Bilingual,
  type Template,
} from './i18n.ts';
import { fitted } from './limits.ts';
import { OPEN_RESULT_ENTRY } from './result-entry.ts';

/** Action names carried in button values; the dispatcher routes on them. */
export const CONFIRM_ASSIGNMENT = 'assignment.confirm';
/** 申请更换: opens the request form on this card (nothing is saved). Value `{ action, task, team, cert, v }`. */
export const OPEN_SUBSTITUTION_FORM = 'substitution.form';
/** 取消: closes the request form again. Value `{ action, task, team, cert, v }`. */
export const CLOSE_SUBSTITUTION_FORM = 'substitution.form-close';
/**
 * 提交申请: the request form's submit button. Value `{ action, task, team, cert, v }`; `form_value` holds
 * `reason` (a code of SUBSTITUTION_REASONS) and `note`.
 */
export const REQUEST_SUBSTITUTION = 'substitution.request';
/** 撤回申请: withdraws the pending request. Value `{ action, id, v }` (the request's id and version). */
export const WITHDRAW_SUBSTITUTION = 'substitution.withdraw';

/** Names of the request form and its fields (card-unique, docs/feishu.md); the fields' values arrive by these. */
export const SUBSTITUTION_FORM = {
  form: 'substitution_request',
  reason: 'reason',
  note: 'note',
  submit: 'submit_request',
} as const;

/** Targets listed on the card at most; more are summarised (a team rarely has more), fewer if they are long. */
const LISTED_TARGETS = 30;

/**
 * To each drawn inspector (DM): the task, their team, leader and members, the targets to visit, the result-entry
 * rule — and 确认 / Confirm, 申请更换 / Request replacement and 录入结果 / Enter results. Once confirmed the card
 * shows who confirmed and when instead of 确认 (the others stay). `mode: 'request-form'` shows the request form
 * instead of the buttons; a pending request shows where it stands, 撤回申请 and 录入结果; a replaced inspector's card
 * says who took over and has no buttons.
 */
export function assignmentCard(d: AssignmentCardData): Record<string, unknown> {
  // Long names and addresses can push the card past Feishu's 30 KB: list fewer targets until it fits.
  return fitted((listed) => buildAssignmentCard(d, listed), LISTED_TARGETS);
}

function buildAssignmentCard(d: AssignmentCardData, listed: number): Record<string, unknown> {
  const leader = d.members.find((m) => m.leader);
  const members = d.members
    .map((m) => `${md(m.name)}（${md(m.deptName)}${m.leader ? '，组长' : ''}）`)
    .join('、');
  const membersEn = d.members
    .map((m) => `${md(m.name)} (${md(m.deptName)}${m.leader ? ', leader' : ''})`)
    .join(', ');
  const targets = d.targets.slice(0, listed);
  const targetLines = targets.map((x, i) => `${i + 1}. ${md(x.name)}\u3000${md(x.address ?? '')}`).join('\n');
  const more = d.targets.length - targets.length;
  const due = deadlineText(d.deadline);

  const elements: unknown[] = [
    markdown(
      d.replaced
        ? t(
            `${md(d.you.name)}，您原被抽中参加以下联合抽查，现已被更换。`,
            `${md(d.you.name)}, you were drawn for this joint inspection and have since been replaced.`,
          )
        : t(
            `${md(d.you.name)}，您已被随机抽中参加以下联合抽查。`,
            `${md(d.you.name)}, you have been drawn for this joint inspection.`,
          ),
    ),
    markdown(taskLines(d.task)),
    hr(),
    markdown(
      t(
        `**检查组**：第${d.team.no}组（${d.team.region}）\n**组长**：${md(leader?.name ?? '—')}（${md(leader?.deptName ?? '')}）\n**组员**：${members}`,
        `**Team**: ${d.team.no} (${d.team.region})\n**Leader**: ${md(leader?.name ?? '—')} (${md(leader?.deptName ?? '')})\n**Members**: ${membersEn}`,
      ),
    ),
    markdown(
      t(
        `**检查对象**（${d.targets.length} 户，进一次门、查多项事）\n${targetLines}${more > 0 ? `\n……另有 ${more} 户` : ''}`,
        `**Targets** (${d.targets.length}; one visit covers every item)\n${targetLines}${more > 0 ? `\n…and ${more} more` : ''}`,
      ),
    ),
    markdown(
      t(
        `**结果录入**：各部门录入本部门的检查结果，检查之日起 ${d.task.resultDays} 个工作日内完成；检查日期未知时最迟 ${due.zh}。`,
        `**Results**: each department enters its own part within ${d.task.resultDays} working days of the inspection; at the latest ${due.en} if the inspection date is unknown.`,
      ),
    ),
    hr(),
  ];
  elements.push(...actionArea(d));
  const pending = d.substitution?.state === 'pending';
  return card({
    title: t('检查任务通知', 'Inspection assignment'),
    subtitle: t(d.task.name, d.task.name),
    template: headerTemplate(d, pending),
    summary: d.replaced
      ? t(`已更换：${d.task.name} 第${d.team.no}组`, `Replaced: ${d.task.name}, team ${d.team.no}`)
      : t(`检查任务：${d.task.name} 第${d.team.no}组`, `Assignment: ${d.task.name}, team ${d.team.no}`),
    elements,
  });
}

function headerTemplate(d: AssignmentCardData, pending: boolean): Template {
  if (d.replaced || d.substitution?.state === 'approved') return 'grey';
  if (pending) return 'orange';
  return d.confirmation ? 'green' : 'blue';
}

/** The bottom of the card: what has happened, and the buttons this state allows. */
function actionArea(d: AssignmentCardData): unknown[] {
  const sub = d.substitution;
  const recordValue = { task: d.task.id, team: d.team.no, cert: d.you.certNo, v: d.version };

  if (d.replaced) {
    const r = d.replaced;
    return [
      markdown(
        t(
          `您已被更换：由 ${md(r.byName)} 接替（${md(r.approvedByName)} 于 ${md(r.at)} 批准）。本卡片不再需要操作。`,
          `You have been replaced: ${md(r.byName)} takes over (approved by ${md(r.approvedByName)} at ${md(r.at)}). Nothing more to do on this card.`,
        ),
      ),
    ];
  }
  // Approved but the replacement not shown yet (it is drawn in the same transaction): no buttons either.
  if (sub?.state === 'approved') {
    return [
      markdown(
        t(
          `您的更换申请已于 ${md(sub.decidedAt ?? '')} 获批准，将由他人接替。`,
          `Your replacement request was approved at ${md(sub.decidedAt ?? '')}; someone else takes over.`,
        ),
      ),
    ];
  }

  const out: unknown[] = [];
  if (d.confirmation) {
    out.push(
      markdown(
        t(
          `✅ 已确认：${md(d.you.name)}，${d.confirmation.at}`,
          `✅ Confirmed by ${md(d.you.name)} at ${d.confirmation.at}`,
        ),
      ),
    );
  }
  const status = sub ? substitutionStatus(sub) : null;
  if (status) out.push(markdown(status));

  const confirm = d.confirmation
    ? []
    : [
        callbackButton(
          t('确认', 'Confirm'),
          { action: CONFIRM_ASSIGNMENT, task: d.task.id, team: d.team.no, cert: d.you.certNo, v: d.version },
          { type: 'primary' },
        ),
      ];

  // 录入结果: opens the result-entry card for this inspector's department (while a request is pending they are still
  // on the team). Primary once confirmed, when entering results is what is left to do.
  const enterResults = callbackButton(
    t('录入结果', 'Enter results'),
    { action: OPEN_RESULT_ENTRY, task: d.task.id, team: d.team.no, cert: d.you.certNo, page: 0 },
    { type: d.confirmation ? 'primary' : 'default' },
  );

  if (sub?.state === 'pending') {
    const withdraw = callbackButton(
      t('撤回申请', 'Withdraw request'),
      { action: WITHDRAW_SUBSTITUTION, id: sub.id, v: sub.version },
      {
        type: 'default',
        confirm: {
          title: t('撤回更换申请？', 'Withdraw the replacement request?'),
          text: t(
            '撤回后您仍是本检查组成员；如仍需更换，可以重新申请。',
            'You stay on the team; you can ask again if you still need to be replaced.',
          ),
        },
      },
    );
    out.push(buttonRow([...confirm, withdraw, enterResults]));
    return out;
  }

  if (d.mode === 'request-form') {
    out.push(requestForm(recordValue));
    out.push(
      callbackButton(
        t('取消', 'Cancel'),
        { action: CLOSE_SUBSTITUTION_FORM, ...recordValue },
        { type: 'default' },
      ),
    );
    return out;
  }

  out.push(
    buttonRow([
      ...confirm,
      callbackButton(
        t('申请更换', 'Request replacement'),
        { action: OPEN_SUBSTITUTION_FORM, ...recordValue },
        { type: 'default' },
      ),
      enterResults,
    ]),
  );
  return out;
}

/** Where the newest request stands (none for approved: the card is then about the replacement). */
function substitutionStatus(sub: AssignmentSubstitution): Bilingual | null {
  const reason = reasonText(sub.reason);
  switch (sub.state) {
    case 'pending': {
      // deciderName already says the role in Chinese (市卫生健康委员会负责人); English readers get it spelt out.
      const role = sub.deciderRole === 'head' ? 'head of department' : 'liaison';
      const note = sub.note ? t(`\n说明：${md(sub.note)}`, `\nNote: ${md(sub.note)}`) : t('', '');
      return t(
        `⏳ 已申请更换（${reason.zh}），${md(sub.requestedAt)} 提交，等待 ${md(sub.deciderName)} 审批${note.zh}`,
        `⏳ Replacement requested (${reason.en}) at ${md(sub.requestedAt)}, waiting for ${md(sub.deciderName)} (${role}) to decide${note.en}`,
      );
    }
    case 'rejected': {
      const comment = sub.comment ? md(sub.comment) : '—';
      return t(
        `❌ 您的更换申请（${reason.zh}）已被 ${md(sub.deciderName)} 于 ${md(sub.decidedAt ?? '')} 驳回，意见：${comment}\n您仍是本检查组成员；如情况有变，可以再次申请。`,
        `❌ Your replacement request (${reason.en}) was rejected by ${md(sub.deciderName)} at ${md(sub.decidedAt ?? '')}. Comment: ${comment}\nYou stay on the team; you may ask again if things change.`,
      );
    }
    case 'withdrawn':
      return t(
        `↩️ 您已于 ${md(sub.decidedAt ?? '')} 撤回更换申请（${reason.zh}）。`,
        `↩️ You withdrew your replacement request (${reason.en}) at ${md(sub.decidedAt ?? '')}.`,
      );
    case 'expired':
      return t(
        `⌛ 您的更换申请（${reason.zh}）在检查时间结束前无人审批，已失效；您仍是本检查组成员。`,
        `⌛ Nobody decided your replacement request (${reason.en}) before the inspection window ended; it has lapsed and you remain on the team.`,
      );
    case 'approved':
      return null;
  }
}

/** 申请更换 form: the reason (a code), a note (required for 需回避 and 其他; the server checks), and 提交申请. */
function requestForm(recordValue: { task: string; team: number; cert: string; v: number }) {
  return form(SUBSTITUTION_FORM.form, [
    markdown(
      t(
        '**申请更换**\n请选择原因；选择“需回避”或“其他”时须填写说明。申请将由您所在部门的负责人审批（负责人本人申请或未关联飞书账号时，由本部门联络员审批）；批准后从本部门符合条件的执法人员中随机抽取接替人员。',
        '**Request replacement**\nChoose a reason; Conflict of interest and Other need a note. The head of your department decides (the department liaison does when the head is the one asking or has no Feishu account); on approval a replacement is drawn at random from your department’s eligible officers.',
      ),
    ),
    selectStatic({
      name: SUBSTITUTION_FORM.reason,
      required: true,
      placeholder: t('请选择更换原因', 'Choose a reason'),
      options: SUBSTITUTION_REASONS.map((r) => ({
        text: r.noteRequired ? t(`${r.zh}（需填写说明）`, `${r.en} (note required)`) : t(r.zh, r.en),
        value: r.code,
      })),
    }),
    textInput({
      name: SUBSTITUTION_FORM.note,
      placeholder: t(
        `说明：选择“需回避”或“其他”时必填（${MAX_NOTE_CHARS} 字以内）`,
        `Note: required for Conflict of interest and Other (up to ${MAX_NOTE_CHARS} characters)`,
      ),
      maxLength: MAX_NOTE_CHARS,
      rows: 3,
    }),
    callbackButton(
      t('提交申请', 'Submit request'),
      { action: REQUEST_SUBSTITUTION, ...recordValue },
      { type: 'primary', name: SUBSTITUTION_FORM.submit, submit: true },
    ),
  ]);
}
