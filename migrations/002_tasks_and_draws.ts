import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Tasks, frozen snapshots, draws, teams and substitutions — and the database-level lock: once a draw has run
 * (draws.seed is set) its picks, teams and members cannot change through any UPDATE or DELETE, except a member
 * leaving or joining a team under an approved substitution. The guards are triggers, so a stray query fails too.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('initiator', 'text', (c) => c.notNull().references('departments.code'))
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('draft', 'frozen', 'locked', 'closed', 'void')`),
    )
    // The validated task (TaskDefinition) as JSON; what the draw and the cards read.
    .addColumn('definition', 'text', (c) => c.notNull())
    // Calendar year of the window's start: the same-year exclusion looks tasks up by it.
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('void_reason', 'text')
    .addColumn('voided_at', 'text')
    .execute();

  await db.schema
    .createTable('draws')
    .addColumn('task_id', 'text', (c) => c.primaryKey().references('tasks.id'))
    .addColumn('entropy_source', 'text', (c) => c.notNull())
    .addColumn('frozen_at', 'text', (c) => c.notNull())
    .addColumn('frozen_by', 'text', (c) => c.notNull())
    .addColumn('parameters', 'text', (c) => c.notNull())
    .addColumn('targets_snapshot', 'text', (c) => c.notNull())
    .addColumn('officers_snapshot', 'text', (c) => c.notNull())
    .addColumn('conflicts_snapshot', 'text', (c) => c.notNull())
    .addColumn('targets_hash', 'text', (c) => c.notNull())
    .addColumn('officers_hash', 'text', (c) => c.notNull())
    .addColumn('conflicts_hash', 'text', (c) => c.notNull())
    .addColumn('entropy', 'text')
    .addColumn('seed', 'text')
    .addColumn('run_at', 'text')
    .addColumn('run_by', 'text')
    .execute();

  // Each risk class's picks in draw order ('all' for a fixed count).
  await db.schema
    .createTable('draw_picks')
    .addColumn('task_id', 'text', (c) => c.notNull().references('draws.task_id'))
    .addColumn('class', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('uscc', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('draw_picks_pk', ['task_id', 'class', 'position'])
    .execute();

  await db.schema
    .createTable('teams')
    .addColumn('task_id', 'text', (c) => c.notNull().references('draws.task_id'))
    .addColumn('no', 'integer', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('teams_pk', ['task_id', 'no'])
    .execute();

  await db.schema
    .createTable('team_targets')
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('team_no', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('uscc', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_targets_pk', ['task_id', 'team_no', 'position'])
    .addForeignKeyConstraint('team_targets_team_fk', ['task_id', 'team_no'], 'teams', ['task_id', 'no'])
    .execute();
  await db.schema.createIndex('team_targets_by_uscc').on('team_targets').columns(['uscc']).execute();

  await db.schema
    .createTable('team_members')
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('team_no', 'integer', (c) => c.notNull())
    .addColumn('cert_no', 'text', (c) => c.notNull())
    .addColumn('dept', 'text', (c) => c.notNull())
    .addColumn('leader', 'integer', (c) => c.notNull())
    // Draw order within the team; substitutes continue the sequence.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('draw', 'substitution')`))
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('confirmed_by', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('team_members_pk', ['task_id', 'team_no', 'cert_no'])
    .addForeignKeyConstraint('team_members_team_fk', ['task_id', 'team_no'], 'teams', ['task_id', 'no'])
    .execute();
  await db.schema.createIndex('team_members_by_cert').on('team_members').columns(['cert_no']).execute();

  await db.schema
    .createTable('substitutions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('team_no', 'integer', (c) => c.notNull())
    .addColumn('dept', 'text', (c) => c.notNull())
    .addColumn('out_cert', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('pending', 'approved', 'rejected', 'withdrawn', 'expired')`),
    )
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('comment', 'text')
    // Set on approval: the n-th approved replacement on this team for this department, and who came in.
    .addColumn('n', 'integer')
    .addColumn('in_cert', 'text')
    // Replay order of approved substitutions.
    .addColumn('approval_seq', 'integer')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addForeignKeyConstraint('substitutions_team_fk', ['task_id', 'team_no'], 'teams', ['task_id', 'no'])
    .execute();

  for (const guard of LOCK_GUARDS) await createGuard(db, guard);
}

interface Guard {
  name: string;
  table: string;
  event: 'INSERT' | 'UPDATE' | 'DELETE';
  /** SQL over NEW/OLD that is true when the change must be refused; valid in SQLite WHEN and PL/pgSQL IF. */
  refuseWhen: string;
  message: string;
}

const runOf = (row: 'NEW' | 'OLD') =>
  `exists (select 1 from draws d where d.task_id = ${row}.task_id and d.seed is not null)`;
const approvedSubOut = `exists (select 1 from substitutions s where s.task_id = OLD.task_id and s.team_no = OLD.team_no
  and s.out_cert = OLD.cert_no and s.state = 'approved')`;
const approvedSubIn = `exists (select 1 from substitutions s where s.task_id = NEW.task_id and s.team_no = NEW.team_no
  and s.in_cert = NEW.cert_no and s.state = 'approved')`;

const LOCK_GUARDS: Guard[] = [
  // A freeze is final: its snapshots and entropy source never change, and the draw is recorded once.
  {
    name: 'draws_frozen_fields',
    table: 'draws',
    event: 'UPDATE',
    refuseWhen: `NEW.targets_snapshot <> OLD.targets_snapshot or NEW.officers_snapshot <> OLD.officers_snapshot
      or NEW.conflicts_snapshot <> OLD.conflicts_snapshot or NEW.targets_hash <> OLD.targets_hash
      or NEW.officers_hash <> OLD.officers_hash or NEW.conflicts_hash <> OLD.conflicts_hash
      or NEW.entropy_source <> OLD.entropy_source or NEW.parameters <> OLD.parameters or NEW.task_id <> OLD.task_id`,
    message: 'LOCKED: a frozen snapshot cannot be changed',
  },
  {
    name: 'draws_run_once',
    table: 'draws',
    event: 'UPDATE',
    refuseWhen: 'OLD.seed is not null',
    message: 'LOCKED: this draw has run and is locked',
  },
  {
    name: 'draws_no_delete',
    table: 'draws',
    event: 'DELETE',
    refuseWhen: '1 = 1',
    message: 'LOCKED: a frozen draw is never deleted',
  },
  ...(['draw_picks', 'teams', 'team_targets'] as const).flatMap((table): Guard[] => [
    {
      name: `${table}_locked_insert`,
      table,
      event: 'INSERT',
      refuseWhen: runOf('NEW'),
      message: `LOCKED: ${table} of a locked draw cannot change`,
    },
    {
      name: `${table}_locked_update`,
      table,
      event: 'UPDATE',
      refuseWhen: runOf('OLD'),
      message: `LOCKED: ${table} of a locked draw cannot change`,
    },
    {
      name: `${table}_locked_delete`,
      table,
      event: 'DELETE',
      refuseWhen: runOf('OLD'),
      message: `LOCKED: ${table} of a locked draw cannot change`,
    },
  ]),
  {
    name: 'team_members_locked_insert',
    table: 'team_members',
    event: 'INSERT',
    refuseWhen: `${runOf('NEW')} and not (NEW.source = 'substitution' and ${approvedSubIn})`,
    message: 'LOCKED: only an approved substitution adds a member to a locked team',
  },
  {
    name: 'team_members_locked_update',
    table: 'team_members',
    event: 'UPDATE',
    refuseWhen: `${runOf('OLD')} and (NEW.task_id <> OLD.task_id or NEW.team_no <> OLD.team_no or NEW.cert_no <> OLD.cert_no
      or NEW.dept <> OLD.dept or NEW.leader <> OLD.leader or NEW.position <> OLD.position or NEW.source <> OLD.source
      or (NEW.active <> OLD.active and not (OLD.active = 1 and NEW.active = 0 and ${approvedSubOut})))`,
    message: 'LOCKED: only an approved substitution changes a locked team',
  },
  {
    name: 'team_members_locked_delete',
    table: 'team_members',
    event: 'DELETE',
    refuseWhen: runOf('OLD'),
    message: 'LOCKED: members of a locked team are never deleted',
  },
  // An approved substitution is part of the draw record: it is replayed by `draw verify`.
  {
    name: 'substitutions_approved_final',
    table: 'substitutions',
    event: 'UPDATE',
    refuseWhen: `OLD.state = 'approved'`,
    message: 'LOCKED: an approved substitution is final',
  },
  {
    name: 'substitutions_approved_no_delete',
    table: 'substitutions',
    event: 'DELETE',
    refuseWhen: `OLD.state = 'approved'`,
    message: 'LOCKED: an approved substitution is final',
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
