import type { App } from '../app.ts';
import { sentRows } from '../storage/outbox.ts';
import type { FakeFeishu } from './feishu/server.ts';

/**
 * Local mode's chats after a restart: the simulator lives in this process, but every message the bot sent is in
 * liancha's outbox with the id Feishu gave it — so the chats are rebuilt from there, and a card sent before the
 * restart can still be clicked and updated. What is not in the outbox is gone: what people typed, and a card's
 * state that only a callback's answer set (it shows the version last sent or patched until it is updated again).
 */
export async function restoreChats(app: Pick<App, 'store'>, fake: FakeFeishu): Promise<number> {
  const rows = await sentRows(app.store.db);
  const messageOf = new Map<string, string>();
  let restored = 0;
  for (const row of rows) {
    const at = Date.parse(row.sent_at ?? row.created_at);
    if (row.kind === 'patch') {
      const target = row.target_message_id ?? (row.patch_of ? messageOf.get(row.patch_of) : undefined);
      if (target) fake.restorePatch(target, row.content, at);
      continue;
    }
    if (!row.sent_message_id) continue;
    messageOf.set(row.id, row.sent_message_id);
    const parent =
      row.kind === 'reply' && row.target_message_id ? fake.message(row.target_message_id) : undefined;
    const chatId =
      row.kind === 'reply'
        ? parent?.chatId
        : row.receive_id_type === 'open_id'
          ? fake.p2pChatId(row.receive_id!)
          : row.receive_id!;
    if (!chatId) continue;
    fake.restoreMessage({
      messageId: row.sent_message_id,
      receiveIdType: row.kind === 'reply' ? 'reply' : row.receive_id_type!,
      receiveId: row.kind === 'reply' ? chatId : row.receive_id!,
      chatId,
      msgType: row.msg_type,
      content: row.content,
      replyTo: row.kind === 'reply' ? row.target_message_id : null,
      createdAt: at,
    });
    restored++;
  }
  return restored;
}
