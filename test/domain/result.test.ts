import { describe, expect, it } from 'vitest';
import {
  checkResult,
  enterResult,
  targetProgress,
  type Result,
  type ResultContext,
} from '../../src/domain/result.ts';
import { resultCategories } from '../../src/services/result-categories.ts';

const list = resultCategories();
const ctx: ResultContext = {
  taskState: 'locked',
  voidReason: null,
  window: { start: '2026-12-01', end: '2026-12-31' },
  itemMethods: ['实地核查', '书面检查'],
  today: '2026-12-10',
};
const input = {
  categories: ['NO_ISSUE'],
  inspectedOn: '2026-12-08',
  methods: [] as string[],
  note: '',
  followup: '',
};
const codes = (i: Partial<typeof input>) =>
  checkResult({ ...input, ...i }, ctx, list).problems.map((p) => p.code);

describe('the result categories file', () => {
  it('holds the eleven national categories with their codes, in the order of the national list', () => {
    expect(list.categories.map((c) => c.code)).toEqual([
      'NO_ISSUE',
      'NOT_DISCLOSED',
      'FALSE_DISCLOSURE',
      'UNREACHABLE',
      'NON_COOPERATION',
      'NO_RELEVANT_ACTIVITY',
      'CORRECTED',
      'PENDING_FOLLOWUP',
      'CLOSED',
      'DEREGISTERED',
      'REVOKED',
    ]);
    expect(list.categories.find((c) => c.code === 'NO_ISSUE')).toMatchObject({
      zh: '未发现问题',
      exclusive: true,
    });
    expect(list.categories.find((c) => c.code === 'PENDING_FOLLOWUP')).toMatchObject({
      zh: '发现问题待后续处理',
      needsFollowup: true,
    });
  });
});

describe('checkResult', () => {
  it('accepts codes or the national wording, and returns codes in the list order', () => {
    const out = checkResult({ ...input, categories: ['已注销', 'CORRECTED'] }, ctx, list);
    expect(out.problems).toEqual([]);
    expect(out.categories).toEqual(['CORRECTED', 'DEREGISTERED']);
  });
  it('未发现问题 excludes every other result', () => {
    expect(codes({ categories: ['NO_ISSUE', 'CORRECTED'] })).toEqual(['RESULT.CATEGORY_EXCLUSIVE']);
  });
  it('发现问题待后续处理 needs a follow-up note', () => {
    expect(codes({ categories: ['PENDING_FOLLOWUP'] })).toEqual(['RESULT.FOLLOWUP_REQUIRED']);
    expect(codes({ categories: ['PENDING_FOLLOWUP'], followup: '移交立案' })).toEqual([]);
  });
  it('an unknown wording lists the accepted values', () => {
    const out = checkResult({ ...input, categories: ['合格'] }, ctx, list);
    expect(out.problems[0]!.code).toBe('RESULT.CATEGORY_UNKNOWN');
    expect(out.problems[0]!.message).toContain('"合格"');
    expect(out.problems[0]!.message).toContain('未发现问题 (NO_ISSUE)');
    expect(out.problems[0]!.message).toContain('已吊销 (REVOKED)');
  });
  it('no result at all is refused', () => {
    expect(codes({ categories: [' '] })).toEqual(['RESULT.CATEGORY_MISSING']);
  });
  it('the date must be a real date inside the window and not after today', () => {
    expect(codes({ inspectedOn: '2026-12-01' })).toEqual([]);
    expect(codes({ inspectedOn: '2026-12-10' })).toEqual([]);
    expect(codes({ inspectedOn: '2026-11-30' })).toEqual(['RESULT.DATE_OUTSIDE_WINDOW']);
    expect(codes({ inspectedOn: '2026-12-11' })).toEqual(['RESULT.DATE_IN_FUTURE']);
    expect(codes({ inspectedOn: '2026-02-30' })).toEqual(['RESULT.DATE_INVALID']);
    expect(codes({ inspectedOn: '' })).toEqual(['RESULT.DATE_INVALID']);
  });
  it("methods must be the task items' own", () => {
    expect(codes({ methods: ['书面检查'] })).toEqual([]);
    expect(codes({ methods: ['抽样检测'] })).toEqual(['RESULT.METHOD_UNKNOWN']);
  });
  it('reports every problem of a row at once', () => {
    expect(
      codes({ categories: ['PENDING_FOLLOWUP'], inspectedOn: '2027-01-05', note: 'x'.repeat(501) }),
    ).toEqual(['RESULT.FOLLOWUP_REQUIRED', 'RESULT.DATE_IN_FUTURE', 'RESULT.TEXT_TOO_LONG']);
  });
});

describe('enterResult', () => {
  const where = { taskId: 'T', uscc: 'U1', team: 1, teamTargets: ['U1', 'U2'] };
  const wjw = { openId: 'ou_w', teams: new Map([[1, 'WJW']]) };
  const now = new Date('2026-12-10T02:00:00Z');

  it("saves the member's own department's part, version 1, audited as result.enter", () => {
    const t = enterResult(null, { ...input, note: ' 无 ', version: null }, where, wjw, ctx, list, now);
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(t.next).toEqual({
      taskId: 'T',
      uscc: 'U1',
      dept: 'WJW',
      team: 1,
      categories: ['NO_ISSUE'],
      inspectedOn: '2026-12-08',
      methods: [],
      note: '无',
      followup: null,
      enteredBy: 'ou_w',
      enteredAt: '2026-12-10T02:00:00.000Z',
      source: 'chat',
      version: 1,
    });
    expect(t.effects[0]).toMatchObject({ kind: 'audit', action: 'result.enter', subject: 'T' });
  });
  it('an edit needs the version the card showed, and is audited as result.edit', () => {
    const saved = { version: 2 } as Result;
    expect(enterResult(saved, { ...input, version: 1 }, where, wjw, ctx, list, now)).toMatchObject({
      code: 'RESULT.CARD_STALE',
    });
    const t = enterResult(saved, { ...input, version: 2 }, where, wjw, ctx, list, now);
    expect(t.ok && t.next.version).toBe(3);
    expect(t.ok && t.effects[0]).toMatchObject({ action: 'result.edit' });
  });
  it('someone not on the team, a target of another team, a closed or void task: refused', () => {
    const outsider = { openId: 'ou_x', teams: new Map([[2, 'WJW']]) };
    expect(enterResult(null, { ...input, version: null }, where, outsider, ctx, list, now)).toMatchObject({
      code: 'RESULT.NOT_ON_TEAM',
    });
    expect(
      enterResult(null, { ...input, version: null }, { ...where, uscc: 'U9' }, wjw, ctx, list, now),
    ).toMatchObject({ code: 'RESULT.TARGET_NOT_ON_TEAM' });
    expect(
      enterResult(null, { ...input, version: null }, where, wjw, { ...ctx, taskState: 'closed' }, list, now),
    ).toMatchObject({ code: 'TASK.CLOSED' });
    expect(
      enterResult(
        null,
        { ...input, version: null },
        where,
        wjw,
        { ...ctx, taskState: 'void', voidReason: '重复' },
        list,
        now,
      ),
    ).toMatchObject({ code: 'TASK.VOID', details: { reason: '重复' } });
  });
  it('a bad field comes back as the first problem, with its field', () => {
    expect(
      enterResult(null, { ...input, inspectedOn: '2026-12-20', version: null }, where, wjw, ctx, list, now),
    ).toMatchObject({ code: 'RESULT.DATE_IN_FUTURE', details: { field: 'inspectedOn' } });
  });
});

describe('targetProgress', () => {
  it('a target is complete when every department of its team has entered', () => {
    const depts = ['SCJG', 'WJW', 'YJGL'];
    expect(targetProgress({ uscc: 'U1', team: 1 }, depts, [{ uscc: 'U1', dept: 'WJW' }])).toEqual({
      uscc: 'U1',
      team: 1,
      entered: ['WJW'],
      missing: ['SCJG', 'YJGL'],
      complete: false,
    });
    const all = depts.map((dept) => ({ uscc: 'U1', dept }));
    expect(targetProgress({ uscc: 'U1', team: 1 }, depts, [...all, { uscc: 'U2', dept: 'X' }]).complete).toBe(
      true,
    );
  });
});
