import type { PendingPart, ReminderCardData } from './data.ts';
import { deadlineText } from './format.ts';
import { callbackButton, card, markdown, md, t, type Bilingual } from './i18n.ts';
import { fitted } from './limits.ts';
import { OPEN_RESULT_ENTRY } from './result-entry.ts';

/** Targets listed at most; the rest are counted (fewer when the card would be too large). */
const LISTED_TARGETS = 40;

/** How a part's deadline stands today: 还剩 3 个工作日 / 今天截止 / 已逾期 2 个工作日. */
export function dueText(p: Pick<PendingPart, 'daysLeft'>): Bilingual {
  if (p.daysLeft > 0) return t(`还剩 ${p.daysLeft} 个工作日`, `${p.daysLeft} working days left`);
  if (p.daysLeft === 0) return t('今天截止', 'due today');
  return t(`已逾期 ${-p.daysLeft} 个工作日`, `overdue by ${-p.daysLeft} working days`);
}

/** One line per missing part: target, deadline and how it stands. */
export function pendingLines(parts: readonly PendingPart[]): Bilingual {
  const zh = parts.map((p) => `- ${md(p.name)}：${deadlineText(p.deadline).zh}（${dueText(p).zh}）`);
  const en = parts.map((p) => `- ${md(p.name)}: ${deadlineText(p.deadline).en} (${dueText(p).en})`);
  return t(zh.join('\n'), en.join('\n'));
}

/**
 * 录入提醒 to an officer with results still missing: which of the team's targets their department has not entered,
 * each with its deadline, and (for the leader) which other departments are still missing. Its own 录入结果 button
 * opens the result-entry card, so entry never depends on the original assignment card (which stops taking clicks
 * after 14 days).
 */
export function reminderCard(d: ReminderCardData): Record<string, unknown> {
  return fitted((listed) => buildReminderCard(d, listed), LISTED_TARGETS);
}

function buildReminderCard(d: ReminderCardData, listed: number): Record<string, unknown> {
  const overdue = d.pending.some((p) => p.daysLeft < 0);
  const shown = d.pending.slice(0, listed);
  const more = d.pending.length - shown.length;
  const elements: unknown[] = [
    markdown(
      t(
        `${md(d.you.name)}，**${md(d.task.name)}**（${md(d.task.id)}）第${d.team}组，${md(d.dept.name)}还有 **${d.pending.length}** 户检查结果未录入：`,
        `${md(d.you.name)}, **${md(d.task.name)}** (${md(d.task.id)}) team ${d.team}: ${md(d.dept.name)} has **${d.pending.length}** results still to enter:`,
      ),
    ),
    markdown(pendingLines(shown)),
  ];
  if (more > 0) elements.push(markdown(t(`……另有 ${more} 户未列出`, `…and ${more} more not listed`)));
  if (d.you.leader && d.othersMissing.length > 0) {
    const zh = d.othersMissing.map(
      (o) => `- ${md(o.dept)}：${o.pending} 户未录入${o.overdue ? `，其中 ${o.overdue} 户已逾期` : ''}`,
    );
    const en = d.othersMissing.map(
      (o) => `- ${md(o.dept)}: ${o.pending} missing${o.overdue ? `, ${o.overdue} overdue` : ''}`,
    );
    elements.push(
      markdown(
        t(
          `**本组其他部门尚未录入**\n${zh.join('\n')}`,
          `**Other departments of the team still missing**\n${en.join('\n')}`,
        ),
      ),
    );
  }
  elements.push(
    callbackButton(
      t('录入结果', 'Enter results'),
      { action: OPEN_RESULT_ENTRY, task: d.task.id, team: d.team, cert: d.you.certNo, page: 0 },
      { type: 'primary' },
    ),
    markdown(
      t(
        `${d.sentAt} 提醒；录入完成后不再提醒。`,
        `Reminder of ${d.sentAt}; it stops once everything is entered.`,
      ),
      { size: 'notation' },
    ),
  );
  return card({
    title: overdue ? t('录入提醒：已逾期', 'Results overdue') : t('录入提醒', 'Results due'),
    subtitle: t(`${d.task.name} · 第${d.team}组`, `${d.task.name} · team ${d.team}`),
    template: overdue ? 'red' : 'orange',
    summary: t(`${d.pending.length} 户检查结果待录入`, `${d.pending.length} inspection results to enter`),
    elements,
  });
}
