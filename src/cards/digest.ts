import type { DigestData, DigestDepartment } from './digest-data.ts';
import { card, hr, markdown, md, t, type Bilingual } from './i18n.ts';
import { fitsLimits } from './limits.ts';

/**
 * How much is listed, from the most to the least: the first level that fits Feishu's limits (with 10 % headroom)
 * is sent. Tasks go first, then the chart's and the table's departments; then the deadlines and approvals; the overdue
 * list keeps its first 10 the longest. The last level is sent whatever its size (a province's worth of names still fits it by far).
 */
const LEVELS: Level[] = [
  { tasks: 30, overdue: 10, items: 10, chart: 20, rows: 60 },
  { tasks: 10, overdue: 10, items: 10, chart: 15, rows: 40 },
  { tasks: 5, overdue: 10, items: 10, chart: 10, rows: 20 },
  { tasks: 0, overdue: 10, items: 10, chart: 10, rows: 10 },
  { tasks: 0, overdue: 10, items: 5, chart: 10, rows: 10 },
  { tasks: 0, overdue: 10, items: 5, chart: 6, rows: 6 },
  { tasks: 0, overdue: 5, items: 3, chart: 5, rows: 5 },
];
interface Level {
  tasks: number;
  /** Overdue parts listed (the issue asks for the first 10, then a count). */
  overdue: number;
  /** Deadline days and pending approvals listed, each. */
  items: number;
  chart: number;
  rows: number;
}
/** A department's name in the chart is cut to this many characters (the table has it whole). */
const CHART_NAME_CHARS = 16;
const JSON_HINT = '`liancha digest --json`';

/**
 * The weekly progress digest 周报 (to the joint-meeting group at DIGEST_CRON, and the answer to 进度 / progress): the
 * totals, a stacked bar chart of each department's parts (entered / pending / overdue), the per-department table,
 * the active tasks, the deadlines of the next seven days, the overdue parts, the approvals still pending, and the
 * provisional-calendar warning. A province's digest is summarised to stay inside Feishu's limits and points to
 * `liancha digest --json` for the whole. Never a risk class.
 */
export function digestCard(d: DigestData): Record<string, unknown> {
  for (const level of LEVELS.slice(0, -1)) {
    const built = buildDigestCard(d, level);
    if (fitsLimits(built)) return built;
  }
  return buildDigestCard(d, LEVELS.at(-1)!);
}

function buildDigestCard(d: DigestData, level: Level): Record<string, unknown> {
  const n = d.totals;
  const elements: unknown[] = [];
  if (d.tasks.length === 0) {
    elements.push(markdown(t('目前没有进行中的抽查任务。', 'There are no inspection tasks in progress.')));
  } else {
    elements.push(
      markdown(
        t(
          `进行中任务 **${n.tasks}** 项，抽取检查对象 **${n.drawn}** 户：已检查 ${n.inspected} 户，已完成 ${n.complete} 户，逾期 ${n.overdueTargets} 户。\n各部门结果录入：已录入 ${n.entered} 项，待录入 ${n.pending} 项，逾期 ${n.overdue} 项。`,
          `**${n.tasks}** tasks in progress, **${n.drawn}** targets drawn: ${n.inspected} inspected, ${n.complete} complete, ${n.overdueTargets} overdue.\nDepartments' results: ${n.entered} entered, ${n.pending} pending, ${n.overdue} overdue.`,
        ),
      ),
    );
    if (d.departments.length > 0) {
      elements.push(chart(d.departments, level.chart), table(d.departments, level.rows));
      const rest = d.departments.length - Math.min(level.rows, d.departments.length);
      if (rest > 0)
        elements.push(
          markdown(
            t(
              `表格列出前 ${level.rows} 个部门，另有 ${rest} 个，完整数据：${JSON_HINT}`,
              `The table lists the first ${level.rows} departments; ${rest} more in ${JSON_HINT}`,
            ),
            { size: 'notation' },
          ),
        );
    }
    elements.push(hr(), markdown(taskLines(d, level.tasks)));
  }
  elements.push(markdown(deadlineLines(d, level.items)));
  if (d.overdue.length > 0) elements.push(markdown(overdueLines(d, level.overdue)));
  if (d.approvals.length > 0) elements.push(markdown(approvalLines(d, level.items)));
  if (d.provisional)
    elements.push(
      markdown(
        t(
          '⚠️ 标注“暂定”的期限落在节假日安排尚未发布的年份，暂按周一至周五计算，日历更新后以新期限为准。',
          '⚠️ Deadlines marked "provisional" fall in a year whose holiday calendar is not published yet: they are counted Monday to Friday until the calendar is updated.',
        ),
        { size: 'notation' },
      ),
    );
  elements.push(
    markdown(
      t(
        `生成于 ${d.generatedAtLocal}（${md(d.tz)}）。完整数据：${JSON_HINT}`,
        `Generated ${d.generatedAtLocal} (${md(d.tz)}). All the data: ${JSON_HINT}`,
      ),
      { size: 'notation' },
    ),
  );
  return card({
    title: t('周报', 'Weekly progress'),
    subtitle: t(`${d.week} · 联合抽查进度`, `${d.week} · joint inspections`),
    template: n.overdue > 0 ? 'orange' : 'blue',
    summary: t(
      `周报 ${d.week}：已录入 ${n.entered}，待录入 ${n.pending}，逾期 ${n.overdue}`,
      `Weekly progress ${d.week}: ${n.entered} entered, ${n.pending} pending, ${n.overdue} overdue`,
    ),
    elements,
  });
}

const SERIES = {
  entered: '已录入 Entered',
  pending: '待录入 Pending',
  overdue: '逾期 Overdue',
} as const;

/**
 * Card 2.0 `chart`: a VChart spec *object* (no functions, no strings of code). Horizontal stacked bars, one per
 * department, so that long department names stay readable; the height grows with the departments shown.
 */
function chart(departments: DigestDepartment[], max: number) {
  const shown = departments.slice(0, max);
  const values = shown.flatMap((x) =>
    (['entered', 'pending', 'overdue'] as const).map((k) => ({
      dept: chartName(x.name),
      status: SERIES[k],
      parts: x[k],
    })),
  );
  return {
    tag: 'chart',
    height: `${Math.min(999, 120 + 36 * shown.length)}px`,
    preview: true,
    chart_spec: {
      type: 'bar',
      direction: 'horizontal',
      title: {
        visible: true,
        text:
          departments.length > shown.length
            ? `各部门结果录入（前 ${shown.length} 个部门）Results by department`
            : '各部门结果录入 Results by department',
      },
      data: [{ id: 'parts', values }],
      xField: 'parts',
      yField: 'dept',
      seriesField: 'status',
      stack: true,
      color: ['#34c724', '#ffc60a', '#f54a45'],
      legends: { visible: true, orient: 'bottom' },
      axes: [
        { orient: 'left', type: 'band' },
        { orient: 'bottom', type: 'linear', min: 0 },
      ],
    },
  };
}

const COLUMNS: [name: string, display: string][] = [
  ['dept', '部门 Department'],
  ['officers', '执法人员 Officers'],
  ['unconfirmed', '未确认 Unconfirmed'],
  ['entered', '已录入 Entered'],
  ['pending', '待录入 Pending'],
  ['overdue', '逾期 Overdue'],
  ['sub_requested', '申请更换 Substitutions'],
  ['sub_approved', '已批准 Approved'],
  ['sub_pending', '待审批 Awaiting'],
];

const chartName = (name: string) => {
  const chars = [...name];
  return chars.length > CHART_NAME_CHARS ? chars.slice(0, CHART_NAME_CHARS - 1).join('') + '…' : name;
};

/** Card 2.0 `table` (root level only): one row per department; row keys are the column names. */
function table(departments: DigestDepartment[], max: number) {
  return {
    tag: 'table',
    page_size: 10,
    row_height: 'low',
    freeze_first_column: true,
    header_style: { text_align: 'left', text_size: 'normal', background_style: 'grey', bold: true, lines: 2 },
    columns: COLUMNS.map(([name, display]) =>
      name === 'dept'
        ? { name, display_name: display, data_type: 'text', width: 'auto' }
        : { name, display_name: display, data_type: 'number', width: 'auto', format: { precision: 0 } },
    ),
    // `text` cells are shown as they are (never markdown): no escaping needed, and none applied.
    rows: departments.slice(0, max).map((x) => ({
      dept: x.name,
      officers: x.officers,
      unconfirmed: x.unconfirmed,
      entered: x.entered,
      pending: x.pending,
      overdue: x.overdue,
      sub_requested: x.substitutions.requested,
      sub_approved: x.substitutions.approved,
      sub_pending: x.substitutions.pending,
    })),
  };
}

function more(total: number, listed: number): Bilingual | null {
  const rest = total - Math.min(total, listed);
  return rest > 0
    ? t(
        `……另有 ${rest} 项未列出，完整数据：${JSON_HINT}`,
        `…and ${rest} more not listed; all of them: ${JSON_HINT}`,
      )
    : null;
}

function lines(head: Bilingual, items: Bilingual[], rest: Bilingual | null): Bilingual {
  const all = rest ? [...items, rest] : items;
  return t([head.zh, ...all.map((x) => x.zh)].join('\n'), [head.en, ...all.map((x) => x.en)].join('\n'));
}

function taskLines(d: DigestData, listed: number): Bilingual {
  return lines(
    t('**进行中的任务**', '**Tasks in progress**'),
    d.tasks
      .slice(0, listed)
      .map((x) =>
        t(
          `- **${md(x.name)}**（${md(x.id)}）：抽取 ${x.drawn} 户，已检查 ${x.inspected}，已完成 ${x.complete}，逾期 ${x.overdue}`,
          `- **${md(x.name)}** (${md(x.id)}): ${x.drawn} drawn, ${x.inspected} inspected, ${x.complete} complete, ${x.overdue} overdue`,
        ),
      ),
    more(d.tasks.length, listed),
  );
}

const provisional = (p: boolean) => (p ? t('（暂定）', ' (provisional)') : t('', ''));

function deadlineLines(d: DigestData, listed: number): Bilingual {
  const head = t('**未来 7 天到期**', '**Due in the next 7 days**');
  if (d.deadlines.length === 0) return lines(head, [t('无', 'Nothing')], null);
  return lines(
    head,
    d.deadlines.slice(0, listed).map((x) => {
      const p = provisional(x.provisional);
      return t(
        `- ${x.date}${p.zh}：${md(x.taskName)}（${md(x.taskId)}），${x.parts} 项待录入`,
        `- ${x.date}${p.en}: ${md(x.taskName)} (${md(x.taskId)}), ${x.parts} parts due`,
      );
    }),
    more(d.deadlines.length, listed),
  );
}

function overdueLines(d: DigestData, listed: number): Bilingual {
  return lines(
    t(`**逾期未录入**（${d.overdue.length} 项）`, `**Overdue** (${d.overdue.length} parts)`),
    d.overdue.slice(0, listed).map((x) => {
      const p = provisional(x.provisional);
      return t(
        `- ${x.deadline}${p.zh} ${md(x.target)}（${md(x.taskId)} 第${x.team}组，${md(x.deptName)}）`,
        `- ${x.deadline}${p.en} ${md(x.target)} (${md(x.taskId)} team ${x.team}, ${md(x.deptName)})`,
      );
    }),
    more(d.overdue.length, listed),
  );
}

function approvalLines(d: DigestData, listed: number): Bilingual {
  return lines(
    t(
      `**待审批的更换申请**（${d.approvals.length} 项）`,
      `**Substitutions awaiting a decision** (${d.approvals.length})`,
    ),
    d.approvals
      .slice(0, listed)
      .map((x) =>
        t(
          `- ${md(x.inspector)}（${md(x.deptName)}，${md(x.taskId)} 第${x.team}组），${x.requestedAtLocal} 提交，待${x.decider === 'head' ? '部门负责人' : '部门联络员'}审批`,
          `- ${md(x.inspector)} (${md(x.deptName)}, ${md(x.taskId)} team ${x.team}), asked ${x.requestedAtLocal}, awaiting the department's ${x.decider === 'head' ? 'head' : 'liaison'}`,
        ),
      ),
    more(d.approvals.length, listed),
  );
}
