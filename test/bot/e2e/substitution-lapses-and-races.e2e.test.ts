/**
 * The substitution workflow at its edges: a request nobody decides (the one-day reminder and the expiry at the end
 * of the window, driven by `liancha tick --at`), decisions racing on SQLite and PostgreSQL, who gets the card when
 * the head is the requester or unreachable, and requests that come too late or on a voided task.
 * The bot's clock is the office's Wednesday 2026-12-02 10:00; the window is 2026-12-01 to 2026-12-31.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../helpers/stores.ts';
import { activeMembers, auditCount, cardsTo, cardText } from './setup.ts';
import { action, HEAD, LIAISON, substitutionRig } from './substitution-rig.ts';

describe('a request nobody decides (SQLite)', () => {
  let r: Awaited<ReturnType<typeof substitutionRig>>;
  beforeAll(async () => {
    r = await substitutionRig(dialects()[0]!.fresh);
  });
  afterAll(async () => {
    await r?.e.close();
  });

  const tick = async (at: string) => {
    const res = await r.e.cli(['tick', '--at', at, '--json']);
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as { jobs: { name: string; counts?: Record<string, number> }[] };
    return report.jobs.find((j) => j.name === 'substitution-lapses')!.counts!;
  };

  it('reminds the decider once after one working day, and expires when the window has ended', async () => {
    const requester = (await activeMembers(r.e.store, r.taskId)).find(
      (m) => m.dept === 'WJW' && m.team === 1,
    )!;
    expect((await r.ask(requester)).toast?.type).toBe('success');
    await r.bot.drain();
    expect(r.approvalsTo(HEAD.WJW)).toHaveLength(1);

    // Asked Wednesday 2026-12-02 at 10:00; the next working day is Thursday 2026-12-03: due at 10:00 that day.
    expect(await tick('2026-12-03T09:59:00+08:00')).toEqual({ reminded: 0, expired: 0 });
    expect(await tick('2026-12-03T10:01:00+08:00')).toEqual({ reminded: 1, expired: 0 });
    expect(await tick('2026-12-03T10:01:00+08:00')).toEqual({ reminded: 0, expired: 0 });
    // After a week of downtime: still the one reminder, no backlog.
    expect(await tick('2026-12-10T10:00:00+08:00')).toEqual({ reminded: 0, expired: 0 });
    await r.bot.drain();
    const cards = r.approvalsTo(HEAD.WJW);
    expect(cards).toHaveLength(2);
    expect(cardText(cards[1]!.card)).toContain('该申请已等待超过一个工作日');
    // The reminder carries working buttons of its own.
    expect(action(cards[1]!.card, 'substitution.approve')).toBeDefined();

    // The window's last day still counts; the day after, the request expires and the requester hears.
    expect(await tick('2026-12-31T23:59:00+08:00')).toEqual({ reminded: 0, expired: 0 });
    expect(await tick('2027-01-01T00:00:00+08:00')).toEqual({ reminded: 0, expired: 1 });
    expect(await tick('2027-01-01T00:01:00+08:00')).toEqual({ reminded: 0, expired: 0 });
    expect((await r.requestOf(requester.certNo)).state).toBe('expired');
    await r.bot.drain();
    const told = cardsTo(r.e.fake, requester.openId).map((m) => cardText(m.card));
    expect(told.some((t) => t.includes('无人审批') && t.includes('2027-01-01 00:00'))).toBe(true);
    // Both of the head's cards now say it expired, without buttons; a late press changes nothing.
    for (const c of r.approvalsTo(HEAD.WJW)) {
      expect(c.patches.length).toBeGreaterThan(0);
      expect(action(c.card, 'substitution.approve')).toBeUndefined();
    }
    const late = await r.press(
      r.bot,
      HEAD.WJW,
      action(cards[0]!.card, 'substitution.approve') ?? {
        action: 'substitution.approve',
        id: (await r.requestOf(requester.certNo)).id,
        v: 1,
      },
    );
    expect(late.toast?.content).toContain('已过期');
    expect(await auditCount(r.e.store, 'substitution.expire', r.taskId)).toBe(1);
    expect(await auditCount(r.e.store, 'substitution.approve', r.taskId)).toBe(0);
  });
});

describe.each(dialects())('decisions racing on $dialect', ({ fresh }) => {
  let r: Awaited<ReturnType<typeof substitutionRig>>;
  beforeAll(async () => {
    r = await substitutionRig(fresh);
  });
  afterAll(async () => {
    await r?.e.close();
  });

  it('two presses of 同意 at once approve once; 同意 against 驳回 has exactly one outcome', async () => {
    const members = await activeMembers(r.e.store, r.taskId);
    const first = members.find((m) => m.dept === 'WJW' && m.team === 1)!;
    await r.ask(first);
    await r.bot.drain();
    const card = r.approvalsTo(HEAD.WJW).at(-1)!.card;
    const approve = action(card, 'substitution.approve')!;
    const answers = await Promise.all([1, 2, 3].map(() => r.press(r.bot, HEAD.WJW, approve, {})));
    expect(answers.filter((a) => a.toast?.type === 'success')).toHaveLength(1);
    expect(
      answers.filter((a) => a.toast?.type === 'info' && a.toast.content.includes('已同意')),
    ).toHaveLength(2);
    expect(await auditCount(r.e.store, 'substitution.approve', r.taskId)).toBe(1);
    const team1 = (await activeMembers(r.e.store, r.taskId)).filter((m) => m.team === 1 && m.dept === 'WJW');
    expect(team1).toHaveLength(1);

    const second = members.find((m) => m.dept === 'YJGL' && m.team === 1)!;
    await r.ask(second);
    await r.bot.drain();
    const card2 = r.approvalsTo(HEAD.YJGL).at(-1)!.card;
    const [a, b] = await Promise.all([
      r.press(r.bot, HEAD.YJGL, action(card2, 'substitution.approve')!, {}),
      r.press(r.bot, HEAD.YJGL, action(card2, 'substitution.reject')!, { comment: '不同意' }),
    ]);
    const winners = [a, b].filter((x) => x.toast?.type === 'success');
    expect(winners).toHaveLength(1);
    const state = (await r.requestOf(second.certNo)).state;
    expect(['approved', 'rejected']).toContain(state);
    const loser = winners[0] === a ? b : a;
    expect(loser.toast?.content).toContain(state === 'approved' ? '已同意' : '已驳回');
    expect(loser.card, 'the loser sees the card as it is now').toBeDefined();
    const stillOn = (await activeMembers(r.e.store, r.taskId)).some((m) => m.certNo === second.certNo);
    expect(stillOn).toBe(state === 'rejected');
    expect((await r.e.cli(['draw', 'verify', r.taskId])).stdout.trim()).toBe('MATCH');
  });
});

describe('who decides, and requests that come too late (SQLite)', () => {
  let r: Awaited<ReturnType<typeof substitutionRig>>;
  beforeAll(async () => {
    r = await substitutionRig(dialects()[0]!.fresh);
  });
  afterAll(async () => {
    await r?.e.close();
  });

  /** Re-imports the departments with some heads changed (by mobile). */
  async function setHeads(heads: Record<string, string>) {
    const rows = await r.e.store.db.selectFrom('departments').selectAll().orderBy('code').execute();
    const csv = ['部门编码,部门名称,负责人,联络员']
      .concat(rows.map((d) => [d.code, d.name, heads[d.code] ?? d.head ?? '', d.liaison ?? ''].join(',')))
      .join('\n');
    const file = join(mkdtempSync(join(tmpdir(), 'liancha-depts-')), 'departments.csv');
    writeFileSync(file, `${csv}\n`);
    const res = await r.e.cli(['import', 'departments', file]);
    expect(res.code, res.stderr).toBe(0);
  }

  it('the head asking for themself, or a head nobody can reach: the card goes to the liaison and says why', async () => {
    const members = await activeMembers(r.e.store, r.taskId);
    const headAsInspector = members.find((m) => m.dept === 'WJW')!;
    const mobile = headAsInspector.openId.replace(/^ou_m/, '');
    await setHeads({ WJW: mobile, YJGL: '13900000000' /* nobody in Feishu */ });

    expect((await r.ask(headAsInspector)).toast?.type).toBe('success');
    const yjgl = members.find((m) => m.dept === 'YJGL')!;
    expect((await r.ask(yjgl)).toast?.type).toBe('success');
    await r.bot.drain();

    const toWjwLiaison = r.approvalsTo(LIAISON.WJW);
    expect(toWjwLiaison).toHaveLength(1);
    expect(cardText(toWjwLiaison[0]!.card)).toContain('负责人本人即申请人');
    expect(r.approvalsTo(headAsInspector.openId)).toHaveLength(0);
    const toYjglLiaison = r.approvalsTo(LIAISON.YJGL);
    expect(toYjglLiaison).toHaveLength(1);
    expect(cardText(toYjglLiaison[0]!.card)).toContain('未关联飞书账号');

    // The head, holding the liaison's card, still cannot approve their own request; the liaison can.
    const approve = action(toWjwLiaison[0]!.card, 'substitution.approve')!;
    expect((await r.press(r.bot, headAsInspector.openId, approve, {})).toast?.content).toContain('本人');
    expect((await r.press(r.bot, LIAISON.WJW, approve, {})).toast?.type).toBe('success');
    expect((await r.requestOf(headAsInspector.certNo)).decided_by).toBe(LIAISON.WJW);
  });

  it('after the window has ended, or on a voided task, 申请更换 is refused with the reason', async () => {
    const member = (await activeMembers(r.e.store, r.taskId)).find((m) => m.dept === 'SCJG')!;
    const lateBot = await r.e.startBot({ clock: () => new Date('2027-01-02T10:00:00+08:00') });
    const late = await r.ask(member, 'HEALTH', '', lateBot);
    expect(late.toast?.type).toBe('warning');
    expect(late.toast?.content).toContain('2026-12-31');
    await lateBot.stop();

    const voided = await r.e.cli(['task', 'void', r.taskId, '--reason', '抽查事项调整，重新抽取']);
    expect(voided.code, voided.stderr).toBe(0);
    const onVoid = await r.ask(member);
    expect(onVoid.toast?.content).toContain('抽查事项调整，重新抽取');
    expect(
      await r.e.store.db
        .selectFrom('substitutions')
        .select('id')
        .where('out_cert', '=', member.certNo)
        .execute(),
    ).toEqual([]);
  });
});
