import { MAX_RESULT_TEXT } from '../domain/result.ts';
import type { CategoryView, ResultEntryCardData } from './data.ts';
import { deadlineText, methodText } from './format.ts';
import {
  buttonRow,
  callbackButton,
  card,
  datePicker,
  form,
  hr,
  markdown,
  md,
  multiSelectStatic,
  t,
  textInput,
  type Bilingual,
  type Template,
} from './i18n.ts';
import { fitted } from './limits.ts';

/**
 * 录入结果 / 上一页 / 下一页: opens the result-entry card (on the assignment card, 我的任务 and this card's own pages).
 * Value `{ action, task, team, cert, page }`, `page` 0-based.
 */
export const OPEN_RESULT_ENTRY = 'result.open';
/**
 * 提交 / 修改: a target's form submit button. Value `{ action, task, team, cert, uscc, v, page }` (`v` the saved part's
 * version, 0 when none); `form_value` holds the fields named by `resultFormFields(index)`.
 */
export const SUBMIT_RESULT = 'result.submit';

/**
 * Targets on one page, set by the worst case (test/cards/result-entry.test.ts "size"): every target with a
 * 100-character name and address, all 11 categories, all 5 methods, a 500-character note and follow-up. Each form
 * carries its 11 + 5 options and the saved texts as pre-filled values, which cannot be shortened (a 修改 sends them
 * back): two such targets come to about 26 KB of the 27.6 KB budget (90 % of 30 KB) — with the notes above the
 * forms left out, as `resultEntryCard` does when space is short — and a third would be over 30 KB.
 */
export const RESULT_PAGE_SIZE = 2;

/**
 * The form field names of the target at `index` on the page (card-unique, docs/feishu.md): the listener reads
 * `form_value` by these. `categories` and `methods` arrive as arrays of option values (category codes, method
 * names), `date` as e.g. `"2026-12-08 +0800"`, `note` and `followup` as text.
 */
export function resultFormFields(index: number) {
  return {
    categories: `t${index}_categories`,
    date: `t${index}_date`,
    methods: `t${index}_methods`,
    note: `t${index}_note`,
    followup: `t${index}_followup`,
  } as const;
}

type Target = ResultEntryCardData['targets'][number];

/**
 * 结果录入 / Result entry, for one officer's department on one team: a page of the team's targets, each with what
 * this department entered (or when it is due), the team's departments still missing, and — while the task takes
 * results — a form to enter or change this department's part. A closed task's card shows the results, no forms.
 */
export function resultEntryCard(d: ResultEntryCardData): Record<string, unknown> {
  // Long notes are shown shorter until the card fits — and, with a form, not repeated above it at all. Never the forms
  // themselves: their pre-filled values are what a 修改 saves.
  return fitted((shown) => buildResultEntryCard(d, shown), MAX_RESULT_TEXT);
}

function buildResultEntryCard(d: ResultEntryCardData, shown: number): Record<string, unknown> {
  const elements: unknown[] = [markdown(topLines(d))];
  elements.push(markdown(d.editable ? howTo(d.categories) : closedLine(), { size: 'notation' }));
  d.targets.forEach((x, i) => {
    elements.push(hr(), markdown(targetLines(d, x, d.page * d.pageSize + i + 1, shown)));
    if (d.editable) elements.push(targetForm(d, x, i));
  });
  const nav = pageButtons(d);
  if (nav.length > 0) elements.push(hr(), buttonRow(nav));
  return card({
    title: t('结果录入', 'Result entry'),
    subtitle: t(d.task.name, d.task.name),
    template: headerTemplate(d),
    summary: t(
      `结果录入：${d.task.name} 第${d.team.no}组`,
      `Result entry: ${d.task.name}, team ${d.team.no}`,
    ),
    elements,
  });
}

function headerTemplate(d: ResultEntryCardData): Template {
  if (!d.editable) return 'grey';
  if (d.totals.targets > 0 && d.totals.entered >= d.totals.targets) return 'green';
  if (d.targets.some((x) => !x.mine && x.overdue)) return 'orange';
  return 'blue';
}

function topLines(d: ResultEntryCardData): Bilingual {
  return t(
    `**检查组**：第${d.team.no}组（${md(d.team.region)}）\n**录入部门**：${md(d.dept.name)}（${md(d.you.name)}）\n**本部门已录入**：${d.totals.entered} / ${d.totals.targets} 户\n**页码**：${d.page + 1} / ${d.pages}`,
    `**Team**: ${d.team.no} (${md(d.team.region)})\n**Entering for**: ${md(d.dept.name)} (${md(d.you.name)})\n**Entered by this department**: ${d.totals.entered} / ${d.totals.targets} targets\n**Page**: ${d.page + 1} / ${d.pages}`,
  );
}

/** The rules a form follows, named from the category list itself (未发现问题, 发现问题待后续处理). */
function howTo(categories: readonly CategoryView[]): Bilingual {
  const alone = categories.filter((c) => c.exclusive);
  const followup = categories.filter((c) => c.needsFollowup);
  const zh = [
    '每户一张表单，填好后点“提交”，已录入的可以修改',
    ...alone.map((c) => `“${md(c.zh)}”须单独选择`),
    ...followup.map((c) => `选择“${md(c.zh)}”须填写后续处置`),
    '检查日期须在检查时间内且不晚于今天。',
  ];
  const en = [
    'One form per target: fill it in and press Submit (an entered result can be updated)',
    ...alone.map((c) => `“${md(c.en)}” stands alone`),
    ...followup.map((c) => `“${md(c.en)}” needs a follow-up note`),
    'the inspection date must be within the window and not after today.',
  ];
  return t(zh.join('；'), en.join('; '));
}

function closedLine(): Bilingual {
  return t(
    '🔒 本任务已结束，检查结果不再接受录入或修改。',
    '🔒 This task is closed: results can no longer be entered or changed.',
  );
}

/** A saved note or follow-up as the status shows it: in full, or its first `shown` characters when space is short. */
function excerpt(text: string, shown: number, editable: boolean): Bilingual {
  const chars = [...text];
  if (chars.length <= shown) return t(md(text), md(text));
  const cut = md(chars.slice(0, shown).join(''));
  return editable
    ? t(`${cut}……（全文见下方表单）`, `${cut}… (in full in the form below)`)
    : t(`${cut}……（较长，未全部显示）`, `${cut}… (shortened)`);
}

function categoryNames(codes: readonly string[], list: readonly CategoryView[]): Bilingual {
  const names = codes.map((code) => {
    const c = list.find((x) => x.code === code);
    return c ? t(md(c.zh), md(c.en)) : t(md(code), md(code));
  });
  return t(names.map((n) => n.zh).join('、') || '—', names.map((n) => n.en).join(' / ') || '—');
}

function methodNames(methods: readonly string[]): Bilingual {
  const names = methods.map(methodText);
  return t(names.map((n) => md(n.zh)).join('、') || '—', names.map((n) => md(n.en)).join(', ') || '—');
}

/** One target: name and address, this department's part (or when it is due), and who on the team is missing. */
function targetLines(d: ResultEntryCardData, x: Target, n: number, shown: number): Bilingual {
  const zh: string[] = [`**${n}. ${md(x.name)}**${x.address ? `\u3000${md(x.address)}` : ''}`];
  const en: string[] = [zh[0]!];
  const m = x.mine;
  if (m && d.editable && shown === 0) {
    // Short of space: the form below shows every saved value (selected options, pre-filled texts) anyway.
    zh.push(`✅ **本部门已录入**（${md(m.enteredAt)}），所录内容见下方表单`);
    en.push(`✅ **Entered by this department** (${md(m.enteredAt)}); what was entered is in the form below`);
  } else if (m) {
    const cats = categoryNames(m.categories, d.categories);
    const methods = methodNames(m.methods);
    zh.push(
      `✅ **本部门已录入**（${md(m.enteredAt)}）：${cats.zh}`,
      `检查日期：${md(m.inspectedOn)}；检查方式：${methods.zh}`,
    );
    en.push(
      `✅ **Entered by this department** (${md(m.enteredAt)}): ${cats.en}`,
      `Inspected on ${md(m.inspectedOn)}; methods: ${methods.en}`,
    );
    if (m.note) {
      const note = excerpt(m.note, shown, d.editable);
      zh.push(`备注：${note.zh}`);
      en.push(`Note: ${note.en}`);
    }
    if (m.followup) {
      const followup = excerpt(m.followup, shown, d.editable);
      zh.push(`后续处置：${followup.zh}`);
      en.push(`Follow-up: ${followup.en}`);
    }
  } else {
    const due = deadlineText(x.deadline);
    if (x.overdue) {
      zh.push(`⚠️ <font color='red'>**已逾期：本部门尚未录入**</font>（最迟 ${due.zh}）`);
      en.push(`⚠️ <font color='red'>**Overdue: not entered by this department**</font> (due ${due.en})`);
    } else {
      zh.push(`⏳ 本部门尚未录入，最迟 ${due.zh}`);
      en.push(`⏳ Not entered by this department yet; due ${due.en}`);
    }
  }
  if (x.missingDepts.length > 0) {
    zh.push(`⏳ 本组尚未录入的部门：${x.missingDepts.map(md).join('、')}`);
    en.push(`⏳ Departments of the team still to enter: ${x.missingDepts.map(md).join(', ')}`);
  } else {
    zh.push('✅ 本组各部门均已录入');
    en.push('✅ Every department of the team has entered');
  }
  return t(zh.join('\n'), en.join('\n'));
}

/** The target's form (root level, docs/feishu.md): its fields pre-filled from what this department saved. */
function targetForm(d: ResultEntryCardData, x: Target, index: number) {
  const f = resultFormFields(index);
  const m = x.mine;
  return form(`t${index}_form`, [
    multiSelectStatic({
      name: f.categories,
      required: true,
      placeholder: categoriesPlaceholder(d.categories),
      options: d.categories.map((c) => ({ text: t(c.zh, c.en), value: c.code })),
      selected: m?.categories ?? [],
    }),
    datePicker({
      name: f.date,
      required: true,
      placeholder: t('检查日期', 'Inspection date'),
      // Today, or the window's last day once it is over (results are often entered after it; a date after the
      // window would be refused).
      initial: m?.inspectedOn ?? (d.today > d.task.window.end ? d.task.window.end : d.today),
    }),
    multiSelectStatic({
      name: f.methods,
      placeholder: t('检查方式（可多选）', 'Methods used (one or more)'),
      options: d.methods.map((method) => ({ text: methodText(method), value: method })),
      selected: m?.methods ?? [],
    }),
    textInput({
      name: f.note,
      label: t('备注', 'Note'),
      placeholder: t(`选填，${MAX_RESULT_TEXT} 字以内`, `Optional, up to ${MAX_RESULT_TEXT} characters`),
      maxLength: MAX_RESULT_TEXT,
      rows: 2,
      ...(m?.note ? { defaultValue: m.note } : {}),
    }),
    textInput({
      name: f.followup,
      label: t('后续处置', 'Follow-up'),
      placeholder: followupPlaceholder(d.categories),
      maxLength: MAX_RESULT_TEXT,
      rows: 2,
      ...(m?.followup ? { defaultValue: m.followup } : {}),
    }),
    callbackButton(
      m ? t('修改', 'Update') : t('提交', 'Submit'),
      {
        action: SUBMIT_RESULT,
        task: d.task.id,
        team: d.team.no,
        cert: d.you.certNo,
        uscc: x.uscc,
        v: m?.version ?? 0,
        page: d.page,
      },
      { type: 'primary', name: `t${index}_submit`, submit: true },
    ),
  ]);
}

/** 检查结果（可多选；“未发现问题”须单独选择）: the exclusive categories named from the list. */
function categoriesPlaceholder(categories: readonly CategoryView[]): Bilingual {
  const alone = categories.filter((c) => c.exclusive);
  if (alone.length === 0) return t('检查结果（可多选）', 'Result (one or more)');
  return t(
    `检查结果（可多选；${alone.map((c) => `“${c.zh}”`).join('、')}须单独选择）`,
    `Result (one or more; ${alone.map((c) => `“${c.en}”`).join(', ')} stands alone)`,
  );
}

/** 后续处置：选择“发现问题待后续处理”时必填: the categories that need it, named from the list. */
function followupPlaceholder(categories: readonly CategoryView[]): Bilingual {
  const needing = categories.filter((c) => c.needsFollowup);
  if (needing.length === 0)
    return t(`选填，${MAX_RESULT_TEXT} 字以内`, `Optional, up to ${MAX_RESULT_TEXT} characters`);
  return t(
    `选择${needing.map((c) => `“${c.zh}”`).join('、')}时必填，${MAX_RESULT_TEXT} 字以内`,
    `Required for ${needing.map((c) => `“${c.en}”`).join(', ')}; up to ${MAX_RESULT_TEXT} characters`,
  );
}

/** 上一页 / 下一页, outside every form; none when everything is on one page. */
function pageButtons(d: ResultEntryCardData): unknown[] {
  const open = (page: number) => ({
    action: OPEN_RESULT_ENTRY,
    task: d.task.id,
    team: d.team.no,
    cert: d.you.certNo,
    page,
  });
  const out: unknown[] = [];
  if (d.page > 0)
    out.push(callbackButton(t('上一页', 'Previous page'), open(d.page - 1), { type: 'default' }));
  if (d.page < d.pages - 1)
    out.push(callbackButton(t('下一页', 'Next page'), open(d.page + 1), { type: 'default' }));
  return out;
}
