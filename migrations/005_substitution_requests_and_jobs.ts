import { sql, type Kysely } from 'kysely';

/**
 * The substitution workflow and the scheduler. Frozen: add a new migration rather than editing this one.
 *
 * - `substitutions` learns who decides a request (the head of the inspector's department, or its liaison when the
 *   head is the requester or has no Feishu identity, and why), and at most one request per assignment is pending:
 *   a partial unique index, so two presses of 提交申请 at once cannot both insert.
 * - `job_runs`: one row per scheduled occasion (`sub-remind:<request>`, `remind:<…>`, `digest:<chat>:<ISO week>`),
 *   inserted in the same transaction as the occasion's outbox rows — a repeated tick, a restart or a second instance
 *   finds the key taken and sends nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('substitutions').addColumn('decider_open_id', 'text').execute();
  // 'head' | 'liaison'
  await db.schema.alterTable('substitutions').addColumn('decider_role', 'text').execute();
  // Why the liaison decides: 'head-is-requester' | 'head-unresolved'; null when the head does.
  await db.schema.alterTable('substitutions').addColumn('decider_why', 'text').execute();
  await db.schema
    .createIndex('substitutions_one_pending')
    .on('substitutions')
    .columns(['task_id', 'team_no', 'out_cert'])
    .unique()
    .where(sql.ref('state'), '=', 'pending')
    .execute();
  await db.schema.createIndex('substitutions_by_state').on('substitutions').columns(['state']).execute();

  await db.schema
    .createTable('job_runs')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('ran_at', 'text', (c) => c.notNull())
    // The instance that ran it (host:PORT, or `cli` for `liancha tick`).
    .addColumn('instance', 'text', (c) => c.notNull())
    .execute();
}
