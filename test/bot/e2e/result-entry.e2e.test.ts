/**
 * Entering results in chat (结果录入), through the real SDK and the fake Feishu: 录入结果 on the assignment card opens
 * the card for the officer's own department; two departments on one target each enter their part and the second
 * completes it; a bad date is refused with a toast naming the field and the target; an edit is audited; a member of
 * another team is refused; a closed task takes no more. The bot lives on the office's 2026-12-10 10:00 (a Thursday
 * inside the food task's window, 2026-12-01 to 2026-12-31).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../helpers/stores.ts';
import {
  activeMembers,
  auditCount,
  cardsTo,
  cardText,
  cardTitle,
  e2e,
  type E2E,
  type Member,
  type RunningBot,
} from './setup.ts';
import { action, type Answer } from './substitution-rig.ts';

const NOW = Date.parse('2026-12-10T10:00:00+08:00');

describe('result entry in chat (SQLite)', () => {
  let e: E2E;
  let bot: RunningBot;
  let taskId: string;
  let members: Member[];

  beforeAll(async () => {
    e = await e2e(dialects()[0]!.fresh);
    bot = await e.startBot({ clock: e.useClock(NOW) });
    taskId = await e.createFoodTask();
    await e.drawTask(taskId);
    await bot.drain();
    members = await activeMembers(e.store, taskId);
  });
  afterAll(async () => {
    await e?.close();
  });

  const press = async (who: string, value: Record<string, unknown>, formValue?: Record<string, unknown>) =>
    (
      await bot.callbacks.cardAction({
        operatorOpenId: who,
        value,
        ...(formValue ? { formValue } : {}),
      })
    ).body as Answer;

  /** 录入结果 on the member's assignment card: the entry card for their department. */
  async function openEntry(m: Member) {
    const assignment = cardsTo(e.fake, m.openId).find((x) => cardTitle(x.card) === '检查任务通知')!;
    const open = action(assignment.card, 'result.open');
    expect(open, 'the assignment card has 录入结果').toBeDefined();
    return press(m.openId, open!);
  }

  /** Submits the form of the target at `index` on the entry card with these values. */
  async function submit(
    m: Member,
    card: Record<string, unknown>,
    index: number,
    values: Record<string, unknown>,
  ) {
    const submits = [] as Record<string, unknown>[];
    const walk = (n: unknown) => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== 'object') return;
      const o = n as Record<string, unknown>;
      if (o.tag === 'button' && Array.isArray(o.behaviors))
        for (const b of o.behaviors as { value?: Record<string, unknown> }[])
          if (b.value?.action === 'result.submit') submits.push(b.value);
      Object.values(o).forEach(walk);
    };
    walk(card);
    const prefix = `t${index}_`;
    const form = Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));
    return press(m.openId, submits[index]!, form);
  }

  async function resultRows(uscc: string) {
    return e.store.db
      .selectFrom('results')
      .selectAll()
      .where('task_id', '=', taskId)
      .where('uscc', '=', uscc)
      .execute();
  }

  it('two departments enter their parts of one target; the second completes it', async () => {
    const leader = members.find((m) => m.team === 1 && m.leader)!;
    const wjw = members.find((m) => m.team === 1 && m.dept === 'WJW')!;
    const opened = await openEntry(leader);
    expect(opened.toast).toBeUndefined();
    const card = opened.card!.data;
    expect(cardTitle(card)).toBe('结果录入');
    expect(cardText(card)).toContain('市市场监督管理局');
    const first = await e.store.db
      .selectFrom('team_targets as tt')
      .innerJoin('targets as t', 't.uscc', 'tt.uscc')
      .select(['t.uscc', 't.name'])
      .where('tt.task_id', '=', taskId)
      .where('tt.team_no', '=', 1)
      .orderBy('tt.position')
      .executeTakeFirstOrThrow();

    // A date after today is refused, naming the field and the target; nothing is saved.
    const future = await submit(leader, card, 0, {
      categories: ['NO_ISSUE'],
      date: '2026-12-20 +0800',
    });
    expect(future.toast?.type).toBe('error');
    expect(future.toast?.content).toContain('检查日期');
    expect(future.toast?.content).toContain(first.name);
    expect(await resultRows(first.uscc)).toEqual([]);

    // 未发现问题 with another result is refused too.
    const both = await submit(leader, card, 0, {
      categories: ['NO_ISSUE', 'CORRECTED'],
      date: '2026-12-08 +0800',
    });
    expect(both.toast?.content).toContain('未发现问题');

    const saved = await submit(leader, card, 0, {
      categories: ['CORRECTED'],
      date: '2026-12-08 +0800',
      methods: ['书面检查'],
      note: '后厨卫生已整改',
    });
    expect(saved.toast).toMatchObject({ type: 'success' });
    expect(saved.toast?.content).toContain(first.name);
    const after = cardText(saved.card!.data);
    expect(after).toContain('发现问题已责令改正');
    expect(after).toContain('市卫生健康委员会'); // still missing
    let rows = await resultRows(first.uscc);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ dept: 'SCJG', inspected_on: '2026-12-08', entered_by: leader.openId });

    const wjwCard = (await openEntry(wjw)).card!.data;
    expect(cardText(wjwCard)).toContain('市卫生健康委员会');
    await submit(wjw, wjwCard, 0, { categories: ['NO_ISSUE'], date: '2026-12-08 +0800' });
    const yjgl = members.find((m) => m.team === 1 && m.dept === 'YJGL')!;
    const yjglCard = (await openEntry(yjgl)).card!.data;
    const done = await submit(yjgl, yjglCard, 0, { categories: ['NO_ISSUE'], date: '2026-12-08 +0800' });
    expect(done.toast?.type).toBe('success');
    rows = await resultRows(first.uscc);
    expect(rows.map((r) => r.dept).sort()).toEqual(['SCJG', 'WJW', 'YJGL']);

    const show = await e.cli(['task', 'show', taskId]);
    expect(show.stdout).toMatch(new RegExp(`${first.uscc}\\t${first.name}\\t✅ complete`));
    // The other targets of team 1 are pending with the deadline of a window's-end date.
    expect(show.stdout).toContain('⏳ due');

    // An edit replaces the part and is audited (every version is in the log).
    expect(await auditCount(e.store, 'result.enter', taskId)).toBe(3);
    const edit = await submit(wjw, (await openEntry(wjw)).card!.data, 0, {
      categories: ['PENDING_FOLLOWUP'],
      date: '2026-12-08 +0800',
      followup: '移交卫生监督所立案',
    });
    expect(edit.toast?.type).toBe('success');
    expect(await auditCount(e.store, 'result.edit', taskId)).toBe(1);
    const wjwRow = (await resultRows(first.uscc)).find((r) => r.dept === 'WJW')!;
    expect(wjwRow.version).toBe(2);
    expect(JSON.parse(wjwRow.categories)).toEqual(['PENDING_FOLLOWUP']);

    // An edit from a card older than that version is refused, with the current card.
    const stale = await submit(wjw, wjwCard, 0, { categories: ['NO_ISSUE'], date: '2026-12-08 +0800' });
    expect(stale.toast?.content).toContain('已被更新');
    expect(stale.card).toBeDefined();
  });

  it('a member of another team is refused, and a closed task takes no more results', async () => {
    const leader1 = members.find((m) => m.team === 1 && m.leader)!;
    const other = members.find((m) => m.team === 2)!;
    const team1Card = (await openEntry(leader1)).card!.data;
    const open = action(team1Card, 'result.submit')!;
    const refused = await press(other.openId, open, {
      t0_categories: ['NO_ISSUE'],
      t0_date: '2026-12-08 +0800',
    });
    expect(refused.toast?.type).toBe('error');
    expect(refused.toast?.content).toContain('只有本检查组的成员');
    expect(refused.card).toBeUndefined();

    const notYet = await e.cli(['task', 'close', taskId]);
    expect(notYet.code).toBe(1);
    expect(notYet.stderr).toContain('missing');
    const closed = await e.cli(['task', 'close', taskId, '--force', '--reason', '部分对象已注销，无法检查']);
    expect(closed.code, closed.stderr).toBe(0);
    const late = await submit(leader1, team1Card, 1, { categories: ['NO_ISSUE'], date: '2026-12-09 +0800' });
    expect(late.toast?.content).toContain('任务已结束');
    expect(await auditCount(e.store, 'task.close', taskId)).toBe(1);
    const entry = await e.store.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'task.close')
      .executeTakeFirstOrThrow();
    const details = JSON.parse(entry.details) as { forced: boolean; reason: string; missing: unknown[] };
    expect(details.forced).toBe(true);
    expect(details.reason).toBe('部分对象已注销，无法检查');
    expect(details.missing.length).toBeGreaterThan(0);
  });
});
