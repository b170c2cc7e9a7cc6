import type { Transaction } from 'kysely';
import { helpCard, myTasksCard } from '../../cards/index.ts';
import type { MyTasksCardData } from '../../cards/index.ts';
import type { TaskDefinition } from '../../domain/task.ts';
import { resultDeadline } from '../../services/card-data.ts';
import { enqueueMessage } from '../../storage/outbox.ts';
import { certNosForOpenId } from '../../storage/people.ts';
import type { Database } from '../../storage/schema.ts';
import type { BotContext } from '../context.ts';
import type { MessageEvent } from '../events.ts';

export type ChatCommand = 'help' | 'my-tasks' | 'unknown';

/** 帮助 / help, 我的任务 / my tasks; anything else is unknown and gets the help card. */
export function parseChatCommand(text: string): ChatCommand {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (t === '帮助' || t === 'help' || t === '?' || t === '？') return 'help';
  if (t === '我的任务' || t === 'my tasks' || t === 'mytasks') return 'my-tasks';
  return 'unknown';
}

/**
 * Answers a chat command with a card, replying to the message (in a group and a direct chat alike). `first`
 * records the delivery in the reply's transaction and says whether it is new; false: a duplicate, nothing sent.
 */
export async function onChatCommand(
  ctx: BotContext,
  e: MessageEvent,
  first: (trx: Transaction<Database>) => Promise<boolean> = async () => true,
): Promise<boolean> {
  const { app } = ctx;
  const command = parseChatCommand(e.text);
  const card =
    command === 'my-tasks'
      ? myTasksCard(await myTasks(ctx, e.senderOpenId))
      : helpCard(command === 'unknown' ? { unknownText: e.text } : {});
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

async function myTasks(ctx: BotContext, openId: string): Promise<MyTasksCardData> {
  const { db } = ctx.app.store;
  const certs = await certNosForOpenId(db, openId);
  if (certs.length === 0) return { name: '', assignments: [] };
  const person = await db
    .selectFrom('inspectors')
    .select('name')
    .where('cert_no', '=', certs[0]!)
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('team_members as m')
    .innerJoin('tasks as t', 't.id', 'm.task_id')
    .select(['m.task_id', 'm.team_no', 'm.leader', 'm.confirmed_at', 't.definition'])
    .where('m.cert_no', 'in', certs)
    .where('m.active', '=', 1)
    .where('t.state', '=', 'locked')
    .orderBy('t.created_at')
    .execute();
  const assignments: MyTasksCardData['assignments'] = [];
  for (const r of rows) {
    const task = JSON.parse(r.definition) as TaskDefinition;
    const targets = await db
      .selectFrom('team_targets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('task_id', '=', r.task_id)
      .where('team_no', '=', r.team_no)
      .executeTakeFirst();
    assignments.push({
      task: { id: task.id, name: task.name, window: task.window },
      team: Number(r.team_no),
      leader: Number(r.leader) === 1,
      targets: Number(targets?.n ?? 0),
      confirmed: r.confirmed_at !== null,
      deadline: resultDeadline(task),
    });
  }
  return { name: person.name, assignments };
}
