/**
 * One row of a results file: its cells read and checked (`RowReader`), then against its task (drawn target,
 * department of the task) and the result rules of the domain (`checkResult`: categories, date, methods).
 * Every problem goes to the reader, under the column as the file names it.
 */
import {
  checkResult,
  MAX_RESULT_TEXT,
  type CategoryList,
  type Result,
  type ResultContext,
  type ResultProblem,
} from '../../domain/result.ts';
import { MAX_LENGTH, quote, type RowReader } from '../cells.ts';
import { INSPECTION_METHOD } from '../values.ts';
import type { ResultField } from './columns.ts';
import type { TaskContext } from './tasks.ts';

/**
 * A checked row: one department's part of one target's result, before who and when are added. Its category and
 * method lists are shared between rows with the same cells (never modified).
 */
export type ImportedResult = Omit<Result, 'enteredBy' | 'enteredAt' | 'source' | 'version'>;

const SEPARATOR = /[;；、]/;

/** The domain's field → the file's column. */
const COLUMN: Record<ResultProblem['field'], ResultField> = {
  categories: 'results',
  inspectedOn: 'inspected_on',
  methods: 'methods',
  note: 'note',
  followup: 'followup',
};

/** Any date, any method: what a row whose task is unknown is still checked against. */
const UNKNOWN_TASK = { window: { start: '0001-01-01', end: '9999-12-31' }, itemMethods: [] };

/** What the rules check a row against: its task's window and methods (or `UNKNOWN_TASK`'s). */
type Where = Pick<ResultContext, 'window' | 'itemMethods'>;

/** Distinct cell combinations remembered per task (a file of free-text mistakes does not grow it without end). */
const MEMO_SIZE = 10_000;

type Checked = Pick<ReturnType<typeof checkResult>, 'problems' | 'categories' | 'methods'>;

/** One memo entry: the problems of the cells other than the date, split around where the date's would go. */
interface CellsChecked {
  categories: string[];
  methods: string[];
  /** `checkResult` reports categories and follow-up before the date, methods after it. */
  beforeDate: ResultProblem[];
  afterDate: ResultProblem[];
  /** `beforeDate` then `afterDate`: the problems when the date has none. */
  problems: ResultProblem[];
}

const NO_PROBLEMS: readonly ResultProblem[] = Object.freeze([]);

/**
 * The domain's result rules (`checkResult`) over the rows of one file. Their answer depends only on the 检查结果
 * cell, the methods, whether there is a follow-up, the date, and the task — values that repeat from row to row —
 * so each is checked once per task: the date alone (its problems concern only itself: valid, not in the future,
 * inside the window), the other cells together. Keyed on all of them at once, a 100,000-row file of a quarter's
 * dates had more combinations per task than the memo kept, and most rows ran `checkResult` (≈0.3 s of the
 * import's checking, measured 2026-12-02). The notes' lengths are the reader's to check (`MAX_RESULT_TEXT`), so
 * the domain is given none.
 */
export class ResultRules {
  /** Names that hold a separator themselves (公示信息隐瞒真实情况、弄虚作假), lower-cased, with their codes. */
  private readonly whole: { code: string; name: string }[];
  private readonly english: Map<string, string>;
  private readonly cellsMemo = new Map<object, Map<string, CellsChecked>>();
  private readonly dateMemo = new Map<object, Map<string, readonly ResultProblem[]>>();

  constructor(
    readonly list: CategoryList,
    /** `YYYY-MM-DD` in LIANCHA_TZ. */
    readonly today: string,
  ) {
    this.whole = list.categories.flatMap((c) =>
      [c.zh, c.en].filter((n) => SEPARATOR.test(n)).map((n) => ({ code: c.code, name: n.toLowerCase() })),
    );
    this.english = new Map(list.categories.map((c) => [c.en.toLowerCase(), c.code]));
  }

  /**
   * The values of a 检查结果 cell, split on `;` `；` `、`. A name that itself holds a separator (公示信息隐瞒真实情况、弄虚作假,
   * "Problems found; correction ordered") is taken whole first; English names and lower-case codes become codes.
   *
   * @example rules.split('公示信息隐瞒真实情况、弄虚作假；发现问题已责令改正') // ['FALSE_DISCLOSURE', '发现问题已责令改正']
   */
  split(text: string): string[] {
    let rest = text;
    const whole: string[] = [];
    for (const w of this.whole) {
      const at = rest.toLowerCase().indexOf(w.name);
      if (at < 0) continue;
      whole.push(w.code);
      rest = `${rest.slice(0, at)};${rest.slice(at + w.name.length)}`;
    }
    const values: string[] = [];
    for (const part of rest.split(SEPARATOR)) {
      const v = part.trim();
      if (v === '') continue;
      values.push(this.english.get(v.toLowerCase()) ?? (/^[a-z_]+$/i.test(v) ? v.toUpperCase() : v));
    }
    return whole.length > 0 ? [...whole, ...values] : values;
  }

  /** `checkResult` for these cells against a task (any date and method for an unknown task). */
  check(
    ctx: TaskContext | null | undefined,
    categories: string,
    inspectedOn: string,
    methods: readonly string[],
    hasFollowup: boolean,
  ): Checked {
    const where = ctx?.check ?? UNKNOWN_TASK;
    const cells = this.checkCells(where, categories, methods, hasFollowup);
    const date = this.checkDate(where, inspectedOn);
    if (date.length === 0) return cells;
    return {
      problems: [...cells.beforeDate, ...date, ...cells.afterDate],
      categories: cells.categories,
      methods: cells.methods,
    };
  }

  /** `checkResult`'s answer for everything but the date (checked with today, its problems left out). */
  private checkCells(
    where: Where,
    categories: string,
    methods: readonly string[],
    hasFollowup: boolean,
  ): CellsChecked {
    let memo = this.cellsMemo.get(where);
    if (!memo) this.cellsMemo.set(where, (memo = new Map()));
    const key = `${categories}\u0001${methods.join('\u0001')}\u0002${hasFollowup ? 1 : 0}`;
    let checked = memo.get(key);
    if (!checked) {
      const all = checkResult(
        {
          categories: this.split(categories),
          inspectedOn: this.today,
          methods,
          note: '',
          followup: hasFollowup ? 'given' : '',
        },
        { ...where, today: this.today },
        this.list,
      );
      const beforeDate = all.problems.filter((p) => p.field === 'categories' || p.field === 'followup');
      const afterDate = all.problems.filter((p) => p.field === 'methods');
      checked = {
        categories: all.categories,
        methods: all.methods,
        beforeDate,
        afterDate,
        problems: [...beforeDate, ...afterDate],
      };
      if (memo.size < MEMO_SIZE) memo.set(key, checked);
    }
    return checked;
  }

  /** `checkResult`'s problems with the date alone (nothing else given, every other problem left out). */
  private checkDate(where: Where, inspectedOn: string): readonly ResultProblem[] {
    let memo = this.dateMemo.get(where);
    if (!memo) this.dateMemo.set(where, (memo = new Map()));
    let problems = memo.get(inspectedOn);
    if (!problems) {
      problems = checkResult(
        { categories: [], inspectedOn, methods: [], note: '', followup: '' },
        { ...where, today: this.today },
        this.list,
      ).problems.filter((p) => p.field === 'inspectedOn');
      if (problems.length === 0) problems = NO_PROBLEMS;
      if (memo.size < MEMO_SIZE) memo.set(inspectedOn, problems);
    }
    return problems;
  }
}

/** The (task, USCC, department) key of a row, from its cells as normalised text; null when one is empty. */
export function rowKey(r: RowReader<ResultField>): string | null {
  const task = r.str('task');
  const uscc = r.str('uscc').toUpperCase();
  const dept = r.str('department');
  return task && uscc && dept ? `${task}\t${uscc}\t${dept}` : null;
}

/**
 * Checks the row `r` is on against its task (`ctx`; null when there is no such task, undefined when the task
 * cell is empty). Returns the result to write, or null when anything was wrong (reported through `r`).
 */
export function checkRow(
  r: RowReader<ResultField>,
  ctx: TaskContext | null | undefined,
  rules: ResultRules,
): ImportedResult | null {
  const taskId = r.text('task', true, MAX_LENGTH.code);
  if (taskId !== null && ctx === null)
    r.problem('task', `unknown task ${quote(taskId)} (liancha task list shows the tasks)`);
  else if (ctx?.refusal) r.problem('task', ctx.refusal);
  const usable = ctx && !ctx.refusal ? ctx : null;

  // A drawn target's USCC was checked when the directory was imported; any other is checked here.
  const drawn = usable?.teamOf.get(r.str('uscc').toUpperCase());
  const uscc = drawn !== undefined ? r.str('uscc').toUpperCase() : r.uscc('uscc', true);
  let team: number | undefined = drawn;
  if (uscc !== null && usable && team === undefined) {
    team = usable.teamOf.get(uscc);
    if (team === undefined)
      r.problem(
        'uscc',
        `${uscc} was not drawn for task ${usable.task.id} (not one of its ${usable.teamOf.size} targets)`,
      );
  }
  const dept = r.code('department', true);
  if (dept !== null && usable && !usable.departments.includes(dept))
    r.problem(
      'department',
      `${quote(dept)} is not a department of task ${usable.task.id} (its teams' departments: ${usable.departments.join(', ')})`,
    );

  const categoryText = r.text('results', true, MAX_RESULT_TEXT);
  const inspectedOn = r.date('inspected_on', true);
  const methods = r.list('methods').map((m) => INSPECTION_METHOD.lookup(m) ?? m);
  const note = r.text('note', false, MAX_RESULT_TEXT);
  const followup = r.text('followup', false, MAX_RESULT_TEXT);

  // In place of a cell the reader refused, an empty or a valid value: its problems are reported already.
  const checked = rules.check(ctx, categoryText ?? '', inspectedOn ?? rules.today, methods, !!followup);
  const refused = {
    categories: categoryText === null,
    inspectedOn: inspectedOn === null,
    followup: followup === null && r.str('followup') !== '',
  };
  for (const p of checked.problems) {
    if ((p.field === 'categories' || p.field === 'inspectedOn' || p.field === 'followup') && refused[p.field])
      continue;
    r.problem(COLUMN[p.field], p.message);
  }
  if (r.failed || !usable || team === undefined) return null;
  return {
    taskId: usable.task.id,
    uscc: uscc!,
    dept: dept!,
    team,
    categories: checked.categories,
    inspectedOn: inspectedOn!,
    methods: checked.methods,
    note: note || null,
    followup: followup || null,
  };
}
