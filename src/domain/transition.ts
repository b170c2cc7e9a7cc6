/**
 * The shape of every user action in the domain: `(state, input, actor, now) → Transition | Refusal`. Pure: the
 * service loads the state, calls the transition, and carries out `next` and the `effects` in one transaction.
 * A refusal is a code (and a few details); what a person reads for each code lives in one table
 * (`src/bot/refusals.ts`), so a listener never writes its own error toast.
 */

/** What must happen besides saving `next`: described as data, done by the service. */
export type Effect =
  /** An entry in the hash-chained audit log. */
  | { kind: 'audit'; action: string; subject: string; details: Record<string, unknown> }
  /** Show the card that was clicked in its new state (the callback answer). */
  | { kind: 'update-card'; card: 'assignment'; taskId: string; team: number; certNo: string };

export interface Transition<S> {
  ok: true;
  next: S;
  effects: Effect[];
}

export interface Refusal<C extends string = string> {
  ok: false;
  /** Names the rule, e.g. `ASSIGNMENT.NOT_ASSIGNEE`; also the log field and the toast's key. */
  code: C;
  /** Values the message names (a void reason, a time already formatted for people). */
  details?: Record<string, string>;
}

export const refuse = <C extends string>(code: C, details?: Record<string, string>): Refusal<C> =>
  details ? { ok: false, code, details } : { ok: false, code };
