import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { dialectOf } from './db.ts';
import type { AuditRow, Database } from './schema.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  /** ISO time the action happened (the caller's clock). */
  at: string;
  /** Who did it: an OS user for the CLI, an open_id for the bot. */
  actor: string;
  /** Dotted verb, e.g. `import.targets`, `draw.run`. */
  action: string;
  /** What it was done to, e.g. a file name or a task id. */
  subject: string;
  details: Record<string, unknown>;
}

/** The hash of one entry covers every field and the previous hash, so altering any entry breaks the chain. */
export function auditHash(row: Omit<AuditRow, 'hash'>): string {
  const canonical = JSON.stringify([
    row.seq,
    row.at,
    row.actor,
    row.action,
    row.subject,
    row.details,
    row.prev_hash,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Appends one entry to the hash-chained audit log, inside the caller's transaction so that the entry and the
 * change it records commit together.
 *
 * @example await appendAudit(trx, { at, actor: 'ops', action: 'import.targets', subject: 'targets.csv', details: { added: 3 } })
 */
export async function appendAudit(trx: Transaction<Database>, entry: AuditEntry): Promise<AuditRow> {
  // SQLite transactions here are BEGIN IMMEDIATE (one writer); PostgreSQL needs a lock so two appends can't share a seq.
  if (dialectOf(trx) === 'postgres') await sql`select pg_advisory_xact_lock(4242002)`.execute(trx);
  const last = await trx
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const row = {
    seq: (last ? Number(last.seq) : 0) + 1,
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    subject: entry.subject,
    details: JSON.stringify(entry.details),
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const full = { ...row, hash: auditHash(row) };
  await trx.insertInto('audit_log').values(full).execute();
  return full;
}

/** An entry of the chain that a head hash (published on a card or in an export) names. */
export interface AuditAnchor {
  seq: number;
  hash: string;
  at: string;
  action: string;
  subject: string;
}

export type AuditVerdict =
  | { ok: true; entries: number; head?: AuditAnchor }
  | { ok: false; entries: number; seq: number; problem: string }
  | { ok: false; entries: number; head: string; problem: string };

export { MIN_HEAD_PREFIX } from '../domain/audit.ts';

/**
 * Walks the chain from the first entry and reports the first one that was altered or removed. With `head` (a
 * hash published earlier, or a unique prefix of at least MIN_HEAD_PREFIX hex digits), the chain must also still
 * contain that entry: an anchored head that is gone means it, or entries before it, were removed or replaced.
 */
export async function verifyAuditChain(
  db: Kysely<Database>,
  opts: { head?: string } = {},
): Promise<AuditVerdict> {
  const head = opts.head?.toLowerCase();
  const anchors: AuditAnchor[] = [];
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let afterSeq = 0;
  for (;;) {
    const page = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(1000)
      .execute();
    if (page.length === 0) break;
    for (const raw of page) {
      const row = { ...raw, seq: Number(raw.seq) };
      count++;
      if (row.seq !== expectedSeq) {
        return {
          ok: false,
          entries: count,
          seq: expectedSeq,
          problem: `entry ${expectedSeq} is missing (next entry found is ${row.seq})`,
        };
      }
      if (row.prev_hash !== prevHash) {
        return {
          ok: false,
          entries: count,
          seq: row.seq,
          problem: `entry ${row.seq} does not follow entry ${row.seq - 1}: previous hash differs`,
        };
      }
      if (auditHash(row) !== row.hash) {
        return {
          ok: false,
          entries: count,
          seq: row.seq,
          problem: `entry ${row.seq} (${row.action} ${row.subject}) was altered: its content no longer matches its hash`,
        };
      }
      if (head !== undefined && row.hash.startsWith(head)) {
        anchors.push({ seq: row.seq, hash: row.hash, at: row.at, action: row.action, subject: row.subject });
      }
      prevHash = row.hash;
      expectedSeq++;
      afterSeq = row.seq;
    }
  }
  if (head === undefined) return { ok: true, entries: count };
  if (anchors.length === 0) {
    return {
      ok: false,
      entries: count,
      head,
      problem: `head ${head} is not in the audit log (${count} entries): the entry it anchors, or entries before it, were removed or replaced`,
    };
  }
  if (anchors.length > 1) {
    return {
      ok: false,
      entries: count,
      head,
      problem: `head ${head} matches ${anchors.length} entries (${anchors.map((a) => a.seq).join(', ')}); give more of the hash`,
    };
  }
  return { ok: true, entries: count, head: anchors[0]! };
}

/** The newest entry's hash: the head that anchors everything recorded so far (GENESIS_HASH when empty). */
export async function auditHead(db: Kysely<Database>): Promise<string> {
  const last = await db
    .selectFrom('audit_log')
    .select('hash')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last?.hash ?? GENESIS_HASH;
}

/** The most recent entries, newest last. */
export async function recentAudit(db: Kysely<Database>, limit = 20): Promise<AuditRow[]> {
  const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(limit).execute();
  return rows.reverse();
}
