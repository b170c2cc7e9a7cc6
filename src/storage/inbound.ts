import type { Kysely, Transaction } from 'kysely';
import { prepared } from './prepared.ts';
import type { Database } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Records that a Feishu delivery arrived. Returns true the first time this id is seen and false for a
 * re-delivery (Feishu re-sends events after 15 s, 5 min, 1 h and 6 h, even after a success). Ids are
 * `event:<event_id>` for events and callbacks, `message:<message_id>` for `im.message.receive_v1`.
 *
 * @example if (!(await recordDelivery(trx, `event:${header.event_id}`, 'card.action.trigger', now))) return {};
 */
export async function recordDelivery(db: Db, deliveryId: string, kind: string, now: Date): Promise<boolean> {
  const res = await insertDelivery.run(db, { deliveryId, kind, receivedAt: now.toISOString() });
  return Number(res.numAffectedRows ?? 0n) > 0;
}

// Every delivery runs it: compiled once (prepared.ts).
const insertDelivery = prepared((db, p: { deliveryId: string; kind: string; receivedAt: string }) =>
  db
    .insertInto('inbound_deliveries')
    .values({ delivery_id: p.deliveryId, kind: p.kind, received_at: p.receivedAt, outcome: null })
    .onConflict((oc) => oc.column('delivery_id').doNothing()),
);

/** Notes what became of a delivery (e.g. `ok`, `refused: SUBSTITUTION.NOT_DEPARTMENT_HEAD`), for diagnosis. */
export async function setDeliveryOutcome(db: Db, deliveryId: string, outcome: string): Promise<void> {
  await db.updateTable('inbound_deliveries').set({ outcome }).where('delivery_id', '=', deliveryId).execute();
}

/** Forgets deliveries received before `before` (Feishu stops re-sending after about 7 hours). */
export async function pruneDeliveries(db: Db, before: Date): Promise<number> {
  const res = await db
    .deleteFrom('inbound_deliveries')
    .where('received_at', '<', before.toISOString())
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
