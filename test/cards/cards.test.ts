import { describe, expect, it } from 'vitest';
import {
  assignmentCard,
  cardBytes,
  CARD_BUDGET_BYTES,
  countElements,
  requestBytes,
  drawResultCard,
  freezeAnnouncementCard,
  helpCard,
  myTasksCard,
  resultEntryCard,
  MAX_CARD_BYTES,
  MAX_CARD_ELEMENTS,
  substitutionOutcomeCard,
  substitutionRequestCard,
  type TaskSummary,
} from '../../src/cards/index.ts';
import { t } from '../../src/cards/i18n.ts';
import { buttons, expectValid, nodes, shown, valueOf } from './walk.ts';
import {
  approvedDecision,
  assignment,
  auditHead,
  drawData,
  entryTarget,
  hashes,
  member,
  mine,
  outcomeData,
  requestData,
  resultEntry,
  substitution,
  task,
} from './fixtures.ts';

/** Every text a user reads has Chinese first and an English translation. */
function texts(node: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(node)) node.forEach((n) => texts(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.tag === 'plain_text' || o.tag === 'markdown') out.push(o);
    Object.values(o).forEach((v) => texts(v, out));
  }
  return out;
}

describe('cards', () => {
  const all = {
    freeze: freezeAnnouncementCard({
      task,
      entropySource: '福彩3D 第2026330期开奖号码',
      frozenAt: '2026-11-30T08:00:00Z',
      hashes,
      pools: {
        targets: 203,
        byRisk: { A: 80, B: 90, C: 25, D: 8 },
        officers: 29,
        officersByDept: { SCJG: 10, WJW: 9, YJGL: 10 },
      },
      auditHead,
    }),
    drawResult: drawResultCard(drawData(2)),
    assignment: assignmentCard(assignment()),
    assignmentRequestForm: assignmentCard(assignment({ mode: 'request-form' })),
    assignmentPending: assignmentCard(assignment({ substitution: substitution() })),
    assignmentReplaced: assignmentCard(
      assignment({ replaced: { byName: '检查员9', approvedByName: '卫健委负责人', at: '2026-12-02 15:40' } }),
    ),
    substitutionRequest: substitutionRequestCard(
      requestData({
        reminder: true,
        decider: { name: '卫健委联络员', role: 'liaison', why: 'head-unresolved' },
      }),
    ),
    substitutionDecided: substitutionRequestCard(
      requestData({ state: 'approved', decision: approvedDecision }),
    ),
    substitutionOutcome: substitutionOutcomeCard(outcomeData()),
    help: helpCard({
      commands: [{ name: t('帮助', 'help'), help: t('显示本说明', 'this message') }],
      unknownText: '你好',
    }),
    myTasks: myTasksCard({
      name: '检查员1',
      assignments: [
        {
          task: { id: task.id, name: task.name, window: task.window },
          team: 1,
          certNo: '150000000001',
          leader: false,
          targets: 6,
          confirmed: false,
          deadline: { date: '2027-01-29', provisional: true },
          due: { pending: 6, overdue: 0, next: { date: '2027-01-29', provisional: true } },
        },
      ],
    }),
    resultEntry: resultEntryCard(resultEntry()),
    resultEntryClosed: resultEntryCard(resultEntry({ editable: false, page: 1, pages: 2 })),
  };

  it.each(Object.entries(all))(
    '%s is card JSON 2.0 in both languages, within Feishu limits',
    (_name, card) => {
      expect(card.schema).toBe('2.0');
      expect((card.config as { locales: string[] }).locales).toEqual(['zh_cn', 'en_us']);
      for (const text of texts(card)) {
        const i18n = text.i18n_content as { zh_cn: string; en_us: string };
        expect(i18n.zh_cn).toBe(text.content);
        expect(i18n.en_us.length).toBeGreaterThan(0);
      }
      expect(cardBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
      expect(countElements((card.body as { elements: unknown[] }).elements)).toBeLessThanOrEqual(
        MAX_CARD_ELEMENTS,
      );
    },
  );

  it('the group card shows entropy, seed and hashes but no single target and no risk class per target', () => {
    const json = JSON.stringify(all.drawResult);
    expect(json).toContain('3.0.8./');
    expect(json).toContain('d'.repeat(64));
    expect(json).toContain('a'.repeat(64));
    expect(json).not.toMatch(/9[0-9A-Z]{17}/); // no USCC at all
    expect(json).toContain('张三'); // undeliverable people are named for the liaisons
  });

  it.each(['freeze', 'drawResult'] as const)(
    'the %s card shows the audit head of its step in full, in both languages, to check with audit verify --head',
    (name) => {
      const markdowns = texts(all[name]).filter((x) => x.tag === 'markdown');
      const shown = markdowns.find((x) => String(x.content).includes(auditHead))!;
      expect(shown.content).toContain(`**审计链头** \`${auditHead}\``);
      expect((shown.i18n_content as { en_us: string }).en_us).toContain(`**Audit head** \`${auditHead}\``);
      expect(shown.content).toContain('liancha audit verify --head');
    },
  );

  it('a draw too large to list is summarised and points to the export, still within the limits', () => {
    const card = drawResultCard(drawData(2000));
    expect(cardBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    expect(countElements((card.body as { elements: unknown[] }).elements)).toBeLessThanOrEqual(
      MAX_CARD_ELEMENTS,
    );
    expect(JSON.stringify(card)).toContain('liancha draw export WH-2026-FOOD-01');
  });

  it('the assignment card carries record id and version on its button, and shows the confirmation instead once confirmed', () => {
    const body = JSON.stringify(all.assignment);
    expect(body).toContain(
      '"value":{"action":"assignment.confirm","task":"WH-2026-FOOD-01","team":1,"cert":"150000000001","v":1}',
    );
    expect(body).toContain('暂定');
    expect(body).toContain('乌海某某餐饮有限公司');
    const confirmed = JSON.stringify(
      assignmentCard(
        assignment({ confirmation: { at: '2026-12-01T09:00:00+08:00', by: 'ou_1' }, version: 2 }),
      ),
    );
    // 确认 is gone once confirmed; 申请更换 stays (a confirmed inspector may still ask to be replaced).
    expect(confirmed).not.toContain('"action":"assignment.confirm"');
    expect(confirmed).toContain('"action":"substitution.form"');
    expect(confirmed).toContain('已确认');
  });

  it('an assignment whose targets have the longest names and addresses an import allows still fits, with the rest counted', () => {
    // 30 targets, each a 100-character name and a 200-character address (the import's limits): far over 30 KB
    // if all were listed.
    const targets = Array.from({ length: 30 }, (_, i) => ({
      uscc: `uscc${i}`,
      name: `${i}号${'乌海市海勃湾区餐饮服务有限责任公司'.repeat(6)}`.slice(0, 100),
      address: `${i}号${'内蒙古自治区乌海市海勃湾区人民路北街道'.repeat(11)}`.slice(0, 200),
    }));
    const card = assignmentCard(assignment({ targets }));
    expect(requestBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    const text = JSON.stringify(card);
    expect(text).toContain('0号乌海市');
    expect(text).toMatch(/……另有 \d+ 户/);
    expect(text).not.toContain('29号乌海市');
  });

  it('my tasks for someone on 200 tasks with long names fits and counts what it leaves out', () => {
    const card = myTasksCard({
      name: '检查员1',
      assignments: Array.from({ length: 200 }, (_, i) => ({
        task: { id: `T-${i}`, name: `${i}${'餐饮服务单位部门联合抽查'.repeat(9)}`, window: task.window },
        team: 1,
        certNo: '150000000001',
        leader: false,
        targets: 6,
        confirmed: false,
        deadline: { date: '2027-01-29', provisional: false },
        due: { pending: 2, overdue: 1, next: { date: '2026-12-30', provisional: false } },
      })),
    });
    expect(requestBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    expect(JSON.stringify(card)).toMatch(/……另有 \d+ 项任务未列出/);
    expect(JSON.stringify(card)).toContain('**待录入 2 户**（其中 1 户已逾期），最近截止 2026-12-30');
  });

  it('my tasks: each assignment has its own 录入结果 with its task, team and the person’s certificate', () => {
    const card = myTasksCard({
      name: '检查员1',
      assignments: [1, 2].map((i) => ({
        task: { id: `T-${i}`, name: `任务${i}`, window: task.window },
        team: i + 2,
        certNo: `15000000000${i}`,
        leader: i === 1,
        targets: 6,
        confirmed: true,
        deadline: { date: '2027-01-29', provisional: false },
        due: { pending: 6, overdue: 0, next: { date: '2027-01-29', provisional: false } },
      })),
    });
    expect(JSON.stringify(card)).toContain('**待录入 6 户**，最近截止 2027-01-29');
    expect(buttons(card).map((b) => valueOf(b.node))).toEqual([
      { action: 'result.open', task: 'T-1', team: 3, cert: '150000000001', page: 0 },
      { action: 'result.open', task: 'T-2', team: 4, cert: '150000000002', page: 0 },
    ]);
    // Each button right below its own assignment, outside any form.
    const order = nodes(card).map((x) => x.node.tag);
    expect(order).toEqual(['markdown', 'button', 'plain_text', 'markdown', 'button', 'plain_text']);
    expectValid(card);
    expect(shown(myTasksCard({ name: 'x', assignments: [] })).zh).toContain('没有被抽中');
    expect(buttons(myTasksCard({ name: 'x', assignments: [] }))).toEqual([]);
  });

  it('the size counted is the request body, where the card is an escaped string', () => {
    const card = { schema: '2.0', body: { elements: [{ tag: 'markdown', content: '"'.repeat(1000) }] } };
    // Each quote is escaped twice over: once in the card JSON, once more in the request's `content` string.
    expect(requestBytes(card)).toBeGreaterThan(cardBytes(card) + 2000);
  });

  it('escapes markdown in names taken from the directories', () => {
    const card = assignmentCard(
      assignment({ targets: [{ uscc: 'x', name: '**粗体**<at id=all></at>', address: null }] }),
    );
    expect(JSON.stringify(card)).not.toContain('<at id=all>');
  });

  describe('text from people and imports cannot become markup', () => {
    // One hostile value per kind of card 2.0 markdown syntax (docs/feishu.md "Card JSON 2.0").
    const hostile = {
      mention: '<at id=all></at>',
      mentionUser: '<at id=ou_123>x</at>',
      link: '[点此领取](https://evil.example/x)',
      bareUrl: 'https://evil.example/x',
      colour: "<font color='red'>警告</font>",
      bold: '**重要**',
      italic: '*斜体* _斜体_',
      strike: '~~删除~~',
      code: '`code`',
      heading: '# 标题',
      list: '- 列表',
      ordered: '1. 列表',
      quote: '> 引用',
      table: '| a | b |',
      newlineHeading: '名称\n# 标题',
      entity: '&#60;at id=all&#62;',
    };
    const plainOf = (name: string) => `某某公司${name}`;

    /** Every card, with the same hostile value in every field a person or an import supplies. */
    function cardsWith(v: string) {
      const hostileTask: TaskSummary = {
        ...task,
        name: v,
        initiator: { code: 'SCJG', name: v },
        participants: [{ code: 'WJW', name: v }],
        items: [{ code: 'SCJG-002', name: v }],
      };
      const people = [
        { ...member(0, true), name: v, deptName: v },
        { ...member(1), name: v, deptName: v },
      ];
      return {
        freeze: freezeAnnouncementCard({
          task: hostileTask,
          entropySource: v,
          frozenAt: '2026-11-30T08:00:00Z',
          hashes,
          pools: { targets: 1, byRisk: { A: 1, B: 0, C: 0, D: 0 }, officers: 2, officersByDept: { SCJG: 1 } },
          auditHead,
        }),
        drawResult: drawResultCard({
          ...drawData(1),
          task: hostileTask,
          entropySource: v,
          entropy: v,
          targetsByDept: [{ code: 'SCJG', name: v, count: 1 }],
          teams: [{ no: 1, region: '150302', targets: 1, members: people }],
          undeliverable: [{ name: v, deptName: v, team: 1 }],
        }),
        assignment: assignmentCard(
          assignment({
            task: hostileTask,
            you: { certNo: '150000000001', name: v, openId: 'ou_1' },
            members: people,
            targets: [{ uscc: 'x', name: v, address: v }],
          }),
        ),
        assignmentPending: assignmentCard(
          assignment({
            task: hostileTask,
            you: { certNo: '150000000001', name: v, openId: 'ou_1' },
            members: people,
            substitution: substitution({ reason: v, note: v, deciderName: v, requestedAt: v }),
          }),
        ),
        assignmentRejected: assignmentCard(
          assignment({
            task: hostileTask,
            substitution: substitution({
              state: 'rejected',
              reason: v,
              deciderName: v,
              decidedAt: v,
              comment: v,
            }),
          }),
        ),
        assignmentReplaced: assignmentCard(
          assignment({ task: hostileTask, replaced: { byName: v, approvedByName: v, at: v } }),
        ),
        substitutionRequest: substitutionRequestCard(
          requestData({
            task: hostileTask,
            team: { no: 1, region: v, leaderName: v },
            inspector: { certNo: 'x', name: v, deptName: v, leader: true, confirmed: false },
            reason: v,
            note: v,
            requestedAt: v,
            eligible: 0,
            decider: { name: v, role: 'liaison', why: 'head-is-requester' },
          }),
        ),
        substitutionDecided: substitutionRequestCard(
          requestData({
            task: hostileTask,
            inspector: { certNo: 'x', name: v, deptName: v, leader: false, confirmed: true },
            state: 'approved',
            decision: { byName: v, at: v, comment: v, replacement: { name: v, deptName: v } },
          }),
        ),
        substitutionRejected: substitutionRequestCard(
          requestData({
            task: hostileTask,
            state: 'rejected',
            decision: { byName: v, at: v, comment: v, replacement: null },
          }),
        ),
        ...Object.fromEntries(
          (
            [
              ['requester', 'approved'],
              ['requester', 'rejected'],
              ['leader', 'approved'],
              ['liaison', 'shortfall'],
            ] as const
          ).map(([audience, outcome]) => [
            `outcome-${audience}-${outcome}`,
            substitutionOutcomeCard(
              outcomeData({
                audience,
                outcome,
                task: hostileTask,
                team: { no: 1, region: v },
                inspector: { name: v, deptName: v, leader: true },
                reason: v,
                replacement: { name: v, deptName: v, leader: true },
                decidedByName: v,
                at: v,
                comment: v,
                shortfall: { deptName: v, region: v, why: v },
              }),
            ),
          ]),
        ),
        resultEntry: resultEntryCard(
          resultEntry({
            task: hostileTask,
            team: { no: 1, region: v },
            dept: { code: 'WJW', name: v },
            you: { certNo: 'x', name: v },
            methods: [v],
            targets: [
              entryTarget(0, {
                name: v,
                address: v,
                missingDepts: [v],
                mine: mine({ methods: [v], note: v, followup: v, enteredAt: v, inspectedOn: v }),
              }),
              entryTarget(1, { name: v, address: v, missingDepts: [] }),
            ],
          }),
        ),
        resultEntryClosed: resultEntryCard(
          resultEntry({
            editable: false,
            targets: [entryTarget(0, { name: v, mine: mine({ categories: [v], note: v, followup: v }) })],
          }),
        ),
        help: helpCard({ commands: [], unknownText: v }),
        myTasks: myTasksCard({
          name: v,
          assignments: [
            {
              task: { id: task.id, name: v, window: task.window },
              team: 1,
              certNo: '150000000001',
              leader: false,
              targets: 1,
              confirmed: true,
              deadline: { date: '2027-01-29', provisional: false },
              due: { pending: 0, overdue: 0, next: null },
            },
          ],
        }),
      };
    }

    /** What each markdown text shows once the entities are read back (as Feishu shows them). */
    const markdownOf = (card: unknown) =>
      texts(card)
        .filter((x) => x.tag === 'markdown')
        .flatMap((x) => Object.values(x.i18n_content as Record<string, string>));

    it.each(Object.entries(hostile))('%s text stays literal text on every card', (_kind, v) => {
      for (const [name, card] of Object.entries(cardsWith(v))) {
        const md = markdownOf(card);
        const joined = md.join('\n');
        // The raw syntax never reaches the markdown…
        for (const syntax of ['<at', '<font', '](', '**重要', '*斜体', '_斜体', '~~', '`code', '| a', '://'])
          if (v.includes(syntax)) expect(joined, `${name}: ${syntax}`).not.toContain(syntax);
        // (The cards' own numbered lists aside, no line starts a heading, list or quote.)
        for (const line of joined.split('\n')) {
          expect(line, `${name} starts a block with user text`).not.toMatch(/^\s*(# |- |> |1\. 列表)/);
        }
        // …and what a reader sees, once Feishu decodes the entities, is exactly what was typed (new lines aside).
        const shown = joined.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
        expect(shown, name).toContain(v.replace(/\n/g, ' '));
      }
    });

    it('plain_text keeps the value as typed (Feishu never renders it)', () => {
      const card = cardsWith(plainOf('<b>'));
      expect(JSON.stringify((card.assignment.header as { subtitle: unknown }).subtitle)).toContain(
        '某某公司<b>',
      );
    });
  });
});
