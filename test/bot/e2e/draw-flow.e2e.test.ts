/**
 * Issue flows 1–2 end to end, on SQLite and PostgreSQL: the operator's CLI freezes and runs the food draw (it only
 * queues the cards), the running bot delivers them through the real SDK to the fake Feishu, and an inspector
 * confirms with a signed, encrypted `card.action.trigger` carrying the button value taken from the delivered card.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../../helpers/stores.ts';
import {
  JOINT_CHAT,
  activeMembers,
  auditCount,
  buttonValues,
  cardText,
  cardTitle,
  cardsTo,
  confirmValue,
  e2e,
  memberRow,
  teamTargetNames,
  type E2E,
} from './setup.ts';

describe.each(dialects())('draw cards and confirmation end to end on $dialect', ({ fresh }) => {
  let e: E2E | undefined;
  afterEach(async () => {
    await e?.close();
    e = undefined;
  });

  it('freeze and run post the group cards and one assignment card per member; the assignee confirms once', async () => {
    e = await e2e(fresh);
    const bot = await e.startBot();
    const taskId = await e.createFoodTask();

    // 1. draw freeze → the freeze announcement in the joint-meeting group, with the snapshot hashes.
    const frozen = await e.cli([
      'draw',
      'freeze',
      taskId,
      '--entropy-source',
      '福彩3D 第2026330期开奖号码',
      '--json',
    ]);
    expect(frozen.code, frozen.stderr).toBe(0);
    const hashes = (JSON.parse(frozen.stdout) as { hashes: { targets: string; officers: string } }).hashes;
    await bot.drain();
    const afterFreeze = e.fake.messagesTo(JOINT_CHAT);
    expect(afterFreeze).toHaveLength(1);
    expect(cardTitle(afterFreeze[0]!.card)).toBe('抽查名单已冻结');
    expect(cardText(afterFreeze[0]!.card)).toContain(hashes.targets);
    expect(cardText(afterFreeze[0]!.card)).toContain('福彩3D 第2026330期开奖号码');
    expect(e.fake.messages).toHaveLength(1); // nobody else hears of a freeze

    // draw run → the draw-result card in the group, an assignment card to every active member.
    const run = await e.cli(['draw', 'run', taskId, '--entropy', '387', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout) as { seed: string; teams: { no: number }[] };
    await bot.drain();
    const group = e.fake.messagesTo(JOINT_CHAT);
    expect(group).toHaveLength(2);
    expect(cardTitle(group[1]!.card)).toBe('抽查结果');
    expect(cardText(group[1]!.card)).toContain(outcome.seed);
    expect(buttonValues(group[1]!.card)).toEqual([]);

    const members = await activeMembers(e.store, taskId);
    expect(members.length).toBeGreaterThanOrEqual(outcome.teams.length * 3);
    const dms = e.fake.messages.filter((m) => m.receiveIdType === 'open_id');
    expect(dms.map((m) => m.receiveId).sort()).toEqual(members.map((m) => m.openId).sort());
    expect(e.fake.duplicateCount()).toBe(0);
    for (const m of members) {
      const cards = cardsTo(e.fake, m.openId);
      expect(cards, m.name).toHaveLength(1);
      const card = cards[0]!.card!;
      expect(cardTitle(card)).toBe('检查任务通知');
      const text = cardText(card);
      const leader = members.find((x) => x.team === m.team && x.leader)!;
      expect(leader.dept).toBe('SCJG');
      expect(text).toContain(`${m.name}，您已被随机抽中`);
      expect(text).toContain(`**检查组**：第${m.team}组`);
      expect(text).toContain(`**组长**：${leader.name}`);
      for (const teammate of members.filter((x) => x.team === m.team)) expect(text).toContain(teammate.name);
      const targets = await teamTargetNames(e.store, taskId, m.team);
      expect(targets.length).toBeGreaterThan(0);
      expect(text).toContain(`**检查对象**（${targets.length} 户`);
      for (const name of targets) expect(text).toContain(name);
      expect(confirmValue(card)).toEqual({
        action: 'assignment.confirm',
        task: taskId,
        team: m.team,
        cert: m.certNo,
        v: 1,
      });
    }

    // 2. The assignee presses 确认 → 200, a success toast and the card showing the confirmation.
    const me = members.find((m) => !m.leader)!;
    const mine = cardsTo(e.fake, me.openId)[0]!;
    const press = (operatorOpenId: string, value: Record<string, unknown>) =>
      bot.callbacks.cardAction({ operatorOpenId, value, messageId: mine.messageId, chatId: mine.chatId });
    const confirmed = await press(me.openId, confirmValue(mine.card));
    expect(confirmed.status).toBe(200);
    const answer = confirmed.body as {
      toast: { type: string; content: string };
      card: { type: string; data: unknown };
    };
    expect(answer.toast).toMatchObject({ type: 'success', content: '已确认，感谢！' });
    expect(answer.card.type).toBe('raw');
    expect(cardText(answer.card.data)).toContain(`✅ 已确认：${me.name}`);
    // Confirmed: 确认 is gone; 申请更换 and 录入结果 stay (a confirmed inspector may still ask to be replaced).
    expect(buttonValues(answer.card.data).map((v) => v.action)).toEqual(['substitution.form', 'result.open']);
    const row = await memberRow(e.store, taskId, me.certNo);
    expect(row.confirmed_at).not.toBeNull();
    expect(row.confirmed_by).toBe(me.openId);
    expect(Number(row.version)).toBe(2);
    expect(await auditCount(e.store, 'assignment.confirm', taskId)).toBe(1);

    // Pressed again (a new event) → an info toast, nothing changes.
    const again = await press(me.openId, confirmValue(mine.card));
    expect(again.status).toBe(200);
    expect((again.body as { toast: { type: string } }).toast.type).toBe('info');
    // The card answered on success is the one rendered from the database afterwards.
    expect((again.body as { card: unknown }).card).toEqual(answer.card);
    expect(await memberRow(e.store, taskId, me.certNo)).toEqual(row);
    expect(await auditCount(e.store, 'assignment.confirm', taskId)).toBe(1);

    // A teammate pressing someone else's button → an error toast, nothing changes.
    const teammate = members.find((m) => m.team === me.team && m.certNo !== me.certNo)!;
    const stranger = await press(teammate.openId, confirmValue(mine.card));
    expect(stranger.status).toBe(200);
    expect(stranger.body).toMatchObject({
      toast: { type: 'error', content: '只有被抽中的执法人员本人可以确认' },
    });
    expect(await memberRow(e.store, taskId, me.certNo)).toEqual(row);
    expect((await memberRow(e.store, taskId, teammate.certNo)).confirmed_at).toBeNull();

    // An old version of the teammate's own card → a toast and the current card; confirming from that works.
    const theirs = cardsTo(e.fake, teammate.openId)[0]!;
    const stale = await bot.callbacks.cardAction({
      operatorOpenId: teammate.openId,
      value: { ...confirmValue(theirs.card), v: 0 },
      messageId: theirs.messageId,
      chatId: theirs.chatId,
    });
    expect(stale.status).toBe(200);
    const staleAnswer = stale.body as { toast: { type: string; content: string }; card: { data: unknown } };
    expect(staleAnswer.toast).toMatchObject({ type: 'info', content: '卡片已更新，请查看最新内容' });
    expect((await memberRow(e.store, taskId, teammate.certNo)).confirmed_at).toBeNull();
    const current = await bot.callbacks.cardAction({
      operatorOpenId: teammate.openId,
      value: confirmValue(staleAnswer.card.data),
      messageId: theirs.messageId,
      chatId: theirs.chatId,
    });
    expect(current.body).toMatchObject({ toast: { type: 'success' } });
    expect((await memberRow(e.store, taskId, teammate.certNo)).confirmed_by).toBe(teammate.openId);
    expect(await auditCount(e.store, 'assignment.confirm', taskId)).toBe(2);

    // The callbacks answer in place: nothing more was sent, and the audit chain still holds.
    await bot.drain();
    expect(e.fake.messages).toHaveLength(2 + members.length);
    const audit = await e.cli(['audit', 'verify']);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
  });
});
