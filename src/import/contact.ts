/**
 * A Feishu identity as the directories hold it (docs/domain.md): an open_id, or a mainland mobile number or an
 * e-mail address that the bot resolves to one.
 */

import { sanitize } from './excerpt.ts';

const OPEN_ID = /^ou_[0-9A-Za-z]+$/;
const MOBILE = /^(?:\+?86)?(1[3-9]\d{9})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type ContactResult = { value: string; problem?: undefined } | { value?: undefined; problem: string };

/**
 * Normalises a contact cell: a mobile loses spaces, hyphens and a +86 prefix.
 *
 * @example normalizeContact('139 4700 0000') // { value: '13947000000' }
 */
export function normalizeContact(text: string): ContactResult {
  if (OPEN_ID.test(text)) return { value: text };
  const mobile = MOBILE.exec(text.replace(/[\s-]/g, ''));
  if (mobile) return { value: mobile[1]! };
  if (EMAIL.test(text)) return { value: text };
  return {
    problem: `'${sanitize(text, 40)}' is not a Feishu open_id (ou_…), an 11-digit mobile number or an e-mail address`,
  };
}
