import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  Conflict,
  InspectionItem,
  Inspector,
  InspectorKind,
  ItemCategory,
  InspectionMethod,
  Target,
} from '../domain/directory.ts';
import { prepared } from './prepared.ts';
import type { Database, InspectorsTable } from './schema.ts';

/** Reads of the directories, as domain objects. */

export async function listItems(db: Kysely<Database>): Promise<InspectionItem[]> {
  const rows = await db.selectFrom('items').selectAll().orderBy('code').execute();
  return rows.map(({ source_digest: _digest, ...r }) => ({
    ...r,
    category: r.category as ItemCategory,
    method: r.method as InspectionMethod | null,
  }));
}

export function toInspector(r: Selectable<InspectorsTable>): Inspector {
  return {
    certNo: r.cert_no,
    name: r.name ?? '',
    department: r.department,
    section: r.section,
    certValidUntil: r.cert_valid_until,
    specialties: JSON.parse(r.specialties) as string[],
    regions: JSON.parse(r.regions) as string[],
    mobile: r.mobile,
    openId: r.open_id,
    kind: r.kind as InspectorKind,
    active: Number(r.active) === 1,
  };
}

export async function listInspectors(db: Kysely<Database>): Promise<Inspector[]> {
  const rows = await db.selectFrom('inspectors').selectAll().orderBy('cert_no').execute();
  return rows.map(toInspector);
}

export async function listConflicts(db: Kysely<Database>): Promise<Conflict[]> {
  const rows = await db.selectFrom('conflicts').selectAll().execute();
  return rows.map((r) => ({ certNo: r.cert_no, uscc: r.uscc, reason: r.reason }));
}

/** Names and addresses of the given targets, for cards and `task show`. */
export async function targetsByUscc(
  db: Kysely<Database>,
  usccs: string[],
): Promise<Map<string, Pick<Target, 'uscc' | 'name' | 'address' | 'region'>>> {
  const out = new Map<string, Pick<Target, 'uscc' | 'name' | 'address' | 'region'>>();
  for (let i = 0; i < usccs.length; i += 500) {
    const rows = await db
      .selectFrom('targets')
      .select(['uscc', 'name', 'address', 'region'])
      .where('uscc', 'in', usccs.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.uscc, r);
  }
  return out;
}

/** Every department with its head and liaison as imported (open_id, mobile or e-mail), by code. */
export async function departmentContacts(
  db: Kysely<Database>,
): Promise<{ code: string; name: string; head: string | null; liaison: string | null }[]> {
  return db.selectFrom('departments').select(['code', 'name', 'head', 'liaison']).orderBy('code').execute();
}

/** Every active inspector's contact fields and department name, by department and certificate. */
export async function activeInspectorContacts(db: Kysely<Database>): Promise<
  {
    cert_no: string;
    name: string;
    department: string;
    departmentName: string;
    mobile: string | null;
    open_id: string | null;
  }[]
> {
  const rows = await db
    .selectFrom('inspectors as i')
    .leftJoin('departments as d', 'd.code', 'i.department')
    .select(['i.cert_no', 'i.name', 'i.department', 'd.name as departmentName', 'i.mobile', 'i.open_id'])
    .where('i.active', '=', 1)
    .orderBy('i.department')
    .orderBy('i.cert_no')
    .execute();
  return rows.map((r) => ({ ...r, departmentName: r.departmentName ?? r.department }));
}

/** Department and item names by code. */
export async function directoryNames(
  db: Kysely<Database>,
): Promise<{ departments: Map<string, string>; items: Map<string, string> }> {
  const departments = new Map<string, string>();
  const items = new Map<string, string>();
  for (const r of (await names.run(db, {})).rows) (r.kind === 'd' ? departments : items).set(r.code, r.name);
  return { departments, items };
}

/** Both tables' names in one statement, compiled once: every card reads them (the click path among others). */
const names = prepared((db) =>
  db
    .selectFrom('departments')
    .select([sql<'d' | 'i'>`'d'`.as('kind'), 'code', 'name'])
    .unionAll(db.selectFrom('items').select([sql<'d' | 'i'>`'i'`.as('kind'), 'code', 'name'])),
);

/** How many of these targets are in each department's directory (500 at a time: bound-parameter limits). */
export async function directoryCounts(
  db: Kysely<Database>,
  usccs: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < usccs.length; i += 500) {
    const rows = await db
      .selectFrom('target_departments')
      .select(['department'])
      .where('uscc', 'in', usccs.slice(i, i + 500))
      .execute();
    for (const r of rows) counts.set(r.department, (counts.get(r.department) ?? 0) + 1);
  }
  return counts;
}
