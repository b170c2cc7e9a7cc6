import type { Transaction } from 'kysely';
import type { App } from '../app.ts';
import type { Effect } from '../domain/transition.ts';
import { appendAudit } from '../storage/audit.ts';
import type { Database } from '../storage/schema.ts';

/**
 * Carries out a transition's effects inside the transaction that saves its `next` state. `update-card` needs
 * nothing here: the service answers the click with the card rendered from the state it just saved.
 */
export async function applyEffects(
  app: App,
  trx: Transaction<Database>,
  effects: readonly Effect[],
  who: { actor: string; at: string },
): Promise<void> {
  for (const effect of effects) {
    if (effect.kind === 'audit')
      await appendAudit(trx, {
        at: who.at,
        actor: who.actor,
        action: effect.action,
        subject: effect.subject,
        details: effect.details,
      });
  }
}
