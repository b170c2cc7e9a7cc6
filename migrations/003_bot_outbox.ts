import { sql, type Kysely } from 'kysely';

/**
 * The bot's delivery bookkeeping: the outbox (messages to send or cards to update, written in the same transaction
 * as the change that caused them, drained by the sender under Feishu's limits), inbound dedupe (Feishu delivers
 * events at least once) and resolved Feishu identities. Frozen: add a new migration rather than editing this one.
 * Times are ISO-8601 UTC text (`toISOString()`), so they compare correctly as strings on both dialects.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox')
    // crypto.randomUUID(); the message uuid Feishu deduplicates on is derived from it.
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Ordering key: created_at ISO + a per-process counter + id (portable; no sequences).
    .addColumn('seq', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('send', 'reply', 'patch')`))
    // send: the receiver (open_id | chat_id | …).
    .addColumn('receive_id_type', 'text')
    .addColumn('receive_id', 'text')
    // reply / patch: the Feishu message replied to or updated…
    .addColumn('target_message_id', 'text')
    // …or, for a patch, the outbox row whose sent message is to be updated (it waits until that row is sent).
    .addColumn('patch_of', 'text', (c) => c.references('outbox.id'))
    .addColumn('msg_type', 'text', (c) => c.notNull())
    // The message content as Feishu takes it: a JSON string (card JSON 2.0, or {"text": …}).
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('uuid', 'text')
    // Free text naming what the message is about, e.g. `assignment:<task>:<team>:<certNo>`.
    .addColumn('ref', 'text')
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`state in ('pending', 'sending', 'sent', 'failed')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('claimed_by', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('sent_message_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addCheckConstraint(
      'outbox_target',
      sql`(kind = 'send' and receive_id_type is not null and receive_id is not null)
        or (kind = 'reply' and target_message_id is not null)
        or (kind = 'patch' and (target_message_id is not null or patch_of is not null))`,
    )
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('outbox_lease').on('outbox').columns(['state', 'lease_until']).execute();
  await db.schema.createIndex('outbox_by_seq').on('outbox').columns(['seq']).execute();
  await db.schema.createIndex('outbox_by_ref').on('outbox').columns(['ref', 'seq']).execute();
  await db.schema.createIndex('outbox_by_patch_of').on('outbox').columns(['patch_of']).execute();
  await db.schema.createIndex('outbox_by_target').on('outbox').columns(['target_message_id']).execute();
  await db.schema.createIndex('outbox_by_sent_message').on('outbox').columns(['sent_message_id']).execute();

  // Feishu delivers events at least once (re-sent after 15 s, 5 min, 1 h, 6 h): one row per delivery id.
  await db.schema
    .createTable('inbound_deliveries')
    // `event:<event_id>` or `message:<message_id>`.
    .addColumn('delivery_id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .execute();
  await db.schema
    .createIndex('inbound_deliveries_by_time')
    .on('inbound_deliveries')
    .columns(['received_at'])
    .execute();

  // Directory identifiers (mobile, e-mail or open_id, as imported) and the open_id Feishu resolved them to.
  await db.schema
    .createTable('identities')
    .addColumn('raw', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('open_id', 'mobile', 'email', 'unknown')`),
    )
    .addColumn('open_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('resolved', 'unresolved')`))
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .execute();
}
