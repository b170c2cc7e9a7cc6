import { MAX_NOTE_CHARS } from '../domain/substitution-request.ts';
import type { SubstitutionRequestCardData } from './data.ts';
import { reasonText, taskLines } from './format.ts';
import {
  buttonRow,
  callbackButton,
  card,
  form,
  hr,
  markdown,
  md,
  t,
  textInput,
  type Bilingual,
  type Template,
} from './i18n.ts';

/** 同意: a submit button of the decision form. Value `{ action, id, v }`; `form_value.comment` is optional. */
export const APPROVE_SUBSTITUTION = 'substitution.approve';
/** 驳回: the other submit button of the same form. Value `{ action, id, v }`; the server requires the comment. */
export const REJECT_SUBSTITUTION = 'substitution.reject';

/** Names of the decision form, its field and its two submit buttons (card-unique, docs/feishu.md). */
export const DECISION_FORM = {
  form: 'substitution_decision',
  comment: 'comment',
  approve: 'approve',
  reject: 'reject',
} as const;

const TEMPLATES: Record<SubstitutionRequestCardData['state'], Template> = {
  pending: 'orange',
  approved: 'green',
  rejected: 'red',
  withdrawn: 'grey',
  expired: 'grey',
};

/**
 * 更换申请 / Substitution request, to whoever decides it (the head of the inspector's department, or its liaison):
 * the task, the team, who asks and why, how many officers could replace them right now — and, while pending, a
 * form with a comment and 同意 / 驳回. Once decided (or withdrawn, or expired) it says what happened instead. The
 * one-day reminder is the same card with a line on top.
 */
export function substitutionRequestCard(d: SubstitutionRequestCardData): Record<string, unknown> {
  const pending = d.state === 'pending';
  const reason = reasonText(d.reason);
  const i = d.inspector;
  const elements: unknown[] = [];

  if (pending && d.reminder) {
    elements.push(
      markdown(
        t(
          '⏰ **该申请已等待超过一个工作日，请及时处理。**',
          '⏰ **This request has been waiting for more than one working day. Please decide it.**',
        ),
      ),
    );
  }
  elements.push(
    markdown(
      t(
        `${md(i.name)}（${md(i.deptName)}）申请更换本次联合抽查的检查任务，请您审批。`,
        `${md(i.name)} (${md(i.deptName)}) asks to be replaced on this joint inspection. Please decide.`,
      ),
    ),
  );
  if (d.decider.role === 'liaison') elements.push(markdown(liaisonLine(d.decider.why)));
  elements.push(markdown(taskLines(d.task)), hr());

  const role = i.leader ? t('组长', 'team leader') : t('组员', 'member');
  const confirmed = i.confirmed
    ? t('已确认任务', 'had confirmed')
    : t('尚未确认任务', 'had not confirmed yet');
  const note = d.note ? md(d.note) : '—';
  elements.push(
    markdown(
      t(
        `**检查组**：第${d.team.no}组（${md(d.team.region)}），组长 ${md(d.team.leaderName)}\n**申请人**：${md(i.name)}（${md(i.deptName)}，${role.zh}，${confirmed.zh}）\n**原因**：${reason.zh}\n**说明**：${note}\n**申请时间**：${md(d.requestedAt)}`,
        `**Team**: ${d.team.no} (${md(d.team.region)}), leader ${md(d.team.leaderName)}\n**Inspector**: ${md(i.name)} (${md(i.deptName)}, ${role.en}, ${confirmed.en})\n**Reason**: ${reason.en}\n**Note**: ${note}\n**Requested at**: ${md(d.requestedAt)}`,
      ),
    ),
  );

  if (pending) {
    elements.push(markdown(eligibleLine(d.eligible, i.deptName, d.team.region)));
    elements.push(hr(), decisionForm(d));
  } else {
    elements.push(hr(), markdown(outcomeLine(d)));
  }

  return card({
    title: t('更换申请', 'Substitution request'),
    subtitle: t(d.task.name, d.task.name),
    template: TEMPLATES[d.state],
    summary: pending
      ? t(
          `${d.reminder ? '【提醒】' : ''}更换申请：${i.name}（${d.task.name} 第${d.team.no}组）`,
          `${d.reminder ? '[Reminder] ' : ''}Substitution request: ${i.name} (${d.task.name}, team ${d.team.no})`,
        )
      : t(`更换申请：${i.name}（${STATE_ZH[d.state]}）`, `Substitution request: ${i.name} (${d.state})`),
    elements,
  });
}

const STATE_ZH: Record<SubstitutionRequestCardData['state'], string> = {
  pending: '待审批',
  approved: '已同意',
  rejected: '已驳回',
  withdrawn: '已撤回',
  expired: '已失效',
};

/** Why a request went to the liaison instead of the head. */
function liaisonLine(why: SubstitutionRequestCardData['decider']['why']): Bilingual {
  const because =
    why === 'head-is-requester'
      ? t('部门负责人本人即申请人', 'the head of department is the one asking')
      : why === 'head-unresolved'
        ? t('部门负责人未关联飞书账号', 'the head of department has no Feishu account linked')
        : t('部门负责人无法审批', 'the head of department cannot decide it');
  return t(
    `ℹ️ 此申请由您以本部门联络员身份审批：${because.zh}。`,
    `ℹ️ This request comes to you as the department's liaison: ${because.en}.`,
  );
}

function eligibleLine(eligible: number, deptName: string, region: string): Bilingual {
  if (eligible === 0)
    return t(
      `⚠️ **目前没有符合条件的接替人员**（${md(deptName)}，${md(region)}：同部门、执法区域覆盖、无回避关系、不在本组）。此时同意将无法完成，申请保持待审批；请先在名录中补充执法人员。`,
      `⚠️ **Nobody can replace this inspector right now** (${md(deptName)}, ${md(region)}: same department, covering the region, no conflict, not on the team). Approving will fail, and the request stays pending, until the directory has another eligible officer.`,
    );
  return t(
    `**可接替人员**：目前有 ${eligible} 名符合条件的执法人员；同意后从中随机抽取一名接替。`,
    `**Possible replacements**: ${eligible} eligible officer${eligible === 1 ? '' : 's'} right now; on approval one is drawn at random.`,
  );
}

function decisionForm(d: SubstitutionRequestCardData) {
  const value = (action: string) => ({ action, id: d.id, v: d.version });
  return form(DECISION_FORM.form, [
    textInput({
      name: DECISION_FORM.comment,
      placeholder: t(
        `审批意见：驳回时必填，同意时可不填（${MAX_NOTE_CHARS} 字以内）`,
        `Comment: required to reject, optional to approve (up to ${MAX_NOTE_CHARS} characters)`,
      ),
      maxLength: MAX_NOTE_CHARS,
      rows: 2,
    }),
    buttonRow([
      callbackButton(t('同意', 'Approve'), value(APPROVE_SUBSTITUTION), {
        type: 'primary',
        name: DECISION_FORM.approve,
        submit: true,
      }),
      callbackButton(t('驳回', 'Reject'), value(REJECT_SUBSTITUTION), {
        type: 'danger',
        name: DECISION_FORM.reject,
        submit: true,
      }),
    ]),
  ]);
}

/** What became of a request that is no longer pending. */
function outcomeLine(d: SubstitutionRequestCardData): Bilingual {
  const x = d.decision;
  const by = md(x?.byName ?? '—');
  const at = md(x?.at ?? '—');
  const comment = x?.comment
    ? t(`\n**审批意见**：${md(x.comment)}`, `\n**Comment**: ${md(x.comment)}`)
    : t('', '');
  switch (d.state) {
    case 'approved': {
      const r = x?.replacement;
      const who = r
        ? t(`${md(r.name)}（${md(r.deptName)}）`, `${md(r.name)} (${md(r.deptName)})`)
        : t('—', '—');
      return t(
        `✅ **已同意**：${by}，${at}\n**接替人员**：${who.zh}（随机抽取）${comment.zh}`,
        `✅ **Approved** by ${by} at ${at}\n**Replacement**: ${who.en} (drawn at random)${comment.en}`,
      );
    }
    case 'rejected':
      return t(
        `❌ **已驳回**：${by}，${at}${comment.zh}\n申请人仍是本检查组成员。`,
        `❌ **Rejected** by ${by} at ${at}${comment.en}\nThe inspector stays on the team.`,
      );
    case 'withdrawn':
      return t(
        `↩️ 申请人已于 ${at} 撤回此申请，无需审批。`,
        `↩️ The inspector withdrew this request at ${at}; nothing to decide.`,
      );
    case 'expired':
      return t(
        `⌛ 检查时间结束前无人审批，此申请已于 ${at} 失效；申请人仍是本检查组成员。`,
        `⌛ Nobody decided this request before the inspection window ended; it lapsed at ${at} and the inspector stays on the team.`,
      );
    case 'pending':
      return t('', '');
  }
}
