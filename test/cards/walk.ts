/** Walking card JSON in the card tests: components, buttons and their values, what a reader sees, validity. */
import { expect } from 'vitest';
import { CARD_BUDGET_BYTES, requestBytes } from '../../src/cards/index.ts';
import { validateCardContent } from '../../src/sim/feishu/cards.ts';

export type Node = Record<string, unknown>;

/** Every component in a card's body (or in a list of elements), depth first, with the tags it sits in. */
export function nodes(cardOrElements: unknown): { node: Node; within: string[] }[] {
  const out: { node: Node; within: string[] }[] = [];
  const walk = (v: unknown, within: string[]) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, within));
    if (!v || typeof v !== 'object') return;
    const o = v as Node;
    const here = typeof o.tag === 'string' ? [...within, o.tag] : within;
    if (typeof o.tag === 'string') out.push({ node: o, within });
    for (const [k, x] of Object.entries(o)) if (k !== 'i18n_content') walk(x, here);
  };
  walk(Array.isArray(cardOrElements) ? cardOrElements : (cardOrElements as { body: unknown }).body, []);
  return out;
}

export const buttons = (card: unknown) => nodes(card).filter((x) => x.node.tag === 'button');
export const valueOf = (b: Node) => (b.behaviors as { value: Record<string, unknown> }[])[0]!.value;
export const actions = (card: unknown) => buttons(card).map((b) => valueOf(b.node).action);
export const button = (card: unknown, action: string) => {
  const found = buttons(card).filter((b) => valueOf(b.node).action === action);
  expect(found, action).toHaveLength(1);
  return found[0]!;
};

/** Both languages of every markdown text, as Feishu would show them (entities decoded). */
export function shown(card: unknown): { zh: string; en: string } {
  const zh: string[] = [];
  const en: string[] = [];
  for (const { node } of nodes(card))
    if (node.tag === 'markdown') {
      const i = node.i18n_content as { zh_cn: string; en_us: string };
      zh.push(i.zh_cn);
      en.push(i.en_us);
    }
  const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  return { zh: decode(zh.join('\n')), en: decode(en.join('\n')) };
}

/**
 * Elements as Feishu counts them (docs/feishu.md "Limits"): every component and every text element (`plain_text`
 * titles, placeholders, option and button texts), header included — what the fake's validator counts too.
 */
export function feishuElements(card: unknown): number {
  const count = (v: unknown): number => {
    if (Array.isArray(v)) return v.reduce((n: number, x) => n + count(x), 0);
    if (!v || typeof v !== 'object') return 0;
    const o = v as Node;
    let n = typeof o.tag === 'string' ? 1 : 0;
    for (const [k, x] of Object.entries(o)) if (k !== 'i18n_content') n += count(x);
    return n;
  };
  const c = card as { header?: unknown; body: unknown };
  return count(c.header) + count(c.body);
}

/** A card Feishu would accept: the fake's validator on the request it travels in, and a submit button per form. */
export function expectValid(card: Record<string, unknown>) {
  const verdict = validateCardContent(JSON.stringify(card), requestBytes(card));
  expect(verdict, JSON.stringify(verdict)).toMatchObject({ ok: true });
  expect(requestBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
  for (const { node } of nodes(card).filter((x) => x.node.tag === 'form')) {
    const submits = nodes(node.elements).filter(
      (x) => x.node.tag === 'button' && x.node.form_action_type === 'submit',
    );
    expect(submits.length, 'a form without a submit button is refused (300123)').toBeGreaterThan(0);
  }
}
