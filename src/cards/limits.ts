/** Feishu's limits for one card (FEISHU.md): 30 KB of JSON and 200 elements. */
export const MAX_CARD_BYTES = 30 * 1024;
export const MAX_CARD_ELEMENTS = 200;

/** Counts every component in the card body, nested ones included. */
export function countElements(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((n: number, x) => n + countElements(x), 0);
  if (node === null || typeof node !== 'object') return 0;
  const obj = node as Record<string, unknown>;
  let n = typeof obj.tag === 'string' && obj.tag !== 'plain_text' && obj.tag !== 'lark_md' ? 1 : 0;
  for (const key of ['elements', 'columns', 'rows']) if (key in obj) n += countElements(obj[key]);
  return n;
}

export function cardBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

export function fitsLimits(card: Record<string, unknown>): boolean {
  return (
    cardBytes(card) <= MAX_CARD_BYTES &&
    countElements((card.body as { elements: unknown[] }).elements) <= MAX_CARD_ELEMENTS
  );
}
