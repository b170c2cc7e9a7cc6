/**
 * The sim page's card renderer (`src/sim/page/card.js`) in a real browser: every card liancha builds drawn in both
 * languages with nothing left unsupported; imported text shown literally, never as markup; buttons, confirm dialogs
 * and forms calling back with what Feishu would send (multi-selects as arrays, dates as `2026-12-08 +0800`, required
 * fields refused while empty); tables paged; the digest's chart drawn by VChart, or a note when it cannot be.
 *
 * There is no DOM library in the project, so this drives Debian's chromium through playwright-core, serving the
 * page's files from the repository through request interception (no port). Without chromium (and without CI=1)
 * it is skipped; under CI it must run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  assignmentCard,
  digestCard,
  drawResultCard,
  escalationCard,
  helpCard,
  myTasksCard,
  reminderCard,
  resultEntryCard,
  resultFormFields,
  substitutionOutcomeCard,
  substitutionRequestCard,
} from '../../src/cards/index.ts';
import { md, t } from '../../src/cards/i18n.ts';
import { validateCardContent } from '../../src/sim/feishu/cards.ts';
import {
  approvedDecision,
  assignment,
  drawData,
  entryTarget,
  mine,
  outcomeData,
  requestData,
  resultEntry,
  substitution,
  task,
} from '../cards/fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const PAGE = new URL('../../src/sim/page/', import.meta.url);
const VCHART = createRequire(import.meta.url).resolve('@visactor/vchart/build/index.min.js');
const ORIGIN = 'http://card.test';

const nasty =
  '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> **x** <at id=all></at> [l](javascript:alert(1))';
const pending = [
  {
    uscc: 'U1',
    name: `乌海某某餐饮有限公司${nasty}`,
    deadline: { date: '2026-12-08', provisional: false },
    daysLeft: 3,
  },
  {
    uscc: 'U2',
    name: '乌海某某餐饮有限公司2',
    deadline: { date: '2026-12-01', provisional: true },
    daysLeft: -2,
  },
];
const digest = {
  week: '2026-W49',
  today: '2026-12-01',
  generatedAt: '2026-12-01T01:00:00Z',
  generatedAtLocal: '2026-12-01 09:00',
  tz: 'Asia/Shanghai',
  focusDept: null,
  totals: {
    tasks: 1,
    drawn: 20,
    inspected: 10,
    complete: 6,
    overdueTargets: 2,
    entered: 20,
    pending: 15,
    overdue: 5,
  },
  tasks: [
    { id: task.id, name: task.name, window: task.window, drawn: 20, inspected: 10, complete: 6, overdue: 2 },
  ],
  departments: Array.from({ length: 12 }, (_, i) => ({
    code: `D${i}`,
    name: `部门${i}`,
    officers: 3,
    unconfirmed: 1,
    entered: 2,
    pending: 1,
    overdue: i % 2,
    substitutions: { requested: 1, approved: 0, pending: 1 },
  })),
  deadlines: [],
  overdue: [
    {
      taskId: task.id,
      taskName: task.name,
      team: 1,
      uscc: 'U1',
      target: `乌海某某餐饮有限公司${nasty}`,
      dept: 'D1',
      deptName: '部门1',
      deadline: '2026-11-28',
      provisional: false,
    },
  ],
  approvals: [],
  provisional: false,
};

/** Every card liancha sends, as the builders make them. */
const cards = {
  assignment: assignmentCard(assignment()),
  assignmentForm: assignmentCard(assignment({ mode: 'request-form' })),
  assignmentPending: assignmentCard(assignment({ substitution: substitution() })),
  request: substitutionRequestCard(requestData({ reminder: true })),
  requestDecided: substitutionRequestCard(requestData({ state: 'approved', decision: approvedDecision })),
  outcome: substitutionOutcomeCard(outcomeData()),
  help: helpCard({
    commands: [{ name: t('帮助', 'help'), help: t('显示本说明', 'this message') }],
    unknownText: nasty,
  }),
  myTasks: myTasksCard({ name: '检查员1', assignments: [] }),
  resultEntry: resultEntryCard(
    resultEntry({
      targets: [entryTarget(0, { mine: mine() }), entryTarget(1), entryTarget(2, { overdue: true })],
    }),
  ),
  resultClosed: resultEntryCard(resultEntry({ editable: false })),
  reminder: reminderCard({
    task: { id: task.id, name: task.name },
    team: 1,
    dept: { code: 'WJW', name: '市卫生健康委员会' },
    you: { certNo: '150000000001', name: '检查员1', leader: true },
    sentAt: '2026-12-01 09:00',
    pending,
    othersMissing: [{ dept: '市应急管理局', pending: 2, overdue: 1 }],
  }),
  escalation: escalationCard({
    task: { id: task.id, name: task.name },
    dept: { code: 'WJW', name: '市卫生健康委员会' },
    role: 'head',
    sentAt: '2026-12-01 09:00',
    worstDaysOverdue: 5,
    total: 2,
    teams: [{ team: 1, officers: ['检查员1'], parts: pending }],
  }),
  digest: digestCard(digest),
  drawResult: drawResultCard(drawData(1)),
};

const pt = (zh: string, en = `${zh} (en)`) => ({
  tag: 'plain_text',
  content: zh,
  i18n_content: { zh_cn: zh, en_us: en },
});
/** One of every component the simulator's validator accepts (src/sim/feishu/cards.ts), nested where it may be. */
const everything = {
  schema: '2.0',
  config: { update_multi: true, width_mode: 'fill', summary: { content: '摘要不显示' } },
  header: {
    title: pt('全部组件', 'Every component'),
    subtitle: pt('副标题'),
    template: 'turquoise',
    text_tag_list: [{ tag: 'text_tag', text: pt('标签'), color: 'orange' }],
  },
  body: {
    vertical_spacing: 'medium',
    elements: [
      { tag: 'markdown', content: '**md**', text_align: 'center' },
      {
        tag: 'div',
        text: pt('div 文本'),
        fields: [{ is_short: true, text: { tag: 'lark_md', content: '**字段**' } }],
      },
      { tag: 'hr' },
      { tag: 'img', img_key: 'img_v2_x', alt: pt('替代文字') },
      { tag: 'person', user_id: 'ou_1' },
      {
        tag: 'column_set',
        flex_mode: 'bisect',
        background_style: 'grey',
        columns: [
          { tag: 'column', width: 'weighted', weight: 2, elements: [{ tag: 'markdown', content: '左' }] },
          {
            tag: 'column',
            width: '80px',
            vertical_align: 'center',
            elements: [{ tag: 'markdown', content: '右' }],
          },
        ],
      },
      {
        tag: 'collapsible_panel',
        expanded: false,
        header: { title: { tag: 'markdown', content: '**展开**' } },
        border: { color: 'grey' },
        elements: [{ tag: 'markdown', content: '面板里' }],
      },
      {
        tag: 'interactive_container',
        has_border: true,
        behaviors: [{ type: 'callback', value: { action: 'box' } }],
        elements: [{ tag: 'markdown', content: '点我' }],
      },
      {
        tag: 'table',
        page_size: 2,
        columns: [
          { name: 'a', display_name: '文本', data_type: 'text' },
          { name: 'n', display_name: '数', data_type: 'number', format: { precision: 2, separator: true } },
          { name: 'o', display_name: '选项', data_type: 'options' },
          { name: 'p', display_name: '人', data_type: 'persons' },
          { name: 'm', display_name: 'md', data_type: 'lark_md' },
        ],
        rows: [
          { a: '<b>x</b>', n: 1234.5, o: [{ text: '高', color: 'red' }], p: ['ou_1'], m: '**粗**' },
          { a: 'y', n: 2, o: [], p: [], m: '' },
          { a: 'z', n: 3, o: [], p: [], m: '' },
        ],
      },
      {
        tag: 'chart',
        aspect_ratio: '16:9',
        chart_spec: {
          type: 'pie',
          data: [{ id: 'd', values: [{ k: 'a', v: 1 }] }],
          valueField: 'v',
          categoryField: 'k',
        },
      },
      {
        tag: 'form',
        name: 'everything_form',
        elements: [
          { tag: 'input', name: 'line', label: pt('单行'), required: true, placeholder: pt('写点什么') },
          { tag: 'input', name: 'multi', input_type: 'multiline_text', rows: 2, default_value: '默认' },
          {
            tag: 'select_static',
            name: 'one',
            initial_option: 'b',
            options: [
              { text: pt('甲'), value: 'a' },
              { text: pt('乙'), value: 'b' },
            ],
          },
          {
            tag: 'multi_select_static',
            name: 'many',
            selected_values: ['a'],
            options: [{ text: pt('甲'), value: 'a' }],
          },
          { tag: 'date_picker', name: 'day', initial_date: '2026-12-08' },
          { tag: 'picker_time', name: 'time', initial_time: '09:30' },
          { tag: 'picker_datetime', name: 'when', initial_datetime: '2026-12-08 09:30' },
          {
            tag: 'column_set',
            columns: [
              {
                tag: 'column',
                elements: [
                  {
                    tag: 'button',
                    name: 'submit',
                    text: pt('提交'),
                    type: 'primary',
                    form_action_type: 'submit',
                    behaviors: [{ type: 'callback', value: { action: 'form' } }],
                  },
                ],
              },
              {
                tag: 'column',
                elements: [{ tag: 'button', name: 'reset', text: pt('重置'), form_action_type: 'reset' }],
              },
            ],
          },
        ],
      },
      {
        tag: 'button',
        text: pt('打开'),
        type: 'primary_text',
        behaviors: [{ type: 'open_url', default_url: 'https://example.org/' }],
      },
    ],
  },
};

/** Texts of a card in one language: header title and subtitle, button labels. */
function labels(card: Record<string, unknown>, lang: 'zh_cn' | 'en_us') {
  const header = card.header as Record<string, { i18n_content: Record<string, string> }>;
  const buttons: string[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.tag === 'button')
      buttons.push((o.text as { i18n_content: Record<string, string> }).i18n_content[lang]!);
    Object.values(o).forEach(walk);
  };
  walk(card.body);
  return {
    title: header.title!.i18n_content[lang],
    subtitle: header.subtitle?.i18n_content[lang] ?? null,
    buttons,
  };
}

const hasChromium = existsSync(CHROMIUM);

describe.skipIf(!hasChromium && !process.env.CI)('the sim page card renderer (card.js, in chromium)', () => {
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 30_000);
  afterAll(async () => browser?.close());

  beforeEach(async () => {
    page = await browser.newPage();
    problems.length = 0;
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') {
        return route.fulfill({
          contentType: 'text/html; charset=utf-8',
          body: `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
            <link rel="stylesheet" href="/sim.css"></head><body><div id="out"></div>
            <script type="module">import * as m from '/card.js'; window.cardjs = m;</script></body></html>`,
        });
      }
      if (path === '/vchart.js')
        return route.fulfill({ contentType: 'text/javascript', body: readFileSync(VCHART) });
      if (path === '/card.js' || path === '/time.js' || path === '/sim.css')
        return route.fulfill({
          contentType: path.endsWith('.js') ? 'text/javascript' : 'text/css',
          body: readFileSync(new URL(path.slice(1), PAGE)),
        });
      return route.fulfill({ status: 404, body: '' });
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => (globalThis as any).cardjs);
  });

  /** Renders a card into #out in the page; actions land in `window.actions`. */
  const render = (card: unknown, lang = 'zh_cn') =>
    page.evaluate(
      ({ card, lang }) => {
        const w = globalThis as any;
        w.actions = [];
        const el = w.cardjs.renderCard(card, {
          lang,
          tz: 'Asia/Shanghai',
          nameOf: (id: string) => (id === 'ou_1' ? '检查员1' : null),
          onAction: (a: unknown) => {
            w.actions.push(a);
          },
        });
        w.document.getElementById('out').replaceChildren(el);
      },
      { card, lang },
    );
  const actions = () => page.evaluate(() => (globalThis as any).actions as unknown[]);

  it.each(Object.entries(cards))(
    'draws the %s card in both languages, every element supported',
    async (_name, card) => {
      expect(validateCardContent(JSON.stringify(card))).toMatchObject({ ok: true });
      for (const lang of ['zh_cn', 'en_us'] as const) {
        await render(card, lang);
        const want = labels(card, lang);
        const root = page.getByTestId('card');
        await expect(root.locator('.fc-title').textContent()).resolves.toBe(want.title);
        if (want.subtitle)
          await expect(root.locator('.fc-subtitle').textContent()).resolves.toBe(want.subtitle);
        expect(await root.locator('button.fc-button').allTextContents()).toEqual(want.buttons);
        expect(await root.locator('[data-unsupported]').count()).toBe(0);
        // No markdown syntax is left over as text (but for the imported name, shown as it was typed).
        expect((await root.textContent())!.replaceAll(nasty, '')).not.toMatch(/\*\*|<font|<\/?at\b|&#\d+;/);
      }
      expect(problems).toEqual([]);
    },
  );

  it('shows imported text literally: no element, no script run, no link out of markup in a name', async () => {
    await render(cards.reminder);
    const text = await page.getByTestId('card').textContent();
    expect(text).toContain('<script>window.pwned=1</script>');
    expect(text).toContain('**x** <at id=all></at> [l](javascript:alert(1))');
    expect(await page.locator('#out script, #out img, #out a, #out .fc-md-at').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as any).pwned)).toBeUndefined();
    // Raw (unescaped) markup in a text is never HTML either, whatever the markdown parser makes of it.
    await render({
      schema: '2.0',
      body: { elements: [{ tag: 'markdown', content: '<img src=x onerror="window.pwned=3"><b>b</b>' }] },
    });
    expect(await page.locator('#out img, #out b').count()).toBe(0);
    expect(await page.getByTestId('card').textContent()).toBe('<img src=x onerror="window.pwned=3"><b>b</b>');
    expect(problems).toEqual([]);
  });

  it("renders Feishu's markdown: emphasis, code, safe links only, font colours, mentions, lists", async () => {
    await render({
      schema: '2.0',
      header: { title: { tag: 'plain_text', content: 'T' }, template: 'red' },
      body: {
        elements: [
          {
            tag: 'markdown',
            content: [
              '**b** *i* ~~s~~ `c` [ok](https://example.org/x) [bad](javascript:alert(1))',
              "<font color='red'>**red**</font> <at id=ou_1></at> <at id=all></at> <text_tag color='green'>tag</text_tag>",
              '- one',
              '- two',
              '1. first',
              `${md('- not a list: **x**')}`,
            ].join('\n'),
          },
        ],
      },
    });
    const card = page.getByTestId('card');
    await expect(card.locator('.fc-header').getAttribute('class')).resolves.toContain('fc-tpl-red');
    await expect(card.locator('strong').first().textContent()).resolves.toBe('b');
    await expect(card.locator('em').textContent()).resolves.toBe('i');
    await expect(card.locator('del').textContent()).resolves.toBe('s');
    await expect(card.locator('code').textContent()).resolves.toBe('c');
    expect(await card.locator('a').evaluateAll((as) => as.map((a: any) => a.href as string))).toEqual([
      'https://example.org/x',
    ]);
    const red = card.locator('.fc-md-font');
    await expect(red.evaluate((e) => (globalThis as any).getComputedStyle(e).color)).resolves.toBe(
      'rgb(216, 57, 49)',
    );
    await expect(red.locator('strong').textContent()).resolves.toBe('red');
    expect(await card.locator('.fc-md-at').allTextContents()).toEqual(['@检查员1', '@所有人']);
    await expect(card.locator('.fc-tag-green').textContent()).resolves.toBe('tag');
    expect(await card.locator('ul > li').allTextContents()).toEqual(['one', 'two']);
    expect(await card.locator('ol > li').allTextContents()).toEqual(['first']);
    await expect(card.textContent()).resolves.toContain('- not a list: **x**');
  });

  it('a button calls back with its value and name; a confirm dialog holds the call until OK', async () => {
    const value = { action: 'demo', id: 7 };
    await render({
      schema: '2.0',
      body: {
        elements: [
          {
            tag: 'button',
            name: 'go',
            text: { tag: 'plain_text', content: '去' },
            behaviors: [{ type: 'callback', value }],
          },
          {
            tag: 'button',
            text: { tag: 'plain_text', content: '删' },
            type: 'danger',
            confirm: {
              title: { tag: 'plain_text', content: '确定？' },
              text: { tag: 'plain_text', content: '真的' },
            },
            behaviors: [{ type: 'callback', value: { action: 'rm' } }],
          },
          { tag: 'button', text: { tag: 'plain_text', content: '灰' }, disabled: true, behaviors: [] },
        ],
      },
    });
    await page.getByRole('button', { name: '去' }).click();
    expect(await actions()).toEqual([{ value, formValue: null, name: 'go', tag: 'button' }]);
    await page.getByRole('button', { name: '删' }).click();
    await page.getByTestId('confirm-cancel').click();
    expect(await actions()).toHaveLength(1);
    await page.getByRole('button', { name: '删' }).click();
    await expect(page.getByTestId('confirm-dialog').textContent()).resolves.toContain('真的');
    await page.getByTestId('confirm-ok').click();
    expect((await actions())[1]).toEqual({
      value: { action: 'rm' },
      formValue: null,
      name: null,
      tag: 'button',
    });
    expect(await page.getByRole('button', { name: '灰' }).isDisabled()).toBe(true);
  });

  it('the result entry form sends what Feishu sends, and refuses to send while a required field is empty', async () => {
    await render(cards.resultEntry);
    const f = resultFormFields(1);
    const form = page.locator('.fc-form').nth(1);
    // Required categories empty: marked, nothing sent.
    await form.getByRole('button', { name: '提交', exact: true }).click();
    expect(await actions()).toEqual([]);
    await expect(form.locator(`[data-field="${f.categories}"]`).getAttribute('class')).resolves.toContain(
      'fc-invalid',
    );
    await form.getByRole('button', { name: '未发现问题', exact: true }).click();
    await expect(form.locator(`[data-field="${f.categories}"]`).getAttribute('class')).resolves.not.toContain(
      'fc-invalid',
    );
    await form.locator(`input[data-name="${f.date}"]`).fill('2026-12-08');
    await form.getByRole('button', { name: '实地核查', exact: true }).click();
    await form.locator(`textarea[data-name="${f.note}"]`).fill('后厨 <b>卫生</b>');
    await form.getByRole('button', { name: '提交', exact: true }).click();
    const [sent] = (await actions()) as {
      value: Record<string, unknown>;
      formValue: unknown;
      name: string;
    }[];
    expect(sent!.value).toMatchObject({ action: 'result.submit', uscc: entryTarget(1).uscc, v: 0 });
    expect(sent!.name).toBe('t1_submit');
    expect(sent!.formValue).toEqual({
      [f.categories]: ['NO_ISSUE'],
      [f.date]: '2026-12-08 +0800',
      [f.methods]: ['实地核查'],
      [f.note]: '后厨 <b>卫生</b>',
      [f.followup]: '',
    });
    // The saved target's form is pre-filled from what was saved.
    await page.locator('.fc-form').first().getByRole('button', { name: '修改' }).click();
    const [, saved] = (await actions()) as { formValue: Record<string, unknown> }[];
    expect(saved!.formValue).toEqual({
      t0_categories: ['CORRECTED'],
      t0_date: '2026-12-08 +0800',
      t0_methods: ['实地核查'],
      t0_note: '现场检查后厨卫生',
      t0_followup: '',
    });
  });

  it('select_static sends its option value; a reset button restores the defaults', async () => {
    await render({
      schema: '2.0',
      body: {
        elements: [
          {
            tag: 'form',
            name: 'f',
            elements: [
              {
                tag: 'select_static',
                name: 'reason',
                required: true,
                placeholder: { tag: 'plain_text', content: '原因' },
                options: [
                  {
                    text: { tag: 'plain_text', content: '工作冲突', i18n_content: { en_us: 'Conflict' } },
                    value: 'conflict',
                  },
                  { text: { tag: 'plain_text', content: '其他' }, value: 'other' },
                ],
              },
              { tag: 'input', name: 'note', default_value: '默认' },
              {
                tag: 'button',
                name: 'reset',
                form_action_type: 'reset',
                text: { tag: 'plain_text', content: '重置' },
              },
              {
                tag: 'button',
                name: 'send',
                form_action_type: 'submit',
                text: { tag: 'plain_text', content: '提交' },
                behaviors: [{ type: 'callback', value: { action: 'x' } }],
              },
            ],
          },
        ],
      },
    });
    await page.getByRole('button', { name: '提交' }).click();
    expect(await actions()).toEqual([]);
    await expect(page.locator('.fc-invalid .fc-invalid-note').textContent()).resolves.toBe('请选择');
    await page.locator('select').selectOption('other');
    await page.locator('input[data-name="note"]').fill('改了');
    await page.getByRole('button', { name: '重置' }).click();
    await expect(page.locator('input[data-name="note"]').inputValue()).resolves.toBe('默认');
    await page.locator('select').selectOption('conflict');
    await page.getByRole('button', { name: '提交' }).click();
    expect(await actions()).toEqual([
      {
        value: { action: 'x' },
        formValue: { reason: 'conflict', note: '默认' },
        name: 'send',
        tag: 'button',
      },
    ]);
  });

  it('pages a table by page_size and formats number columns', async () => {
    await render(cards.digest);
    const table = page.locator('.fc-table');
    await expect(table.locator('th').first().textContent()).resolves.toBe('部门 Department');
    expect(await table.locator('tbody tr').count()).toBe(10);
    await page.getByRole('button', { name: '下一页' }).click();
    expect(await table.locator('tbody tr').count()).toBe(2);
    await expect(table.locator('tbody tr').first().locator('td').first().textContent()).resolves.toBe(
      '部门10',
    );
    await expect(table.locator('tbody tr').first().locator('td').nth(1).textContent()).resolves.toBe('3');
  });

  it("draws the digest's chart with VChart once shown, and says so when it cannot", async () => {
    await render(cards.digest);
    await expect(page.locator('.fc-chart-failed').textContent()).resolves.toBe('图表无法显示'); // no VChart loaded
    await page.addScriptTag({ url: `${ORIGIN}/vchart.js` });
    await render(cards.digest, 'en_us');
    await page.locator('.fc-chart canvas').waitFor();
    const chart = (cards.digest.body as { elements: { tag: string; height?: string }[] }).elements.find(
      (e) => e.tag === 'chart',
    )!;
    await expect(
      page.locator('.fc-chart').evaluate((e: any) => `${e.getBoundingClientRect().height}px`),
    ).resolves.toBe(chart.height ?? '300px');
    expect(await page.locator('.fc-chart-failed').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('draws every component the simulator accepts, and a form sends each field as Feishu does', async () => {
    expect(validateCardContent(JSON.stringify(everything))).toMatchObject({ ok: true });
    await page.addScriptTag({ url: `${ORIGIN}/vchart.js` });
    await render(everything, 'en_us');
    const card = page.getByTestId('card');
    expect(await card.locator('[data-unsupported]').count()).toBe(0);
    await expect(card.locator('.fc-title').textContent()).resolves.toBe('Every component');
    await expect(card.locator('.fc-header .fc-tag-orange').textContent()).resolves.toBe('标签 (en)');
    expect(await card.textContent()).not.toContain('摘要不显示');
    await expect(card.locator('.fc-person').first().textContent()).resolves.toContain('检查员1');
    await expect(card.locator('.fc-table tbody td').nth(1).textContent()).resolves.toBe('1,234.50');
    await expect(card.locator('.fc-table tbody td').first().textContent()).resolves.toBe('<b>x</b>');
    await card.locator('.fc-chart canvas').waitFor();
    expect(await card.locator('details.fc-panel').evaluate((d: any) => d.open)).toBe(false);
    await card.locator('.fc-interactive').click();
    expect(await actions()).toEqual([
      { value: { action: 'box' }, formValue: null, name: null, tag: 'interactive_container' },
    ]);
    // Required single line empty: nothing sent; filled: every field, as Feishu sends it.
    await card.getByRole('button', { name: '提交 (en)' }).click();
    expect(await actions()).toHaveLength(1);
    await card.locator('input[data-name="line"]').fill('写了');
    await card.getByRole('button', { name: '提交 (en)' }).click();
    expect((await actions())[1]).toEqual({
      value: { action: 'form' },
      formValue: {
        line: '写了',
        multi: '默认',
        one: 'b',
        many: ['a'],
        day: '2026-12-08 +0800',
        time: '09:30 +0800',
        when: '2026-12-08 09:30 +0800',
      },
      name: 'submit',
      tag: 'button',
    });
    await card.getByRole('button', { name: '重置 (en)' }).click();
    await expect(card.locator('input[data-name="line"]').inputValue()).resolves.toBe('');
    expect(await actions()).toHaveLength(2);
    expect(problems).toEqual([]);
  });

  it('draws an unknown component as a small box, and survives a malformed card', async () => {
    await render({
      schema: '2.0',
      body: { elements: [{ tag: 'marquee', x: 1 }, null, { tag: 'table', columns: 3 }] },
    });
    expect(await page.locator('[data-unsupported]').allTextContents()).toEqual([
      '[unsupported: marquee]',
      '[unsupported: ?]',
    ]);
    await render('not a card');
    expect(await page.getByTestId('card').count()).toBe(1);
    expect(problems).toEqual([]);
  });
});
