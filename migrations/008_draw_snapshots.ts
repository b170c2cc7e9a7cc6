import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * A freeze's three snapshot texts move out of the `draws` row into `draw_snapshots` (one row per text: task,
 * kind, text), so that the one UPDATE a draw row ever gets — `draw run` setting its seed — no longer rewrites
 * them: on a million targets the targets text is 27 MB, and SQLite rewrote the whole row for the seed, with the
 * lock trigger comparing each snapshot with its old value (BENCHMARKS.md, "a lean draw": +55–60 MB of `draw run`'s
 * peak). The texts stay as final as they were: an UPDATE or DELETE of a snapshot is always refused, and so is a
 * snapshot added once the draw has run (the primary key refuses a second one of a kind); on PostgreSQL a TRUNCATE
 * too. `draws_frozen_fields` is created again over the columns that are left (the hashes, the entropy source,
 * the parameters), with its old name and message.
 * Existing draws keep their texts byte for byte (copied in SQL, never through the application).
 * Frozen: never edit a migration that has shipped; add a new one. Runs inside the runner's transaction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('draw_snapshots')
    .addColumn('task_id', 'text', (c) => c.notNull().references('draws.task_id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('targets', 'officers', 'conflicts')`))
    .addColumn('text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('draw_snapshots_pk', ['task_id', 'kind'])
    .execute();
  for (const kind of KINDS) {
    await sql
      .raw(
        `insert into draw_snapshots (task_id, kind, text) select task_id, '${kind}', ${kind}_snapshot from draws`,
      )
      .execute(db);
  }

  // The old guard names the snapshot columns: SQLite refuses to drop a column a trigger reads.
  if (isPostgres(db)) {
    await sql`drop trigger draws_frozen_fields on draws`.execute(db);
    await sql`drop function liancha_guard_draws_frozen_fields()`.execute(db);
  } else {
    await sql`drop trigger draws_frozen_fields`.execute(db);
  }
  for (const kind of KINDS) await db.schema.alterTable('draws').dropColumn(`${kind}_snapshot`).execute();

  for (const guard of GUARDS) await createGuard(db, guard);
  if (isPostgres(db)) {
    // Row triggers do not fire on TRUNCATE; a statement trigger does.
    await sql
      .raw(
        `create function liancha_guard_draw_snapshots_no_truncate() returns trigger language plpgsql as $fn$
         begin
           raise exception '${FINAL}' using errcode = 'P0001';
         end $fn$`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger draw_snapshots_no_truncate before truncate on draw_snapshots
         for each statement execute function liancha_guard_draw_snapshots_no_truncate()`,
      )
      .execute(db);
  }
}

const KINDS = ['targets', 'officers', 'conflicts'] as const;

interface Guard {
  name: string;
  table: string;
  event: 'INSERT' | 'UPDATE' | 'DELETE';
  /** SQL over NEW/OLD that is true when the change must be refused; valid in SQLite WHEN and PL/pgSQL IF. */
  refuseWhen: string;
  message: string;
}

/** The message 002 gave a changed snapshot, so that what an operator sees does not change. */
const FINAL = 'LOCKED: a frozen snapshot cannot be changed';

const GUARDS: Guard[] = [
  // As in 002, without the snapshot columns (they live in draw_snapshots now).
  {
    name: 'draws_frozen_fields',
    table: 'draws',
    event: 'UPDATE',
    refuseWhen: `NEW.targets_hash <> OLD.targets_hash or NEW.officers_hash <> OLD.officers_hash
      or NEW.conflicts_hash <> OLD.conflicts_hash or NEW.entropy_source <> OLD.entropy_source
      or NEW.parameters <> OLD.parameters or NEW.task_id <> OLD.task_id`,
    message: FINAL,
  },
  {
    name: 'draw_snapshots_no_update',
    table: 'draw_snapshots',
    event: 'UPDATE',
    refuseWhen: '1 = 1',
    message: FINAL,
  },
  {
    name: 'draw_snapshots_no_delete',
    table: 'draw_snapshots',
    event: 'DELETE',
    refuseWhen: '1 = 1',
    message: FINAL,
  },
  // The freeze writes its texts with its row, before any run; nothing joins a draw that has run.
  {
    name: 'draw_snapshots_locked_insert',
    table: 'draw_snapshots',
    event: 'INSERT',
    refuseWhen: `exists (select 1 from draws d where d.task_id = NEW.task_id and d.seed is not null)`,
    message: 'LOCKED: this draw has run and is locked',
  },
];

async function createGuard(db: Kysely<any>, g: Guard): Promise<void> {
  if (isPostgres(db)) {
    const returned = g.event === 'DELETE' ? 'OLD' : 'NEW';
    await sql
      .raw(
        `create function liancha_guard_${g.name}() returns trigger language plpgsql as $fn$
         begin
           if ${g.refuseWhen} then raise exception '${g.message}' using errcode = 'P0001'; end if;
           return ${returned};
         end $fn$`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${g.name} before ${g.event} on ${g.table} for each row execute function liancha_guard_${g.name}()`,
      )
      .execute(db);
  } else {
    await sql
      .raw(
        `create trigger ${g.name} before ${g.event} on ${g.table} for each row when ${g.refuseWhen}
            begin select raise(abort, '${g.message}'); end`,
      )
      .execute(db);
  }
}

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
