import type { MyTasksCardData } from './data.ts';
import { deadlineText } from './format.ts';
import { callbackButton, card, markdown, md, t, type Bilingual } from './i18n.ts';
import { fitted } from './limits.ts';
import { OPEN_RESULT_ENTRY } from './result-entry.ts';

/** Assignments listed at most; the rest are counted (fewer are listed when a card would be too large). */
const LISTED_ASSIGNMENTS = 40;

/** The answer to 我的任务 / my tasks: the sender's assignments and their deadlines, each with 录入结果. */
export function myTasksCard(d: MyTasksCardData): Record<string, unknown> {
  return fitted((listed) => buildMyTasksCard(d, listed), LISTED_ASSIGNMENTS);
}

function buildMyTasksCard(d: MyTasksCardData, listed: number): Record<string, unknown> {
  const elements: unknown[] = [];
  if (d.assignments.length === 0) {
    elements.push(
      markdown(
        t(
          `${md(d.name)}，您目前没有被抽中的检查任务。`,
          `${md(d.name)}, you have no inspection assignments right now.`,
        ),
      ),
    );
  }
  for (const a of d.assignments.slice(0, listed)) {
    const due = deadlineText(a.deadline);
    const owed = dueLine(a.due);
    elements.push(
      markdown(
        t(
          `**${md(a.task.name)}**（${md(a.task.id)}）\n第${a.team}组${a.leader ? '（组长）' : ''}，${a.targets} 户，${a.task.window.start} 至 ${a.task.window.end}\n${a.confirmed ? '已确认' : '**未确认**'}；结果录入最迟 ${due.zh}\n${owed.zh}`,
          `**${md(a.task.name)}** (${md(a.task.id)})\nTeam ${a.team}${a.leader ? ' (leader)' : ''}, ${a.targets} targets, ${a.task.window.start} to ${a.task.window.end}\n${a.confirmed ? 'confirmed' : '**not confirmed**'}; results due by ${due.en}\n${owed.en}`,
        ),
      ),
      callbackButton(
        t('录入结果', 'Enter results'),
        { action: OPEN_RESULT_ENTRY, task: a.task.id, team: a.team, cert: a.certNo, page: 0 },
        { type: 'default' },
      ),
    );
  }
  const more = d.assignments.length - Math.min(listed, d.assignments.length);
  if (more > 0)
    elements.push(markdown(t(`……另有 ${more} 项任务未列出`, `…and ${more} more assignments not listed`)));
  return card({
    title: t('我的任务', 'My tasks'),
    template: 'blue',
    summary: t('我的检查任务', 'My inspection assignments'),
    elements,
  });
}

/** What the person's department still owes on the team: 待录入 3 户（其中 1 户已逾期），最近截止 2026-12-30. */
function dueLine(due: MyTasksCardData['assignments'][number]['due']): Bilingual {
  if (due.pending === 0) return t('本部门结果已全部录入', "Your department's results are all entered");
  const next = due.next ? deadlineText(due.next) : t('', '');
  const late = due.overdue > 0;
  return t(
    `**待录入 ${due.pending} 户**${late ? `（其中 ${due.overdue} 户已逾期）` : ''}，最近截止 ${next.zh}`,
    `**${due.pending} to enter**${late ? ` (${due.overdue} overdue)` : ''}, the soonest due ${next.en}`,
  );
}
