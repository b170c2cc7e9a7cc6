/**
 * The one escaping function for text that people or imports supplied (names, addresses, task names, entropy
 * sources, what someone typed in chat) on its way into a card 2.0 `markdown` element.
 *
 * Card markdown renders `<at id=all></at>` (an @-mention of everyone), `<font color>`, `[text](url)` links,
 * `**bold**`, `*italic*`, `~~strike~~`, `` `code` ``, `# headings`, `- lists`, `> quotes` and tables. Feishu's
 * card docs give HTML character references as the way to show such characters literally, so each one becomes
 * `&#NN;` — rendered as the character itself, never as syntax. Line breaks become spaces: a value is one line
 * of the card's own layout and cannot start a heading, list or quote of its own. `plain_text` needs none of
 * this: Feishu never interprets it.
 */
const SYNTAX = /[\\`*_~[\]()<>#|&$!]/g;
/** Only at the start of a line, before a space: `- item`, `+ item`, `1. item`. */
const LINE_START = /^(\s*)(?:([-+])|(\d+)\.)(?=\s)/;

export function md(text: string | null | undefined): string {
  return (
    (text ?? '')
      .replace(/[\r\n\u2028\u2029]+/g, ' ')
      .replace(SYNTAX, (c) => `&#${c.charCodeAt(0)};`)
      // A bare URL would become a link: an imported name must not carry one into an official card.
      .replace(/:(?=\/\/)/g, '&#58;')
      .replace(LINE_START, (_, space: string, mark: string | undefined, digits: string | undefined) =>
        mark ? `${space}&#${mark.charCodeAt(0)};` : `${space}${digits}&#46;`,
      )
  );
}
