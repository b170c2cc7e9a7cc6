import type { Insertable, Selectable } from 'kysely';

/** One interface per table. Nullable columns are `T | null`. Booleans are 0/1 integers (portable). */
export interface DepartmentsTable {
  code: string;
  name: string;
  head: string | null;
  liaison: string | null;
}

export interface ItemsTable {
  code: string;
  name: string;
  department: string;
  category: string;
  basis: string | null;
  method: string | null;
  specialty: string | null;
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
}

export interface ConflictsTable {
  cert_no: string;
  uscc: string;
  reason: string | null;
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

export interface MigrationsTable {
  name: string;
  applied_at: string;
}

export interface Database {
  departments: DepartmentsTable;
  items: ItemsTable;
  targets: TargetsTable;
  target_departments: TargetDepartmentsTable;
  inspectors: InspectorsTable;
  conflicts: ConflictsTable;
  audit_log: AuditLogTable;
  liancha_migrations: MigrationsTable;
}

export type AuditRow = Selectable<AuditLogTable>;
export type NewTarget = Insertable<TargetsTable>;
