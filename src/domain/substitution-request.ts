/**
 * The substitution request (更换申请) workflow: a drawn inspector who cannot serve asks to be replaced; the head
 * of *their own* department approves or rejects (docs/domain.md "Substitutions"). States:
 * `pending → approved | rejected | withdrawn | expired`. Each action is `(state, input, actor, now) → Transition |
 * Refusal`; the replacement itself is drawn by `draw/substitution.ts` in the approval's transaction.
 */
import type { Actor } from './assignment.ts';
import type { TaskState } from './task.ts';
import { refuse, type Effect, type Refusal, type Transition } from './transition.ts';

export type SubstitutionState = 'pending' | 'approved' | 'rejected' | 'withdrawn' | 'expired';

/** The reasons a drawn inspector may give, in the order the form lists them; `zh` is what is stored and exported. */
export const SUBSTITUTION_REASONS = [
  { code: 'POST_CHANGE', zh: '岗位调整', en: 'Post change', noteRequired: false },
  { code: 'WORK_CONFLICT', zh: '工作冲突', en: 'Work conflict', noteRequired: false },
  { code: 'HEALTH', zh: '健康原因', en: 'Health', noteRequired: false },
  { code: 'CONFLICT_OF_INTEREST', zh: '需回避', en: 'Conflict of interest', noteRequired: true },
  { code: 'OTHER', zh: '其他', en: 'Other', noteRequired: true },
] as const;

export type SubstitutionReason = (typeof SUBSTITUTION_REASONS)[number];
export type SubstitutionReasonCode = SubstitutionReason['code'];

/** The reason for a form value (its code) or a stored label; undefined when it is neither. */
export function substitutionReason(codeOrLabel: string): SubstitutionReason | undefined {
  return SUBSTITUTION_REASONS.find((r) => r.code === codeOrLabel || r.zh === codeOrLabel);
}

/** Longest note or rejection comment kept (the card and the export show it whole). */
export const MAX_NOTE_CHARS = 500;

/** Who decides a request, fixed when it is made. */
export interface Decider {
  openId: string;
  role: 'head' | 'liaison';
  /** Why the liaison decides instead of the head; null when the head does. */
  why: 'head-is-requester' | 'head-unresolved' | null;
}

/**
 * The head of the inspector's department decides — unless the head is the one asking, or liaison cannot reach the
 * head in Feishu: then the department's liaison does. Null when neither can be reached.
 */
export function chooseDecider(
  contacts: { headOpenId: string | null; liaisonOpenId: string | null },
  requesterOpenId: string,
): Decider | null {
  const { headOpenId, liaisonOpenId } = contacts;
  if (headOpenId && headOpenId !== requesterOpenId) return { openId: headOpenId, role: 'head', why: null };
  const why = headOpenId ? 'head-is-requester' : 'head-unresolved';
  if (liaisonOpenId && liaisonOpenId !== requesterOpenId)
    return { openId: liaisonOpenId, role: 'liaison', why };
  return null;
}

/** A request as the rules see it. */
export interface SubstitutionRequest {
  id: string;
  taskId: string;
  taskState: TaskState;
  voidReason: string | null;
  team: number;
  dept: string;
  /** The inspector asking to be replaced. */
  outCert: string;
  /** Stored label (`工作冲突`). */
  reason: string;
  note: string | null;
  state: SubstitutionState;
  /** open_id of the requester. */
  requestedBy: string;
  requestedAt: string;
  decider: Decider;
  decidedBy: string | null;
  decidedAt: string | null;
  comment: string | null;
  inCert: string | null;
  version: number;
}

/** The assignment a request is about, with what the request rule needs to know. */
export interface RequestableAssignment {
  taskId: string;
  taskState: TaskState;
  voidReason: string | null;
  /** Last day of the inspection window, `YYYY-MM-DD`. */
  windowEnd: string;
  team: number;
  dept: string;
  certNo: string;
  active: boolean;
  /** The member row's version, as the card shows it. */
  version: number;
}

export type RequestRefusal = Refusal<
  | 'ASSIGNMENT.NOT_FOUND'
  | 'TASK.VOID'
  | 'TASK.NOT_LOCKED'
  | 'ASSIGNMENT.NOT_ASSIGNEE'
  | 'ASSIGNMENT.REPLACED'
  | 'SUBSTITUTION.WINDOW_ENDED'
  | 'SUBSTITUTION.ALREADY_PENDING'
  | 'SUBSTITUTION.REASON_MISSING'
  | 'SUBSTITUTION.NOTE_REQUIRED'
  | 'SUBSTITUTION.NOTE_TOO_LONG'
  | 'SUBSTITUTION.NO_DECIDER'
>;

export interface RequestInput {
  /** A reason code from the form (`WORK_CONFLICT`) or its label. */
  reason: string;
  note: string;
  /** A new id for the request (the service makes it; the domain has no randomness). */
  id: string;
  /** Today in the office's zone, `YYYY-MM-DD`. */
  today: string;
}

/**
 * Whether this person may ask to be replaced on this assignment now (the 申请更换 button opens the form only then):
 * the assigned inspector, still on the team, on a locked task whose window has not ended, with no request pending.
 */
export function requestRefusal(
  a: RequestableAssignment | null,
  pending: SubstitutionRequest | null,
  actor: Actor,
  today: string,
): RequestRefusal | null {
  if (!a) return refuse('ASSIGNMENT.NOT_FOUND');
  if (a.taskState === 'void') return refuse('TASK.VOID', { reason: a.voidReason ?? '' });
  if (!actor.certNos.includes(a.certNo)) return refuse('ASSIGNMENT.NOT_ASSIGNEE');
  if (!a.active) return refuse('ASSIGNMENT.REPLACED');
  if (a.taskState !== 'locked') return refuse('TASK.NOT_LOCKED', { state: a.taskState });
  if (today > a.windowEnd) return refuse('SUBSTITUTION.WINDOW_ENDED', { end: a.windowEnd });
  if (pending) return refuse('SUBSTITUTION.ALREADY_PENDING', { at: pending.requestedAt });
  return null;
}

/**
 * 申请更换 / Request replacement (the form's submit): `requestRefusal`'s rules, a reason from the list, and a note
 * for 需回避 and 其他. A confirmed inspector may still ask. `decider` is who the card will go to (`chooseDecider`).
 */
export function requestSubstitution(
  a: RequestableAssignment | null,
  pending: SubstitutionRequest | null,
  input: RequestInput,
  actor: Actor,
  decider: Decider | null,
  now: Date,
): Transition<SubstitutionRequest> | RequestRefusal {
  const refused = requestRefusal(a, pending, actor, input.today);
  if (refused || !a) return refused ?? refuse('ASSIGNMENT.NOT_FOUND');
  const reason = substitutionReason(input.reason);
  if (!reason) return refuse('SUBSTITUTION.REASON_MISSING');
  const note = input.note.trim();
  if (reason.noteRequired && note === '') return refuse('SUBSTITUTION.NOTE_REQUIRED', { reason: reason.zh });
  if ([...note].length > MAX_NOTE_CHARS)
    return refuse('SUBSTITUTION.NOTE_TOO_LONG', { max: String(MAX_NOTE_CHARS) });
  if (!decider) return refuse('SUBSTITUTION.NO_DECIDER', { dept: a.dept });
  const next: SubstitutionRequest = {
    id: input.id,
    taskId: a.taskId,
    taskState: a.taskState,
    voidReason: a.voidReason,
    team: a.team,
    dept: a.dept,
    outCert: a.certNo,
    reason: reason.zh,
    note: note === '' ? null : note,
    state: 'pending',
    requestedBy: actor.openId,
    requestedAt: now.toISOString(),
    decider,
    decidedBy: null,
    decidedAt: null,
    comment: null,
    inCert: null,
    version: 1,
  };
  return { ok: true, next, effects: [audit(next, 'substitution.request', { decider: decider.role })] };
}

export type WithdrawRefusal = Refusal<
  'SUBSTITUTION.NOT_FOUND' | 'SUBSTITUTION.NOT_REQUESTER' | 'SUBSTITUTION.ALREADY_DECIDED'
>;

/** 撤回申请 / Withdraw: only the requester, only while pending. */
export function withdrawSubstitution(
  r: SubstitutionRequest | null,
  actor: Actor,
  now: Date,
): Transition<SubstitutionRequest> | WithdrawRefusal {
  if (!r) return refuse('SUBSTITUTION.NOT_FOUND');
  if (!actor.certNos.includes(r.outCert) && actor.openId !== r.requestedBy)
    return refuse('SUBSTITUTION.NOT_REQUESTER');
  if (r.state !== 'pending') return refuse('SUBSTITUTION.ALREADY_DECIDED', { state: r.state });
  const next = decided(r, 'withdrawn', actor.openId, now, null);
  return { ok: true, next, effects: [audit(next, 'substitution.withdraw', {})] };
}

export type DecideRefusal = Refusal<
  | 'SUBSTITUTION.NOT_FOUND'
  | 'TASK.VOID'
  | 'SUBSTITUTION.OWN_REQUEST'
  | 'SUBSTITUTION.NOT_DECIDER'
  | 'SUBSTITUTION.ALREADY_DECIDED'
  | 'SUBSTITUTION.COMMENT_REQUIRED'
  | 'SUBSTITUTION.NOTE_TOO_LONG'
>;

/**
 * 同意 / 驳回 by the person the request went to. The requester never decides their own request (even holding the
 * card); anyone else is refused before anything about the request is shown. A rejection needs a comment. On
 * approval `next.inCert` is still null: the service draws the replacement in the same transaction.
 */
export function decideSubstitution(
  r: SubstitutionRequest | null,
  decision: { approve: boolean; comment: string },
  actor: Actor,
  now: Date,
): Transition<SubstitutionRequest> | DecideRefusal {
  if (!r) return refuse('SUBSTITUTION.NOT_FOUND');
  if (actor.openId === r.requestedBy || actor.certNos.includes(r.outCert))
    return refuse('SUBSTITUTION.OWN_REQUEST');
  if (actor.openId !== r.decider.openId) return refuse('SUBSTITUTION.NOT_DECIDER');
  if (r.state !== 'pending') return refuse('SUBSTITUTION.ALREADY_DECIDED', { state: r.state });
  if (r.taskState === 'void') return refuse('TASK.VOID', { reason: r.voidReason ?? '' });
  const comment = decision.comment.trim();
  if (!decision.approve && comment === '') return refuse('SUBSTITUTION.COMMENT_REQUIRED');
  if ([...comment].length > MAX_NOTE_CHARS)
    return refuse('SUBSTITUTION.NOTE_TOO_LONG', { max: String(MAX_NOTE_CHARS) });
  const next = decided(r, decision.approve ? 'approved' : 'rejected', actor.openId, now, comment || null);
  return {
    ok: true,
    next,
    effects: [
      audit(next, decision.approve ? 'substitution.approve' : 'substitution.reject', {
        ...(next.comment ? { comment: next.comment } : {}),
      }),
    ],
  };
}

/** The scheduler's view of a pending request at a moment: remind the decider, expire it, or nothing yet. */
export type Lapse = 'remind' | 'expire' | null;

/**
 * A request still pending after the window's last day expires. One pending for a full working day reminds the
 * decider, on a working day (the scheduler keys the occasion, so it happens once). Times are the office's wall
 * clock, `YYYY-MM-DD HH:mm`, which compare as strings: `remindAt` is the first working day after the request
 * was made at the request's own time of day.
 */
export function lapseOf(
  r: Pick<SubstitutionRequest, 'state'>,
  at: { today: string; windowEnd: string; nowLocal: string; remindAt: string; workingDay: boolean },
): Lapse {
  if (r.state !== 'pending') return null;
  if (at.today > at.windowEnd) return 'expire';
  if (at.workingDay && at.nowLocal >= at.remindAt) return 'remind';
  return null;
}

/** Expiry at the end of the window: nobody decided in time. */
export function expireSubstitution(r: SubstitutionRequest, now: Date): Transition<SubstitutionRequest> {
  const next = decided(r, 'expired', 'system', now, null);
  return { ok: true, next, effects: [audit(next, 'substitution.expire', {})] };
}

function decided(
  r: SubstitutionRequest,
  state: SubstitutionState,
  by: string,
  now: Date,
  comment: string | null,
): SubstitutionRequest {
  return {
    ...r,
    state,
    decidedBy: by,
    decidedAt: now.toISOString(),
    comment,
    version: r.version + 1,
  };
}

function audit(r: SubstitutionRequest, action: string, extra: Record<string, unknown>): Effect {
  return {
    kind: 'audit',
    action,
    subject: r.taskId,
    details: {
      request: r.id,
      team: r.team,
      dept: r.dept,
      out: r.outCert,
      reason: r.reason,
      ...(r.note ? { note: r.note } : {}),
      ...extra,
    },
  };
}
