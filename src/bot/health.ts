import type { App } from '../app.ts';
import { checkDatabase } from '../storage/db.ts';
import { outboxHealth, type Sender } from './sender.ts';

export interface Health {
  ok: boolean;
  database: { ok: boolean; dialect: string; error?: string };
  /** Messages waiting, being sent, and permanently failed (see `liancha outbox --failed`). */
  outbox?: { pending: number; sending: number; failed: number };
  sender: 'running' | 'off (local mode)';
}

/** What `GET /healthz` reports: can we reach the database, and how the outbox stands. */
export async function checkHealth(app: App, sender: Sender | null): Promise<Health> {
  const senderState = sender ? 'running' : 'off (local mode)';
  try {
    await checkDatabase(app.store);
    const o = await outboxHealth(app.store);
    return {
      ok: true,
      database: { ok: true, dialect: app.store.dialect },
      outbox: { pending: o.pending, sending: o.sending, failed: o.failed },
      sender: senderState,
    };
  } catch (err) {
    return {
      ok: false,
      database: { ok: false, dialect: app.store.dialect, error: (err as Error).message },
      sender: senderState,
    };
  }
}
