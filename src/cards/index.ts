/** One module per card; each is a pure function of domain data → Feishu card JSON 2.0. */
export { freezeAnnouncementCard } from './freeze-announcement.ts';
export { drawResultCard } from './draw-result.ts';
export {
  assignmentCard,
  CONFIRM_ASSIGNMENT,
  OPEN_SUBSTITUTION_FORM,
  CLOSE_SUBSTITUTION_FORM,
  REQUEST_SUBSTITUTION,
  WITHDRAW_SUBSTITUTION,
  SUBSTITUTION_FORM,
} from './assignment.ts';
export {
  substitutionRequestCard,
  APPROVE_SUBSTITUTION,
  REJECT_SUBSTITUTION,
  DECISION_FORM,
} from './substitution-request.ts';
export { substitutionOutcomeCard } from './substitution-outcome.ts';
export { helpCard, type HelpLine } from './help.ts';
export { myTasksCard } from './my-tasks.ts';
export { reminderCard } from './reminder.ts';
export { escalationCard } from './escalation.ts';
export { digestCard } from './digest.ts';
export {
  resultEntryCard,
  resultFormFields,
  OPEN_RESULT_ENTRY,
  SUBMIT_RESULT,
  RESULT_PAGE_SIZE,
} from './result-entry.ts';
export {
  cardBytes,
  countElements,
  fitsLimits,
  requestBytes,
  CARD_BUDGET_BYTES,
  MAX_CARD_BYTES,
  MAX_CARD_ELEMENTS,
} from './limits.ts';
export type * from './data.ts';
export type * from './digest-data.ts';
