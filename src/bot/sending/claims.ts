import type { Logger } from 'pino';
import type { Store } from '../../storage/db.ts';
import { claimDue, patchTargets, releaseClaims, type OutboxRow } from '../../storage/outbox.ts';
import type { SenderClock } from './clock.ts';

/** For a patch chained to another row: the message it updates, or null (with why) when that row failed. */
export interface PatchTarget {
  messageId: string | null;
  why?: string;
}

export interface ClaimQueueOptions {
  store: Store;
  clock: SenderClock;
  log: Logger;
  instanceId: string;
  /** Rows claimed at a time; the next batch is claimed when half is handed out. */
  batchSize: number;
  leaseMs: number;
}

/**
 * One pass's rows: claimed from the outbox in batches, handed out as their limits allow, and what was claimed
 * but not handed out given back at the end. Several workers call `next` at once.
 */
export class ClaimQueue {
  /** Patch row id → the message it updates, for patches chained to a row sent in an earlier pass or this one. */
  readonly targets = new Map<string, PatchTarget>();
  private readonly rows: OutboxRow[] = [];
  /** Conversations with a row handed out and not yet `done`: their later rows wait, so they arrive in order. */
  private readonly busy = new Set<string>();
  private exhausted = false;
  private refilling: Promise<void> | null = null;

  constructor(private readonly o: ClaimQueueOptions) {}

  /**
   * The next row that `ready` lets go (it returns 0, or how many ms to wait), taken out of the queue; null when
   * nothing is left to claim or `stopped()`. Waits on the clock, never longer than 100 ms at a time, so that rows
   * claimed meanwhile and a stop are noticed.
   */
  async next(
    ready: (row: OutboxRow, now: number) => number,
    stopped: () => boolean,
  ): Promise<OutboxRow | null> {
    for (;;) {
      if (stopped()) return null;
      if (this.rows.length < this.o.batchSize / 2 && !this.exhausted && !this.refilling)
        this.refilling = this.refill()
          .catch((err: unknown) => {
            // The database failed us: end this pass; the next one claims again.
            this.o.log.error({ err }, 'outbox claim failed');
            this.exhausted = true;
          })
          .finally(() => (this.refilling = null));
      if (this.rows.length === 0) {
        if (this.refilling) await this.refilling;
        else if (this.exhausted) return null;
        continue;
      }
      const now = this.o.clock.now();
      let wait = Infinity;
      // Rows are in outbox order; a conversation's row never overtakes its earlier one — the group should read the
      // freeze announcement before the draw result, whichever worker's call would have been placed first.
      const held = new Set(this.busy);
      for (let i = 0; i < this.rows.length; i++) {
        const row = this.rows[i]!;
        const key = conversationOf(row);
        if (held.has(key)) continue;
        const w = ready(row, now);
        if (w === 0) {
          this.busy.add(key);
          return this.rows.splice(i, 1)[0]!;
        }
        held.add(key);
        wait = Math.min(wait, w);
      }
      if (wait === Infinity) wait = 5; // everything waits on a call in flight
      await this.o.clock.sleep(Math.min(Math.max(Math.ceil(wait), 1), 100));
    }
  }

  /** Returns a row handed out but not tried (its call had no place yet, or the sender stops), in order. */
  putBack(row: OutboxRow): void {
    const at = this.rows.findIndex((r) => r.seq > row.seq);
    this.rows.splice(at === -1 ? this.rows.length : at, 0, row);
    this.done(row);
  }

  /** A row handed out was tried (sent, failed or to be retried): its conversation's next row may go. */
  done(row: OutboxRow): void {
    this.busy.delete(conversationOf(row));
  }

  /** Waits for a claim in flight, then hands back the rows not handed out (not counted as attempts). */
  async close(): Promise<void> {
    if (this.refilling) await this.refilling;
    if (this.rows.length === 0) return;
    const ids = this.rows.map((r) => r.id);
    this.rows.length = 0;
    await releaseClaims(this.o.store.db, ids, this.o.instanceId);
  }

  private async refill(): Promise<void> {
    const { store, clock, instanceId, batchSize, leaseMs } = this.o;
    const rows = await claimDue(store, {
      instanceId,
      now: new Date(clock.now()),
      limit: batchSize - this.rows.length,
      leaseMs,
    });
    if (rows.length === 0) {
      this.exhausted = true;
      return;
    }
    const chained = rows.filter((r) => r.kind === 'patch' && r.patch_of);
    const parents = await patchTargets(
      store.db,
      chained.map((r) => r.patch_of!),
    );
    for (const r of chained) {
      const parent = parents.get(r.patch_of!);
      this.targets.set(
        r.id,
        parent?.sentMessageId
          ? { messageId: parent.sentMessageId }
          : {
              messageId: null,
              why: `the message to update was never sent (${parent?.lastError ?? 'unknown'})`,
            },
      );
    }
    this.rows.push(...rows);
  }
}

/** Who reads a row's message: the chat or person it is sent to, or the message a reply or an update is about. */
function conversationOf(row: OutboxRow): string {
  return row.receive_id ?? row.target_message_id ?? row.patch_of ?? row.id;
}
