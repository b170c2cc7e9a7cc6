import { sql, type Kysely, type Transaction } from 'kysely';
import { dialectOf } from './db.ts';
import { prepared } from './prepared.ts';
import type { Database, IdentityRow } from './schema.ts';

export type { IdentityRow } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

export type IdentityKind = IdentityRow['kind'];

/** What a directory identifier looks like: an open_id (`ou_…`), an e-mail, a mobile number, or none of these. */
export function identityKind(raw: string): IdentityKind {
  const v = raw.trim();
  if (/^ou_[0-9A-Za-z_-]+$/.test(v)) return 'open_id';
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return 'email';
  if (/^\+?[0-9][0-9 -]{5,19}$/.test(v)) return 'mobile';
  return 'unknown';
}

/** The form sent to Feishu: a mobile without spaces or dashes, an e-mail in lower case. */
export function normalizeIdentifier(raw: string, kind: IdentityKind = identityKind(raw)): string {
  const v = raw.trim();
  if (kind === 'mobile') return v.replace(/[ -]/g, '');
  if (kind === 'email') return v.toLowerCase();
  return v;
}

/** Stores the outcome of resolving identifiers (insert or replace). */
export async function saveIdentities(db: Db, rows: IdentityRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await db
      .insertInto('identities')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) =>
        oc.column('raw').doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          open_id: eb.ref('excluded.open_id'),
          status: eb.ref('excluded.status'),
          checked_at: eb.ref('excluded.checked_at'),
        })),
      )
      .execute();
  }
}

/** Every stored identity, keyed by the raw identifier. */
export async function loadIdentities(db: Db): Promise<Map<string, IdentityRow>> {
  const rows = await db.selectFrom('identities').selectAll().execute();
  return new Map(rows.map((r) => [r.raw, r]));
}

/**
 * The identity rows of these identifiers only (a card for one team needs a handful, not the whole table): one
 * statement compiled once, the identifiers bound as one JSON array (an `in` list would be new SQL for every count).
 */
export async function identitiesOf(db: Db, raws: readonly string[]): Promise<Map<string, IdentityRow>> {
  const out = new Map<string, IdentityRow>();
  const wanted = [...new Set(raws)];
  if (wanted.length === 0) return out;
  for (const r of (await identitiesIn.run(db, { raws: JSON.stringify(wanted) })).rows) out.set(r.raw, r);
  return out;
}

const identitiesIn = prepared((db, p: { raws: string }) =>
  db
    .selectFrom('identities')
    .selectAll()
    .where(
      'raw',
      'in',
      dialectOf(db) === 'postgres'
        ? sql<string>`(select jsonb_array_elements_text(cast(${p.raws} as jsonb)))`
        : sql<string>`(select value from json_each(${p.raws}))`,
    ),
);

/**
 * The open_id to message for a directory identifier: an open_id is itself; a mobile or e-mail is what
 * `liancha users check` (or the bot at start-up) resolved it to; null when it is not resolved.
 *
 * @example const openId = await openIdFor(db, inspector.open_id ?? inspector.mobile ?? '')
 */
export async function openIdFor(db: Db, raw: string): Promise<string | null> {
  const v = raw.trim();
  if (!v) return null;
  if (identityKind(v) === 'open_id') return v;
  const row = await db
    .selectFrom('identities')
    .select(['open_id', 'status'])
    .where('raw', '=', v)
    .executeTakeFirst();
  return row?.status === 'resolved' ? row.open_id : null;
}
