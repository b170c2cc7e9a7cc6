import type { AssignmentCardData } from './data.ts';
import { deadlineText, taskLines } from './format.ts';
import { callbackButton, card, hr, markdown, md, t } from './i18n.ts';
import { fitted } from './limits.ts';

/** Action names carried in button values; the dispatcher routes on them. */
export const CONFIRM_ASSIGNMENT = 'assignment.confirm';

/** Targets listed on the card at most; more are summarised (a team rarely has more), fewer if they are long. */
const LISTED_TARGETS = 30;

/**
 * To each drawn inspector (DM): the task, their team, leader and members, the targets to visit, the result-entry
 * rule — and 确认 / Confirm. Once confirmed the card shows who confirmed and when instead of the button.
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
      t(
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
  if (d.confirmation) {
    elements.push(
      markdown(
        t(
          `✅ 已确认：${md(d.you.name)}，${d.confirmation.at}`,
          `✅ Confirmed by ${md(d.you.name)} at ${d.confirmation.at}`,
        ),
      ),
    );
  } else {
    elements.push(
      callbackButton(
        t('确认', 'Confirm'),
        { action: CONFIRM_ASSIGNMENT, task: d.task.id, team: d.team.no, cert: d.you.certNo, v: d.version },
        { type: 'primary' },
      ),
    );
  }
  return card({
    title: t('检查任务通知', 'Inspection assignment'),
    subtitle: t(d.task.name, d.task.name),
    template: d.confirmation ? 'green' : 'blue',
    summary: t(`检查任务：${d.task.name} 第${d.team.no}组`, `Assignment: ${d.task.name}, team ${d.team.no}`),
    elements,
  });
}
