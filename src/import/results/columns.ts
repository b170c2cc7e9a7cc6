import { col } from '../columns.ts';

/** The columns of a results file (README "Importing results"); bold in the SPEC = required here. */
export const RESULT_COLUMNS = [
  col('task', '任务编号', 'task', true),
  col('uscc', '统一社会信用代码', 'uscc', true),
  col('department', '部门编码', 'department', true),
  col('results', '检查结果', 'results', true),
  col('inspected_on', '检查日期', 'inspected_on', true),
  col('methods', '检查方式', 'methods'),
  col('note', '备注', 'note'),
  col('followup', '后续处置', 'followup'),
] as const;

export type ResultField = (typeof RESULT_COLUMNS)[number]['field'];
