import { describe, expect, it } from 'vitest';
import { stepTask, type TaskStatus } from '../../src/domain/task-lifecycle.ts';

const now = new Date('2026-12-01T06:00:00Z');
const task = (state: TaskStatus['state']): TaskStatus => ({
  id: 'T',
  state,
  voidReason: null,
  voidedAt: null,
});

describe('the task lifecycle', () => {
  it('goes draft → frozen → locked → closed, one step at a time', () => {
    expect(stepTask(task('draft'), 'freeze', now)).toMatchObject({ ok: true, next: { state: 'frozen' } });
    expect(stepTask(task('frozen'), 'lock', now)).toMatchObject({ ok: true, next: { state: 'locked' } });
    expect(stepTask(task('locked'), 'close', now)).toMatchObject({ ok: true, next: { state: 'closed' } });
  });
  it.each([
    ['frozen', 'freeze'],
    ['draft', 'lock'],
    ['locked', 'freeze'],
    ['frozen', 'close'],
    ['void', 'lock'],
    ['void', 'void'],
    ['closed', 'lock'],
  ] as const)('refuses %s → %s', (state, step) => {
    expect(stepTask(task(state), step, now, 'x')).toMatchObject({ ok: false, code: 'TASK.WRONG_STATE' });
  });
  it('voids from any other state, with a reason, keeping when and why', () => {
    for (const state of ['draft', 'frozen', 'locked', 'closed'] as const)
      expect(stepTask(task(state), 'void', now, '重复立项')).toEqual({
        ok: true,
        next: { id: 'T', state: 'void', voidReason: '重复立项', voidedAt: '2026-12-01T06:00:00.000Z' },
        effects: [
          {
            kind: 'audit',
            action: 'task.void',
            subject: 'T',
            details: { reason: '重复立项', previousState: state },
          },
        ],
      });
    expect(stepTask(task('locked'), 'void', now, '  ')).toEqual({
      ok: false,
      code: 'TASK.VOID_NEEDS_REASON',
    });
  });
});
