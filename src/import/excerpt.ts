/**
 * Text from an import file as a message may show it: control characters (terminal escapes, NULs, line breaks,
 * bidirectional overrides) removed, identity numbers masked, and cut to a few characters — a message never
 * reproduces more of a file than the user needs to find the cell.
 */
import { idCardProblem } from '../domain/id-card.ts';

/** C0 and C1 controls, DEL, and the Unicode format characters that reorder or hide text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+/g;

/** Replaces every valid identity number in `text` with `[ID number]`. */
export const maskIdNumbers = (text: string): string =>
  text.replace(/\d{17}[\dXx]/g, (m) => (idCardProblem(m) === null ? '[ID number]' : m));

/**
 * At most `max` characters of `text`, sanitised; `…` marks a cut.
 *
 * @example sanitize('root:x:0:0:root:/root:/bin/bash\n', 12) // 'root:x:0:0:…'
 */
export function sanitize(text: string, max = 40): string {
  const clean = maskIdNumbers(text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim());
  const chars = [...clean];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : clean;
}
