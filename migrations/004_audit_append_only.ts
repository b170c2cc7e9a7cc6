import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * The audit log becomes append-only in the database itself: UPDATE and DELETE (and, on PostgreSQL, TRUNCATE)
 * of audit_log are refused by triggers, and an INSERT must continue the chain (next seq, previous entry's hash).
 * The triggers stop a stray query or a careless script, not someone who can drop them: that is what the head
 * hashes published on the cards and in `draw export` are for (`audit verify --head HASH`).
 * Frozen: never edit a migration that has shipped; add a new one. Runs inside the runner's transaction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const guard of AUDIT_GUARDS) await createGuard(db, guard);
  if (isPostgres(db)) {
    // Row triggers do not fire on TRUNCATE; a statement trigger does.
    await sql
      .raw(
        `create function liancha_guard_audit_log_no_truncate() returns trigger language plpgsql as $fn$
         begin
           raise exception '${APPEND_ONLY}' using errcode = 'P0001';
         end $fn$`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger audit_log_no_truncate before truncate on audit_log
         for each statement execute function liancha_guard_audit_log_no_truncate()`,
      )
      .execute(db);
  }
}

interface Guard {
  name: string;
  table: string;
  event: 'INSERT' | 'UPDATE' | 'DELETE';
  /** SQL over NEW/OLD that is true when the change must be refused; valid in SQLite WHEN and PL/pgSQL IF. */
  refuseWhen: string;
  message: string;
}

const APPEND_ONLY = 'APPEND_ONLY: the audit log is append-only; its entries are never changed or removed';
const GENESIS = '0'.repeat(64);

const AUDIT_GUARDS: Guard[] = [
  {
    name: 'audit_log_no_update',
    table: 'audit_log',
    event: 'UPDATE',
    refuseWhen: '1 = 1',
    message: APPEND_ONLY,
  },
  {
    name: 'audit_log_no_delete',
    table: 'audit_log',
    event: 'DELETE',
    refuseWhen: '1 = 1',
    message: APPEND_ONLY,
  },
  {
    name: 'audit_log_chain_insert',
    table: 'audit_log',
    event: 'INSERT',
    refuseWhen: `NEW.seq <> coalesce((select max(a.seq) from audit_log a), 0) + 1
      or NEW.prev_hash <> coalesce((select a.hash from audit_log a order by a.seq desc limit 1), '${GENESIS}')`,
    message: 'APPEND_ONLY: an audit entry must follow the newest one (next seq, its hash as prev_hash)',
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
