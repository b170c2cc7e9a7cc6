/**
 * The rig the substitution e2e tests share: a bot living on the office's clock (Wednesday 2026-12-02 10:00 in
 * Beijing; the food task's window is December 2026) with the food task drawn, and the actions people take on its
 * cards — 申请更换 → 提交申请, presses with form values — plus where the cards they receive are found.
 */
import {
  buttonValues,
  cardsTo,
  cardTitle,
  e2e,
  openIdOfMobile,
  type Member,
  type RunningBot,
} from './setup.ts';

/** The office's wall clock when the tests start. */
export const START = Date.parse('2026-12-02T10:00:00+08:00');

/** Department heads and liaisons in the Wuhai directory (departments.csv), as the fake knows them. */
export const HEAD = {
  SCJG: openIdOfMobile('13947000000'),
  WJW: openIdOfMobile('13947000056'),
  YJGL: openIdOfMobile('13947000028'),
};
export const LIAISON = {
  SCJG: openIdOfMobile('13947000007'),
  WJW: openIdOfMobile('13947000063'),
  YJGL: openIdOfMobile('13947000035'),
};

export type Answer = { toast?: { type: string; content: string }; card?: { data: Record<string, unknown> } };

/** The callback value of the card's button with this action, if it has one. */
export const action = (card: unknown, name: string) => buttonValues(card).find((v) => v.action === name);

/** A bot on the office's clock, a drawn food task, and helpers to act on cards as people do. */
export async function substitutionRig(fresh: Parameters<typeof e2e>[0]) {
  const e = await e2e(fresh);
  const bot = await e.startBot({ clock: e.useClock(START) });
  const taskId = await e.createFoodTask();
  await e.drawTask(taskId);
  await bot.drain();
  const press = async (b: RunningBot, who: string, value: Record<string, unknown>, formValue?: object) =>
    (
      await b.callbacks.cardAction({
        operatorOpenId: who,
        value,
        ...(formValue ? { formValue: { ...formValue } } : {}),
      })
    ).body as Answer;
  const assignmentCardOf = (m: Member) =>
    cardsTo(e.fake, m.openId)
      .filter((x) => cardTitle(x.card) === '检查任务通知')
      .at(-1)!;
  /** 申请更换 → 提交申请 with this reason, on the member's assignment card. */
  const ask = async (m: Member, reason = 'WORK_CONFLICT', note = '', b: RunningBot = bot) => {
    const opened = await press(b, m.openId, action(assignmentCardOf(m).card, 'substitution.form')!);
    if (opened.toast || !opened.card) return opened; // refused: the form did not open
    return press(b, m.openId, action(opened.card.data, 'substitution.request')!, { reason, note });
  };
  const approvalsTo = (openId: string) =>
    cardsTo(e.fake, openId).filter((x) => cardTitle(x.card) === '更换申请');
  const requestOf = (certNo: string) =>
    e.store.db
      .selectFrom('substitutions')
      .selectAll()
      .where('task_id', '=', taskId)
      .where('out_cert', '=', certNo)
      .orderBy('requested_at', 'desc')
      .executeTakeFirstOrThrow();
  return { e, bot, taskId, press, ask, approvalsTo, requestOf, assignmentCardOf };
}
