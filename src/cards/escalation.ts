import type { EscalationCardData } from './data.ts';
import { card, markdown, md, t } from './i18n.ts';
import { fitted } from './limits.ts';
import { pendingLines } from './reminder.ts';

/** Parts listed at most over all teams; the rest are counted. */
const LISTED_PARTS = 40;

/**
 * 逾期督办 to a department head (or its liaison when the head cannot be reached) at 1 and 5 working days overdue:
 * the department's overdue results on one task, by team, with the officers who owe them.
 */
export function escalationCard(d: EscalationCardData): Record<string, unknown> {
  return fitted((listed) => buildEscalationCard(d, listed), LISTED_PARTS);
}

function buildEscalationCard(d: EscalationCardData, listed: number): Record<string, unknown> {
  const elements: unknown[] = [
    markdown(
      t(
        `**${md(d.task.name)}**（${md(d.task.id)}）：${md(d.dept.name)}有 **${d.total}** 户检查结果逾期未录入，最长已逾期 ${d.worstDaysOverdue} 个工作日。逾期未录入视为未完成抽查任务。`,
        `**${md(d.task.name)}** (${md(d.task.id)}): ${md(d.dept.name)} has **${d.total}** inspection results overdue, the oldest by ${d.worstDaysOverdue} working days. Results not entered count as an unfinished inspection.`,
      ),
    ),
  ];
  let left = listed;
  let shownParts = 0;
  for (const team of d.teams) {
    if (left <= 0) break;
    const parts = team.parts.slice(0, left);
    left -= parts.length;
    shownParts += parts.length;
    const officers = team.officers.map(md).join('、');
    const lines = pendingLines(parts);
    elements.push(
      markdown(
        t(
          `**第${team.team}组**（${officers || '无在岗人员'}）\n${lines.zh}`,
          `**Team ${team.team}** (${team.officers.map(md).join(', ') || 'nobody active'})\n${lines.en}`,
        ),
      ),
    );
  }
  if (d.total > shownParts)
    elements.push(
      markdown(t(`……另有 ${d.total - shownParts} 户未列出`, `…and ${d.total - shownParts} more not listed`)),
    );
  elements.push(
    markdown(
      t(
        `${d.sentAt} 发送给${d.role === 'head' ? '部门负责人' : '部门联络员（未能联系到负责人）'}。`,
        `Sent ${d.sentAt} to the department's ${d.role === 'head' ? 'head' : 'liaison (the head could not be reached)'}.`,
      ),
      { size: 'notation' },
    ),
  );
  return card({
    title: t('逾期督办', 'Overdue results'),
    subtitle: t(`${d.task.name} · ${d.dept.name}`, `${d.task.name} · ${d.dept.name}`),
    template: 'red',
    summary: t(`${d.dept.name} ${d.total} 户结果逾期`, `${d.dept.name}: ${d.total} results overdue`),
    elements,
  });
}
