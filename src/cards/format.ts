import { substitutionReason } from '../domain/substitution-request.ts';
import type { Deadline, TaskSummary } from './data.ts';
import { md, t, type Bilingual } from './i18n.ts';

/** Shared lines that several cards show the same way. */

export function deadlineText(d: Deadline): Bilingual {
  return d.provisional
    ? t(
        `${d.date}（暂定：节假日安排尚未发布）`,
        `${d.date} (provisional: the holiday calendar for that year is not published yet)`,
      )
    : t(d.date, d.date);
}

export function taskLines(task: TaskSummary): Bilingual {
  const depts = [task.initiator, ...task.participants].map((d) => md(d.name)).join('、');
  const items = task.items.map((i) => md(i.name)).join('、');
  return t(
    `**任务**：${md(task.name)}（${md(task.id)}）\n**发起部门**：${md(task.initiator.name)}\n**参与部门**：${depts}\n**抽查事项**：${items}\n**检查时间**：${task.window.start} 至 ${task.window.end}`,
    `**Task**: ${md(task.name)} (${md(task.id)})\n**Initiator**: ${md(task.initiator.name)}\n**Departments**: ${depts}\n**Items**: ${items}\n**Window**: ${task.window.start} to ${task.window.end}`,
  );
}

/**
 * A substitution reason as stored (`工作冲突`) or as a code, in both languages from the domain's reason list; a label
 * the list does not know (an older wording) is shown as it is, escaped.
 */
export function reasonText(stored: string): Bilingual {
  const r = substitutionReason(stored);
  return r ? t(r.zh, r.en) : t(md(stored), md(stored));
}

/** English for the five inspection methods (src/domain/directory.ts INSPECTION_METHODS). */
const METHOD_EN: Record<string, string> = {
  实地核查: 'On-site check',
  书面检查: 'Document review',
  网络检查: 'Online check',
  抽样检测: 'Sampling and testing',
  委托专业机构: 'Professional body commissioned',
};

/** An inspection method in both languages, as raw text (md() it for markdown); an unknown one is shown as it is. */
export function methodText(method: string): Bilingual {
  return t(method, METHOD_EN[method] ?? method);
}
