import { type Kysely } from 'kysely';

/**
 * The card a button press answers with reads the substitution requests of one team (`task_id`, `team_no`): without
 * an index on those two, every click scanned the whole `substitutions` table, which grows with a task's requests
 * (issue 13: card callbacks at 200/s). `substitutions_one_pending` starts with the same columns but is partial
 * (pending requests only), so it cannot answer for requests in every state. Frozen: add a new migration rather
 * than editing this one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('substitutions_by_team')
    .on('substitutions')
    .columns(['task_id', 'team_no'])
    .execute();
}
