import { describe, expect, it } from 'vitest';
import { confirmAssignment, type Assignment } from '../../src/domain/assignment.ts';
import { localDate, localTime } from '../../src/domain/time.ts';

const base: Assignment = {
  taskId: 'T1',
  taskState: 'locked',
  voidReason: null,
  team: 2,
  certNo: 'C1',
  active: true,
  confirmedAt: null,
  confirmedBy: null,
  version: 1,
};
const me = { openId: 'ou_me', certNos: ['C1'] };
const now = new Date('2026-12-01T06:03:04.567Z');

describe('confirming an assignment (pure rule)', () => {
  it('the assignee confirms: next state, an audit entry and the card to update', () => {
    const t = confirmAssignment(base, { version: 1 }, me, now);
    expect(t).toEqual({
      ok: true,
      next: { ...base, confirmedAt: '2026-12-01T06:03:04.567Z', confirmedBy: 'ou_me', version: 2 },
      effects: [
        { kind: 'audit', action: 'assignment.confirm', subject: 'T1', details: { team: 2, certNo: 'C1' } },
        { kind: 'update-card', card: 'assignment', taskId: 'T1', team: 2, certNo: 'C1' },
      ],
    });
  });

  it.each<[string, Assignment | null, { openId: string; certNos: string[] }, number, string]>([
    ['no such assignment', null, me, 1, 'ASSIGNMENT.NOT_FOUND'],
    ['a voided task', { ...base, taskState: 'void', voidReason: '重复' }, me, 1, 'TASK.VOID'],
    ['someone else', base, { openId: 'ou_x', certNos: ['C2'] }, 1, 'ASSIGNMENT.NOT_ASSIGNEE'],
    [
      'someone else, even on a replaced row',
      { ...base, active: false },
      { openId: 'ou_x', certNos: [] },
      1,
      'ASSIGNMENT.NOT_ASSIGNEE',
    ],
    ['a replaced inspector', { ...base, active: false }, me, 1, 'ASSIGNMENT.REPLACED'],
    [
      'twice',
      { ...base, confirmedAt: '2026-11-30T01:00:00Z', version: 2 },
      me,
      2,
      'ASSIGNMENT.ALREADY_CONFIRMED',
    ],
    ['from an outdated card', { ...base, version: 3 }, me, 1, 'CARD.STALE'],
  ])('%s is refused', (_what, a, actor, version, code) => {
    const t = confirmAssignment(a, { version }, actor, now);
    expect(t.ok).toBe(false);
    expect(!t.ok && t.code).toBe(code);
  });

  it('a voided task names its reason', () => {
    const t = confirmAssignment({ ...base, taskState: 'void', voidReason: '重复' }, { version: 1 }, me, now);
    expect(t).toEqual({ ok: false, code: 'TASK.VOID', details: { reason: '重复' } });
  });
});

describe('times for people', () => {
  it('are wall-clock time in the given zone, to the minute', () => {
    expect(localTime('2026-12-01T06:03:04.567Z', 'Asia/Shanghai')).toBe('2026-12-01 14:03');
    expect(localTime('2026-12-31T16:30:00Z', 'Asia/Shanghai')).toBe('2027-01-01 00:30');
    expect(localDate('2026-12-31T16:30:00Z', 'Asia/Shanghai')).toBe('2027-01-01');
    expect(localTime('2026-12-01T06:03:00Z', 'Asia/Urumqi')).toBe('2026-12-01 12:03');
  });
});
