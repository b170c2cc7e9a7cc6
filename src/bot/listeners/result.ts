import type { Refusal } from '../../domain/transition.ts';
import type { CallbackAnswer } from '../events.ts';

/**
 * What a card-action listener returns: an answer, or a coded refusal (with the card as it is now, when the person
 * should see it) that dispatch turns into a toast in one place (`refusals.ts`).
 */
export type ListenerResult = CallbackAnswer | { refused: Refusal; card?: CallbackAnswer['card'] };
