import { describe, expect, it } from 'vitest';
import {
  APPROVE_SUBSTITUTION,
  assignmentCard,
  CLOSE_SUBSTITUTION_FORM,
  CONFIRM_ASSIGNMENT,
  DECISION_FORM,
  OPEN_RESULT_ENTRY,
  OPEN_SUBSTITUTION_FORM,
  REJECT_SUBSTITUTION,
  REQUEST_SUBSTITUTION,
  SUBSTITUTION_FORM,
  substitutionOutcomeCard,
  substitutionRequestCard,
  WITHDRAW_SUBSTITUTION,
  type SubstitutionOutcomeCardData,
  type SubstitutionRequestCardData,
} from '../../src/cards/index.ts';
import { MAX_NOTE_CHARS, SUBSTITUTION_REASONS } from '../../src/domain/substitution-request.ts';
import { approvedDecision, assignment, outcomeData, requestData, substitution, task } from './fixtures.ts';
import { actions, button, buttons, expectValid, nodes, shown, valueOf } from './walk.ts';

const recordValue = { task: task.id, team: 1, cert: '150000000001', v: 1 };
const confirmed = { at: '2026-12-01 09:00', by: 'ou_1' };
const replaced = { byName: '检查员9', approvedByName: '卫健委负责人', at: '2026-12-02 15:40' };

describe('assignment card: the buttons each state calls for', () => {
  const cases: [string, Parameters<typeof assignment>[0], string[]][] = [
    ['view, unconfirmed', {}, [CONFIRM_ASSIGNMENT, OPEN_SUBSTITUTION_FORM, OPEN_RESULT_ENTRY]],
    ['view, confirmed', { confirmation: confirmed }, [OPEN_SUBSTITUTION_FORM, OPEN_RESULT_ENTRY]],
    ['request form', { mode: 'request-form' }, [REQUEST_SUBSTITUTION, CLOSE_SUBSTITUTION_FORM]],
    [
      'request form, confirmed',
      { mode: 'request-form', confirmation: confirmed },
      [REQUEST_SUBSTITUTION, CLOSE_SUBSTITUTION_FORM],
    ],
    [
      'pending, unconfirmed',
      { substitution: substitution() },
      [CONFIRM_ASSIGNMENT, WITHDRAW_SUBSTITUTION, OPEN_RESULT_ENTRY],
    ],
    [
      'pending, confirmed',
      { substitution: substitution(), confirmation: confirmed },
      [WITHDRAW_SUBSTITUTION, OPEN_RESULT_ENTRY],
    ],
    [
      'pending, form asked for (the form cannot open while a request is pending)',
      { substitution: substitution(), mode: 'request-form' },
      [CONFIRM_ASSIGNMENT, WITHDRAW_SUBSTITUTION, OPEN_RESULT_ENTRY],
    ],
    [
      'rejected',
      {
        substitution: substitution({ state: 'rejected', decidedAt: '2026-12-02 15:40', comment: '人手不足' }),
      },
      [CONFIRM_ASSIGNMENT, OPEN_SUBSTITUTION_FORM, OPEN_RESULT_ENTRY],
    ],
    [
      'withdrawn',
      { substitution: substitution({ state: 'withdrawn', decidedAt: '2026-12-02 10:00' }) },
      [CONFIRM_ASSIGNMENT, OPEN_SUBSTITUTION_FORM, OPEN_RESULT_ENTRY],
    ],
    [
      'expired, confirmed',
      {
        substitution: substitution({ state: 'expired', decidedAt: '2027-01-01 00:05' }),
        confirmation: confirmed,
      },
      [OPEN_SUBSTITUTION_FORM, OPEN_RESULT_ENTRY],
    ],
    ['replaced', { replaced, substitution: substitution({ state: 'approved' }) }, []],
    ['replaced, confirmed', { replaced, confirmation: confirmed }, []],
    ['replaced, form asked for', { replaced, mode: 'request-form' }, []],
    ['approved, replacement not shown yet', { substitution: substitution({ state: 'approved' }) }, []],
  ];

  it.each(cases)('%s', (_name, over, expected) => {
    const card = assignmentCard(assignment(over));
    expectValid(card);
    expect(actions(card)).toEqual(expected);
  });

  it('申请更换 and 取消 carry the assignment and its version; 确认 keeps its value exactly', () => {
    const view = assignmentCard(assignment());
    expect(valueOf(button(view, CONFIRM_ASSIGNMENT).node)).toEqual({
      action: 'assignment.confirm',
      ...recordValue,
    });
    expect(valueOf(button(view, OPEN_SUBSTITUTION_FORM).node)).toEqual({
      action: 'substitution.form',
      ...recordValue,
    });
    // Side by side, in a column set (no form is in it).
    expect(button(view, OPEN_SUBSTITUTION_FORM).within).toEqual(['column_set', 'column']);
    // 录入结果 beside them: the result-entry card's first page for this inspector.
    const enter = button(view, OPEN_RESULT_ENTRY);
    expect(valueOf(enter.node)).toEqual({
      action: 'result.open',
      task: task.id,
      team: 1,
      cert: '150000000001',
      page: 0,
    });
    expect(enter.within).toEqual(['column_set', 'column']);
    expect((enter.node.text as { i18n_content: unknown }).i18n_content).toEqual({
      zh_cn: '录入结果',
      en_us: 'Enter results',
    });
    const form = assignmentCard(assignment({ mode: 'request-form', version: 4 }));
    expect(valueOf(button(form, CLOSE_SUBSTITUTION_FORM).node)).toEqual({
      action: 'substitution.form-close',
      ...recordValue,
      v: 4,
    });
    expect(button(form, CLOSE_SUBSTITUTION_FORM).within).toEqual([]);
  });

  it('the request form: reason (the reason codes) and note (500), a named submit button, the decider said', () => {
    const card = assignmentCard(assignment({ mode: 'request-form' }));
    const forms = nodes(card).filter((x) => x.node.tag === 'form');
    expect(forms).toHaveLength(1);
    expect(forms[0]!.within).toEqual([]); // root level
    const form = forms[0]!.node;
    expect(form.name).toBe(SUBSTITUTION_FORM.form);
    const fields = nodes(form.elements).filter(
      (x) => x.node.tag === 'select_static' || x.node.tag === 'input',
    );
    expect(fields.map((x) => [x.node.tag, x.node.name])).toEqual([
      ['select_static', 'reason'],
      ['input', 'note'],
    ]);
    const [reason, note] = fields.map((x) => x.node);
    expect((reason!.options as { value: string }[]).map((o) => o.value)).toEqual(
      SUBSTITUTION_REASONS.map((r) => r.code),
    );
    const optionTexts = (
      reason!.options as { text: { i18n_content: { zh_cn: string; en_us: string } } }[]
    ).map((o) => o.text.i18n_content);
    SUBSTITUTION_REASONS.forEach((r, i) => {
      expect(optionTexts[i]!.zh_cn).toContain(r.zh);
      expect(optionTexts[i]!.en_us).toContain(r.en);
    });
    expect(note!.max_length).toBe(MAX_NOTE_CHARS);
    const placeholder = (note!.placeholder as { i18n_content: { zh_cn: string; en_us: string } })
      .i18n_content;
    expect(placeholder.zh_cn).toContain('需回避');
    expect(placeholder.zh_cn).toContain('其他');
    expect(placeholder.zh_cn).toContain('必填');
    expect(placeholder.en_us).toContain('required');

    const submit = button(card, REQUEST_SUBSTITUTION);
    expect(submit.within).toEqual(['form']);
    expect(submit.node.form_action_type).toBe('submit');
    expect(submit.node.name).toBe(SUBSTITUTION_FORM.submit);
    expect(valueOf(submit.node)).toEqual({ action: 'substitution.request', ...recordValue });
    expect((submit.node.text as { i18n_content: unknown }).i18n_content).toEqual({
      zh_cn: '提交申请',
      en_us: 'Submit request',
    });
    expect(shown(card).zh).toContain('部门的负责人审批');
    expect(shown(card).en).toContain('head of your department decides');
  });

  it('pending: where it stands, who decides, the note, and 撤回申请 with a confirmation', () => {
    const card = assignmentCard(assignment({ substitution: substitution({ id: 'sr_9', version: 3 }) }));
    const { zh, en } = shown(card);
    expect(zh).toContain('⏳ 已申请更换（工作冲突），2026-12-02 09:15 提交，等待 卫健委负责人 审批');
    expect(zh).toContain('当周在外地参加培训');
    expect(en).toContain('Work conflict');
    expect(en).toContain('head of department');
    const withdraw = button(card, WITHDRAW_SUBSTITUTION).node;
    expect(valueOf(withdraw)).toEqual({ action: 'substitution.withdraw', id: 'sr_9', v: 3 });
    expect(withdraw.confirm).toBeDefined();
    expect((card.header as { template: string }).template).toBe('orange');

    const liaison = shown(
      assignmentCard(assignment({ substitution: substitution({ deciderRole: 'liaison', note: null }) })),
    );
    expect(liaison.en).toContain('(liaison) to decide');
    expect(liaison.zh).not.toContain('说明：');
  });

  it('rejected: the comment, who and when; withdrawn and expired: a short line', () => {
    const rejected = shown(
      assignmentCard(
        assignment({
          substitution: substitution({
            state: 'rejected',
            decidedAt: '2026-12-02 15:40',
            comment: '人手不足',
          }),
        }),
      ),
    );
    expect(rejected.zh).toContain('卫健委负责人 于 2026-12-02 15:40 驳回');
    expect(rejected.zh).toContain('人手不足');
    expect(rejected.en).toContain('rejected by 卫健委负责人');
    expect(
      shown(
        assignmentCard(assignment({ substitution: substitution({ state: 'withdrawn', decidedAt: 'x' }) })),
      ).zh,
    ).toContain('撤回');
    expect(
      shown(assignmentCard(assignment({ substitution: substitution({ state: 'expired' }) }))).zh,
    ).toContain('已失效');
  });

  it('replaced: grey, who took over and who approved, no buttons at all', () => {
    const card = assignmentCard(assignment({ replaced, confirmation: confirmed }));
    expect(buttons(card)).toEqual([]);
    expect(nodes(card).some((x) => x.node.tag === 'form')).toBe(false);
    expect((card.header as { template: string }).template).toBe('grey');
    expect(shown(card).zh).toContain('您已被更换：由 检查员9 接替（卫健委负责人 于 2026-12-02 15:40 批准）');
    expect(shown(card).en).toContain('You have been replaced: 检查员9 takes over');
  });

  it('a 500-character hostile note still fits next to 30 long targets', () => {
    const targets = Array.from({ length: 30 }, (_, i) => ({
      uscc: `uscc${i}`,
      name: `${i}号${'乌海市海勃湾区餐饮服务有限责任公司'.repeat(6)}`.slice(0, 100),
      address: `${i}号${'内蒙古自治区乌海市海勃湾区人民路北街道'.repeat(11)}`.slice(0, 200),
    }));
    const note = '<>*[]'.repeat(100);
    const card = assignmentCard(assignment({ targets, substitution: substitution({ note }) }));
    expectValid(card);
    expect(shown(card).zh).toContain(note);
  });
});

describe('approval card 更换申请', () => {
  const states: [string, Partial<SubstitutionRequestCardData>, string][] = [
    ['pending', {}, 'orange'],
    ['pending reminder to the liaison', { reminder: true, decider: liaison('head-is-requester') }, 'orange'],
    ['pending, nobody eligible', { eligible: 0 }, 'orange'],
    ['approved', { state: 'approved', decision: approvedDecision }, 'green'],
    [
      'rejected',
      { state: 'rejected', decision: { ...approvedDecision, comment: '人手不足', replacement: null } },
      'red',
    ],
    [
      'withdrawn',
      { state: 'withdrawn', decision: { ...approvedDecision, comment: null, replacement: null } },
      'grey',
    ],
    ['expired', { state: 'expired', decision: null }, 'grey'],
  ];

  it.each(states)('%s is valid, in its colour', (_name, over, template) => {
    const card = substitutionRequestCard(requestData(over));
    expectValid(card);
    expect((card.header as { template: string; title: { content: string } }).template).toBe(template);
    expect((card.header as { title: { content: string } }).title.content).toBe('更换申请');
    const forms = nodes(card).filter((x) => x.node.tag === 'form');
    expect(forms).toHaveLength(over.state === undefined ? 1 : 0);
    if (over.state !== undefined) expect(buttons(card)).toEqual([]);
  });

  it('pending: one root form with the comment and two named submit buttons, 同意 primary and 驳回 danger', () => {
    const card = substitutionRequestCard(requestData({ id: 'sr_7', version: 2 }));
    const form = nodes(card).find((x) => x.node.tag === 'form')!;
    expect(form.within).toEqual([]);
    expect(form.node.name).toBe(DECISION_FORM.form);
    const comment = nodes(form.node.elements).filter((x) => x.node.tag === 'input');
    expect(comment.map((x) => x.node.name)).toEqual(['comment']);
    expect(comment[0]!.node.max_length).toBe(MAX_NOTE_CHARS);
    const placeholder = (comment[0]!.node.placeholder as { content: string }).content;
    expect(placeholder).toContain('驳回时必填');
    const approve = button(card, APPROVE_SUBSTITUTION);
    const reject = button(card, REJECT_SUBSTITUTION);
    for (const b of [approve, reject]) {
      expect(b.within[0]).toBe('form');
      expect(b.node.form_action_type).toBe('submit');
    }
    expect(valueOf(approve.node)).toEqual({ action: 'substitution.approve', id: 'sr_7', v: 2 });
    expect(valueOf(reject.node)).toEqual({ action: 'substitution.reject', id: 'sr_7', v: 2 });
    expect([approve.node.name, reject.node.name]).toEqual([DECISION_FORM.approve, DECISION_FORM.reject]);
    expect(approve.node.type).toBe('primary');
    expect(reject.node.type).toBe('danger');
    expect(actions(card)).toEqual([APPROVE_SUBSTITUTION, REJECT_SUBSTITUTION]);
  });

  it('shows the task, team, inspector, reason in both languages, note, time and how many could replace', () => {
    const card = substitutionRequestCard(
      requestData({
        reason: '需回避',
        inspector: {
          certNo: 'x',
          name: '检查员1',
          deptName: '市卫生健康委员会',
          leader: true,
          confirmed: false,
        },
      }),
    );
    const { zh, en } = shown(card);
    expect(zh).toContain(task.name);
    expect(zh).toContain('第1组（150302），组长 检查员0');
    expect(zh).toContain('检查员1（市卫生健康委员会，组长，尚未确认任务）');
    expect(zh).toContain('**原因**：需回避');
    expect(en).toContain('**Reason**: Conflict of interest');
    expect(zh).toContain('当周在外地参加培训');
    expect(zh).toContain('2026-12-02 09:15');
    expect(zh).toContain('目前有 3 名符合条件的执法人员');
    expect(zh).not.toContain('⚠️');
  });

  it('nobody eligible: a warning that approving fails until the directory changes', () => {
    const { zh, en } = shown(substitutionRequestCard(requestData({ eligible: 0 })));
    expect(zh).toContain('⚠️ **目前没有符合条件的接替人员**');
    expect(zh).toContain('同意将无法完成');
    expect(en).toContain('Approving will fail');
  });

  it('says why the card came to the liaison — and only to the liaison', () => {
    const requester = shown(substitutionRequestCard(requestData({ decider: liaison('head-is-requester') })));
    expect(requester.zh).toContain('联络员身份审批：部门负责人本人即申请人');
    expect(requester.en).toContain("as the department's liaison");
    const unresolved = shown(substitutionRequestCard(requestData({ decider: liaison('head-unresolved') })));
    expect(unresolved.zh).toContain('部门负责人未关联飞书账号');
    const head = shown(substitutionRequestCard(requestData()));
    expect(head.zh).not.toContain('联络员身份');
    expect(head.en).not.toContain('liaison');
  });

  it('the reminder has a line on top while pending', () => {
    const card = substitutionRequestCard(requestData({ reminder: true }));
    const first = nodes(card)[0]!.node as { content: string };
    expect(first.content).toContain('该申请已等待超过一个工作日，请及时处理');
    expect(shown(substitutionRequestCard(requestData())).zh).not.toContain('已等待超过');
  });

  it('decided: the decision, by whom, when, the comment, and on approval who replaces', () => {
    const approved = shown(
      substitutionRequestCard(requestData({ state: 'approved', decision: approvedDecision })),
    );
    expect(approved.zh).toContain('✅ **已同意**：卫健委负责人，2026-12-02 15:40');
    expect(approved.zh).toContain('**接替人员**：检查员9（市卫生健康委员会）');
    expect(approved.zh).toContain('同意，注意交接');
    expect(approved.en).toContain('Approved** by 卫健委负责人');
    expect(approved.zh).not.toContain('符合条件的执法人员');
    const rejected = shown(
      substitutionRequestCard(
        requestData({
          state: 'rejected',
          decision: { ...approvedDecision, comment: '人手不足', replacement: null },
        }),
      ),
    );
    expect(rejected.zh).toContain('❌ **已驳回**：卫健委负责人，2026-12-02 15:40');
    expect(rejected.zh).toContain('人手不足');
    expect(shown(substitutionRequestCard(requestData({ state: 'withdrawn' }))).zh).toContain('撤回');
    expect(shown(substitutionRequestCard(requestData({ state: 'expired' }))).zh).toContain('失效');
  });

  it('a 500-character hostile note and comment come out escaped and fit', () => {
    const hostile = '<at id=all></at>[x](http://evil)**'.repeat(15).slice(0, 500);
    const card = substitutionRequestCard(
      requestData({
        note: hostile,
        state: 'rejected',
        decision: { byName: hostile, at: '2026-12-02 15:40', comment: hostile, replacement: null },
      }),
    );
    expectValid(card);
    const raw = JSON.stringify(card);
    expect(raw).not.toContain('<at id=all>');
    expect(raw).not.toContain('](http');
    expect(shown(card).zh).toContain(hostile);
  });
});

describe('outcome card', () => {
  const cases: [string, Partial<SubstitutionOutcomeCardData>, string[]][] = [
    [
      'requester, approved',
      {},
      ['由 检查员9（市卫生健康委员会） 接替', '卫健委负责人 于 2026-12-02 15:40 批准'],
    ],
    [
      'requester, rejected',
      { outcome: 'rejected', comment: '人手不足', replacement: null },
      ['驳回', '人手不足'],
    ],
    [
      'requester, expired',
      { outcome: 'expired', replacement: null, decidedByName: null },
      ['无人审批', '您仍是'],
    ],
    [
      'leader, approved',
      { audience: 'leader' },
      ['检查员1（市卫生健康委员会） 已更换为 检查员9（市卫生健康委员会）'],
    ],
    [
      'leader, the leader replaced',
      {
        audience: 'leader',
        inspector: { name: '检查员0', deptName: '市市场监督管理局', leader: true },
        replacement: { name: '检查员8', deptName: '市市场监督管理局', leader: true },
      },
      ['检查员8 现任本组组长'],
    ],
    [
      'liaison, shortfall',
      {
        audience: 'liaison',
        outcome: 'shortfall',
        replacement: null,
        shortfall: { deptName: '市卫生健康委员会', region: '150302', why: '其余人员均有回避关系' },
      },
      ['市卫生健康委员会 在 150302 没有符合条件的执法人员', '其余人员均有回避关系', '**待审批**', '补充'],
    ],
  ];

  it.each(cases)('%s: valid, no buttons, says what happened', (_name, over, expected) => {
    const card = substitutionOutcomeCard(outcomeData(over));
    expectValid(card);
    expect(buttons(card)).toEqual([]);
    const { zh, en } = shown(card);
    for (const x of expected) expect(zh).toContain(x);
    expect(en.length).toBeGreaterThan(0);
  });

  it('the leader is told the replacement leads only when the leader was replaced', () => {
    expect(shown(substitutionOutcomeCard(outcomeData({ audience: 'leader' }))).zh).not.toContain('组长');
  });

  it('the shortfall says so in English too', () => {
    const { en } = shown(
      substitutionOutcomeCard(
        outcomeData({
          audience: 'liaison',
          outcome: 'shortfall',
          shortfall: { deptName: '市卫生健康委员会', region: '150302', why: 'x' },
        }),
      ),
    );
    expect(en).toContain('stays **pending**');
    expect(en).toContain('needs another eligible officer');
  });
});

function liaison(why: 'head-is-requester' | 'head-unresolved'): SubstitutionRequestCardData['decider'] {
  return { name: '卫健委联络员', role: 'liaison', why };
}
