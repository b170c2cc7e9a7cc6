/**
 * Card JSON 2.0 validation as the fake Feishu applies it: the structure and the components liancha may use, with
 * "unknown properties are errors" (2.0's rule), root-only tables and forms, ≤ 5 tables, card-unique `name`s,
 * callback values that are objects, ≤ 200 elements and ≤ 30 KB. Components outside this set are refused, so a
 * card that passes here uses nothing the fake has not checked.
 */

export const CARD_MAX_BYTES = 30 * 1024;
export const CARD_MAX_ELEMENTS = 200;
export const TEXT_MAX_BYTES = 150 * 1024;

export type CardVerdict =
  { ok: true; card: Record<string, unknown> } | { ok: false; code: 230099 | 230025; msg: string };

const TOP_LEVEL = ['schema', 'config', 'card_link', 'header', 'body', 'i18n_header'];
const CONFIG = [
  'streaming_mode',
  'streaming_config',
  'summary',
  'locales',
  'enable_forward',
  'update_multi',
  'width_mode',
  'use_custom_translation',
  'enable_forward_interaction',
  'style',
];
const HEADER = ['title', 'subtitle', 'text_tag_list', 'i18n_text_tag_list', 'template', 'icon', 'padding'];
const BODY = [
  'direction',
  'padding',
  'horizontal_spacing',
  'horizontal_align',
  'vertical_spacing',
  'vertical_align',
  'elements',
];
const TEMPLATES = [
  'blue',
  'wathet',
  'turquoise',
  'green',
  'yellow',
  'orange',
  'red',
  'carmine',
  'violet',
  'purple',
  'indigo',
  'grey',
  'default',
];
const LOCALES = ['zh_cn', 'en_us', 'ja_jp', 'zh_hk', 'zh_tw'];
const TEXT_OBJECT = ['tag', 'content', 'i18n_content', 'text_size', 'text_color', 'text_align', 'lines'];
const BASE = ['tag', 'element_id', 'margin'];
const LAYOUT = [
  'direction',
  'padding',
  'horizontal_spacing',
  'horizontal_align',
  'vertical_spacing',
  'vertical_align',
];
const ICON = ['tag', 'token', 'color', 'img_key', 'size'];
const CONFIRM = ['title', 'text'];

/** Allowed properties per component tag. */
const COMPONENTS: Record<string, string[]> = {
  markdown: [...BASE, 'content', 'i18n_content', 'text_size', 'text_align', 'icon'],
  hr: BASE,
  div: [...BASE, 'text', 'fields', 'icon', 'width'],
  img: [
    ...BASE,
    'img_key',
    'alt',
    'title',
    'transparent',
    'preview',
    'corner_radius',
    'scale_type',
    'size',
    'mode',
    'compact_width',
    'custom_width',
  ],
  person: [...BASE, 'user_id', 'size', 'show_avatar', 'show_name', 'style'],
  table: [
    ...BASE,
    'page_size',
    'row_height',
    'row_max_height',
    'freeze_first_column',
    'header_style',
    'columns',
    'rows',
  ],
  chart: [...BASE, 'aspect_ratio', 'color_theme', 'chart_spec', 'preview', 'height'],
  column_set: [
    ...BASE,
    'flex_mode',
    'horizontal_spacing',
    'horizontal_align',
    'background_style',
    'action',
    'columns',
  ],
  column: [...BASE, ...LAYOUT, 'width', 'weight', 'background_style', 'action', 'elements'],
  collapsible_panel: [...BASE, ...LAYOUT, 'expanded', 'background_color', 'header', 'border', 'elements'],
  form: [...BASE, ...LAYOUT, 'name', 'elements'],
  interactive_container: [
    ...BASE,
    ...LAYOUT,
    'width',
    'height',
    'background_style',
    'has_border',
    'border_color',
    'corner_radius',
    'behaviors',
    'hover_tips',
    'disabled',
    'disabled_tips',
    'confirm',
    'elements',
  ],
  button: [
    ...BASE,
    'type',
    'size',
    'width',
    'text',
    'icon',
    'hover_tips',
    'disabled',
    'disabled_tips',
    'confirm',
    'behaviors',
    'name',
    'form_action_type',
  ],
  input: [
    ...BASE,
    'name',
    'required',
    'disabled',
    'placeholder',
    'default_value',
    'width',
    'max_length',
    'input_type',
    'show_icon',
    'rows',
    'auto_resize',
    'max_rows',
    'label',
    'label_position',
    'value',
    'confirm',
    'behaviors',
  ],
  select_static: [
    ...BASE,
    'name',
    'required',
    'disabled',
    'type',
    'width',
    'placeholder',
    'initial_option',
    'options',
    'confirm',
    'behaviors',
  ],
  multi_select_static: [
    ...BASE,
    'name',
    'required',
    'disabled',
    'type',
    'width',
    'placeholder',
    'selected_values',
    'initial_options',
    'options',
    'confirm',
    'behaviors',
  ],
  date_picker: [
    ...BASE,
    'name',
    'required',
    'disabled',
    'width',
    'placeholder',
    'initial_date',
    'confirm',
    'behaviors',
  ],
  picker_time: [
    ...BASE,
    'name',
    'required',
    'disabled',
    'width',
    'placeholder',
    'initial_time',
    'confirm',
    'behaviors',
  ],
  picker_datetime: [
    ...BASE,
    'name',
    'required',
    'disabled',
    'width',
    'placeholder',
    'initial_datetime',
    'confirm',
    'behaviors',
  ],
};
/** Components that hold a value in a form: each needs a card-unique `name`. */
const FORM_FIELDS = new Set([
  'input',
  'select_static',
  'multi_select_static',
  'date_picker',
  'picker_time',
  'picker_datetime',
]);
const ROOT_ONLY = new Set(['table', 'form']);
const TABLE_COLUMN = [
  'name',
  'display_name',
  'width',
  'vertical_align',
  'horizontal_align',
  'data_type',
  'format',
  'date_format',
];
const TABLE_DATA_TYPES = [
  'text',
  'lark_md',
  'plain_text',
  'options',
  'number',
  'persons',
  'person',
  'date',
  'markdown',
];
const BUTTON_TYPES = [
  'default',
  'primary',
  'danger',
  'text',
  'primary_text',
  'danger_text',
  'primary_filled',
  'danger_filled',
  'laser',
];

class CardError extends Error {}

interface Walk {
  names: Map<string, string>;
  tables: number;
  elements: number;
}

/**
 * Validates a message `content` for msg_type `interactive`. The 30 KB limit is documented on the request body
 * (docs/feishu.md): `requestBytes` is the body's size, in which the card is an escaped JSON string.
 */
export function validateCardContent(content: unknown, requestBytes?: number): CardVerdict {
  if (typeof content !== 'string') return bad('content must be a JSON string');
  const size = requestBytes ?? Buffer.byteLength(JSON.stringify({ content }), 'utf8');
  if (size > CARD_MAX_BYTES)
    return { ok: false, code: 230025, msg: `request body is ${size} bytes, over 30 KB` };
  let card: unknown;
  try {
    card = JSON.parse(content);
  } catch {
    return bad('content is not valid JSON');
  }
  try {
    const walk: Walk = { names: new Map(), tables: 0, elements: 0 };
    checkCard(card, walk);
    if (walk.elements > CARD_MAX_ELEMENTS)
      throw new CardError(`card has ${walk.elements} elements, over ${CARD_MAX_ELEMENTS}`);
    return { ok: true, card: card as Record<string, unknown> };
  } catch (err) {
    if (err instanceof CardError) return bad(err.message);
    throw err;
  }
}

/** A chart spec holds no JavaScript: no string that reads as a function. */
function noCode(v: unknown, path: string): void {
  if (typeof v === 'string') {
    if (/^\s*(function\b|\([^)]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)/.test(v))
      throw new CardError(`${path}: chart_spec may not hold JavaScript (${JSON.stringify(v.slice(0, 30))})`);
  } else if (Array.isArray(v)) v.forEach((x, i) => noCode(x, `${path}[${i}]`));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) noCode(x, `${path}.${k}`);
}

function bad(msg: string): CardVerdict {
  return { ok: false, code: 230099, msg: `Failed to create card content: ${msg}` };
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new CardError(`${path} must be an object`);
  return v as Record<string, unknown>;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new CardError(`${path} must be an array`);
  return v;
}

function only(o: Record<string, unknown>, allowed: string[], path: string): void {
  for (const k of Object.keys(o))
    if (!allowed.includes(k)) throw new CardError(`${path}: unknown property "${k}"`);
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new CardError(`${path} must be a string`);
  return v;
}

function oneOf(v: unknown, values: string[], path: string): void {
  if (v !== undefined && !values.includes(v as string))
    throw new CardError(`${path} must be one of ${values.join(', ')} (got ${JSON.stringify(v)})`);
}

function i18n(v: unknown, path: string): void {
  if (v === undefined) return;
  const o = obj(v, path);
  for (const [k, t] of Object.entries(o)) {
    oneOf(k, LOCALES, `${path} key`);
    str(t, `${path}.${k}`);
  }
}

function text(v: unknown, path: string, walk: Walk, tags = ['plain_text', 'lark_md']): void {
  const o = obj(v, path);
  only(o, TEXT_OBJECT, path);
  oneOf(o.tag, tags, `${path}.tag`);
  if (o.tag === undefined) throw new CardError(`${path}.tag is required`);
  str(o.content ?? '', `${path}.content`);
  i18n(o.i18n_content, `${path}.i18n_content`);
  walk.elements++;
}

function icon(v: unknown, path: string): void {
  if (v === undefined) return;
  const o = obj(v, path);
  only(o, ICON, path);
  oneOf(o.tag, ['standard_icon', 'custom_icon'], `${path}.tag`);
}

function confirm(v: unknown, path: string, walk: Walk): void {
  if (v === undefined) return;
  const o = obj(v, path);
  only(o, CONFIRM, path);
  text(o.title, `${path}.title`, walk);
  text(o.text, `${path}.text`, walk);
}

function behaviors(v: unknown, path: string): void {
  if (v === undefined) return;
  arr(v, path).forEach((b, i) => {
    const p = `${path}[${i}]`;
    const o = obj(b, p);
    if (o.type === 'callback') {
      only(o, ['type', 'value'], p);
      obj(o.value, `${p}.value`);
    } else if (o.type === 'open_url') {
      only(o, ['type', 'default_url', 'pc_url', 'ios_url', 'android_url'], p);
      str(o.default_url, `${p}.default_url`);
    } else if (o.type === 'form_action') {
      only(o, ['type', 'behavior'], p);
      oneOf(o.behavior, ['submit', 'reset'], `${p}.behavior`);
    } else throw new CardError(`${p}.type must be callback, open_url or form_action`);
  });
}

function checkCard(v: unknown, walk: Walk): void {
  const card = obj(v, 'card');
  only(card, TOP_LEVEL, 'card');
  if (card.schema !== '2.0') throw new CardError('schema must be "2.0"');
  if (card.config !== undefined) {
    const config = obj(card.config, 'config');
    only(config, CONFIG, 'config');
    if (config.update_multi !== undefined && config.update_multi !== true)
      throw new CardError('config.update_multi must be true in schema 2.0');
    if (config.locales !== undefined)
      arr(config.locales, 'config.locales').forEach((l, i) => oneOf(l, LOCALES, `config.locales[${i}]`));
    oneOf(config.width_mode, ['default', 'compact', 'fill'], 'config.width_mode');
    if (config.summary !== undefined) {
      const s = obj(config.summary, 'config.summary');
      only(s, ['content', 'i18n_content'], 'config.summary');
      i18n(s.i18n_content, 'config.summary.i18n_content');
    }
  }
  if (card.card_link !== undefined)
    only(obj(card.card_link, 'card_link'), ['url', 'pc_url', 'ios_url', 'android_url'], 'card_link');
  if (card.header !== undefined) header(card.header, 'header', walk);
  if (card.i18n_header !== undefined)
    for (const [k, h] of Object.entries(obj(card.i18n_header, 'i18n_header'))) {
      oneOf(k, LOCALES, 'i18n_header key');
      header(h, `i18n_header.${k}`, walk);
    }
  if (card.body !== undefined) {
    const body = obj(card.body, 'body');
    only(body, BODY, 'body');
    elements(body.elements ?? [], 'body.elements', walk, { root: true, inForm: false });
  }
}

function header(v: unknown, path: string, walk: Walk): void {
  const h = obj(v, path);
  only(h, HEADER, path);
  if (h.title === undefined) throw new CardError(`${path}.title is required`);
  text(h.title, `${path}.title`, walk);
  if (h.subtitle !== undefined) text(h.subtitle, `${path}.subtitle`, walk);
  oneOf(h.template, TEMPLATES, `${path}.template`);
  icon(h.icon, `${path}.icon`);
  if (h.text_tag_list !== undefined) {
    const tags = arr(h.text_tag_list, `${path}.text_tag_list`);
    if (tags.length > 3) throw new CardError(`${path}.text_tag_list has more than 3 tags`);
    tags.forEach((t, i) => {
      const p = `${path}.text_tag_list[${i}]`;
      const o = obj(t, p);
      only(o, ['tag', 'element_id', 'text', 'color'], p);
      if (o.tag !== 'text_tag') throw new CardError(`${p}.tag must be text_tag`);
      text(o.text, `${p}.text`, walk);
    });
  }
}

interface Where {
  root: boolean;
  inForm: boolean;
}

function elements(v: unknown, path: string, walk: Walk, where: Where): void {
  arr(v, path).forEach((e, i) => element(e, `${path}[${i}]`, walk, where));
}

function element(v: unknown, path: string, walk: Walk, where: Where): void {
  const e = obj(v, path);
  const tag = e.tag;
  if (typeof tag !== 'string') throw new CardError(`${path}.tag is required`);
  const allowed = COMPONENTS[tag];
  if (!allowed || tag === 'column')
    throw new CardError(`${path}: unknown or unsupported component tag "${tag}"`);
  only(e, allowed, `${path} (${tag})`);
  walk.elements++;
  if (ROOT_ONLY.has(tag) && !where.root)
    throw new CardError(`${path}: ${tag} is only allowed at the root of body.elements`);
  if (where.inForm && (tag === 'chart' || tag === 'form' || tag === 'table'))
    throw new CardError(`${path}: ${tag} is not allowed inside a form`);
  if (
    e.element_id !== undefined &&
    !/^[A-Za-z][A-Za-z0-9_]{0,19}$/.test(str(e.element_id, `${path}.element_id`))
  )
    throw new CardError(
      `${path}.element_id must start with a letter and have at most 20 letters, digits or _`,
    );
  const name = (field: boolean) => {
    if (e.name === undefined) {
      if (field) throw new CardError(`${path}: ${tag} in a form needs a name`);
      return;
    }
    const n = str(e.name, `${path}.name`);
    if (!n) throw new CardError(`${path}.name must not be empty`);
    const prev = walk.names.get(n);
    if (prev) throw new CardError(`${path}.name "${n}" is already used by ${prev}`);
    walk.names.set(n, path);
  };
  const inner: Where = { root: false, inForm: where.inForm };
  switch (tag) {
    case 'markdown':
      str(e.content, `${path}.content`);
      i18n(e.i18n_content, `${path}.i18n_content`);
      icon(e.icon, `${path}.icon`);
      break;
    case 'div':
      if (e.text !== undefined) text(e.text, `${path}.text`, walk);
      if (e.fields !== undefined)
        arr(e.fields, `${path}.fields`).forEach((f, i) => {
          const o = obj(f, `${path}.fields[${i}]`);
          only(o, ['is_short', 'text'], `${path}.fields[${i}]`);
          text(o.text, `${path}.fields[${i}].text`, walk);
        });
      icon(e.icon, `${path}.icon`);
      break;
    case 'img':
      str(e.img_key, `${path}.img_key`);
      if (e.alt !== undefined) text(e.alt, `${path}.alt`, walk);
      break;
    case 'table': {
      if (++walk.tables > 5) throw new CardError('a card may hold at most 5 tables');
      if (
        e.page_size !== undefined &&
        !(Number.isInteger(e.page_size) && (e.page_size as number) >= 1 && (e.page_size as number) <= 10)
      )
        throw new CardError(`${path}.page_size must be an integer from 1 to 10`);
      const cols = arr(e.columns, `${path}.columns`).map((c, i) => {
        const o = obj(c, `${path}.columns[${i}]`);
        only(o, TABLE_COLUMN, `${path}.columns[${i}]`);
        oneOf(o.data_type, TABLE_DATA_TYPES, `${path}.columns[${i}].data_type`);
        return str(o.name, `${path}.columns[${i}].name`);
      });
      if (cols.length > 50) throw new CardError(`${path}.columns: at most 50 columns`);
      const types = new Map(
        arr(e.columns, `${path}.columns`).map((c) => [
          (c as { name: string }).name,
          (c as { data_type?: string }).data_type,
        ]),
      );
      arr(e.rows, `${path}.rows`).forEach((r, i) => {
        for (const [k, v] of Object.entries(obj(r, `${path}.rows[${i}]`))) {
          if (!cols.includes(k)) throw new CardError(`${path}.rows[${i}]: "${k}" is not a column name`);
          const type = types.get(k);
          if (type === 'number' && typeof v !== 'number')
            throw new CardError(`${path}.rows[${i}].${k} must be a number (column ${k} is number)`);
          if (['text', 'lark_md', 'plain_text', 'markdown'].includes(type ?? '') && typeof v !== 'string')
            throw new CardError(`${path}.rows[${i}].${k} must be a string (column ${k} is ${type})`);
        }
      });
      if (e.header_style !== undefined)
        only(
          obj(e.header_style, `${path}.header_style`),
          ['text_align', 'text_size', 'background_style', 'text_color', 'bold', 'lines'],
          `${path}.header_style`,
        );
      break;
    }
    case 'chart': {
      // Card 2.0 chart: a VChart spec *object* with a chart type; no JavaScript (functions cannot travel in JSON,
      // and a string of code is refused too); aspect_ratio, color_theme and height from the documented values.
      const spec = obj(e.chart_spec, `${path}.chart_spec`);
      str(spec.type, `${path}.chart_spec.type`);
      noCode(spec, `${path}.chart_spec`);
      oneOf(e.aspect_ratio, ['1:1', '2:1', '4:3', '16:9'], `${path}.aspect_ratio`);
      oneOf(
        e.color_theme,
        ['brand', 'rainbow', 'complementary', 'converse', 'primary'],
        `${path}.color_theme`,
      );
      if (e.height !== undefined && e.height !== 'auto') {
        const m = /^(\d+)px$/.exec(str(e.height, `${path}.height`));
        if (!m || Number(m[1]) < 1 || Number(m[1]) > 999)
          throw new CardError(`${path}.height must be auto or 1px to 999px`);
      }
      if (e.preview !== undefined && typeof e.preview !== 'boolean')
        throw new CardError(`${path}.preview must be a boolean`);
      break;
    }
    case 'column_set':
      arr(e.columns ?? [], `${path}.columns`).forEach((c, i) => {
        const p = `${path}.columns[${i}]`;
        const col = obj(c, p);
        if (col.tag !== 'column') throw new CardError(`${p}.tag must be column`);
        only(col, COMPONENTS.column!, `${p} (column)`);
        walk.elements++;
        elements(col.elements ?? [], `${p}.elements`, walk, inner);
      });
      break;
    case 'collapsible_panel': {
      if (e.header !== undefined) {
        const h = obj(e.header, `${path}.header`);
        only(
          h,
          [
            'title',
            'background_color',
            'vertical_align',
            'padding',
            'position',
            'width',
            'icon',
            'icon_position',
            'icon_expanded_angle',
          ],
          `${path}.header`,
        );
        text(h.title, `${path}.header.title`, walk, ['plain_text', 'markdown']);
        icon(h.icon, `${path}.header.icon`);
      }
      if (where.inForm) throw new CardError(`${path}: collapsible_panel is not allowed inside a form`);
      elements(e.elements ?? [], `${path}.elements`, walk, inner);
      break;
    }
    case 'interactive_container':
      behaviors(e.behaviors, `${path}.behaviors`);
      confirm(e.confirm, `${path}.confirm`, walk);
      elements(e.elements ?? [], `${path}.elements`, walk, inner);
      break;
    case 'form':
      if (e.name === undefined) throw new CardError(`${path}: a form needs a name`);
      name(false);
      elements(e.elements ?? [], `${path}.elements`, walk, { root: false, inForm: true });
      break;
    case 'button':
      if (e.text !== undefined) text(e.text, `${path}.text`, walk);
      oneOf(e.type, BUTTON_TYPES, `${path}.type`);
      icon(e.icon, `${path}.icon`);
      confirm(e.confirm, `${path}.confirm`, walk);
      behaviors(e.behaviors, `${path}.behaviors`);
      oneOf(e.form_action_type, ['submit', 'reset'], `${path}.form_action_type`);
      if (e.form_action_type !== undefined && !where.inForm)
        throw new CardError(`${path}.form_action_type is only allowed inside a form`);
      name(where.inForm);
      break;
    default:
      // Form fields: input, select_static, multi_select_static, date_picker, picker_time, picker_datetime.
      if (e.placeholder !== undefined) text(e.placeholder, `${path}.placeholder`, walk);
      if (e.label !== undefined) text(e.label, `${path}.label`, walk);
      confirm(e.confirm, `${path}.confirm`, walk);
      behaviors(e.behaviors, `${path}.behaviors`);
      if (e.options !== undefined)
        arr(e.options, `${path}.options`).forEach((o, i) => {
          const p = `${path}.options[${i}]`;
          const opt = obj(o, p);
          only(opt, ['text', 'value', 'icon'], p);
          text(opt.text, `${p}.text`, walk);
          str(opt.value, `${p}.value`);
        });
      name(FORM_FIELDS.has(tag) && where.inForm);
  }
}

/** Validates a message `content` for msg_type `text`. */
export function validateTextContent(
  content: unknown,
): { ok: true; text: string } | { ok: false; code: number; msg: string } {
  if (typeof content !== 'string') return { ok: false, code: 230001, msg: 'content must be a JSON string' };
  if (Buffer.byteLength(content, 'utf8') > TEXT_MAX_BYTES)
    return { ok: false, code: 230025, msg: 'text content is over 150 KB' };
  try {
    const parsed = JSON.parse(content) as { text?: unknown };
    if (typeof parsed?.text !== 'string')
      return { ok: false, code: 230001, msg: 'content must be {"text": "…"}' };
    return { ok: true, text: parsed.text };
  } catch {
    return { ok: false, code: 230001, msg: 'content is not valid JSON' };
  }
}
