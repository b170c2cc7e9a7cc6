import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { RiskClass, Target, TargetKind, TargetStatus } from '../domain/directory.ts';
import { dialectOf } from './db.ts';
import type { Database } from './schema.ts';

/**
 * Rows per page: small enough that a page dies young (5,000 rows grew the heap by 70 MB of garbage on a million
 * targets), large enough that the queries cost nothing extra.
 */
const PAGE = 2_000;

/**
 * Every target with what the eligibility rules read (kind, region, industry, status, risk) and, of its directory
 * departments, only those among `directories` (the task's, `targetDirectories`): the rules ask only whether a
 * target is in one of them, and a million targets' full lists are twice the reading. One query a page, keyset
 * by USCC, so nothing but the page is held; on SQLite the pages come in byte order of the USCC (its BINARY
 * collation), so the freeze's snapshot lines need no sort. Names, addresses and the rest are left empty.
 * @example for await (const page of targetsForEligibility(db, ['SCJG', 'WJW'])) for (const t of page) …
 */
export async function* targetsForEligibility(
  db: Kysely<Database>,
  directories: readonly string[],
): AsyncGenerator<Target[]> {
  const postgres = dialectOf(db) === 'postgres';
  const among = directories.length > 0 ? sql.join([...directories]) : sql`null`;
  // PostgreSQL returns an array as an array; SQLite has none and returns JSON text.
  const departments: RawBuilder<string[] | string> = postgres
    ? sql`array(select d.department from target_departments d where d.uscc = t.uscc and d.department in (${among}))`
    : sql`(select json_group_array(d.department) from target_departments d where d.uscc = t.uscc and d.department in (${among}))`;
  let after: string | null = null;
  for (;;) {
    const rows = await db
      .selectFrom('targets as t')
      .select(['t.uscc', 't.kind', 't.region', 't.industry', 't.status', 't.risk'])
      .select(departments.as('departments'))
      .$if(after !== null, (q) => q.where('t.uscc', '>', after!))
      .orderBy('t.uscc')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return;
    yield rows.map((r) => ({
      uscc: r.uscc,
      name: '',
      kind: r.kind as TargetKind,
      legalRep: null,
      address: null,
      region: r.region,
      industry: r.industry,
      scope: null,
      established: null,
      status: r.status as TargetStatus,
      risk: r.risk as RiskClass,
      phone: null,
      departments:
        typeof r.departments === 'string' ? (JSON.parse(r.departments) as string[]) : r.departments,
    }));
    if (rows.length < PAGE) return;
    after = rows.at(-1)!.uscc;
  }
}

/** How many targets the directory holds, eligible or not (a size hint for the freeze's buffers). */
export async function countTargets(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('targets')
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
