/**
 * Issue flows 4–5: chat commands and duplicate deliveries, end to end through POST /feishu/events (signed and
 * encrypted) and the sender's replies to the fake Feishu. Feishu delivers at least once: a redelivered event (same
 * event_id) and a message redelivered under a new event_id are acknowledged and get no second reply.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  countRows,
  e2e,
  memberRow,
  openIdOfMobile,
  p2pChat,
  repliesTo,
  userMessage,
  type E2E,
  type Member,
  type RunningBot,
} from './setup.ts';

const sqlite = dialects()[0]!;
let seq = 0;
const nextId = (prefix: string) => `${prefix}_e2e_${process.pid}_${++seq}`;

describe('chat commands and duplicate deliveries (SQLite)', () => {
  let e: E2E;
  let bot: RunningBot;
  let taskId: string;
  let members: Member[];
  let taskName: string;
  let deadline: string;

  beforeAll(async () => {
    e = await e2e(sqlite.fresh);
    bot = await e.startBot();
    taskId = await e.createFoodTask();
    await e.drawTask(taskId);
    await bot.drain();
    members = await activeMembers(e.store, taskId);
    const show = JSON.parse((await e.cli(['task', 'show', taskId, '--json'])).stdout) as {
      name: string;
      teams: { deadline: string }[];
    };
    taskName = show.name;
    deadline = show.teams[0]!.deadline;
  });
  afterAll(async () => e?.close());

  /** A text message from `sender` in a chat, known to the fake so that the bot can reply to it. */
  function say(
    senderOpenId: string,
    text: string,
    opts: { chatId?: string; group?: boolean; messageId?: string; eventId?: string } = {},
  ) {
    const chatId = opts.chatId ?? (opts.group ? JOINT_CHAT : p2pChat(senderOpenId));
    const messageId = opts.messageId ?? nextId('om_user');
    const typed = opts.group ? `@_user_1 ${text}` : text;
    userMessage(e.fake, { messageId, chatId, senderOpenId, text: typed });
    return {
      messageId,
      send: (eventId = opts.eventId ?? nextId('ev')) =>
        bot.events.messageReceived(
          {
            chatId,
            chatType: opts.group ? 'group' : 'p2p',
            senderOpenId,
            text,
            messageId,
            ...(opts.group ? { mentionBot: true, botOpenId: e.fake.botOpenId } : {}),
          },
          { eventId },
        ),
    };
  }

  it('我的任务 from an inspector → their assignment with its deadline; delivered twice → one reply', async () => {
    const me = members.find((m) => !m.leader)!;
    const msg = say(me.openId, '我的任务');
    const eventId = nextId('ev');
    const first = await msg.send(eventId);
    expect(first).toMatchObject({ status: 200, body: {} });
    const second = await msg.send(eventId); // Feishu's redelivery: same event_id
    expect(second).toMatchObject({ status: 200, body: {} });
    const third = await msg.send(nextId('ev')); // the same message under a new event_id
    expect(third).toMatchObject({ status: 200, body: {} });
    await bot.drain();
    const replies = repliesTo(e.fake, msg.messageId);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.chatId).toBe(p2pChat(me.openId));
    expect(cardTitle(replies[0]!.card)).toBe('我的任务');
    const text = cardText(replies[0]!.card);
    expect(text).toContain(`${taskName}**（${taskId}）`);
    expect(text).toContain(`第${me.team}组`);
    expect(text).toContain('2026-12-01 至 2026-12-31');
    expect(text).toContain('**未确认**');
    expect(text).toContain(`结果录入最迟 ${deadline}`);
    expect(deadline).toMatch(/^2027-01-\d\d$/);
    // What is due: nothing entered yet, so their department owes every target of the team.
    expect(text).toMatch(new RegExp(`\\*\\*待录入 \\d+ 户\\*\\*，最近截止 ${deadline}`));
    // Its own 录入结果 opens the result-entry card: entry never depends on the (14-day) assignment card.
    const open = buttonValues(replies[0]!.card).find((v) => v.action === 'result.open');
    expect(open).toMatchObject({ task: taskId, team: me.team, cert: me.certNo, page: 0 });
    const entry = await bot.callbacks.cardAction({ operatorOpenId: me.openId, value: open! });
    expect(cardTitle((entry.body as { card: { data: unknown } }).card.data)).toBe('结果录入');
  });

  it('the team leader sees 组长 on their task list', async () => {
    const leader = members.find((m) => m.leader)!;
    const msg = say(leader.openId, 'my tasks');
    await msg.send();
    await bot.drain();
    const text = cardText(repliesTo(e.fake, msg.messageId)[0]!.card);
    expect(text).toContain(`第${leader.team}组（组长）`);
  });

  it('帮助 with an @mention in the group → the help card, replied in the group', async () => {
    const liaison = openIdOfMobile('13947000007');
    const msg = say(liaison, '帮助', { group: true });
    expect((await msg.send()).status).toBe(200);
    await bot.drain();
    const replies = repliesTo(e.fake, msg.messageId);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.chatId).toBe(JOINT_CHAT);
    expect(cardTitle(replies[0]!.card)).toBe('联查助手');
    expect(cardText(replies[0]!.card)).not.toContain('没有听懂');
  });

  it('help in a direct chat → the help card', async () => {
    const msg = say(members[0]!.openId, 'help');
    await msg.send();
    await bot.drain();
    const replies = repliesTo(e.fake, msg.messageId);
    expect(replies).toHaveLength(1);
    expect(cardTitle(replies[0]!.card)).toBe('联查助手');
  });

  it('unknown text (group or direct) → the help card naming what was not understood', async () => {
    const group = say(members[0]!.openId, '今天天气怎么样', { group: true });
    const direct = say(members[1]!.openId, 'hello there');
    await group.send();
    await direct.send();
    await bot.drain();
    expect(cardText(repliesTo(e.fake, group.messageId)[0]!.card)).toContain('没有听懂“今天天气怎么样”');
    expect(cardText(repliesTo(e.fake, direct.messageId)[0]!.card)).toContain('没有听懂“hello there”');
  });

  it('进度 in the group → the office-wide digest with its chart and table, replied in the group', async () => {
    const liaison = openIdOfMobile('13947000007');
    const msg = say(liaison, '进度', { group: true });
    expect((await msg.send()).status).toBe(200);
    await bot.drain();
    const replies = repliesTo(e.fake, msg.messageId);
    expect(replies).toHaveLength(1); // the fake accepted the card: its chart and table are valid card 2.0
    expect(replies[0]!.chatId).toBe(JOINT_CHAT);
    expect(cardTitle(replies[0]!.card)).toContain('周报');
    const json = JSON.stringify(replies[0]!.card);
    expect(json).toContain('"tag":"chart"');
    expect(json).toContain('"tag":"table"');
    expect(cardText(replies[0]!.card)).toContain(taskId);
  });

  it('progress from a department head in a direct chat → their department first', async () => {
    const head = openIdOfMobile('13947000028'); // 市应急管理局 (YJGL)'s head
    const msg = say(head, 'progress');
    await msg.send();
    await bot.drain();
    const card = repliesTo(e.fake, msg.messageId)[0]!.card as {
      body: { elements: { tag: string; rows?: Record<string, unknown>[] }[] };
    };
    const table = card.body.elements.find((el) => el.tag === 'table')!;
    expect(JSON.stringify(table.rows![0])).toContain('市应急管理局');
  });

  it('我的任务 from someone never drawn → no assignments', async () => {
    const head = openIdOfMobile('13947000014'); // the environment bureau's head: no officer of this task
    const msg = say(head, '我的任务');
    await msg.send();
    await bot.drain();
    expect(cardText(repliesTo(e.fake, msg.messageId)[0]!.card)).toContain('您目前没有被抽中的检查任务');
  });

  it('a card callback delivered twice under one event_id is handled once', async () => {
    const m = members.find((x) => !x.leader && x.team === 2) ?? members.at(-1)!;
    const card = cardsTo(e.fake, m.openId)[0]!;
    const press = {
      operatorOpenId: m.openId,
      value: confirmValue(card.card),
      messageId: card.messageId,
      chatId: card.chatId,
    };
    const eventId = nextId('ev_card');
    const first = await bot.callbacks.cardAction(press, { eventId });
    expect(first.body).toMatchObject({ toast: { type: 'success' } });
    const row = await memberRow(e.store, taskId, m.certNo);
    const second = await bot.callbacks.cardAction(press, { eventId });
    expect(second).toMatchObject({ status: 200, body: {} });
    expect(await memberRow(e.store, taskId, m.certNo)).toEqual(row);
    expect(await auditCount(e.store, 'assignment.confirm', taskId)).toBe(1);
  });

  it('a reply that fails half-way is not lost: the delivery is recorded with it, so the redelivery is answered', async () => {
    // Queueing the reply fails (as a crash or a lost database would make it fail) after the delivery was seen.
    await sql`create trigger e2e_outbox_down before insert on outbox begin select raise(abort, 'outbox unavailable'); end`.execute(
      e.store.db,
    );
    const msg = say(members[0]!.openId, '帮助');
    const eventId = nextId('ev');
    const deliveries = await countRows(e.store, 'inbound_deliveries');
    const failed = await msg.send(eventId);
    expect(failed.status).toBe(500); // Feishu re-sends an event answered with an error
    expect(await countRows(e.store, 'inbound_deliveries')).toBe(deliveries);
    await sql`drop trigger e2e_outbox_down`.execute(e.store.db);

    const redelivered = await msg.send(eventId);
    expect(redelivered).toMatchObject({ status: 200, body: {} });
    await msg.send(eventId); // and once more: still one reply
    await bot.drain();
    expect(repliesTo(e.fake, msg.messageId)).toHaveLength(1);
  });

  /** Sends a message event and checks that the bot answered nothing at all. */
  async function noAnswer(input: Parameters<RunningBot['events']['messageReceived']>[0]) {
    const messageId = nextId('om_user');
    userMessage(e.fake, {
      messageId,
      chatId: input.chatId,
      senderOpenId: input.senderOpenId,
      text: input.text,
    });
    const outbox = await countRows(e.store, 'outbox');
    const res = await bot.events.messageReceived({ ...input, messageId }, { eventId: nextId('ev') });
    expect(res).toMatchObject({ status: 200, body: {} });
    await bot.drain();
    expect(repliesTo(e.fake, messageId)).toHaveLength(0);
    expect(await countRows(e.store, 'outbox')).toBe(outbox);
  }

  it('in a group, a message that does not @ the bot gets no answer (Feishu delivers them all with group_msg)', async () => {
    const sender = members[0]!.openId;
    const group = { chatId: JOINT_CHAT, chatType: 'group' as const, senderOpenId: sender };
    await noAnswer({ ...group, text: '帮助' });
    await noAnswer({ ...group, text: '我的任务' });
    // @-mentioning someone else is not @-mentioning the bot.
    await noAnswer({
      ...group,
      text: '@_user_1 帮助',
      mentions: [{ key: '@_user_1', openId: members[1]!.openId, name: members[1]!.name }],
    });
  });

  it('@_all (with or without the bot) and non-text messages get no help card', async () => {
    const sender = members[0]!.openId;
    await noAnswer({ chatId: JOINT_CHAT, chatType: 'group', senderOpenId: sender, text: '@_all 明天开会' });
    await noAnswer({
      chatId: JOINT_CHAT,
      chatType: 'group',
      senderOpenId: sender,
      text: '@_all 帮助',
      mentionBot: true,
      botOpenId: e.fake.botOpenId,
    });
    for (const [messageType, content] of [
      ['image', { image_key: 'img_v2_x' }],
      ['post', { title: '帮助', content: [[{ tag: 'text', text: '帮助' }]] }],
    ] as const)
      await noAnswer({
        chatId: p2pChat(sender),
        chatType: 'p2p',
        senderOpenId: sender,
        text: '',
        messageType,
        content,
      });
  });

  it('every command the help card advertises is understood, in both languages, in a group and directly', async () => {
    const asker = members[0]!.openId;
    const help = say(asker, '帮助');
    await help.send();
    await bot.drain();
    const card = repliesTo(e.fake, help.messageId)[0]!.card as {
      body: { elements: { tag: string; i18n_content?: { zh_cn: string; en_us: string } }[] };
    };
    const lines = card.body.elements.flatMap((el) => (el.i18n_content ? [el.i18n_content] : []));
    const names = (text: string) => [...text.matchAll(/\*\*([^*]+)\*\*/g)].map((m) => m[1]!);
    const advertised = lines.flatMap((l) => [...names(l.zh_cn), ...names(l.en_us)]);
    expect(advertised).toEqual(expect.arrayContaining(['我的任务', '帮助', 'my tasks', 'help']));
    for (const name of advertised)
      for (const group of [false, true]) {
        const msg = say(asker, name, { group });
        await msg.send();
        await bot.drain();
        const reply = repliesTo(e.fake, msg.messageId);
        expect(reply, `${name} (group: ${group})`).toHaveLength(1);
        expect(cardText(reply[0]!.card), name).not.toContain('没有听懂');
      }
  });
});
