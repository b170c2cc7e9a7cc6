import type { Bulk } from './bulk.ts';

/** The department codes already in the database, which import rows may refer to. */
export async function knownDepartments(bulk: Bulk): Promise<Set<string>> {
  const rows = await bulk.db.selectFrom('departments').select('code').execute();
  return new Set(rows.map((r) => String(r.code)));
}
