/**
 * Feishu's limits for one card (docs/feishu.md): 30 KB and 200 elements. The 30 KB is documented on the request body,
 * not on the card JSON: the card travels as a JSON *string* inside the request (`content`), so every `"` and `\`
 * of the card costs a second byte. Cards are fitted to 90 % of both limits (10 % headroom for what we cannot
 * measure exactly: the receiver id, the uuid, Feishu's own accounting).
 */
export const MAX_CARD_BYTES = 30 * 1024;
export const MAX_CARD_ELEMENTS = 200;
export const CARD_BUDGET_BYTES = Math.floor(MAX_CARD_BYTES * 0.9);
export const CARD_BUDGET_ELEMENTS = Math.floor(MAX_CARD_ELEMENTS * 0.9);

/** Counts every component in the card body, nested ones included. */
export function countElements(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((n: number, x) => n + countElements(x), 0);
  if (node === null || typeof node !== 'object') return 0;
  const obj = node as Record<string, unknown>;
  let n = typeof obj.tag === 'string' && obj.tag !== 'plain_text' && obj.tag !== 'lark_md' ? 1 : 0;
  for (const key of ['elements', 'columns', 'rows']) if (key in obj) n += countElements(obj[key]);
  return n;
}

/** The card's JSON alone. */
export function cardBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/** A receiver id and a uuid as long as Feishu's (open_ids are 35 chars, chat ids 35, uuids ≤ 50). */
const LONGEST_ENVELOPE = {
  receive_id: 'ou_' + '0'.repeat(61),
  msg_type: 'interactive',
  uuid: '0'.repeat(50),
};

/**
 * The size of the send request that carries this card, as Feishu counts it: the body of `POST /im/v1/messages`
 * with the card as the `content` string. (A patch body, `{content}`, is smaller.)
 */
export function requestBytes(card: unknown): number {
  const content = typeof card === 'string' ? card : JSON.stringify(card);
  return Buffer.byteLength(JSON.stringify({ ...LONGEST_ENVELOPE, content }), 'utf8');
}

/** The send request's bytes but for its card's: `{"receive_id":…,"uuid":…,"content":` and the closing `}`. */
const ENVELOPE_BYTES = Buffer.byteLength(JSON.stringify({ ...LONGEST_ENVELOPE, content: '' }), 'utf8') - 2;

/**
 * Within 90 % of Feishu's size and element limits. Exactly what `requestBytes(card) <= CARD_BUDGET_BYTES` says,
 * but a card short enough that it fits whatever its characters are is not stringified a second time to count
 * them (every card a button press answers with is re-checked here): as the `content` string, each UTF-16 unit of
 * the card's JSON costs at most 3 bytes (a non-ASCII one 2–3 bytes, a surrogate pair 4 for two units, `"` and `\`
 * 2; JSON.stringify has already escaped control characters and lone surrogates), plus the two quotes.
 */
export function fitsLimits(card: Record<string, unknown>): boolean {
  const json = JSON.stringify(card);
  const fits =
    ENVELOPE_BYTES + 2 + 3 * json.length <= CARD_BUDGET_BYTES || requestBytes(json) <= CARD_BUDGET_BYTES;
  return fits && countElements((card.body as { elements: unknown[] }).elements) <= CARD_BUDGET_ELEMENTS;
}

/**
 * Builds a card listing `listed` items, halving the count until the card fits the limits (at 0 it is returned as
 * it is: the caller's summary line says how many were left out). For cards whose length grows with data.
 */
export function fitted(
  build: (listed: number) => Record<string, unknown>,
  listed: number,
): Record<string, unknown> {
  for (let n = listed; ; n = Math.floor(n / 2)) {
    const card = build(n);
    if (n === 0 || fitsLimits(card)) return card;
  }
}
