import { sql, type Kysely } from 'kysely';

/**
 * The directories ("两库一单") and the audit log. Frozen: never edit a migration that has shipped; add a new one.
 * Types are the portable subset of SQLite and PostgreSQL: text, integer (booleans are 0/1), ISO dates as text.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('departments')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('head', 'text')
    .addColumn('liaison', 'text')
    .execute();

  await db.schema
    .createTable('items')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('department', 'text', (c) => c.notNull().references('departments.code'))
    .addColumn('category', 'text', (c) => c.notNull().check(sqlIn('category', ['key', 'general'])))
    .addColumn('basis', 'text')
    .addColumn('method', 'text')
    .addColumn('specialty', 'text')
    .execute();

  await db.schema
    .createTable('targets')
    .addColumn('uscc', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('legal_rep', 'text')
    .addColumn('address', 'text')
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('industry', 'text')
    .addColumn('scope', 'text')
    .addColumn('established', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('risk', 'text', (c) => c.notNull().check(sqlIn('risk', ['A', 'B', 'C', 'D'])))
    .addColumn('phone', 'text')
    .execute();

  // "谁监管、谁建设、谁维护": the departments whose directory holds a target.
  await db.schema
    .createTable('target_departments')
    .addColumn('uscc', 'text', (c) => c.notNull().references('targets.uscc').onDelete('cascade'))
    .addColumn('department', 'text', (c) => c.notNull().references('departments.code'))
    .addPrimaryKeyConstraint('target_departments_pk', ['uscc', 'department'])
    .execute();
  await db.schema
    .createIndex('target_departments_by_department')
    .on('target_departments')
    .columns(['department', 'uscc'])
    .execute();

  await db.schema
    .createTable('inspectors')
    .addColumn('cert_no', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('department', 'text', (c) => c.notNull().references('departments.code'))
    .addColumn('section', 'text')
    .addColumn('cert_valid_until', 'text', (c) => c.notNull())
    // Multi-valued fields as JSON arrays of strings: small, read whole, never queried inside.
    .addColumn('specialties', 'text', (c) => c.notNull())
    .addColumn('regions', 'text', (c) => c.notNull())
    .addColumn('mobile', 'text')
    .addColumn('open_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().check(sqlIn('kind', ['officer', 'expert'])))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('conflicts')
    .addColumn('cert_no', 'text', (c) => c.notNull().references('inspectors.cert_no'))
    .addColumn('uscc', 'text', (c) => c.notNull().references('targets.uscc'))
    .addColumn('reason', 'text')
    .addPrimaryKeyConstraint('conflicts_pk', ['cert_no', 'uscc'])
    .execute();

  // Append-only, hash-chained: each entry holds the SHA-256 of the previous one.
  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
}

function sqlIn(column: string, values: string[]) {
  return sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`);
}
