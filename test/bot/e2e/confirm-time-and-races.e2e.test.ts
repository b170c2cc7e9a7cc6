/**
 * Confirming an assignment, seen by the inspector and the operator. Times shown to people are in LIANCHA_TZ,
 * whatever zone the server runs in: the server process here runs with
 * TZ=UTC, the office is in Beijing, and the confirmed assignment card and the "already confirmed" toast show
 * `YYYY-MM-DD HH:mm` Beijing time — never UTC, never ISO with milliseconds. And presses racing from two devices
 * confirm once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../helpers/stores.ts';
import { activeMembers, cardText, cardsTo, confirmValue, e2e, type E2E, type RunningBot } from './setup.ts';

const sqlite = dialects()[0]!;

/** Beijing wall-clock time of a moment, by the platform's own Intl (not the code under test). */
function beijing(at: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

describe('confirmations: times in LIANCHA_TZ with the server in UTC, and races', () => {
  let e: E2E;
  let bot: RunningBot;
  const savedTz = process.env.TZ;

  beforeAll(async () => {
    process.env.TZ = 'UTC';
    e = await e2e(sqlite.fresh);
    bot = await e.startBot({ env: { LIANCHA_TZ: 'Asia/Shanghai' } });
    const taskId = await e.createFoodTask();
    await e.drawTask(taskId);
    await bot.drain();
  });
  afterAll(async () => {
    await e?.close();
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  /** The n-th drawn member and a press of the 确认 button on their assignment card. */
  async function memberWithConfirm(n: number) {
    const taskId = (await e.store.db.selectFrom('tasks').select('id').executeTakeFirstOrThrow()).id;
    const me = (await activeMembers(e.store, taskId))[n]!;
    const card = cardsTo(e.fake, me.openId)[0]!;
    const press = () =>
      bot.callbacks.cardAction({
        operatorOpenId: me.openId,
        value: confirmValue(card.card),
        messageId: card.messageId,
        chatId: card.chatId,
      });
    return { me, press };
  }

  it('the confirmed card and the second press show Beijing time', async () => {
    expect(new Date(2026, 11, 1, 0, 0).getTimezoneOffset()).toBe(0); // the process really is in UTC
    const { me, press } = await memberWithConfirm(0);
    const before = new Date();
    const first = await press();
    const after = new Date();
    const shown = (first.body as { card: { data: unknown } }).card.data;
    // The minute may tick over during the press: either minute is right, UTC never is.
    const expected = [beijing(before), beijing(after)];
    const text = cardText(shown);
    expect(
      expected.some((t) => text.includes(`✅ 已确认：${me.name}，${t}`)),
      text,
    ).toBe(true);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/); // no ISO time
    const second = await press();
    const toast = (second.body as { toast: { content: string; i18n: { en_us: string } } }).toast;
    expect(
      expected.some((t) => toast.content === `已于 ${t} 确认`),
      toast.content,
    ).toBe(true);
    expect(expected.some((t) => toast.i18n.en_us === `Already confirmed at ${t}`)).toBe(true);
  });

  it('task show prints the freeze, the run and confirmations in Beijing time, --json keeps ISO', async () => {
    const taskId = (await e.store.db.selectFrom('tasks').select('id').executeTakeFirstOrThrow()).id;
    const draw = await e.store.db
      .selectFrom('draws')
      .select(['frozen_at', 'run_at'])
      .where('task_id', '=', taskId)
      .executeTakeFirstOrThrow();
    const shown = await e.cli(['task', 'show', taskId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`frozen ${beijing(new Date(draw.frozen_at))}, entropy source`);
    expect(shown.stdout).toContain(`drawn ${beijing(new Date(draw.run_at!))}, entropy`);
    expect(shown.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    const json = JSON.parse((await e.cli(['task', 'show', taskId, '--json'])).stdout) as {
      freeze: { at: string };
    };
    expect(json.freeze.at).toBe(draw.frozen_at);
  });

  it('two presses at once (two devices) confirm once: one success, the other told it is already confirmed', async () => {
    const { me, press } = await memberWithConfirm(1);
    const answers = await Promise.all([press(), press(), press()]);
    const types = answers.map((a) => (a.body as { toast: { type: string } }).toast.type).sort();
    expect(types).toEqual(['info', 'info', 'success']);
    const audits = await e.store.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'assignment.confirm')
      .execute();
    expect(audits.filter((a) => a.details.includes(me.certNo))).toHaveLength(1);
  });
});
