import type { App } from '../app.ts';
import { localDate } from '../domain/time.ts';
import { UserError } from '../errors.ts';
import type { Table } from '../export/table-file.ts';
import { taskSummary } from './card-data.ts';
import { resultCategories } from './result-categories.ts';
import { taskResults } from './result-progress.ts';
import { requireTask } from './tasks.ts';

/** The first sheet: the columns a 抽查结果公示 lists, in its order. */
export const RESULTS_SHEET = '抽查结果';
export const RESULTS_HEADER = [
  '序号',
  '检查对象名称',
  '统一社会信用代码',
  '抽查事项',
  '检查实施部门',
  '检查日期',
  '检查结果',
  '任务名称',
] as const;

/** The second sheet: the targets whose result is not complete yet, for the office to chase (not for publishing). */
export const MISSING_SHEET = '未录入';
export const MISSING_HEADER = [
  '检查对象名称',
  '统一社会信用代码',
  '缺少的部门',
  '录入期限',
  '是否逾期',
] as const;

/** Several values in one cell (items, results, departments), as the notice writes them. */
const JOIN = '、';

export interface ResultsExport {
  taskId: string;
  results: Table;
  missing: Table;
}

/**
 * `results export ID FILE`: the rows of the public notice (公示) of a drawn task's results — one per target and
 * department that has entered its part, by team, then visiting order, then department (initiator first) — and
 * the targets still without a complete result, with their deadline (the one rule, `domain/deadline.ts`, via
 * `taskResults`; 暂定 when the calendar does not cover its year) and whether it has passed (today in LIANCHA_TZ).
 *
 * What it leaves out on purpose: the credit-risk class (internal, SPEC §2), phone numbers, legal representatives,
 * addresses, ID and certificate numbers, and anything about the inspectors beyond the department — only what a
 * 抽查结果公示 lists.
 */
export async function resultsExport(app: App, taskId: string): Promise<ResultsExport> {
  const task = await requireTask(app, taskId);
  if (task.state === 'draft' || task.state === 'frozen')
    throw new UserError(
      'RESULTS.NOT_DRAWN',
      `task ${taskId} is ${task.state}: it has not been drawn yet, so it has no results to export`,
    );
  if (task.state === 'void')
    throw new UserError(
      'RESULTS.TASK_VOID',
      `task ${taskId} is void (${task.voidReason ?? 'no reason recorded'}): its results are not published`,
    );
  const { db } = app.store;
  const summary = await taskSummary(db, task.definition);
  const deptName = new Map([summary.initiator, ...summary.participants].map((d) => [d.code, d.name]));
  const nameOf = (dept: string) => deptName.get(dept) ?? dept;
  const items = summary.items.map((i) => i.name).join(JOIN);
  const wording = new Map(resultCategories().categories.map((c) => [c.code, c.zh]));
  const today = localDate(app.clock(), app.config.LIANCHA_TZ);
  const targets = await taskResults(db, task.definition, today);

  const results: string[][] = [];
  const missing: string[][] = [];
  for (const t of targets) {
    for (const p of t.parts) {
      if (!p.result) continue;
      results.push([
        String(results.length + 1),
        t.name,
        t.uscc,
        items,
        nameOf(p.dept),
        p.result.inspectedOn,
        p.result.categories.map((c) => wording.get(c) ?? c).join(JOIN),
        task.name,
      ]);
    }
    const open = t.parts.filter((p) => !p.result);
    if (open.length === 0) continue;
    // The missing parts of one target share its deadline (its inspection date, or the window's end); the earliest
    // is shown should they ever differ.
    const due = open.map((p) => p.deadline).sort((a, b) => a.date.localeCompare(b.date))[0]!;
    missing.push([
      t.name,
      t.uscc,
      open.map((p) => nameOf(p.dept)).join(JOIN),
      due.provisional ? `${due.date}（暂定）` : due.date,
      open.some((p) => p.overdue) ? '是' : '否',
    ]);
  }
  return {
    taskId,
    results: { name: RESULTS_SHEET, header: RESULTS_HEADER, rows: results },
    missing: { name: MISSING_SHEET, header: MISSING_HEADER, rows: missing },
  };
}
