/**
 * The two transactions shapes of an import. Checking runs in one read transaction (a consistent view, no write
 * lock). Writing runs in short transactions of `APPLY_BATCH` records each: SQLite has one writer at a time, and
 * a bot callback (3 s to answer, Feishu's limit) must never wait for a whole file. All or nothing is kept by
 * checking everything first — what is left to fail is the database itself (a full disk, a row deleted by
 * someone else meanwhile) — and, should a write fail, by putting back what the earlier transactions wrote
 * from the before images kept in staging. (A process killed mid-write leaves part of the file written and no
 * audit entry; importing the same file again completes it, as every write is an upsert.)
 */
import type { Kysely, Transaction } from 'kysely';
import type { Store } from '../db.ts';
import type { Database } from '../schema.ts';
import { Bulk } from './bulk.ts';
import type { Staging } from './staging.ts';
import { deleteRecords, writeRecords, type StagedRecord, type TableSpec } from './upsert.ts';

/** About 50 ms of writing per transaction for targets with their departments on SQLite. */
export const APPLY_BATCH = 1000;

/**
 * Runs `work` in a read transaction through `bulk` (bound to one connection). On SQLite a plain (deferred) `BEGIN`
 * that only reads the main database and writes temporary tables never takes the main database's write lock;
 * on PostgreSQL, REPEATABLE READ gives the whole check one snapshot.
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

/**
 * Writes every staged record in transactions of at most `batch` records; `last` runs inside the final one
 * (the audit entry: it is there exactly when the whole import is). On a failure, undoes what was written.
 */
export async function applyStaged(
  db: Kysely<Database>,
  store: Store,
  spec: TableSpec,
  staging: Staging,
  batch = APPLY_BATCH,
  last: (trx: Transaction<Database>) => Promise<void>,
  onWritten: (records: number) => void = () => {},
): Promise<void> {
  const reading = new Bulk(db, store);
  let after: string | null = null;
  let written = 0;
  try {
    for (;;) {
      const chunk = await staging.chunk(reading, after, batch);
      const final = written + chunk.records.length >= staging.count;
      await db.transaction().execute(async (trx) => {
        await write(new Bulk(trx, store), spec, chunk.records);
        if (final) await last(trx);
      });
      written += chunk.records.length;
      after = chunk.last ?? after;
      onWritten(written);
      if (final) return;
    }
  } catch (err) {
    try {
      if (after !== null) await undo(db, store, spec, staging, after, batch);
    } catch (undoErr) {
      throw new Error(
        `writing failed part-way (${String(err)}) and undoing it failed too (${String(undoErr)}): ` +
          `${written} records were written; import the file again to complete it`,
      );
    }
    throw new WriteUndone(err);
  }
}

/** A write failed part-way and everything written before it was put back: the database is as it was. */
export class WriteUndone extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

async function write(bulk: Bulk, spec: TableSpec, staged: readonly StagedRecord[]): Promise<void> {
  const replaced = spec.children
    ? staged.filter((s) => s.before !== null).map((s) => String(s.record.row[spec.children!.parent]))
    : [];
  await writeRecords(
    bulk,
    spec,
    staged.map((s) => s.record),
    replaced,
  );
}

/** Puts back the rows of every record staged up to key `upTo` (those written), in short transactions too. */
async function undo(
  db: Kysely<Database>,
  store: Store,
  spec: TableSpec,
  staging: Staging,
  upTo: string,
  batch: number,
): Promise<void> {
  const reading = new Bulk(db, store);
  for (let after: string | null = null; ;) {
    const chunk = await staging.chunk(reading, after, batch, upTo);
    if (chunk.last === null) break;
    const added = chunk.records.filter((s) => s.before === null).map((s) => s.record);
    const before = chunk.records.filter((s) => s.before !== null).map((s) => s.before!);
    await db.transaction().execute(async (trx) => {
      const bulk = new Bulk(trx, store);
      await deleteRecords(bulk, spec, added);
      const replaced = spec.children ? before.map((r) => String(r.row[spec.children!.parent])) : [];
      await writeRecords(bulk, spec, before, replaced);
    });
    after = chunk.last;
  }
}
