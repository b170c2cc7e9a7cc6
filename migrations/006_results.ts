import { sql, type Kysely } from 'kysely';

/**
 * Inspection results (检查结果): one row per (task, target, department on the target's team) — each department
 * enters its own part (谁检查、谁录入). An edit replaces the row and bumps `version`; every version is kept in the
 * audit log. And a task's closing: when, and the reason when it was forced with results missing. Frozen: add a new
 * migration rather than editing this one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('results')
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
    .addColumn('uscc', 'text', (c) => c.notNull())
    .addColumn('dept', 'text', (c) => c.notNull())
    .addColumn('team_no', 'integer', (c) => c.notNull())
    // JSON array of category codes (config/result-categories.json).
    .addColumn('categories', 'text', (c) => c.notNull())
    // YYYY-MM-DD, in the office's calendar.
    .addColumn('inspected_on', 'text', (c) => c.notNull())
    // JSON array of inspection methods (检查方式).
    .addColumn('methods', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('followup', 'text')
    // open_id of the officer who entered it in chat, or `cli:<user>` for an import.
    .addColumn('entered_by', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('chat', 'import')`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('results_pk', ['task_id', 'uscc', 'dept'])
    .execute();
  await db.schema.createIndex('results_by_team').on('results').columns(['task_id', 'team_no']).execute();

  await db.schema.alterTable('tasks').addColumn('closed_at', 'text').execute();
  await db.schema.alterTable('tasks').addColumn('close_reason', 'text').execute();
}
