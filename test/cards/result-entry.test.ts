import { describe, expect, it } from 'vitest';
import {
  CARD_BUDGET_BYTES,
  countElements,
  fitsLimits,
  OPEN_RESULT_ENTRY,
  requestBytes,
  RESULT_PAGE_SIZE,
  resultEntryCard,
  resultFormFields,
  SUBMIT_RESULT,
  type ResultEntryCardData,
} from '../../src/cards/index.ts';
import { CARD_BUDGET_ELEMENTS } from '../../src/cards/limits.ts';
import { MAX_RESULT_TEXT } from '../../src/domain/result.ts';
import { validateCardContent } from '../../src/sim/feishu/cards.ts';
import { categories, entryTarget, METHODS, mine, resultEntry, task } from './fixtures.ts';
import {
  actions,
  button,
  buttons,
  expectValid,
  feishuElements,
  nodes,
  shown,
  valueOf,
  type Node,
} from './walk.ts';

const forms = (card: unknown) => nodes(card).filter((x) => x.node.tag === 'form');
const FIELD_TAGS = new Set(['input', 'select_static', 'multi_select_static', 'date_picker']);
/** The named fields of one form, in order. */
const fieldsOf = (formNode: Node) =>
  nodes(formNode.elements)
    .filter((x) => FIELD_TAGS.has(x.node.tag as string))
    .map((x) => x.node);
const i18nOf = (text: unknown) => (text as { i18n_content: { zh_cn: string; en_us: string } }).i18n_content;
const template = (card: Record<string, unknown>) => (card.header as { template: string }).template;

/** A page of `n` targets out of `pages`, all on this page. */
function paged(page: number, pages: number, over: Partial<ResultEntryCardData> = {}) {
  return resultEntry({
    page,
    pages,
    totals: { targets: pages * RESULT_PAGE_SIZE, entered: 1 },
    targets: Array.from({ length: RESULT_PAGE_SIZE }, (_, i) =>
      entryTarget(page * RESULT_PAGE_SIZE + i, i === 0 ? { mine: mine() } : {}),
    ),
    ...over,
  });
}

describe('result-entry card 结果录入', () => {
  const states: [string, ResultEntryCardData][] = [
    [
      'entered',
      resultEntry({ targets: [entryTarget(0, { mine: mine() })], totals: { targets: 1, entered: 1 } }),
    ],
    ['not entered', resultEntry({ targets: [entryTarget(0)], totals: { targets: 1, entered: 0 } })],
    [
      'overdue',
      resultEntry({ targets: [entryTarget(0, { overdue: true })], totals: { targets: 1, entered: 0 } }),
    ],
    [
      'provisional deadline',
      resultEntry({ targets: [entryTarget(0, { deadline: { date: '2027-01-29', provisional: true } })] }),
    ],
    ['closed', resultEntry({ editable: false })],
    [
      'closed, overdue and not entered',
      resultEntry({ editable: false, targets: [entryTarget(0, { overdue: true })] }),
    ],
    ['first of three pages', paged(0, 3)],
    ['middle of three pages', paged(1, 3)],
    ['last of three pages', paged(2, 3)],
    ['one page', resultEntry()],
    ['no methods for the items', resultEntry({ methods: [] })],
  ];

  it.each(states)('%s: valid card JSON 2.0 within 90 %% of the limits', (_name, data) => {
    const card = resultEntryCard(data);
    expectValid(card);
    expect(fitsLimits(card)).toBe(true);
    expect(feishuElements(card)).toBeLessThanOrEqual(CARD_BUDGET_ELEMENTS);
    expect((card.header as { title: { content: string } }).title.content).toBe('结果录入');
    expect(i18nOf((card.header as { title: unknown }).title).en_us).toBe('Result entry');
    expect((card.header as { subtitle: { content: string } }).subtitle.content).toBe(task.name);
  });

  it.each(states)('%s: every text in both languages, no risk class anywhere', (_name, data) => {
    const card = resultEntryCard(data);
    const texts = nodes(card).filter((x) => x.node.tag === 'markdown');
    const plain: Node[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!v || typeof v !== 'object') return;
      const o = v as Node;
      if (o.tag === 'plain_text') plain.push(o);
      Object.values(o).forEach(walk);
    };
    walk(card);
    expect(plain.length).toBeGreaterThan(0);
    for (const x of [...texts.map((t) => t.node), ...plain]) {
      const i = i18nOf(x);
      expect(i.zh_cn).toBe(x.content);
      expect(i.en_us.length).toBeGreaterThan(0);
    }
    // Every fixed line is translated: the English side has no Chinese but what the data supplies.
    const data_ = [
      ...data.targets.flatMap((x) => [
        x.name,
        x.address ?? '',
        ...x.missingDepts,
        ...(x.mine ? [x.mine.note ?? '', x.mine.followup ?? '', ...x.mine.methods] : []),
      ]),
      data.dept.name,
      data.you.name,
      task.name,
      ...data.methods,
      ...categories.map((c) => c.zh),
    ];
    let en = shown(card).en;
    for (const v of data_.sort((a, b) => b.length - a.length)) if (v) en = en.split(v).join('');
    expect(en).not.toMatch(/[\u4e00-\u9fff]/);
    const json = JSON.stringify(card);
    expect(json).not.toMatch(/风险|risk/i);
  });

  it('the top line: team, region, the department entering, how many it has entered, the page', () => {
    const { zh, en } = shown(resultEntryCard(paged(1, 3, { totals: { targets: 6, entered: 4 } })));
    expect(zh).toContain('**检查组**：第1组（150302）');
    expect(zh).toContain('**录入部门**：市卫生健康委员会（检查员1）');
    expect(zh).toContain('**本部门已录入**：4 / 6 户');
    expect(zh).toContain('**页码**：2 / 3');
    expect(en).toContain('**Team**: 1 (150302)');
    expect(en).toContain('**Entering for**: 市卫生健康委员会');
    expect(en).toContain('4 / 6 targets');
    expect(en).toContain('**Page**: 2 / 3');
  });

  it('one form per target at the root, its field names card-unique and those of resultFormFields(index)', () => {
    const card = resultEntryCard(paged(1, 3));
    const found = forms(card);
    expect(found).toHaveLength(RESULT_PAGE_SIZE);
    const names = new Set<string>();
    found.forEach((f, i) => {
      expect(f.within).toEqual([]); // root level, never in a column set or panel
      const fields = resultFormFields(i);
      expect(fieldsOf(f.node).map((x) => [x.tag, x.name])).toEqual([
        ['multi_select_static', fields.categories],
        ['date_picker', fields.date],
        ['multi_select_static', fields.methods],
        ['input', fields.note],
        ['input', fields.followup],
      ]);
      const submit = nodes(f.node.elements).filter((x) => x.node.tag === 'button');
      expect(submit).toHaveLength(1);
      expect(submit[0]!.node.form_action_type).toBe('submit');
      for (const n of [f.node.name, ...fieldsOf(f.node).map((x) => x.name), submit[0]!.node.name]) {
        expect(typeof n).toBe('string');
        expect(names.has(n as string), `${String(n)} twice`).toBe(false);
        names.add(n as string);
      }
    });
    // Indexed by position on the page, so the listener looks the same names up on every page.
    expect(resultFormFields(0)).toEqual({
      categories: 't0_categories',
      date: 't0_date',
      methods: 't0_methods',
      note: 't0_note',
      followup: 't0_followup',
    });
    expect(Object.values(resultFormFields(1))).not.toEqual(
      expect.arrayContaining(Object.values(resultFormFields(0))),
    );
    expect(
      Object.values(resultFormFields(1)).some((n) => Object.values(resultFormFields(10)).includes(n)),
    ).toBe(false);
  });

  it('categories: option values are the category codes, texts the national wording in both languages, 未发现问题 alone', () => {
    const card = resultEntryCard(resultEntry({ targets: [entryTarget(0)] }));
    const cats = fieldsOf(forms(card)[0]!.node)[0]!;
    expect(cats.required).toBe(true);
    const options = cats.options as { text: unknown; value: string }[];
    expect(options.map((o) => o.value)).toEqual(categories.map((c) => c.code));
    expect(options.map((o) => i18nOf(o.text))).toEqual(categories.map((c) => ({ zh_cn: c.zh, en_us: c.en })));
    expect(cats.selected_values).toBeUndefined();
    const placeholder = i18nOf(cats.placeholder);
    expect(placeholder.zh_cn).toContain('“未发现问题”须单独选择');
    expect(placeholder.en_us).toContain('“No issue found” stands alone');
  });

  it('not entered: the date picker starts at today, methods are the items’, texts empty, 提交 with v 0', () => {
    const data = resultEntry({ page: 1, pages: 2, targets: [entryTarget(0)] });
    const card = resultEntryCard(data);
    const [, date, methods, note, followup] = fieldsOf(forms(card)[0]!.node);
    expect(date!.initial_date).toBe('2026-12-10');
    expect(date!.required).toBe(true);
    // After the window, the picker starts on its last day (a later date would be refused).
    const late = resultEntryCard(resultEntry({ today: '2027-01-04', targets: [entryTarget(0)] }));
    expect(fieldsOf(forms(late)[0]!.node)[1]!.initial_date).toBe(task.window.end);
    expect((methods!.options as { value: string }[]).map((o) => o.value)).toEqual(['实地核查', '书面检查']);
    expect(i18nOf((methods!.options as { text: unknown }[])[0]!.text)).toEqual({
      zh_cn: '实地核查',
      en_us: 'On-site check',
    });
    expect(methods!.selected_values).toBeUndefined();
    for (const x of [note!, followup!]) {
      expect(x.default_value).toBeUndefined();
      expect(x.max_length).toBe(MAX_RESULT_TEXT);
    }
    expect(i18nOf(note!.label)).toEqual({ zh_cn: '备注', en_us: 'Note' });
    expect(i18nOf(followup!.label)).toEqual({ zh_cn: '后续处置', en_us: 'Follow-up' });
    expect(i18nOf(followup!.placeholder).zh_cn).toContain('选择“发现问题待后续处理”时必填');
    expect(i18nOf(followup!.placeholder).en_us).toContain('Required for “Problems found; follow-up pending”');
    const submit = button(card, SUBMIT_RESULT);
    expect(submit.within).toEqual(['form']);
    expect(submit.node.name).toBe('t0_submit');
    expect(i18nOf(submit.node.text)).toEqual({ zh_cn: '提交', en_us: 'Submit' });
    expect(valueOf(submit.node)).toEqual({
      action: 'result.submit',
      task: task.id,
      team: 1,
      cert: '150000000001',
      uscc: data.targets[0]!.uscc,
      v: 0,
      page: 1,
    });
  });

  it('entered: the form is pre-filled with what was saved, and 修改 carries the saved version', () => {
    const saved = mine({
      categories: ['CORRECTED', 'PENDING_FOLLOWUP'],
      inspectedOn: '2026-12-03',
      methods: ['书面检查'],
      note: '后厨\n卫生不达标',
      followup: '限期两周整改后复查',
      version: 5,
    });
    const data = resultEntry({ page: 2, pages: 3, targets: [entryTarget(4, { mine: saved })] });
    const card = resultEntryCard(data);
    const [cats, date, methods, note, followup] = fieldsOf(forms(card)[0]!.node);
    expect(cats!.selected_values).toEqual(['CORRECTED', 'PENDING_FOLLOWUP']);
    expect(date!.initial_date).toBe('2026-12-03');
    expect(methods!.selected_values).toEqual(['书面检查']);
    // Pre-filled texts are what a 修改 sends back: exactly as saved, never escaped (an input is no markdown).
    expect(note!.default_value).toBe('后厨\n卫生不达标');
    expect(followup!.default_value).toBe('限期两周整改后复查');
    // Labelled, so that filled in they are told apart; a placeholder would not show in a filled field.
    expect(i18nOf(note!.label).zh_cn).toBe('备注');
    expect(i18nOf(followup!.label).zh_cn).toBe('后续处置');
    expect(followup!.placeholder).toBeUndefined();
    const submit = button(card, SUBMIT_RESULT).node;
    expect(i18nOf(submit.text)).toEqual({ zh_cn: '修改', en_us: 'Update' });
    expect(valueOf(submit)).toEqual({
      action: 'result.submit',
      task: task.id,
      team: 1,
      cert: '150000000001',
      uscc: data.targets[0]!.uscc,
      v: 5,
      page: 2,
    });
  });

  it('a saved code the category list no longer has is shown as it is, and not pre-selected (Feishu would refuse it)', () => {
    const card = resultEntryCard(
      resultEntry({ targets: [entryTarget(0, { mine: mine({ categories: ['OLD_CODE'] }) })] }),
    );
    expect(shown(card).zh).toContain('OLD_CODE');
    expect(fieldsOf(forms(card)[0]!.node)[0]!.selected_values).toBeUndefined();
  });

  it('entered: categories in the national wording, date, methods, note, follow-up and when, in both languages', () => {
    const saved = mine({
      categories: ['CORRECTED', 'PENDING_FOLLOWUP'],
      methods: ['实地核查', '书面检查'],
      note: '后厨卫生不达标',
      followup: '限期两周整改后复查',
    });
    const { zh, en } = shown(resultEntryCard(resultEntry({ targets: [entryTarget(0, { mine: saved })] })));
    expect(zh).toContain('**1. 乌海某某餐饮有限公司0**\u3000乌海市海勃湾区人民路0号');
    expect(zh).toContain('✅ **本部门已录入**（2026-12-08 16:20）：发现问题已责令改正、发现问题待后续处理');
    expect(zh).toContain('检查日期：2026-12-08；检查方式：实地核查、书面检查');
    expect(zh).toContain('备注：后厨卫生不达标');
    expect(zh).toContain('后续处置：限期两周整改后复查');
    expect(en).toContain(
      '✅ **Entered by this department** (2026-12-08 16:20): Problems found; correction ordered / Problems found; follow-up pending',
    );
    expect(en).toContain('Inspected on 2026-12-08; methods: On-site check, Document review');
    expect(en).toContain('Note: 后厨卫生不达标');
    expect(en).toContain('Follow-up: 限期两周整改后复查');
    // No note, no follow-up: no empty lines for them.
    const bare = shown(
      resultEntryCard(resultEntry({ targets: [entryTarget(0, { mine: mine({ note: null }) })] })),
    );
    expect(bare.zh).not.toContain('备注：');
    expect(bare.zh).not.toContain('后续处置：');
  });

  it('not entered: when it is due (暂定 when provisional); overdue in red and bold; the header says so', () => {
    const due = shown(resultEntryCard(resultEntry({ targets: [entryTarget(0)] })));
    expect(due.zh).toContain('⏳ 本部门尚未录入，最迟 2027-01-05');
    expect(due.en).toContain('⏳ Not entered by this department yet; due 2027-01-05');
    const provisional = shown(
      resultEntryCard(
        resultEntry({ targets: [entryTarget(0, { deadline: { date: '2027-01-29', provisional: true } })] }),
      ),
    );
    expect(provisional.zh).toContain('最迟 2027-01-29（暂定');
    expect(provisional.en).toContain('due 2027-01-29 (provisional');
    const overdueCard = resultEntryCard(resultEntry({ targets: [entryTarget(0, { overdue: true })] }));
    const overdue = shown(overdueCard);
    expect(overdue.zh).toContain("⚠️ <font color='red'>**已逾期：本部门尚未录入**</font>（最迟 2027-01-05）");
    expect(overdue.en).toContain("⚠️ <font color='red'>**Overdue: not entered by this department**</font>");
    expect(template(overdueCard)).toBe('orange');
    expect(template(resultEntryCard(resultEntry({ targets: [entryTarget(0)] })))).toBe('blue');
    // Entered late is still entered: no overdue line for it.
    expect(
      shown(resultEntryCard(resultEntry({ targets: [entryTarget(0, { overdue: true, mine: mine() })] }))).zh,
    ).not.toContain('逾期');
  });

  it('the team’s departments still missing, or ✅ when every department has entered', () => {
    const missing = shown(resultEntryCard(resultEntry({ targets: [entryTarget(0)] })));
    expect(missing.zh).toContain('⏳ 本组尚未录入的部门：市卫生健康委员会、市应急管理局');
    expect(missing.en).toContain('⏳ Departments of the team still to enter: 市卫生健康委员会, 市应急管理局');
    const complete = shown(
      resultEntryCard(resultEntry({ targets: [entryTarget(0, { mine: mine(), missingDepts: [] })] })),
    );
    expect(complete.zh).toContain('✅ 本组各部门均已录入');
    expect(complete.en).toContain('✅ Every department of the team has entered');
    const done = resultEntryCard(
      resultEntry({
        totals: { targets: 1, entered: 1 },
        targets: [entryTarget(0, { mine: mine(), missingDepts: [] })],
      }),
    );
    expect(template(done)).toBe('green');
  });

  it('the rules are said once on top, from the category list', () => {
    const { zh, en } = shown(resultEntryCard(resultEntry()));
    expect(zh).toContain('“未发现问题”须单独选择');
    expect(zh).toContain('选择“发现问题待后续处理”须填写后续处置');
    expect(en).toContain('“No issue found” stands alone');
    expect(en).toContain('“Problems found; follow-up pending” needs a follow-up note');
  });

  it('closed: no forms and no submit buttons, a line that it takes no more edits, results still shown, pages still turn', () => {
    const card = resultEntryCard(paged(1, 3, { editable: false }));
    expect(forms(card)).toEqual([]);
    expect(nodes(card).filter((x) => FIELD_TAGS.has(x.node.tag as string))).toEqual([]);
    expect(actions(card)).toEqual([OPEN_RESULT_ENTRY, OPEN_RESULT_ENTRY]);
    const { zh, en } = shown(card);
    expect(zh).toContain('🔒 本任务已结束，检查结果不再接受录入或修改。');
    expect(en).toContain('🔒 This task is closed: results can no longer be entered or changed.');
    expect(zh).toContain('✅ **本部门已录入**');
    expect(zh).toContain('备注：现场检查后厨卫生');
    expect(template(card)).toBe('grey');
    expect(shown(resultEntryCard(resultEntry())).zh).not.toContain('🔒');
  });

  describe('上一页 / 下一页', () => {
    const open = (page: number) => ({
      action: 'result.open',
      task: task.id,
      team: 1,
      cert: '150000000001',
      page,
    });
    const nav = (card: Record<string, unknown>) =>
      buttons(card).filter((b) => valueOf(b.node).action === OPEN_RESULT_ENTRY);

    it.each([
      ['first page', paged(0, 3), [['下一页', 1]]],
      [
        'middle page',
        paged(1, 3),
        [
          ['上一页', 0],
          ['下一页', 2],
        ],
      ],
      ['last page', paged(2, 3), [['上一页', 1]]],
      ['one page', resultEntry(), []],
    ] as const)('%s', (_name, data, expected) => {
      const card = resultEntryCard(data);
      const found = nav(card);
      expect(found.map((b) => [(b.node.text as { content: string }).content, valueOf(b.node).page])).toEqual(
        expected,
      );
      for (const b of found) {
        expect(valueOf(b.node)).toEqual(open(valueOf(b.node).page as number));
        expect(b.within).not.toContain('form');
        expect(b.node.form_action_type).toBeUndefined();
      }
      expect(found.map((b) => i18nOf(b.node.text).en_us)).toEqual(
        expected.map(([zh]) => (zh === '上一页' ? 'Previous page' : 'Next page')),
      );
    });

    it('targets are numbered across pages', () => {
      expect(shown(resultEntryCard(paged(2, 3))).zh).toContain(`**${2 * RESULT_PAGE_SIZE + 1}. `);
    });
  });

  describe('text from people and imports stays text', () => {
    const hostile = [
      '<at id=all></at>',
      '[点此领取](https://evil.example/x)',
      "<font color='red'>警告</font>",
      '**重要** ~~删除~~ `code`',
      '# 标题',
      '- 列表',
      '1. 列表',
      '> 引用',
      '| a | b |',
      '名称\n# 标题',
    ];

    it.each(hostile)('%s in names, addresses, notes, follow-ups, departments and methods', (v) => {
      for (const editable of [true, false]) {
        const card = resultEntryCard(
          resultEntry({
            editable,
            team: { no: 1, region: v },
            dept: { code: 'WJW', name: v },
            you: { certNo: 'x', name: v },
            methods: [v],
            targets: [
              entryTarget(0, {
                name: v,
                address: v,
                missingDepts: [v],
                mine: mine({ note: v, followup: v, methods: [v] }),
              }),
              // The card's own red wording aside (checked below), nothing but the data can carry markup.
              entryTarget(1, { name: v, address: v, overdue: true, missingDepts: [v, v] }),
            ],
          }),
        );
        expectValid(card);
        const own =
          /<font color='red'>\*\*(已逾期：本部门尚未录入|Overdue: not entered by this department)\*\*<\/font>/g;
        const raw = nodes(card)
          .filter((x) => x.node.tag === 'markdown')
          .flatMap((x) => Object.values(x.node.i18n_content as Record<string, string>))
          .join('\n')
          .replace(own, '');
        for (const syntax of ['<at', '<font', '](', '**重要', '~~', '`code', '| a', '://'])
          if (v.includes(syntax)) expect(raw, syntax).not.toContain(syntax);
        for (const line of raw.split('\n')) expect(line).not.toMatch(/^\s*(# |- |> |1\. 列表)/);
        const decoded = raw.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
        expect(decoded).toContain(v.replace(/\n/g, ' '));
        if (editable) {
          // Pre-filled inputs carry the text as typed: Feishu shows inputs literally.
          const [, , , note] = fieldsOf(forms(card)[0]!.node);
          expect(note!.default_value).toBe(v);
        }
      }
    });
  });

  describe('size', () => {
    /** `n` characters of Chinese text (3 bytes each), as long as the imports and the rule allow. */
    const long = (seed: string, n: number) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
    const fullTarget = (i: number) =>
      entryTarget(i, {
        name: long(`${i}号乌海市海勃湾区餐饮服务有限责任公司`, 100),
        address: long(`${i}号内蒙古自治区乌海市海勃湾区人民路北街道`, 100),
        mine: mine({
          categories: categories.map((c) => c.code),
          methods: METHODS,
          note: long('现场检查发现后厨卫生不达标，已当场指出并要求整改；', MAX_RESULT_TEXT),
          followup: long('责令限期两周整改，逾期未改的移交执法机构依法处理。', MAX_RESULT_TEXT),
          version: 99,
        }),
        missingDepts: ['市市场监督管理局', '市卫生健康委员会', '市应急管理局'],
        deadline: { date: '2027-01-29', provisional: true },
      });
    const worst = (editable: boolean) =>
      resultEntry({
        editable,
        task: { ...task, name: long('2026年第四季度餐饮服务单位部门联合抽查', 60) },
        methods: METHODS,
        page: 1,
        pages: 3,
        totals: { targets: 3 * RESULT_PAGE_SIZE, entered: 3 * RESULT_PAGE_SIZE },
        targets: Array.from({ length: RESULT_PAGE_SIZE }, (_, i) => fullTarget(RESULT_PAGE_SIZE + i)),
      });

    it.each([
      ['open for entry', true],
      ['closed', false],
    ])('a page of the longest data fits in 90 %% of Feishu’s limits (%s)', (_name, editable) => {
      const card = resultEntryCard(worst(editable));
      expect(requestBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
      expect(fitsLimits(card)).toBe(true);
      expect(countElements((card.body as { elements: unknown[] }).elements)).toBeLessThanOrEqual(
        CARD_BUDGET_ELEMENTS,
      );
      expect(feishuElements(card)).toBeLessThanOrEqual(CARD_BUDGET_ELEMENTS);
      expectValid(card);
      // Every target is there, and each form keeps the whole saved note and follow-up.
      expect(forms(card)).toHaveLength(editable ? RESULT_PAGE_SIZE : 0);
      for (const f of forms(card)) {
        const [cats, , methods, note, followup] = fieldsOf(f.node);
        expect(cats!.selected_values).toHaveLength(categories.length);
        expect(methods!.selected_values).toEqual(METHODS);
        expect([...(note!.default_value as string)]).toHaveLength(MAX_RESULT_TEXT);
        expect([...(followup!.default_value as string)]).toHaveLength(MAX_RESULT_TEXT);
      }
      const { zh } = shown(card);
      for (let i = 0; i < RESULT_PAGE_SIZE; i++)
        expect(zh).toContain(`**${RESULT_PAGE_SIZE + i + 1}. ${RESULT_PAGE_SIZE + i}号乌海市`);
    });

    it('one more target than RESULT_PAGE_SIZE would not fit: the page size is as large as the worst case allows', () => {
      const data = worst(true);
      const card = resultEntryCard({ ...data, targets: [...data.targets, fullTarget(9)] });
      expect(fitsLimits(card)).toBe(false);
    });

    it('notes of 4-byte characters (emoji) on every target are past the headroom but still within Feishu’s 30 KB', () => {
      const data = worst(true);
      const emoji = '😀'.repeat(MAX_RESULT_TEXT);
      const card = resultEntryCard({
        ...data,
        targets: data.targets.map((x) => ({ ...x, mine: { ...x.mine!, note: emoji, followup: emoji } })),
      });
      const verdict = validateCardContent(JSON.stringify(card), requestBytes(card));
      expect(verdict, JSON.stringify(verdict)).toMatchObject({ ok: true });
    });

    it('long notes are shortened above the form only when the card needs it, and it says where the rest is', () => {
      const card = resultEntryCard(worst(true));
      const { zh, en } = shown(card);
      expect(zh).toContain('所录内容见下方表单');
      expect(en).toContain('in the form below');
      // A page of ordinary length shows everything in full.
      const short = shown(resultEntryCard(resultEntry()));
      expect(short.zh).toContain('备注：现场检查后厨卫生');
      expect(short.zh).not.toContain('见下方表单');
      // A closed card has no form to point to: long notes are cut, and said to be.
      const closed = shown(resultEntryCard(worst(false)));
      const note = long('现场检查发现后厨卫生不达标，已当场指出并要求整改；', MAX_RESULT_TEXT);
      expect(closed.zh).toContain(`备注：${note.slice(0, 20)}`);
      if (!closed.zh.includes(note)) expect(closed.zh).toContain('（较长，未全部显示）');
    });
  });
});
