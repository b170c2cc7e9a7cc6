/**
 * The substitution workflow (更换申请) as its users live it, through the real SDK and the fake Feishu: an inspector
 * asks to be replaced, people who are not their head are refused, the head approves, the replacement is drawn and
 * gets an assignment card, the requester and the leader are told, every card updates in place, and the draw still
 * verifies. The bot's clock is the office's Wednesday 2026-12-02 10:00 (the inspection window is December 2026).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { independentVerifier } from '../../helpers/verifier.ts';
import { dialects } from '../../helpers/stores.ts';
import {
  activeMembers,
  auditCount,
  buttonValues,
  cardsTo,
  cardText,
  cardTitle,
  type E2E,
  type Member,
  type RunningBot,
} from './setup.ts';
import { action, HEAD, LIAISON, substitutionRig } from './substitution-rig.ts';

const sqlite = dialects()[0]!;

describe('substitution requests end to end (SQLite)', () => {
  let r: Awaited<ReturnType<typeof substitutionRig>>;
  let e: E2E;
  let bot: RunningBot;
  let taskId: string;

  beforeAll(async () => {
    r = await substitutionRig(sqlite.fresh);
    ({ e, bot, taskId } = r);
  });
  afterAll(async () => {
    await e?.close();
  });

  const press = (who: string, value: Record<string, unknown>, formValue?: Record<string, unknown>) =>
    r.press(bot, who, value, formValue);
  const assignmentCardOf = (m: Member) => r.assignmentCardOf(m);
  const ask = (m: Member, reason: string, note = '') => r.ask(m, reason, note);
  /** The newest approval card the person received. */
  const approvalCardTo = (openId: string) => r.approvalsTo(openId).at(-1);

  async function requestRow(certNo: string) {
    return e.store.db
      .selectFrom('substitutions')
      .selectAll()
      .where('task_id', '=', taskId)
      .where('out_cert', '=', certNo)
      .orderBy('requested_at', 'desc')
      .executeTakeFirst();
  }

  it('an inspector asks, others are refused, the head approves, and everyone hears', async () => {
    const members = await activeMembers(e.store, taskId);
    const requester = members.find((m) => m.dept === 'WJW' && m.team === 1)!;
    const leader = members.find((m) => m.leader && m.team === 1)!;

    // The form needs a note for 需回避: refused with the reason, nothing saved.
    const noNote = await ask(requester, 'CONFLICT_OF_INTEREST');
    expect(noNote.toast?.type).toBe('error');
    expect(noNote.toast?.content).toContain('须填写说明');
    expect(await requestRow(requester.certNo)).toBeUndefined();

    const asked = await ask(requester, 'WORK_CONFLICT', '12月上旬在外省培训');
    expect(asked.toast?.type).toBe('success');
    const pendingCard = asked.card!.data;
    expect(cardText(pendingCard)).toContain('工作冲突');
    expect(action(pendingCard, 'substitution.withdraw')).toBeDefined();
    expect(action(pendingCard, 'substitution.form')).toBeUndefined(); // once while pending

    // Asking again while pending is refused.
    const again = await press(requester.openId, {
      ...action(assignmentCardOf(requester).card, 'substitution.form')!,
    });
    expect(again.toast?.content ?? '').toMatch(/正在等待审批|已提交/);

    await bot.drain();
    const approval = approvalCardTo(HEAD.WJW);
    expect(approval, 'the WJW head got the approval card').toBeDefined();
    const text = cardText(approval!.card);
    expect(text).toContain(requester.name);
    expect(text).toContain('市卫生健康委员会');
    expect(text).toContain('工作冲突');
    expect(text).toContain('12月上旬在外省培训');
    expect(text).toContain('2026-12-02 10:0'); // asked at, Beijing time
    const approve = action(approval!.card, 'substitution.approve')!;
    const reject = action(approval!.card, 'substitution.reject')!;
    expect(approve).toBeDefined();
    expect(reject).toBeDefined();

    // Another department's head, another inspector, and the requester themselves: refused, nothing changes.
    for (const who of [HEAD.SCJG, leader.openId]) {
      const refused = await press(who, approve, {});
      expect(refused.toast?.type, who).toBe('error');
      expect(refused.card, 'no card for someone who may not decide').toBeUndefined();
    }
    const own = await press(requester.openId, approve, {});
    expect(own.toast?.content).toContain('本人');
    expect((await requestRow(requester.certNo))!.state).toBe('pending');
    expect(await auditCount(e.store, 'substitution.approve', taskId)).toBe(0);

    // Rejecting needs a comment.
    const bare = await press(HEAD.WJW, reject, { comment: '  ' });
    expect(bare.toast?.content).toContain('意见');

    const approved = await press(HEAD.WJW, approve, { comment: '' });
    expect(approved.toast?.type).toBe('success');
    const row = (await requestRow(requester.certNo))!;
    expect(row.state).toBe('approved');
    expect(row.decided_by).toBe(HEAD.WJW);
    const replacement = (await activeMembers(e.store, taskId)).find((m) => m.team === 1 && m.dept === 'WJW')!;
    expect(replacement.certNo).toBe(row.in_cert);
    expect(replacement.certNo).not.toBe(requester.certNo);
    const decided = cardText(approved.card!.data);
    expect(decided).toContain(replacement.name);
    expect(action(approved.card!.data, 'substitution.approve')).toBeUndefined();

    // A second press of 同意 does nothing more.
    const twice = await press(HEAD.WJW, approve, {});
    expect(twice.toast?.content).toContain('已同意');
    expect(await auditCount(e.store, 'substitution.approve', taskId)).toBe(1);

    await bot.drain();
    // The requester: told who replaces them; their old assignment card says so and has no buttons.
    const toRequester = cardsTo(e.fake, requester.openId).map((m) => cardText(m.card));
    expect(toRequester.some((t) => t.includes(replacement.name) && t.includes('接替'))).toBe(true);
    const oldCard = assignmentCardOf(requester);
    expect(oldCard.patches.length).toBeGreaterThan(0);
    expect(cardText(oldCard.card)).toContain('已被更换');
    expect(buttonValues(oldCard.card)).toEqual([]);
    // …and a stale button on it gets a clear toast.
    const stale = await press(requester.openId, {
      action: 'assignment.confirm',
      task: taskId,
      team: 1,
      cert: requester.certNo,
      v: 1,
    });
    expect(stale.toast?.content).toContain('已更换');

    // The replacement: a full assignment card with 确认 and 申请更换.
    const theirs = assignmentCardOf(replacement);
    expect(theirs).toBeDefined();
    expect(action(theirs.card, 'assignment.confirm')).toBeDefined();
    expect(action(theirs.card, 'substitution.form')).toBeDefined();
    // The leader: who changed.
    expect(
      cardsTo(e.fake, leader.openId).some(
        (m) => cardText(m.card).includes(requester.name) && cardText(m.card).includes(replacement.name),
      ),
    ).toBe(true);

    const verify = await e.cli(['draw', 'verify', taskId]);
    expect(verify.stdout.trim()).toBe('MATCH');
    const show = await e.cli(['task', 'show', taskId]);
    expect(show.stdout).toContain('工作冲突');
    expect(show.stdout).toContain(requester.name);
  });

  it('a rejection reaches the requester with its comment, and they may ask again; a withdrawal ends a request', async () => {
    const members = await activeMembers(e.store, taskId);
    const requester = members.find((m) => m.dept === 'YJGL' && m.team === 1)!;
    await ask(requester, 'HEALTH');
    await bot.drain();
    const approval = approvalCardTo(HEAD.YJGL)!;
    const rejected = await press(HEAD.YJGL, action(approval.card, 'substitution.reject')!, {
      comment: '请克服困难，按时参加',
    });
    expect(rejected.toast?.type).toBe('success');
    expect(cardText(rejected.card!.data)).toContain('请克服困难，按时参加');
    await bot.drain();
    expect(
      cardsTo(e.fake, requester.openId).some((m) => cardText(m.card).includes('请克服困难，按时参加')),
    ).toBe(true);
    expect((await requestRow(requester.certNo))!.state).toBe('rejected');
    expect(action(assignmentCardOf(requester).card, 'substitution.form')).toBeDefined();

    // Asked again, then withdrawn: the head's card says so, and approving it now changes nothing.
    const asked = await ask(requester, 'POST_CHANGE');
    const withdrawn = await press(requester.openId, action(asked.card!.data, 'substitution.withdraw')!);
    expect(withdrawn.toast?.type).toBe('success');
    expect((await requestRow(requester.certNo))!.state).toBe('withdrawn');
    await bot.drain();
    const second = approvalCardTo(HEAD.YJGL)!;
    expect(cardText(second.card)).toContain('撤回');
    const withdrawnId = (await requestRow(requester.certNo))!.id;
    const late = await press(HEAD.YJGL, { action: 'substitution.approve', id: withdrawnId, v: 1 }, {});
    expect(late.toast?.content).toContain('已撤回');
    expect((await activeMembers(e.store, taskId)).some((m) => m.certNo === requester.certNo)).toBe(true);
  });

  it('a replaced leader is succeeded as leader; when nobody is left the approval is refused and the liaison told; export → verify', async () => {
    // Team 2's leader asks again and again: each approval draws from those never on the team, until none is left.
    let approvals = 0;
    for (;;) {
      const leader = (await activeMembers(e.store, taskId)).find((m) => m.team === 2 && m.leader)!;
      await ask(leader, 'WORK_CONFLICT');
      await bot.drain();
      const card = approvalCardTo(HEAD.SCJG)!;
      const out = await press(HEAD.SCJG, action(card.card, 'substitution.approve')!, {});
      if (out.toast?.type !== 'success') {
        expect(out.toast?.content).toContain('无法更换');
        expect(out.toast?.content).toContain('市市场监督管理局');
        expect((await requestRow(leader.certNo))!.state).toBe('pending');
        await bot.drain();
        const toLiaison = cardsTo(e.fake, LIAISON.SCJG).map((m) => cardText(m.card));
        expect(toLiaison.some((t) => t.includes('市市场监督管理局'))).toBe(true);
        break;
      }
      approvals++;
      await bot.drain();
      const now = (await activeMembers(e.store, taskId)).filter((m) => m.team === 2);
      expect(now.filter((m) => m.leader)).toHaveLength(1);
      expect(now.find((m) => m.leader)!.dept).toBe('SCJG');
      expect(now.find((m) => m.leader)!.certNo).not.toBe(leader.certNo);
      expect(approvals).toBeLessThan(20);
    }
    expect(approvals).toBeGreaterThanOrEqual(2);
    const newLeader = (await activeMembers(e.store, taskId)).find((m) => m.team === 2 && m.leader)!;
    const card = cardsTo(e.fake, newLeader.openId)
      .filter((x) => cardTitle(x.card) === '检查任务通知')
      .at(-1)!;
    expect(cardText(card.card)).toMatch(new RegExp(`${newLeader.name}（市市场监督管理局，组长）`));

    const dir = mkdtempSync(join(tmpdir(), 'liancha-sub-export-'));
    const exported = await e.cli(['draw', 'export', taskId, `${dir}/draw.json`]);
    expect(exported.code).toBe(0);
    const record = JSON.parse(readFileSync(`${dir}/draw.json`, 'utf8'));
    const team2 = record.substitutions.filter((s: { team: number }) => s.team === 2);
    expect(team2.map((s: { n: number }) => s.n)).toEqual(team2.map((_: unknown, i: number) => i + 1));
    expect(team2.length).toBe(approvals);
    expect((await e.cli(['draw', 'verify', taskId])).stdout.trim()).toBe('MATCH');
    // The published Python verifier replays the substitutions too, from the export alone.
    expect(independentVerifier(`${dir}/draw.json`)).toBe('MATCH');
  });
});
