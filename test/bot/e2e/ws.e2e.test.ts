/**
 * Issue flow 8: FEISHU_MODE=ws. The SDK's own WSClient fetches `POST {domain}/callback/ws/endpoint` from a local
 * gateway (test/fake-feishu/ws-server.ts), connects to its WebSocket and speaks protobuf frames; a confirm sent as
 * an event frame goes through the same dispatch as over HTTP, and the response frame carries the callback answer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeFrame,
  encodeFrame,
  startFakeWsGateway,
  type FakeWsGateway,
} from '../../fake-feishu/ws-server.ts';
import { dialects } from '../../helpers/stores.ts';
import {
  activeMembers,
  auditCount,
  buttonValues,
  cardText,
  cardTitle,
  cardsTo,
  confirmValue,
  e2e,
  memberRow,
  p2pChat,
  repliesTo,
  userMessage,
  type E2E,
} from './setup.ts';

const sqlite = dialects()[0]!;

describe('the pbbp2 frame codec of the local gateway', () => {
  it('round-trips a frame with headers, payload and large ids', () => {
    const frame = {
      SeqID: 2 ** 40 + 3,
      LogID: 7,
      service: 33554678,
      method: 1,
      headers: [
        { key: 'type', value: 'event' },
        { key: 'message_id', value: '消息-1' },
      ],
      payload: new TextEncoder().encode('{"a":1}'),
      LogIDNew: 'x',
    };
    expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
    expect(() => decodeFrame(new Uint8Array([8, 1]))).toThrow(/required LogID/);
  });
});

describe('FEISHU_MODE=ws against a local long-connection gateway (SQLite)', () => {
  let e: E2E | undefined;
  let gw: FakeWsGateway | undefined;
  afterEach(async () => {
    await e?.close();
    await gw?.close();
    e = undefined;
    gw = undefined;
  });

  it('a confirm arriving over the WebSocket lands in the database and the response frame carries the toast', async () => {
    e = await e2e(sqlite.fresh);
    gw = await startFakeWsGateway({ appId: e.fake.appId, appSecret: e.fake.appSecret, upstream: e.fake.url });
    const taskId = await e.createFoodTask();
    await e.drawTask(taskId);
    // The same app, in ws mode: no HTTP receivers; events, callbacks and the open API all through FEISHU_DOMAIN.
    const bot = await e.startBot({ env: { FEISHU_MODE: 'ws', FEISHU_DOMAIN: gw.url }, listen: false });
    expect((await bot.bot.http.request('/feishu/callbacks', { method: 'POST', body: '{}' })).status).toBe(
      404,
    );
    await gw.waitForClient();
    expect(gw.endpointRequests).toEqual([{ AppID: e.fake.appId, AppSecret: e.fake.appSecret }]);
    expect(gw.connections).toBe(1);
    await bot.drain();

    const members = await activeMembers(e.store, taskId);
    for (const m of members) expect(cardsTo(e.fake, m.openId)).toHaveLength(1);
    const me = members.find((m) => !m.leader)!;
    const card = cardsTo(e.fake, me.openId)[0]!;
    const press = {
      operatorOpenId: me.openId,
      value: confirmValue(card.card),
      messageId: card.messageId,
      chatId: card.chatId,
    };

    const eventId = 'ws_confirm_1';
    const answer = await gw.cardAction(press, { eventId });
    expect(answer.code).toBe(200);
    const data = answer.data as {
      toast: { type: string; content: string };
      card: { type: string; data: unknown };
    };
    expect(data.toast).toMatchObject({ type: 'success', content: '已确认，感谢！' });
    expect(data.card.type).toBe('raw');
    expect(cardTitle(data.card.data)).toBe('检查任务通知');
    expect(cardText(data.card.data)).toContain(`✅ 已确认：${me.name}`);
    // Confirmed: 确认 is gone; 申请更换 and 录入结果 stay (a confirmed inspector may still ask to be replaced).
    expect(buttonValues(data.card.data).map((v) => v.action)).toEqual(['substitution.form', 'result.open']);
    const row = await memberRow(e.store, taskId, me.certNo);
    expect(row.confirmed_by).toBe(me.openId);
    expect(await auditCount(e.store, 'assignment.confirm', taskId)).toBe(1);
    // The response frame is the request frame echoed, with the SDK's biz_rt header.
    expect(answer.frame.headers.map((h) => h.key)).toEqual([
      'type',
      'message_id',
      'sum',
      'seq',
      'trace_id',
      'biz_rt',
    ]);

    // The same event redelivered over the connection: acknowledged, ignored.
    const dup = await gw.cardAction(press, { eventId });
    expect(dup).toMatchObject({ code: 200, data: {} });
    // Pressed again: info toast. A teammate pressing it: error toast. Nothing changes.
    expect((await gw.cardAction(press)).data).toMatchObject({ toast: { type: 'info' } });
    const teammate = members.find((m) => m.team === me.team && m.certNo !== me.certNo)!;
    expect((await gw.cardAction({ ...press, operatorOpenId: teammate.openId })).data).toMatchObject({
      toast: { type: 'error' },
    });
    expect(await memberRow(e.store, taskId, me.certNo)).toEqual(row);
    expect(await auditCount(e.store, 'assignment.confirm', taskId)).toBe(1);

    // A payload split over three frames is merged by the SDK and handled the same way.
    const theirs = cardsTo(e.fake, teammate.openId)[0]!;
    const split = await gw.cardAction(
      {
        operatorOpenId: teammate.openId,
        value: confirmValue(theirs.card),
        messageId: theirs.messageId,
        chatId: theirs.chatId,
      },
      { fragments: 3 },
    );
    expect(split.data).toMatchObject({ toast: { type: 'success' } });
    expect((await memberRow(e.store, taskId, teammate.certNo)).confirmed_by).toBe(teammate.openId);

    // A chat command over the connection gets its reply through the open API.
    userMessage(e.fake, {
      messageId: 'om_ws_user_1',
      chatId: p2pChat(me.openId),
      senderOpenId: me.openId,
      text: '我的任务',
    });
    const msg = await gw.messageReceived({
      chatId: p2pChat(me.openId),
      chatType: 'p2p',
      senderOpenId: me.openId,
      text: '我的任务',
      messageId: 'om_ws_user_1',
    });
    expect(msg.code).toBe(200);
    await bot.drain();
    const replies = repliesTo(e.fake, 'om_ws_user_1');
    expect(replies).toHaveLength(1);
    expect(cardText(replies[0]!.card)).toContain(`第${me.team}组`);
    expect(cardText(replies[0]!.card)).toContain('已确认');

    await bot.stop();
    expect(gw.pings).toBeGreaterThanOrEqual(1);
  });
});
