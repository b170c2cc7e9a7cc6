import { describe, expect, it } from 'vitest';
import type { Actor, Assignment } from '../../src/domain/assignment.ts';
import {
  chooseDecider,
  decideSubstitution,
  expireSubstitution,
  lapseOf,
  requestRefusal,
  requestSubstitution,
  SUBSTITUTION_REASONS,
  substitutionReason,
  withdrawSubstitution,
  type Decider,
  type RequestableAssignment,
  type RequestInput,
  type SubstitutionRequest,
  type SubstitutionState,
} from '../../src/domain/substitution-request.ts';

/** Frozen all the way down: in an ES module (strict mode) any write to a fixture throws, so "nothing changes". */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// People. The inspector holds certificate C1; the head of 市场监管局 and its liaison; outsiders.
const me: Actor = deepFreeze({ openId: 'ou_me', certNos: ['C1'] });
const head: Actor = deepFreeze({ openId: 'ou_head', certNos: ['H1'] });
const liaison: Actor = deepFreeze({ openId: 'ou_liaison', certNos: [] });
const otherHead: Actor = deepFreeze({ openId: 'ou_head_tax', certNos: ['H7'] });
const otherInspector: Actor = deepFreeze({ openId: 'ou_other', certNos: ['C2'] });

const headDecides: Decider = deepFreeze({ openId: 'ou_head', role: 'head', why: null });
const liaisonForRequester: Decider = deepFreeze({
  openId: 'ou_liaison',
  role: 'liaison',
  why: 'head-is-requester',
});
const liaisonForUnresolved: Decider = deepFreeze({
  openId: 'ou_liaison',
  role: 'liaison',
  why: 'head-unresolved',
});

const assignment: RequestableAssignment = deepFreeze({
  taskId: 'T1',
  taskState: 'locked',
  voidReason: null,
  windowEnd: '2026-12-18',
  team: 2,
  dept: '市场监管局',
  certNo: 'C1',
  active: true,
  version: 3,
});

const now = new Date('2026-12-01T06:03:04.567Z');
const later = new Date('2026-12-02T01:30:00.000Z');

const input = (over: Partial<RequestInput> = {}): RequestInput => ({
  reason: 'WORK_CONFLICT',
  note: '',
  id: 'R1',
  today: '2026-12-01',
  ...over,
});

/** A pending request as storage hands it back. */
const pending: SubstitutionRequest = deepFreeze({
  id: 'R1',
  taskId: 'T1',
  taskState: 'locked',
  voidReason: null,
  team: 2,
  dept: '市场监管局',
  outCert: 'C1',
  reason: '工作冲突',
  note: '同期外出培训',
  state: 'pending',
  requestedBy: 'ou_me',
  requestedAt: '2026-11-30T02:00:00.000Z',
  decider: headDecides,
  decidedBy: null,
  decidedAt: null,
  comment: null,
  inCert: null,
  version: 1,
});
const req = (over: Partial<SubstitutionRequest>): SubstitutionRequest => deepFreeze({ ...pending, ...over });

const voided = req({ taskState: 'void', voidReason: '重复立项' });
const decidedStates: Exclude<SubstitutionState, 'pending'>[] = [
  'approved',
  'rejected',
  'withdrawn',
  'expired',
];
const decidedAs = (state: Exclude<SubstitutionState, 'pending'>) =>
  req({ state, decidedBy: 'ou_head', decidedAt: '2026-12-01T03:00:00.000Z', version: 2 });

const pendingDetails = {
  request: 'R1',
  team: 2,
  dept: '市场监管局',
  out: 'C1',
  reason: '工作冲突',
  note: '同期外出培训',
};

describe('the reasons an inspector may give', () => {
  it('are the five of the issue, in the form’s order; 需回避 and 其他 need a note', () => {
    expect(SUBSTITUTION_REASONS).toEqual([
      { code: 'POST_CHANGE', zh: '岗位调整', en: 'Post change', noteRequired: false },
      { code: 'WORK_CONFLICT', zh: '工作冲突', en: 'Work conflict', noteRequired: false },
      { code: 'HEALTH', zh: '健康原因', en: 'Health', noteRequired: false },
      { code: 'CONFLICT_OF_INTEREST', zh: '需回避', en: 'Conflict of interest', noteRequired: true },
      { code: 'OTHER', zh: '其他', en: 'Other', noteRequired: true },
    ]);
  });

  it.each([
    ['POST_CHANGE', '岗位调整'],
    ['岗位调整', '岗位调整'],
    ['WORK_CONFLICT', '工作冲突'],
    ['工作冲突', '工作冲突'],
    ['HEALTH', '健康原因'],
    ['健康原因', '健康原因'],
    ['CONFLICT_OF_INTEREST', '需回避'],
    ['需回避', '需回避'],
    ['OTHER', '其他'],
    ['其他', '其他'],
  ])('%s is the reason %s', (value, zh) => {
    expect(substitutionReason(value)?.zh).toBe(zh);
  });

  it.each(['', 'Other', 'other', ' OTHER', '其他 ', '请假', 'HEALTHY'])('%j is no reason', (value) => {
    expect(substitutionReason(value)).toBeUndefined();
  });
});

describe('who decides a request (chooseDecider)', () => {
  it('the head of the inspector’s department, when reachable and not the one asking', () => {
    expect(chooseDecider({ headOpenId: 'ou_head', liaisonOpenId: 'ou_liaison' }, 'ou_me')).toEqual({
      openId: 'ou_head',
      role: 'head',
      why: null,
    });
    expect(chooseDecider({ headOpenId: 'ou_head', liaisonOpenId: null }, 'ou_me')).toEqual({
      openId: 'ou_head',
      role: 'head',
      why: null,
    });
  });

  it('the head still decides when the liaison is the one asking', () => {
    expect(chooseDecider({ headOpenId: 'ou_head', liaisonOpenId: 'ou_me' }, 'ou_me')).toEqual({
      openId: 'ou_head',
      role: 'head',
      why: null,
    });
  });

  it('the liaison, saying why, when the head is the one asking', () => {
    expect(chooseDecider({ headOpenId: 'ou_head', liaisonOpenId: 'ou_liaison' }, 'ou_head')).toEqual({
      openId: 'ou_liaison',
      role: 'liaison',
      why: 'head-is-requester',
    });
  });

  it('the liaison, saying why, when the head has no resolved Feishu identity', () => {
    expect(chooseDecider({ headOpenId: null, liaisonOpenId: 'ou_liaison' }, 'ou_me')).toEqual({
      openId: 'ou_liaison',
      role: 'liaison',
      why: 'head-unresolved',
    });
    expect(chooseDecider({ headOpenId: '', liaisonOpenId: 'ou_liaison' }, 'ou_me')).toEqual({
      openId: 'ou_liaison',
      role: 'liaison',
      why: 'head-unresolved',
    });
  });

  it.each<[string, { headOpenId: string | null; liaisonOpenId: string | null }, string]>([
    ['neither is reachable', { headOpenId: null, liaisonOpenId: null }, 'ou_me'],
    ['the head asks and there is no liaison', { headOpenId: 'ou_head', liaisonOpenId: null }, 'ou_head'],
    ['the head is unresolved and the liaison asks', { headOpenId: null, liaisonOpenId: 'ou_me' }, 'ou_me'],
    ['head and liaison are one person, who asks', { headOpenId: 'ou_me', liaisonOpenId: 'ou_me' }, 'ou_me'],
  ])('nobody when %s', (_what, contacts, requester) => {
    expect(chooseDecider(contacts, requester)).toBeNull();
  });
});

describe('whether the inspector may ask now (requestRefusal)', () => {
  it('the assigned inspector on a locked task, within the window, with nothing pending', () => {
    expect(requestRefusal(assignment, null, me, '2026-12-01')).toBeNull();
  });

  it('up to and including the window’s last day; the day after is refused with the end date', () => {
    expect(requestRefusal(assignment, null, me, '2026-12-18')).toBeNull();
    expect(requestRefusal(assignment, null, me, '2026-12-19')).toEqual({
      ok: false,
      code: 'SUBSTITUTION.WINDOW_ENDED',
      details: { end: '2026-12-18' },
    });
    expect(requestRefusal({ ...assignment, windowEnd: '2026-12-31' }, null, me, '2027-01-01')).toEqual({
      ok: false,
      code: 'SUBSTITUTION.WINDOW_ENDED',
      details: { end: '2026-12-31' },
    });
  });

  it('a confirmed inspector may still ask', () => {
    const confirmedRow: Assignment = {
      taskId: 'T1',
      taskState: 'locked',
      voidReason: null,
      team: 2,
      certNo: 'C1',
      active: true,
      confirmedAt: '2026-11-29T01:00:00.000Z',
      confirmedBy: 'ou_me',
      version: 4,
    };
    const confirmed = { ...confirmedRow, windowEnd: '2026-12-18', dept: '市场监管局' };
    expect(requestRefusal(confirmed, null, me, '2026-12-01')).toBeNull();
    expect(requestSubstitution(confirmed, null, input(), me, headDecides, now)).toMatchObject({
      ok: true,
      next: { state: 'pending', outCert: 'C1' },
    });
  });

  it.each<[string, RequestableAssignment | null, SubstitutionRequest | null, Actor, string, object]>([
    ['no such assignment', null, null, me, '2026-12-01', { code: 'ASSIGNMENT.NOT_FOUND' }],
    [
      'a voided task, naming the reason',
      { ...assignment, taskState: 'void', voidReason: '重复立项' },
      null,
      me,
      '2026-12-01',
      { code: 'TASK.VOID', details: { reason: '重复立项' } },
    ],
    [
      'a voided task with no reason recorded',
      { ...assignment, taskState: 'void', voidReason: null },
      null,
      me,
      '2026-12-01',
      { code: 'TASK.VOID', details: { reason: '' } },
    ],
    [
      'another inspector',
      assignment,
      null,
      otherInspector,
      '2026-12-01',
      { code: 'ASSIGNMENT.NOT_ASSIGNEE' },
    ],
    ['the department’s head', assignment, null, head, '2026-12-01', { code: 'ASSIGNMENT.NOT_ASSIGNEE' }],
    [
      'a replaced inspector',
      { ...assignment, active: false },
      null,
      me,
      '2026-12-01',
      { code: 'ASSIGNMENT.REPLACED' },
    ],
    [
      'a draft task',
      { ...assignment, taskState: 'draft' },
      null,
      me,
      '2026-12-01',
      { code: 'TASK.NOT_LOCKED', details: { state: 'draft' } },
    ],
    [
      'a frozen task',
      { ...assignment, taskState: 'frozen' },
      null,
      me,
      '2026-12-01',
      { code: 'TASK.NOT_LOCKED', details: { state: 'frozen' } },
    ],
    [
      'a closed task',
      { ...assignment, taskState: 'closed' },
      null,
      me,
      '2026-12-01',
      { code: 'TASK.NOT_LOCKED', details: { state: 'closed' } },
    ],
    [
      'a second request while one is pending, saying when it was made',
      assignment,
      pending,
      me,
      '2026-12-01',
      { code: 'SUBSTITUTION.ALREADY_PENDING', details: { at: '2026-11-30T02:00:00.000Z' } },
    ],
  ])('refuses %s', (_what, a, p, actor, today, refusal) => {
    expect(requestRefusal(a, p, actor, today)).toEqual({ ok: false, ...refusal });
  });

  it('checks in an order that tells an outsider nothing about the assignment', () => {
    // Someone else never learns that a request is pending, that the inspector was replaced, or the task's phase.
    expect(requestRefusal(assignment, pending, otherInspector, '2026-12-01')?.code).toBe(
      'ASSIGNMENT.NOT_ASSIGNEE',
    );
    expect(requestRefusal({ ...assignment, active: false }, null, otherInspector, '2026-12-01')?.code).toBe(
      'ASSIGNMENT.NOT_ASSIGNEE',
    );
    expect(requestRefusal({ ...assignment, taskState: 'closed' }, null, head, '2026-12-19')?.code).toBe(
      'ASSIGNMENT.NOT_ASSIGNEE',
    );
    // A voided task is said to be void to anyone (as on the confirmation card), with its reason.
    expect(
      requestRefusal(
        { ...assignment, taskState: 'void', voidReason: '重复立项' },
        pending,
        otherInspector,
        '2026-12-19',
      ),
    ).toEqual({ ok: false, code: 'TASK.VOID', details: { reason: '重复立项' } });
  });

  it('checks replaced before the task phase, the phase before the window, the window before a pending request', () => {
    expect(
      requestRefusal({ ...assignment, active: false, taskState: 'closed' }, pending, me, '2026-12-19')?.code,
    ).toBe('ASSIGNMENT.REPLACED');
    expect(requestRefusal({ ...assignment, taskState: 'closed' }, pending, me, '2026-12-19')?.code).toBe(
      'TASK.NOT_LOCKED',
    );
    expect(requestRefusal(assignment, pending, me, '2026-12-19')?.code).toBe('SUBSTITUTION.WINDOW_ENDED');
  });
});

describe('asking to be replaced (requestSubstitution)', () => {
  it('makes a pending request to the head, with an audit entry', () => {
    const t = requestSubstitution(
      assignment,
      null,
      input({ note: '  同期外出培训 \n' }),
      me,
      headDecides,
      now,
    );
    expect(t).toEqual({
      ok: true,
      next: {
        id: 'R1',
        taskId: 'T1',
        taskState: 'locked',
        voidReason: null,
        team: 2,
        dept: '市场监管局',
        outCert: 'C1',
        reason: '工作冲突',
        note: '同期外出培训',
        state: 'pending',
        requestedBy: 'ou_me',
        requestedAt: '2026-12-01T06:03:04.567Z',
        decider: { openId: 'ou_head', role: 'head', why: null },
        decidedBy: null,
        decidedAt: null,
        comment: null,
        inCert: null,
        version: 1,
      },
      effects: [
        {
          kind: 'audit',
          action: 'substitution.request',
          subject: 'T1',
          details: {
            request: 'R1',
            team: 2,
            dept: '市场监管局',
            out: 'C1',
            reason: '工作冲突',
            note: '同期外出培训',
            decider: 'head',
          },
        },
      ],
    });
  });

  it('stores the Chinese label whether the form sent the code or the label', () => {
    for (const [sent, stored] of [
      ['POST_CHANGE', '岗位调整'],
      ['岗位调整', '岗位调整'],
      ['HEALTH', '健康原因'],
      ['健康原因', '健康原因'],
      ['CONFLICT_OF_INTEREST', '需回避'],
      ['需回避', '需回避'],
      ['OTHER', '其他'],
      ['其他', '其他'],
    ]) {
      const t = requestSubstitution(
        assignment,
        null,
        input({ reason: sent, note: '说明' }),
        me,
        headDecides,
        now,
      );
      expect(t.ok && t.next.reason).toBe(stored);
      expect(t.ok && t.effects[0]).toMatchObject({ details: { reason: stored } });
    }
  });

  it('keeps no note when none (or only blanks) is given, and the audit entry names none', () => {
    for (const note of ['', '   ', '\n\t ']) {
      const t = requestSubstitution(
        assignment,
        null,
        input({ reason: '健康原因', note }),
        me,
        headDecides,
        now,
      );
      expect(t.ok && t.next.note).toBeNull();
      expect(t.ok && t.effects).toEqual([
        {
          kind: 'audit',
          action: 'substitution.request',
          subject: 'T1',
          details: {
            request: 'R1',
            team: 2,
            dept: '市场监管局',
            out: 'C1',
            reason: '健康原因',
            decider: 'head',
          },
        },
      ]);
    }
  });

  it('needs no note for 岗位调整, 工作冲突 or 健康原因', () => {
    for (const reason of ['POST_CHANGE', 'WORK_CONFLICT', 'HEALTH'])
      expect(requestSubstitution(assignment, null, input({ reason }), me, headDecides, now).ok).toBe(true);
  });

  it('goes to the liaison when the decider is the liaison, and keeps why (the card says it)', () => {
    for (const decider of [liaisonForRequester, liaisonForUnresolved]) {
      const t = requestSubstitution(assignment, null, input(), me, decider, now);
      expect(t.ok && t.next.decider).toEqual(decider);
      expect(t.ok && t.effects[0]).toMatchObject({ details: { decider: 'liaison' } });
    }
  });

  it('may ask again once an earlier request is no longer pending', () => {
    // The service passes only a *pending* request; a withdrawn or rejected one leaves `pending` null.
    expect(requestSubstitution(assignment, null, input({ id: 'R2' }), me, headDecides, now)).toMatchObject({
      ok: true,
      next: { id: 'R2', state: 'pending' },
    });
  });

  it.each<
    [string, RequestableAssignment | null, SubstitutionRequest | null, Actor, Partial<RequestInput>, object]
  >([
    ['no such assignment', null, null, me, {}, { code: 'ASSIGNMENT.NOT_FOUND' }],
    [
      'a voided task',
      { ...assignment, taskState: 'void', voidReason: '重复立项' },
      null,
      me,
      {},
      { code: 'TASK.VOID', details: { reason: '重复立项' } },
    ],
    ['another inspector', assignment, null, otherInspector, {}, { code: 'ASSIGNMENT.NOT_ASSIGNEE' }],
    ['a replaced inspector', { ...assignment, active: false }, null, me, {}, { code: 'ASSIGNMENT.REPLACED' }],
    [
      'a task not locked',
      { ...assignment, taskState: 'frozen' },
      null,
      me,
      {},
      { code: 'TASK.NOT_LOCKED', details: { state: 'frozen' } },
    ],
    [
      'after the window',
      assignment,
      null,
      me,
      { today: '2026-12-19' },
      { code: 'SUBSTITUTION.WINDOW_ENDED', details: { end: '2026-12-18' } },
    ],
    [
      'a second request while one is pending',
      assignment,
      pending,
      me,
      {},
      { code: 'SUBSTITUTION.ALREADY_PENDING', details: { at: '2026-11-30T02:00:00.000Z' } },
    ],
    ['no reason', assignment, null, me, { reason: '' }, { code: 'SUBSTITUTION.REASON_MISSING' }],
    [
      'a reason not on the list',
      assignment,
      null,
      me,
      { reason: '请假' },
      { code: 'SUBSTITUTION.REASON_MISSING' },
    ],
    [
      'the English label as a reason',
      assignment,
      null,
      me,
      { reason: 'Health' },
      { code: 'SUBSTITUTION.REASON_MISSING' },
    ],
    [
      '需回避 without a note',
      assignment,
      null,
      me,
      { reason: 'CONFLICT_OF_INTEREST' },
      { code: 'SUBSTITUTION.NOTE_REQUIRED', details: { reason: '需回避' } },
    ],
    [
      '需回避 (label) with a blank note',
      assignment,
      null,
      me,
      { reason: '需回避', note: '  \n ' },
      { code: 'SUBSTITUTION.NOTE_REQUIRED', details: { reason: '需回避' } },
    ],
    [
      '其他 without a note',
      assignment,
      null,
      me,
      { reason: 'OTHER' },
      { code: 'SUBSTITUTION.NOTE_REQUIRED', details: { reason: '其他' } },
    ],
    [
      '其他 (label) with a blank note',
      assignment,
      null,
      me,
      { reason: '其他', note: '\t' },
      { code: 'SUBSTITUTION.NOTE_REQUIRED', details: { reason: '其他' } },
    ],
    [
      'a note of 501 characters',
      assignment,
      null,
      me,
      { note: '说'.repeat(501) },
      { code: 'SUBSTITUTION.NOTE_TOO_LONG', details: { max: '500' } },
    ],
  ])('refuses %s', (_what, a, p, actor, over, refusal) => {
    expect(requestSubstitution(a, p, input(over), actor, headDecides, now)).toEqual({
      ok: false,
      ...refusal,
    });
  });

  it('refuses when nobody can decide, naming the department', () => {
    expect(requestSubstitution(assignment, null, input(), me, null, now)).toEqual({
      ok: false,
      code: 'SUBSTITUTION.NO_DECIDER',
      details: { dept: '市场监管局' },
    });
  });

  it('counts the note in characters, after trimming: 500 Chinese characters or 500 emoji are fine', () => {
    const han = '说'.repeat(500);
    const emoji = '😷'.repeat(500); // 1000 UTF-16 units, 500 characters
    for (const note of [han, `  ${han}  `, emoji]) {
      const t = requestSubstitution(assignment, null, input({ reason: 'OTHER', note }), me, headDecides, now);
      expect(t.ok && t.next.note).toBe(note.trim());
    }
    expect(
      requestSubstitution(assignment, null, input({ note: '😷'.repeat(501) }), me, headDecides, now),
    ).toMatchObject({ ok: false, code: 'SUBSTITUTION.NOTE_TOO_LONG' });
  });

  it('checks who may ask before the form, and the form before whether anyone can decide', () => {
    expect(
      requestSubstitution(assignment, null, input({ reason: '请假' }), otherInspector, null, now),
    ).toMatchObject({ code: 'ASSIGNMENT.NOT_ASSIGNEE' });
    expect(
      requestSubstitution(assignment, null, input({ reason: '', today: '2026-12-19' }), me, null, now),
    ).toMatchObject({ code: 'SUBSTITUTION.WINDOW_ENDED' });
    expect(requestSubstitution(assignment, null, input({ reason: '' }), me, null, now)).toMatchObject({
      code: 'SUBSTITUTION.REASON_MISSING',
    });
    expect(requestSubstitution(assignment, null, input({ reason: 'OTHER' }), me, null, now)).toMatchObject({
      code: 'SUBSTITUTION.NOTE_REQUIRED',
    });
    expect(
      requestSubstitution(assignment, null, input({ note: '说'.repeat(501) }), me, null, now),
    ).toMatchObject({ code: 'SUBSTITUTION.NOTE_TOO_LONG' });
  });
});

describe('withdrawing a request (withdrawSubstitution)', () => {
  it('the requester withdraws while pending: who, when, version bumped, an audit entry', () => {
    expect(withdrawSubstitution(pending, me, later)).toEqual({
      ok: true,
      next: {
        ...pending,
        state: 'withdrawn',
        decidedBy: 'ou_me',
        decidedAt: '2026-12-02T01:30:00.000Z',
        comment: null,
        version: 2,
      },
      effects: [{ kind: 'audit', action: 'substitution.withdraw', subject: 'T1', details: pendingDetails }],
    });
  });

  it('bumps whatever version the request has, and keeps everything else', () => {
    const r = req({ version: 4, note: null, reason: '健康原因', decider: liaisonForUnresolved });
    expect(withdrawSubstitution(r, me, later)).toEqual({
      ok: true,
      next: {
        ...r,
        state: 'withdrawn',
        decidedBy: 'ou_me',
        decidedAt: '2026-12-02T01:30:00.000Z',
        version: 5,
      },
      effects: [
        {
          kind: 'audit',
          action: 'substitution.withdraw',
          subject: 'T1',
          details: { request: 'R1', team: 2, dept: '市场监管局', out: 'C1', reason: '健康原因' },
        },
      ],
    });
  });

  it('the requester is known by their open_id even if their certificates no longer list C1', () => {
    expect(withdrawSubstitution(pending, { openId: 'ou_me', certNos: [] }, later)).toMatchObject({
      ok: true,
      next: { state: 'withdrawn', decidedBy: 'ou_me' },
    });
  });

  it.each<[string, SubstitutionRequest | null, Actor, object]>([
    ['no such request', null, me, { code: 'SUBSTITUTION.NOT_FOUND' }],
    ['the head', pending, head, { code: 'SUBSTITUTION.NOT_REQUESTER' }],
    ['the liaison', req({ decider: liaisonForRequester }), liaison, { code: 'SUBSTITUTION.NOT_REQUESTER' }],
    ['another inspector', pending, otherInspector, { code: 'SUBSTITUTION.NOT_REQUESTER' }],
    ...decidedStates.map((state): [string, SubstitutionRequest, Actor, object] => [
      `the ${state} request`,
      decidedAs(state),
      me,
      { code: 'SUBSTITUTION.ALREADY_DECIDED', details: { state } },
    ]),
  ])('refuses %s', (_what, r, actor, refusal) => {
    expect(withdrawSubstitution(r, actor, later)).toEqual({ ok: false, ...refusal });
  });

  it('an outsider clicking a decided request learns only that it is not theirs', () => {
    for (const state of decidedStates)
      expect(withdrawSubstitution(decidedAs(state), otherInspector, later)).toEqual({
        ok: false,
        code: 'SUBSTITUTION.NOT_REQUESTER',
      });
  });
});

describe('deciding a request (decideSubstitution)', () => {
  it('the head approves without a comment: approved, who, when, version bumped, no replacement yet', () => {
    expect(decideSubstitution(pending, { approve: true, comment: '   ' }, head, later)).toEqual({
      ok: true,
      next: {
        ...pending,
        state: 'approved',
        decidedBy: 'ou_head',
        decidedAt: '2026-12-02T01:30:00.000Z',
        comment: null,
        inCert: null,
        version: 2,
      },
      effects: [
        {
          kind: 'audit',
          action: 'substitution.approve',
          subject: 'T1',
          details: { ...pendingDetails },
        },
      ],
    });
  });

  it('an approval may carry a comment, trimmed', () => {
    const t = decideSubstitution(pending, { approve: true, comment: ' 同意，请尽快补抽 \n' }, head, later);
    expect(t.ok && t.next.comment).toBe('同意，请尽快补抽');
    expect(t.ok && t.effects[0]).toMatchObject({
      action: 'substitution.approve',
      details: { comment: '同意，请尽快补抽' },
    });
  });

  it('the head rejects with a comment, trimmed', () => {
    expect(decideSubstitution(pending, { approve: false, comment: '  培训可改期  ' }, head, later)).toEqual({
      ok: true,
      next: {
        ...pending,
        state: 'rejected',
        decidedBy: 'ou_head',
        decidedAt: '2026-12-02T01:30:00.000Z',
        comment: '培训可改期',
        inCert: null,
        version: 2,
      },
      effects: [
        {
          kind: 'audit',
          action: 'substitution.reject',
          subject: 'T1',
          details: { ...pendingDetails, comment: '培训可改期' },
        },
      ],
    });
  });

  it('the liaison decides a request that went to them (head is the requester or unresolved)', () => {
    for (const decider of [liaisonForRequester, liaisonForUnresolved])
      expect(
        decideSubstitution(req({ decider, version: 3 }), { approve: true, comment: '' }, liaison, later),
      ).toMatchObject({ ok: true, next: { state: 'approved', decidedBy: 'ou_liaison', version: 4 } });
  });

  it('a comment of exactly 500 characters is kept', () => {
    const t = decideSubstitution(pending, { approve: false, comment: '驳'.repeat(500) }, head, later);
    expect(t.ok && t.next.comment).toBe('驳'.repeat(500));
  });

  it.each<[string, SubstitutionRequest | null, { approve: boolean; comment: string }, Actor, object]>([
    ['no such request', null, { approve: true, comment: '' }, head, { code: 'SUBSTITUTION.NOT_FOUND' }],
    [
      'the requester approving their own request',
      pending,
      { approve: true, comment: '' },
      me,
      { code: 'SUBSTITUTION.OWN_REQUEST' },
    ],
    [
      'the requester rejecting their own request',
      pending,
      { approve: false, comment: '算了' },
      me,
      { code: 'SUBSTITUTION.OWN_REQUEST' },
    ],
    [
      'the holder of the out certificate under another open_id',
      pending,
      { approve: true, comment: '' },
      { openId: 'ou_me_2', certNos: ['C1'] },
      { code: 'SUBSTITUTION.OWN_REQUEST' },
    ],
    [
      'the requester even when the card went to them by mistake',
      req({ decider: { openId: 'ou_me', role: 'head', why: null } }),
      { approve: true, comment: '' },
      me,
      { code: 'SUBSTITUTION.OWN_REQUEST' },
    ],
    [
      'a head who is the requester (the liaison decides)',
      req({ requestedBy: 'ou_head', outCert: 'H1', decider: liaisonForRequester }),
      { approve: true, comment: '' },
      head,
      { code: 'SUBSTITUTION.OWN_REQUEST' },
    ],
    [
      'another department’s head',
      pending,
      { approve: true, comment: '' },
      otherHead,
      { code: 'SUBSTITUTION.NOT_DECIDER' },
    ],
    [
      'another inspector',
      pending,
      { approve: true, comment: '' },
      otherInspector,
      { code: 'SUBSTITUTION.NOT_DECIDER' },
    ],
    [
      'the liaison when the head decides',
      pending,
      { approve: true, comment: '' },
      liaison,
      { code: 'SUBSTITUTION.NOT_DECIDER' },
    ],
    [
      'the head when the request went to the liaison (head unresolved at the time)',
      req({ decider: liaisonForUnresolved }),
      { approve: true, comment: '' },
      head,
      { code: 'SUBSTITUTION.NOT_DECIDER' },
    ],
    [
      'a pending request on a voided task',
      voided,
      { approve: true, comment: '' },
      head,
      { code: 'TASK.VOID', details: { reason: '重复立项' } },
    ],
    [
      'a voided task with no reason recorded',
      req({ taskState: 'void', voidReason: null }),
      { approve: false, comment: '作废' },
      head,
      { code: 'TASK.VOID', details: { reason: '' } },
    ],
    [
      'a rejection without a comment',
      pending,
      { approve: false, comment: '' },
      head,
      { code: 'SUBSTITUTION.COMMENT_REQUIRED' },
    ],
    [
      'a rejection with a blank comment',
      pending,
      { approve: false, comment: ' \n\t ' },
      head,
      { code: 'SUBSTITUTION.COMMENT_REQUIRED' },
    ],
    [
      'a rejection comment of 501 characters',
      pending,
      { approve: false, comment: '驳'.repeat(501) },
      head,
      { code: 'SUBSTITUTION.NOTE_TOO_LONG', details: { max: '500' } },
    ],
    [
      'an approval comment of 501 characters',
      pending,
      { approve: true, comment: '好'.repeat(501) },
      head,
      { code: 'SUBSTITUTION.NOTE_TOO_LONG', details: { max: '500' } },
    ],
    ...decidedStates.map(
      (state): [string, SubstitutionRequest, { approve: boolean; comment: string }, Actor, object] => [
        `deciding the ${state} request again`,
        decidedAs(state),
        { approve: true, comment: '' },
        head,
        { code: 'SUBSTITUTION.ALREADY_DECIDED', details: { state } },
      ],
    ),
  ])('refuses %s, and nothing changes', (_what, r, decision, actor, refusal) => {
    const before = structuredClone(r);
    expect(decideSubstitution(r, decision, actor, later)).toEqual({ ok: false, ...refusal });
    expect(r).toEqual(before);
  });

  it('an outsider learns nothing: not that it was decided, nor that the task is void', () => {
    for (const actor of [otherHead, otherInspector, liaison]) {
      for (const state of decidedStates)
        expect(decideSubstitution(decidedAs(state), { approve: true, comment: '' }, actor, later)).toEqual({
          ok: false,
          code: 'SUBSTITUTION.NOT_DECIDER',
        });
      expect(decideSubstitution(voided, { approve: false, comment: '' }, actor, later)).toEqual({
        ok: false,
        code: 'SUBSTITUTION.NOT_DECIDER',
      });
    }
  });

  it('the requester is told it is their own request, whatever its state', () => {
    for (const r of [...decidedStates.map(decidedAs), voided])
      expect(decideSubstitution(r, { approve: true, comment: '' }, me, later)).toEqual({
        ok: false,
        code: 'SUBSTITUTION.OWN_REQUEST',
      });
  });

  it('the decider hears it was decided before anything about the task or the comment', () => {
    const decidedOnVoid = req({ state: 'approved', taskState: 'void', voidReason: '重复立项', version: 2 });
    expect(decideSubstitution(decidedOnVoid, { approve: false, comment: '' }, head, later)).toEqual({
      ok: false,
      code: 'SUBSTITUTION.ALREADY_DECIDED',
      details: { state: 'approved' },
    });
    expect(
      decideSubstitution(decidedAs('rejected'), { approve: false, comment: '' }, head, later),
    ).toMatchObject({
      code: 'SUBSTITUTION.ALREADY_DECIDED',
    });
    expect(decideSubstitution(voided, { approve: false, comment: '' }, head, later)).toMatchObject({
      code: 'TASK.VOID',
    });
  });
});

describe('when a pending request lapses (lapseOf)', () => {
  // Requested Tue 2026-12-01 14:03; the first working day after is Wed 2026-12-02, so it reminds from 14:03.
  const at = {
    today: '2026-12-02',
    windowEnd: '2026-12-18',
    nowLocal: '2026-12-02 14:03',
    remindAt: '2026-12-02 14:03',
    workingDay: true,
  };

  it('reminds exactly at remindAt on a working day', () => {
    expect(lapseOf(pending, at)).toBe('remind');
  });

  it('not one minute before', () => {
    expect(lapseOf(pending, { ...at, nowLocal: '2026-12-02 14:02' })).toBeNull();
    expect(lapseOf(pending, { ...at, today: '2026-12-01', nowLocal: '2026-12-01 23:59' })).toBeNull();
  });

  it('still says remind later on (the scheduler keys the occasion, so it is sent once)', () => {
    expect(lapseOf(pending, { ...at, nowLocal: '2026-12-02 18:00' })).toBe('remind');
    expect(lapseOf(pending, { ...at, today: '2026-12-07', nowLocal: '2026-12-07 09:00' })).toBe('remind');
  });

  it('never reminds on a non-working day, even past remindAt', () => {
    expect(
      lapseOf(pending, { ...at, today: '2026-12-05', nowLocal: '2026-12-05 10:00', workingDay: false }),
    ).toBeNull();
    expect(lapseOf(pending, { ...at, workingDay: false })).toBeNull();
  });

  it('reminds, not expires, on the window’s last day', () => {
    expect(
      lapseOf(pending, { ...at, today: '2026-12-18', nowLocal: '2026-12-18 23:59', windowEnd: '2026-12-18' }),
    ).toBe('remind');
    expect(
      lapseOf(pending, {
        ...at,
        today: '2026-12-18',
        nowLocal: '2026-12-18 09:00',
        remindAt: '2026-12-18 14:03',
        windowEnd: '2026-12-18',
      }),
    ).toBeNull();
  });

  it('expires the day after the window’s end, working day or not, reminded or not', () => {
    const dayAfter = { ...at, today: '2026-12-19', nowLocal: '2026-12-19 00:00' };
    expect(lapseOf(pending, dayAfter)).toBe('expire');
    expect(lapseOf(pending, { ...dayAfter, workingDay: false })).toBe('expire');
    expect(lapseOf(pending, { ...dayAfter, remindAt: '2026-12-21 14:03' })).toBe('expire');
    expect(
      lapseOf(pending, {
        ...at,
        windowEnd: '2026-12-31',
        today: '2027-01-01',
        nowLocal: '2027-01-01 00:00',
        workingDay: false,
      }),
    ).toBe('expire');
  });

  it('does nothing to a request that is not pending', () => {
    for (const state of decidedStates) {
      expect(lapseOf({ state }, at)).toBeNull();
      expect(lapseOf({ state }, { ...at, today: '2026-12-19', nowLocal: '2026-12-19 10:00' })).toBeNull();
    }
  });
});

describe('expiring a request (expireSubstitution)', () => {
  it('expired by the system at now, version bumped, with an audit entry', () => {
    const end = new Date('2026-12-18T16:00:30.000Z');
    expect(expireSubstitution(pending, end)).toEqual({
      ok: true,
      next: {
        ...pending,
        state: 'expired',
        decidedBy: 'system',
        decidedAt: '2026-12-18T16:00:30.000Z',
        comment: null,
        inCert: null,
        version: 2,
      },
      effects: [{ kind: 'audit', action: 'substitution.expire', subject: 'T1', details: pendingDetails }],
    });
  });

  it('names no note in the audit entry when the request had none', () => {
    const t = expireSubstitution(req({ note: null, version: 7 }), later);
    expect(t.next.version).toBe(8);
    expect(t.effects).toEqual([
      {
        kind: 'audit',
        action: 'substitution.expire',
        subject: 'T1',
        details: { request: 'R1', team: 2, dept: '市场监管局', out: 'C1', reason: '工作冲突' },
      },
    ]);
  });
});
