import { describe, expect, it } from 'vitest';
import {
  CARD_BUDGET_BYTES,
  CARD_BUDGET_ELEMENTS,
  countElements,
  fitsLimits,
  requestBytes,
} from '../../src/cards/limits.ts';

/** What fitsLimits promises, counted the slow way: the send request's exact bytes and the card's elements. */
const exactly = (card: { body: { elements: unknown[] } }) =>
  requestBytes(card) <= CARD_BUDGET_BYTES && countElements(card.body.elements) <= CARD_BUDGET_ELEMENTS;

const card = (n: number, text: string) => ({
  schema: '2.0',
  body: { elements: Array.from({ length: n }, (_, i) => ({ tag: 'markdown', content: `${text} ${i}` })) },
});

describe('fitsLimits', () => {
  // Its short cut (a card short enough to fit whatever its characters) must never say yes where the count says no.
  it.each([
    ['ASCII', 'a'],
    ['quotes and backslashes (two bytes each in content)', '"\\'],
    ['CJK (three bytes each)', '抽查目标'],
    ['surrogate pairs', '😀'],
    ['U+2028 (not escaped by JSON.stringify)', '\u2028'],
    ['control characters', '\u0001\n'],
    ['lone surrogates', '\ud800x'],
  ])('says what the exact count says around the budget: %s', (_name, text) => {
    for (let n = 1; n <= 400; n += 3)
      for (const repeat of [1, 7, 40]) {
        const c = card(n, text.repeat(repeat));
        expect(fitsLimits(c), `${n} elements of ${repeat}× the text`).toBe(exactly(c));
      }
  });
});
