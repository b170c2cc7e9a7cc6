import type { Transaction } from 'kysely';
import { enqueueMessage } from '../../storage/outbox.ts';
import type { Database } from '../../storage/schema.ts';
import { answerFor } from '../chat-commands.ts';
import type { BotContext } from '../context.ts';
import type { MessageEvent } from '../events.ts';

/**
 * Answers a chat command (the table in `chat-commands.ts`) with a card, replying to the message in a group and a
 * direct chat alike. `first` records the delivery in the reply's transaction and says whether it is new; false:
 * a duplicate, nothing sent.
 */
export async function onChatCommand(
  ctx: BotContext,
  e: MessageEvent,
  first: (trx: Transaction<Database>) => Promise<boolean> = async () => true,
): Promise<boolean> {
  const { app } = ctx;
  const card = await answerFor(ctx, e);
  const queued = await app.store.db.transaction().execute(async (trx) => {
    if (!(await first(trx))) return false;
    await enqueueMessage(
      trx,
      {
        kind: 'reply',
        messageId: e.messageId,
        msgType: 'interactive',
        content: card,
        ref: `reply:${e.messageId}`,
      },
      app.clock(),
    );
    return true;
  });
  if (queued) ctx.wakeSender();
  return queued;
}
