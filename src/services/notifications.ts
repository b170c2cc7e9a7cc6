import type { Transaction } from 'kysely';
import type { App } from '../app.ts';
import { assignmentCard, drawResultCard, freezeAnnouncementCard } from '../cards/index.ts';
import type { DrawOutcome, PoolReport } from '../domain/draw/index.ts';
import type { TaskDefinition } from '../domain/task.ts';
import type { DrawRow } from '../storage/draws.ts';
import { enqueueMessage } from '../storage/outbox.ts';
import type { Database } from '../storage/schema.ts';
import { assignmentDataByTeam, drawResultData, taskSummary } from './card-data.ts';

/**
 * The cards a draw step sends, queued in the outbox inside the step's own transaction: the step and its
 * messages commit together, and the sender delivers them afterwards (never a Feishu call inside a transaction).
 */

export const assignmentRef = (taskId: string, team: number, certNo: string) =>
  `assignment:${taskId}:${team}:${certNo}`;

function groupChat(app: App): string | null {
  if (!app.config.JOINT_CHAT_ID) {
    app.log.warn('JOINT_CHAT_ID is not set: the joint-meeting group card was not queued');
    return null;
  }
  return app.config.JOINT_CHAT_ID;
}

export async function queueFreezeAnnouncement(
  trx: Transaction<Database>,
  app: App,
  task: TaskDefinition,
  draw: DrawRow,
  pools: PoolReport,
  /** Hash of the freeze's audit entry, written in this transaction. */
  auditHead: string,
): Promise<void> {
  const chat = groupChat(app);
  if (!chat) return;
  const card = freezeAnnouncementCard({
    task: await taskSummary(trx, task),
    entropySource: draw.entropySource,
    frozenAt: draw.frozenAt,
    hashes: draw.hashes,
    pools: {
      targets: pools.targets.eligible,
      byRisk: pools.targets.byRisk,
      officers: pools.officers.eligible,
      officersByDept: Object.fromEntries(
        Object.entries(pools.officers.byDepartment).map(([d, o]) => [d, o.total]),
      ),
    },
    auditHead,
  });
  await enqueueMessage(
    trx,
    {
      kind: 'send',
      receiveIdType: 'chat_id',
      receiveId: chat,
      msgType: 'interactive',
      content: card,
      ref: `freeze:${task.id}`,
    },
    app.clock(),
  );
}

/** What `draw run` tells the operator: assignment cards queued, and the drawn people with no Feishu identity. */
export interface QueuedDrawCards {
  assignments: number;
  undeliverable: { name: string; deptName: string; team: number }[];
}

/** The draw-result card to the group and an assignment card to every drawn inspector liancha can reach. */
export async function queueDrawCards(
  trx: Transaction<Database>,
  app: App,
  task: TaskDefinition,
  draw: DrawRow,
  outcome: DrawOutcome,
  /** Hash of the draw's audit entry, written in this transaction. */
  auditHead: string,
): Promise<QueuedDrawCards> {
  const chat = groupChat(app);
  const result = await drawResultData(trx, task, draw, outcome);
  if (chat) {
    await enqueueMessage(
      trx,
      {
        kind: 'send',
        receiveIdType: 'chat_id',
        receiveId: chat,
        msgType: 'interactive',
        content: drawResultCard({ ...result, auditHead }),
        ref: `draw:${task.id}`,
      },
      app.clock(),
    );
  }
  let assignments = 0;
  // A batch of teams at a time, in the order they were drawn: a large draw's cards' data never all at once.
  for await (const batch of assignmentDataByTeam(trx, task, { tz: app.config.LIANCHA_TZ })) {
    for (const a of batch) {
      if (!a.openId) continue; // listed as undeliverable on the group card, for the liaisons
      await enqueueMessage(
        trx,
        {
          kind: 'send',
          receiveIdType: 'open_id',
          receiveId: a.openId,
          msgType: 'interactive',
          content: assignmentCard(a),
          ref: assignmentRef(task.id, a.team.no, a.you.certNo),
        },
        app.clock(),
      );
      assignments++;
    }
  }
  return { assignments, undeliverable: result.undeliverable };
}
