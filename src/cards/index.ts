/** One module per card; each is a pure function of domain data → Feishu card JSON 2.0. */
export { freezeAnnouncementCard } from './freeze-announcement.ts';
export { drawResultCard } from './draw-result.ts';
export { assignmentCard, CONFIRM_ASSIGNMENT } from './assignment.ts';
export { helpCard, type HelpLine } from './help.ts';
export { myTasksCard } from './my-tasks.ts';
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
