import type { App } from '../app.ts';
import { checkDatabase } from '../storage/db.ts';
import { SCHEDULER_OFF, type Scheduler, type SchedulerStatus } from './scheduler.ts';
import { outboxHealth, type Sender } from './sender.ts';

export interface Health {
  /** About the database only: a failed scheduled job shows in `scheduler.failedJobs`, not here. */
  ok: boolean;
  database: { ok: boolean; dialect: string; error?: string };
  /** Messages waiting, being sent, and permanently failed (see `liancha outbox --failed`). */
  outbox?: { pending: number; sending: number; failed: number };
  sender: 'running' | 'off (no Feishu app)';
  /** The minute tick: whether it runs, when it last ran, and which of its jobs failed then. */
  scheduler: SchedulerStatus;
}

/** What `GET /healthz` reports: can we reach the database, how the outbox stands, and the scheduler's last tick. */
export async function checkHealth(
  app: App,
  sender: Sender | null,
  scheduler: Scheduler | null = null,
): Promise<Health> {
  const senderState = sender ? 'running' : 'off (no Feishu app)';
  const schedulerState = scheduler?.status() ?? SCHEDULER_OFF;
  try {
    await checkDatabase(app.store);
    const o = await outboxHealth(app.store);
    return {
      ok: true,
      database: { ok: true, dialect: app.store.dialect },
      outbox: { pending: o.pending, sending: o.sending, failed: o.failed },
      sender: senderState,
      scheduler: schedulerState,
    };
  } catch (err) {
    return {
      ok: false,
      database: { ok: false, dialect: app.store.dialect, error: (err as Error).message },
      sender: senderState,
      scheduler: schedulerState,
    };
  }
}
