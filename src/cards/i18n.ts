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
    /** Required inside a form (card-unique); the callback's `action.name`. */
    name?: string;
    /** A form's submit button: the form's values arrive in the callback's `form_value`. */
    submit?: boolean;
  } = {},
) {
  return {
    tag: 'button',
    text: plainText(label),
    type: opts.type ?? 'primary',
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.submit ? { form_action_type: 'submit' } : {}),
    behaviors: [{ type: 'callback', value }],
    ...(opts.confirm
      ? { confirm: { title: plainText(opts.confirm.title), text: plainText(opts.confirm.text) } }
      : {}),
  };
}

/**
 * Buttons side by side. Only for buttons outside a form: a form may not sit in a column set (docs/feishu.md), and a
 * single button needs no row.
 */
export function buttonRow(buttons: unknown[]) {
  if (buttons.length === 1) return buttons[0];
  return {
    tag: 'column_set',
    flex_mode: 'none',
    horizontal_spacing: 'default',
    columns: buttons.map((b) => ({ tag: 'column', width: 'auto', elements: [b] })),
  };
}

/**
 * A form (root level only; docs/feishu.md). `name` and every field's and submit button's `name` must be unique in
 * the card; the values arrive in the callback's `form_value`, keyed by field name.
 */
export function form(name: string, elements: unknown[]) {
  return { tag: 'form', name, elements };
}

/**
 * A text field of a form. `defaultValue` pre-fills it (card 2.0 input `default_value`): it is sent as it is, never as
 * markdown, so it needs no escaping. A placeholder shows only in an empty field, so a pre-filled one goes without
 * (its bytes count against the card's 30 KB); `label` names the field above it, filled or not.
 */
export function textInput(opts: {
  name: string;
  placeholder: Bilingual;
  maxLength: number;
  rows?: number;
  label?: Bilingual;
  defaultValue?: string;
}) {
  return {
    tag: 'input',
    name: opts.name,
    ...(opts.label ? { label: plainText(opts.label) } : {}),
    ...(opts.defaultValue
      ? { default_value: opts.defaultValue }
      : { placeholder: plainText(opts.placeholder) }),
    max_length: opts.maxLength,
    width: 'fill',
    ...(opts.rows ? { input_type: 'multiline_text', rows: opts.rows } : {}),
  };
}

/** A single choice of a form: option values are what arrives in `form_value`. */
export function selectStatic(opts: {
  name: string;
  placeholder: Bilingual;
  options: { text: Bilingual; value: string }[];
  required?: boolean;
}) {
  return {
    tag: 'select_static',
    name: opts.name,
    ...(opts.required ? { required: true } : {}),
    width: 'fill',
    placeholder: plainText(opts.placeholder),
    options: opts.options.map((o) => ({ text: plainText(o.text), value: o.value })),
  };
}

/**
 * Several choices of a form (card 2.0 `multi_select_static`): the chosen option values arrive in `form_value` as an
 * array. `selected` pre-selects options by value (`selected_values`, which must name option values).
 */
export function multiSelectStatic(opts: {
  name: string;
  placeholder: Bilingual;
  options: { text: Bilingual; value: string }[];
  selected?: readonly string[];
  required?: boolean;
}) {
  const values = new Set(opts.options.map((o) => o.value));
  const selected = (opts.selected ?? []).filter((v) => values.has(v));
  return {
    tag: 'multi_select_static',
    name: opts.name,
    ...(opts.required ? { required: true } : {}),
    width: 'fill',
    placeholder: plainText(opts.placeholder),
    ...(selected.length > 0 ? { selected_values: selected } : {}),
    options: opts.options.map((o) => ({ text: plainText(o.text), value: o.value })),
  };
}

/**
 * A date of a form (card 2.0 `date_picker`): `initial` is `yyyy-MM-dd`; the chosen day arrives in `form_value` as
 * e.g. `"2026-12-08 +0800"` (docs/feishu.md).
 */
export function datePicker(opts: {
  name: string;
  placeholder: Bilingual;
  initial: string;
  required?: boolean;
}) {
  return {
    tag: 'date_picker',
    name: opts.name,
    ...(opts.required ? { required: true } : {}),
    width: 'fill',
    placeholder: plainText(opts.placeholder),
    initial_date: opts.initial,
  };
}
