import type { OutboxRow } from '../../storage/outbox.ts';
import type { Check } from './rate-gate.ts';

/**
 * Feishu's limits as the sender keeps them (docs/feishu.md, "Limits"): ≤ 50 sends per second and 1000 per minute per
 * app, ≤ 5 per second per receiving user or chat, ≤ 5 updates per second per message. Calls are spaced evenly (a
 * rate with a burst of one) rather than sent in bursts that fill a window: Feishu counts calls when they arrive,
 * and a burst held up on the way (a token fetch, a busy event loop) would arrive together with the next second's.
 */
export interface SenderLimits {
  /** Sends (create + reply) per second per app. Feishu allows 50: stay under it. */
  appPerSecond: number;
  /** Sends per minute per app (Feishu: 1000), counted over `appMinuteWindowMs`. */
  appPerMinute: number;
  appMinuteWindowMs: number;
  /** Sends per second to one user or chat (Feishu: 5; spaced at 4 so that a late call never makes 6 in Feishu's second). */
  perReceiverPerSecond: number;
  /** Updates per second of one message (Feishu: 5). */
  perMessagePerSecond: number;
  /** Updates per second per app. */
  patchesPerSecond: number;
}

export const DEFAULT_SENDER_LIMITS: SenderLimits = {
  appPerSecond: 47,
  appPerMinute: 1000,
  appMinuteWindowMs: 60_500,
  perReceiverPerSecond: 4,
  perMessagePerSecond: 4,
  patchesPerSecond: 47,
};

/** The window that a refused send gives back (Feishu did not count it either). */
export const MINUTE_KEY = 'send:app:minute';

/**
 * The checks one row's call must pass. `patchTarget`: the message a patch updates, when it is only known from
 * the row it is chained to.
 */
export function checksFor(row: OutboxRow, limits: SenderLimits, patchTarget?: string | null): Check[] {
  if (row.kind === 'patch') {
    const target = patchTarget ?? row.target_message_id ?? row.id;
    return [
      { key: 'patch:app', perSecond: limits.patchesPerSecond, appWide: true },
      { key: `msg:${target}`, perSecond: limits.perMessagePerSecond },
    ];
  }
  const receiver =
    row.kind === 'send' ? `to:${row.receive_id_type}:${row.receive_id}` : `to:reply:${row.target_message_id}`;
  return [
    { key: 'send:app', perSecond: limits.appPerSecond, appWide: true },
    { key: MINUTE_KEY, limit: limits.appPerMinute, windowMs: limits.appMinuteWindowMs, appWide: true },
    { key: receiver, perSecond: limits.perReceiverPerSecond },
  ];
}

/** What a rate-limit answer holds back: every call of the same kind (someone is over the app's limit). */
export function pauseKeyFor(row: OutboxRow): string {
  return row.kind === 'patch' ? 'patch:app' : 'send:app';
}
