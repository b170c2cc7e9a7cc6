import type { ColumnType, Insertable, Selectable } from 'kysely';

/**
 * The import's source digest of the file line that last wrote a directory row (migration 009): a bigint, which
 * PostgreSQL gives as text; left out of an insert, null.
 */
type SourceDigest = ColumnType<number | string | null, number | null | undefined, number | null>;

/** One interface per table. Nullable columns are `T | null`. Booleans are 0/1 integers (portable). */
export interface DepartmentsTable {
  code: string;
  name: string;
  head: string | null;
  liaison: string | null;
  source_digest: SourceDigest;
}

export interface ItemsTable {
  code: string;
  name: string;
  department: string;
  category: string;
  basis: string | null;
  method: string | null;
  specialty: string | null;
  source_digest: SourceDigest;
}

export interface TargetsTable {
  uscc: string;
  name: string;
  kind: string;
  legal_rep: string | null;
  address: string | null;
  region: string;
  industry: string | null;
  scope: string | null;
  established: string | null;
  status: string;
  risk: string;
  phone: string | null;
  source_digest: SourceDigest;
}

export interface TargetDepartmentsTable {
  uscc: string;
  department: string;
}

export interface InspectorsTable {
  cert_no: string;
  name: string;
  department: string;
  section: string | null;
  cert_valid_until: string;
  /** JSON array of strings. */
  specialties: string;
  /** JSON array of strings. */
  regions: string;
  mobile: string | null;
  open_id: string | null;
  kind: string;
  active: number;
  source_digest: SourceDigest;
}

export interface ConflictsTable {
  cert_no: string;
  uscc: string;
  reason: string | null;
  source_digest: SourceDigest;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  /** JSON object. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface TasksTable {
  id: string;
  name: string;
  initiator: string;
  state: string;
  /** JSON of the domain's TaskDefinition. */
  definition: string;
  year: number;
  created_at: string;
  created_by: string;
  void_reason: string | null;
  voided_at: string | null;
  closed_at: string | null;
  /** Set when the task was closed with results missing (`task close --force --reason`). */
  close_reason: string | null;
}

export interface DrawsTable {
  task_id: string;
  entropy_source: string;
  frozen_at: string;
  frozen_by: string;
  /** JSON of the export's `parameters` object. */
  parameters: string;
  targets_hash: string;
  officers_hash: string;
  conflicts_hash: string;
  entropy: string | null;
  seed: string | null;
  run_at: string | null;
  run_by: string | null;
}

/**
 * A freeze's canonical snapshot texts, one row each (migration 008): kept out of the `draws` row so that setting
 * the seed does not rewrite them. Write-once: the lock triggers refuse any UPDATE or DELETE.
 */
export interface DrawSnapshotsTable {
  task_id: string;
  kind: 'targets' | 'officers' | 'conflicts';
  text: string;
}

export interface DrawPicksTable {
  task_id: string;
  class: string;
  position: number;
  uscc: string;
}

export interface TeamsTable {
  task_id: string;
  no: number;
  region: string;
}

export interface TeamTargetsTable {
  task_id: string;
  team_no: number;
  position: number;
  uscc: string;
}

export interface TeamMembersTable {
  task_id: string;
  team_no: number;
  cert_no: string;
  dept: string;
  leader: number;
  position: number;
  source: 'draw' | 'substitution';
  active: number;
  confirmed_at: string | null;
  confirmed_by: string | null;
  version: number;
}

export interface SubstitutionsTable {
  id: string;
  task_id: string;
  team_no: number;
  dept: string;
  out_cert: string;
  reason: string;
  note: string | null;
  state: string;
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
  comment: string | null;
  n: number | null;
  in_cert: string | null;
  approval_seq: number | null;
  version: number;
  /** Who may decide: the head of the inspector's department, or its liaison (`decider_why` says why). */
  decider_open_id: string | null;
  decider_role: 'head' | 'liaison' | null;
  decider_why: 'head-is-requester' | 'head-unresolved' | null;
}

/** One department's part of one target's result; an edit replaces it (versions in the audit log). */
export interface ResultsTable {
  task_id: string;
  uscc: string;
  dept: string;
  team_no: number;
  /** JSON array of category codes. */
  categories: string;
  inspected_on: string;
  /** JSON array of inspection methods. */
  methods: string;
  note: string | null;
  followup: string | null;
  entered_by: string;
  entered_at: string;
  source: 'chat' | 'import';
  version: number;
}

/** One scheduled occasion that has run (`sub-remind:<request>`, `digest:<chat>:<ISO week>`, …). */
export interface JobRunsTable {
  key: string;
  ran_at: string;
  instance: string;
}

export interface OutboxTable {
  id: string;
  /** Ordering key: created_at ISO + per-process counter + id. */
  seq: string;
  kind: 'send' | 'reply' | 'patch';
  receive_id_type: string | null;
  receive_id: string | null;
  target_message_id: string | null;
  /** For a patch: the outbox row whose sent message is updated (the patch waits until it is sent). */
  patch_of: string | null;
  msg_type: string;
  /** JSON string as Feishu takes it (card JSON 2.0, or {"text": …}). */
  content: string;
  uuid: string | null;
  ref: string | null;
  state: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  claimed_by: string | null;
  lease_until: string | null;
  sent_message_id: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface InboundDeliveriesTable {
  /** `event:<event_id>` or `message:<message_id>`. */
  delivery_id: string;
  kind: string;
  received_at: string;
  outcome: string | null;
}

export interface IdentitiesTable {
  /** The identifier as imported: an open_id, a mobile number or an e-mail address. */
  raw: string;
  kind: 'open_id' | 'mobile' | 'email' | 'unknown';
  open_id: string | null;
  status: 'resolved' | 'unresolved';
  checked_at: string;
}

export interface MigrationsTable {
  name: string;
  applied_at: string;
}

/** The sender's shared pacing (migration 007): one pacing key (`send:app`, `to:open_id:ou_…`, `msg:om_…`); times in ms since the epoch, 0 when unset. */
export interface SendPaceTable {
  key: string;
  next_at: number;
  paused_until: number;
}

/** One call counted in a sliding window (`send:app:minute`), at the time it was reserved for (migration 007). */
export interface SendCallsTable {
  id: string;
  key: string;
  at: number;
}

export interface Database {
  departments: DepartmentsTable;
  items: ItemsTable;
  targets: TargetsTable;
  target_departments: TargetDepartmentsTable;
  inspectors: InspectorsTable;
  conflicts: ConflictsTable;
  audit_log: AuditLogTable;
  tasks: TasksTable;
  draws: DrawsTable;
  draw_snapshots: DrawSnapshotsTable;
  draw_picks: DrawPicksTable;
  teams: TeamsTable;
  team_targets: TeamTargetsTable;
  team_members: TeamMembersTable;
  substitutions: SubstitutionsTable;
  job_runs: JobRunsTable;
  results: ResultsTable;
  outbox: OutboxTable;
  send_pace: SendPaceTable;
  send_calls: SendCallsTable;
  inbound_deliveries: InboundDeliveriesTable;
  identities: IdentitiesTable;
  liancha_migrations: MigrationsTable;
}

export type AuditRow = Selectable<AuditLogTable>;
export type NewTarget = Insertable<TargetsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type IdentityRow = Selectable<IdentitiesTable>;
