/**
 * Card JSON 2.0 building blocks with Chinese first and English beside it. Card 2.0 has no global i18n: every
 * text carries its own `i18n_content` (docs/feishu.md).
 */

export interface Bilingual {
  zh: string;
  en: string;
}

export const t = (zh: string, en: string): Bilingual => ({ zh, en });

export function plainText(text: Bilingual) {
  return { tag: 'plain_text', content: text.zh, i18n_content: { zh_cn: text.zh, en_us: text.en } };
}

export function markdown(text: Bilingual, opts: { size?: 'normal' | 'notation' } = {}) {
  return {
    tag: 'markdown',
    content: text.zh,
    i18n_content: { zh_cn: text.zh, en_us: text.en },
    ...(opts.size ? { text_size: opts.size } : {}),
  };
}

export const hr = () => ({ tag: 'hr' });

export { md } from './escape.ts';

export type Template = 'blue' | 'green' | 'orange' | 'red' | 'grey' | 'turquoise' | 'wathet';

export interface CardShell {
  title: Bilingual;
  subtitle?: Bilingual;
  template: Template;
  summary: Bilingual;
  elements: unknown[];
}

/** The whole card: header, config (shared updates, both locales) and body. */
export function card(shell: CardShell): Record<string, unknown> {
  return {
    schema: '2.0',
    config: {
      update_multi: true,
      locales: ['zh_cn', 'en_us'],
      summary: {
        content: shell.summary.zh,
        i18n_content: { zh_cn: shell.summary.zh, en_us: shell.summary.en },
      },
    },
    header: {
      title: plainText(shell.title),
      ...(shell.subtitle ? { subtitle: plainText(shell.subtitle) } : {}),
      template: shell.template,
    },
    body: { elements: shell.elements },
  };
}

/** A button that calls back with `value` (an object, as card 2.0 requires). */
export function callbackButton(
  label: Bilingual,
  value: Record<string, unknown>,
  opts: {
    type?: 'primary' | 'default' | 'danger';
    confirm?: { title: Bilingual; text: Bilingual };
    name?: string;
  } = {},
) {
  return {
    tag: 'button',
    text: plainText(label),
    type: opts.type ?? 'primary',
    ...(opts.name ? { name: opts.name } : {}),
    behaviors: [{ type: 'callback', value }],
    ...(opts.confirm
      ? { confirm: { title: plainText(opts.confirm.title), text: plainText(opts.confirm.text) } }
      : {}),
  };
}
