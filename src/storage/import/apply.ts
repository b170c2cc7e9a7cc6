/**
 * The two transaction shapes of an import. Checking runs in one read transaction (a consistent view, no write
 * lock). Writing runs in short transactions of `APPLY_BATCH` records each, in key order: SQLite has one writer
 * at a time, and a bot callback (3 s to answer, Feishu's limit) must never wait for a whole file. Each write
 * transaction classifies its records against the rows as they are then (added, changed, unchanged) and writes
 * the added and changed ones, and the new source digest of an unchanged one read from a line written differently. All or nothing is kept by checking everything first — what is left to fail is
 * the database itself (a full disk, a trigger) — and, should a write fail, by putting back what the earlier
 * transactions wrote from the undo log: each committed transaction's before images. (A
 * process killed mid-write leaves part of the file written and no audit entry; importing the same file again
 * completes it, as every write is an upsert.)
 */
import type { Kysely, Transaction } from 'kysely';
import type { Store } from '../db.ts';
import type { Database } from '../schema.ts';
import { Bulk, type DbValue } from './bulk.ts';
import { buildIndexes, dropIndexes } from './indexes.ts';
import type { LineFile } from './record-file.ts';
import {
  checkChildReferences,
  classifyBatch,
  tableIsEmpty,
  decodeRecord,
  upsertRows,
  deleteRecords,
  encodeRecord,
  writeRecords,
  type Counts,
  type ImportRecord,
  type StagedRecord,
  type TableSpec,
} from './upsert.ts';

/**
 * Records written per transaction: about 50–100 ms of writing for targets with their departments on SQLite —
 * short enough for a callback waiting on the lock, long enough that committing is not most of the work.
 */
export const APPLY_BATCH = 4000;

/**
 * Runs `work` in a read transaction through `bulk` (bound to one connection). On SQLite a plain (deferred) `BEGIN`
 * that only reads the main database never takes the main database's write lock; on PostgreSQL, REPEATABLE READ
 * gives the whole check one snapshot.
 */
export async function readTransaction(bulk: Bulk, store: Store, work: () => Promise<void>): Promise<void> {
  await bulk.exec(
    store.dialect === 'sqlite' ? 'begin deferred' : 'begin isolation level repeatable read',
    [],
  );
  try {
    await work();
  } catch (err) {
    await bulk.exec('rollback', []);
    throw err;
  }
  await bulk.exec('commit', []);
}

export interface ApplyOptions {
  /** The table held no rows when the import began: every record is new, nothing needs looking up. */
  startedEmpty: boolean;
  /** Where each transaction's before images go before it commits, to undo it should a later one fail. */
  undo: LineFile;
  /** Runs inside the final transaction with the whole import's counts (the audit entry). */
  last: (trx: Transaction<Database>, counts: Counts) => Promise<void>;
  onWritten?: (records: number) => void;
}

/**
 * Writes `batches` (records in key order), one transaction each, the last one with `last`. On a failure,
 * undoes what was written and throws `WriteUndone`. Returns the counts.
 */
export async function applySorted(
  db: Kysely<Database>,
  store: Store,
  spec: TableSpec,
  batches: AsyncIterable<ImportRecord[]>,
  options: ApplyOptions,
): Promise<Counts> {
  const counts: Counts = { added: 0, changed: 0, unchanged: 0 };
  const undo = new UndoLog(spec, options.undo);
  const checksOwnKeys = store.dialect === 'sqlite' && spec.children?.references !== undefined;
  const restoreForeignKeys = checksOwnKeys ? foreignKeysOff(store) : () => {};
  const source = batches[Symbol.asyncIterator]();
  let seen = 0;
  let empty: boolean | null = null;
  try {
    let next = await source.next();
    for (;;) {
      const batch = next.done ? [] : next.value;
      // Read ahead (outside the transaction): the batch after this one decides whether this is the last.
      const following = next.done ? next : await source.next();
      await db.transaction().execute(async (trx) => {
        const bulk = new Bulk(trx, store);
        if (empty === null) {
          // Checked again under the write lock: another import may have filled the table meanwhile.
          empty = options.startedEmpty && (await tableIsEmpty(bulk, spec));
          if (empty) await dropIndexes(trx, spec);
        }
        const classified = await classifyBatch(bulk, spec, batch, empty);
        if (checksOwnKeys) await checkChildReferences(bulk, spec, classified.toWrite);
        undo.record(classified.toWrite);
        await write(bulk, spec, classified.toWrite);
        counts.added += classified.counts.added;
        counts.changed += classified.counts.changed;
        counts.unchanged += classified.counts.unchanged;
        if (following.done) {
          if (empty) await buildIndexes(trx, spec);
          await options.last(trx, counts);
        }
      });
      undo.committed();
      seen += batch.length;
      options.onWritten?.(seen);
      if (following.done) {
        restoreForeignKeys();
        return counts;
      }
      next = following;
    }
  } catch (err) {
    restoreForeignKeys(); // the undo deletes rows: SQLite's own checks guard what may reference them
    try {
      await undo.replay(db, store);
      if (empty) await buildIndexes(db, spec);
    } catch (undoErr) {
      throw new Error(
        `writing failed part-way (${String(err)}) and undoing it failed too (${String(undoErr)}): ` +
          `${counts.added + counts.changed} records were written; import the file again to complete it`,
      );
    }
    throw new WriteUndone(err);
  }
}

/**
 * Turns SQLite's foreign-key checks off on the import's connection; returns what turns them back on. For a
 * million targets they cost a sixth of the import's time (about 5 s), looking up for each of 1.5 million
 * department links the target written just before it and one of a few dozen departments; the import checks
 * both itself (`checkChildReferences`). The pragma is connection-wide and cannot change inside a transaction,
 * so it is set between them: `runImport` holds the connection for the whole import, and every way out of
 * `applySorted` turns the checks back on first.
 */
function foreignKeysOff(store: Store): () => void {
  const sqlite = store.sqlite!;
  if (sqlite.pragma('foreign_keys', { simple: true }) !== 1) return () => {};
  sqlite.pragma('foreign_keys = OFF');
  let on = false;
  return () => {
    if (!on) sqlite.pragma('foreign_keys = ON');
    on = true;
  };
}

/** A write failed part-way and everything written before it was put back: the database is as it was. */
export class WriteUndone extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** Writes the added and changed records whole, and only the row of those whose digest alone is new. */
async function write(bulk: Bulk, spec: TableSpec, staged: readonly StagedRecord[]): Promise<void> {
  const whole = staged.filter((s) => !s.digestOnly);
  const replaced = spec.children
    ? whole.filter((s) => s.before !== null).map((s) => String(s.record.row[spec.children!.parent]))
    : [];
  await writeRecords(
    bulk,
    spec,
    whole.map((s) => s.record),
    replaced,
  );
  await upsertRows(
    bulk,
    spec,
    staged.filter((s) => s.digestOnly).map((s) => s.record),
  );
}

/**
 * What each committed write transaction changed, on disk: for a record it added, its key (to delete it); for
 * one it changed, what the row held before (to put it back). A transaction that failed changed nothing, so its
 * entries never join the log (replaying them would write its refused rows once more).
 */
class UndoLog {
  private entries = 0;
  private pending: string[] = [];
  constructor(
    private readonly spec: TableSpec,
    private readonly file: LineFile,
  ) {}

  /** Notes what the transaction under way changes; it joins the log only once that transaction commits. */
  record(staged: readonly StagedRecord[]): void {
    this.pending = staged.map((s) =>
      s.before === null
        ? `+${JSON.stringify(this.spec.key.map((k) => s.record.row[k] ?? null))}`
        : `=${encodeRecord(this.spec, s.before)}`,
    );
  }

  /** The transaction committed: what it changed is to be undone should a later one fail. */
  committed(): void {
    for (const line of this.pending) this.file.append(line);
    this.entries += this.pending.length;
    this.pending = [];
  }

  /** Puts back everything recorded, in short transactions too. */
  async replay(db: Kysely<Database>, store: Store): Promise<void> {
    if (this.entries === 0) return;
    const { spec } = this;
    for await (const lines of this.file.lines()) {
      const added = lines.filter((l) => l[0] === '+').map((l) => keyRecord(spec, l.slice(1)));
      const before = lines.filter((l) => l[0] === '=').map((l) => decodeRecord(spec, l.slice(1)));
      await db.transaction().execute(async (trx) => {
        const bulk = new Bulk(trx, store);
        await deleteRecords(bulk, spec, added);
        const replaced = spec.children ? before.map((r) => String(r.row[spec.children!.parent])) : [];
        await writeRecords(bulk, spec, before, replaced);
      });
    }
  }
}

/** A record holding only its key, as the undo log keeps an addition: enough to delete it. */
function keyRecord(spec: TableSpec, line: string): ImportRecord {
  const values = JSON.parse(line) as DbValue[];
  return { row: Object.fromEntries(spec.key.map((k, i) => [k, values[i] ?? null])) };
}
