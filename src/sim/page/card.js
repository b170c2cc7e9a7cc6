/**
 * Feishu card JSON 2.0 → DOM, for the local-mode chat page (`/sim`). A pure module: it reads the card and the
 * options, builds elements with the document's own methods and never parses HTML — card text comes from imports
 * and chat and may hold anything, so every string ends up in a text node or a checked attribute.
 *
 *   import { renderCard, disposeCard } from './card.js';
 *   const el = renderCard(card, { lang: 'en_us', onAction: async ({ value, formValue, name, tag }) => {} });
 *   list.append(el);            // charts draw once the element is in the document
 *   disposeCard(el);            // before dropping it: releases its charts
 *
 * What it draws is what `src/sim/feishu/cards.ts` accepts (header, markdown, div, hr, img, person, table, chart,
 * column_set, collapsible_panel, interactive_container, form, button and the form fields); anything else becomes a
 * small grey "[unsupported: tag]" box. It never throws: a broken element is drawn as that box too.
 */

import { formatOffset, zoneOffsetMinutes } from './time.js';

const UI = {
  zh_cn: {
    chartFailed: '图表无法显示',
    required: '请填写此项',
    requiredSelect: '请选择',
    ok: '确定',
    cancel: '取消',
    prev: '上一页',
    next: '下一页',
    page: (p, n) => `第 ${p} / ${n} 页`,
    everyone: '所有人',
    image: '图片',
  },
  en_us: {
    chartFailed: 'The chart cannot be shown',
    required: 'Required',
    requiredSelect: 'Please choose',
    ok: 'OK',
    cancel: 'Cancel',
    prev: 'Previous',
    next: 'Next',
    page: (p, n) => `Page ${p} of ${n}`,
    everyone: 'Everyone',
    image: 'Image',
  },
};

/** Feishu's named colours (font, text_tag, text_color), as hex. */
const COLORS = {
  default: '#1f2329',
  neutral: '#646a73',
  grey: '#8f959e',
  gray: '#8f959e',
  blue: '#245bdb',
  wathet: '#037eaa',
  turquoise: '#078372',
  green: '#2ea121',
  lime: '#7aa300',
  yellow: '#a87f00',
  orange: '#de7802',
  red: '#d83931',
  carmine: '#c71f6b',
  violet: '#b620a1',
  purple: '#7a35f0',
  indigo: '#4954e6',
  white: '#ffffff',
  black: '#000000',
};

const SPACING = { small: '4px', medium: '8px', default: '8px', large: '12px', extra_large: '16px' };

/** `horizontal_align` as a flexbox alignment. */
const FLEX_ALIGN = { left: 'flex-start', center: 'center', right: 'flex-end' };

/**
 * Renders a card. `lang` picks `i18n_content[lang]` (falling back to `content`); `onAction` receives each callback
 * (a button, or a form's submit button with `formValue`); `nameOf(openId)` names people in `<at>` and `person`;
 * `tz` is the office zone, for the offset Feishu appends to a date picker's value (`2026-12-08 +0800`).
 */
export function renderCard(card, opts = {}) {
  const doc = opts.document ?? globalThis.document;
  const lang = opts.lang === 'en_us' ? 'en_us' : 'zh_cn';
  const ctx = {
    doc,
    lang,
    ui: UI[lang],
    onAction: typeof opts.onAction === 'function' ? opts.onAction : () => undefined,
    nameOf: typeof opts.nameOf === 'function' ? opts.nameOf : () => null,
    tz: typeof opts.tz === 'string' ? opts.tz : undefined,
    charts: [],
    form: null,
  };
  const root = el(ctx, 'div', 'fc-card');
  root.dataset.testid = 'card';
  try {
    const c = isObj(card) ? card : {};
    const width = isObj(c.config) ? c.config.width_mode : undefined;
    if (width === 'fill' || width === 'compact') root.classList.add(`fc-width-${width}`);
    const header = pickHeader(c, lang);
    if (header) root.append(renderHeader(ctx, header));
    const body = isObj(c.body) ? c.body : {};
    const bodyEl = el(ctx, 'div', 'fc-body');
    layout(bodyEl, body);
    bodyEl.append(...renderElements(ctx, body.elements));
    root.append(bodyEl);
  } catch (err) {
    root.append(unsupported(ctx, 'card', err));
  }
  charts.set(root, []);
  if (ctx.charts.length > 0) drawChartsWhenShown(ctx, root);
  return root;
}

/** Releases the charts of a rendered card (call before dropping or replacing it). */
export function disposeCard(root) {
  const list = charts.get(root);
  charts.delete(root);
  for (const c of list ?? []) {
    try {
      c.release();
    } catch {
      // A chart that cannot be released is garbage anyway.
    }
  }
}

const charts = new WeakMap();

// ─── text ────────────────────────────────────────────────────────────────────────────────────────────────────

function isObj(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The text of a text object in the chosen language; a plain string is taken as it is. */
function textOf(t, lang) {
  if (typeof t === 'string') return t;
  if (!isObj(t)) return '';
  const i18n = isObj(t.i18n_content) ? t.i18n_content : {};
  const s = i18n[lang];
  if (typeof s === 'string' && s !== '') return s;
  return typeof t.content === 'string' ? t.content : '';
}

function el(ctx, tag, className, text) {
  const e = ctx.doc.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function color(name) {
  if (typeof name !== 'string') return null;
  const n = name.trim().toLowerCase();
  if (Object.hasOwn(COLORS, n)) return COLORS[n];
  // Feishu also knows shades such as red-500 and custom colours; the family is enough here.
  const family = /^([a-z]+)-\d+$/.exec(n);
  if (family && Object.hasOwn(COLORS, family[1])) return COLORS[family[1]];
  if (/^#[0-9a-f]{3,8}$/.test(n)) return n;
  if (/^rgba?\(\s*[\d.]+%?\s*,\s*[\d.]+%?\s*,\s*[\d.]+%?\s*(,\s*[\d.]+%?\s*)?\)$/.test(n)) return n;
  return null;
}

/** A plain_text object (or lark_md, which is markdown). */
function renderText(ctx, t, className) {
  if (isObj(t) && (t.tag === 'lark_md' || t.tag === 'markdown')) {
    return renderMarkdown(ctx, textOf(t, ctx.lang), t, className);
  }
  const e = el(ctx, 'div', `fc-plain ${className ?? ''}`.trim(), textOf(t, ctx.lang));
  if (isObj(t)) textStyle(e, t);
  return e;
}

function textStyle(e, t) {
  if (typeof t.text_size === 'string') e.classList.add(`fc-size-${t.text_size.replace(/[^a-z0-9-]/gi, '')}`);
  if (['left', 'center', 'right'].includes(t.text_align)) e.style.textAlign = t.text_align;
  const c = color(t.text_color);
  if (c) e.style.color = c;
  if (Number.isInteger(t.lines) && t.lines > 0) {
    e.classList.add('fc-clamp');
    e.style.webkitLineClamp = String(t.lines);
  }
}

// ─── markdown (Feishu's subset) ──────────────────────────────────────────────────────────────────────────────

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes HTML character references — liancha's `md()` writes user text as `&#NN;` so it shows literally. */
function decodeEntities(s) {
  return s.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,6});/gi, (all, ref) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : all;
    }
    return Object.hasOwn(ENTITIES, ref.toLowerCase()) ? ENTITIES[ref.toLowerCase()] : all;
  });
}

function renderMarkdown(ctx, src, props, className) {
  const box = el(ctx, 'div', `fc-md ${className ?? ''}`.trim());
  if (isObj(props)) textStyle(box, props);
  markdownBlocks(ctx, String(src ?? ''), box);
  return box;
}

const RE_HEADING = /^(#{1,6})\s+(.*)$/;
const RE_UL = /^(\s*)[-*+]\s+(.*)$/;
const RE_OL = /^(\s*)(\d{1,9})\.\s+(.*)$/;
const RE_QUOTE = /^>\s?(.*)$/;
const RE_HR = /^\s*(?:-{3,}|\*{3,}|<hr\s*\/?>)\s*$/i;
const RE_FENCE = /^\s*```/;

function markdownBlocks(ctx, src, box) {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  let para = null; // the open paragraph
  let lists = []; // open lists, outermost first: { indent, el, ordered }
  let quote = null;
  const close = () => {
    para = null;
    lists = [];
    quote = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (RE_FENCE.test(line)) {
      close();
      const code = [];
      for (i++; i < lines.length && !RE_FENCE.test(lines[i]); i++) code.push(lines[i]);
      const pre = el(ctx, 'pre', 'fc-md-pre');
      pre.append(el(ctx, 'code', '', decodeEntities(code.join('\n'))));
      box.append(pre);
      continue;
    }
    if (line.trim() === '') {
      close();
      continue;
    }
    if (RE_HR.test(line)) {
      close();
      box.append(el(ctx, 'hr', 'fc-md-hr'));
      continue;
    }
    let m = RE_HEADING.exec(line);
    if (m) {
      close();
      const h = el(ctx, 'div', `fc-md-h fc-md-h${m[1].length}`);
      inline(ctx, m[2], h);
      box.append(h);
      continue;
    }
    m = RE_UL.exec(line);
    const o = m ? null : RE_OL.exec(line);
    if (m || o) {
      para = null;
      quote = null;
      const indent = (m ?? o)[1].replace(/\t/g, '  ').length;
      const ordered = !!o;
      while (lists.length > 0 && lists[lists.length - 1].indent > indent) lists.pop();
      let top = lists[lists.length - 1];
      if (top && top.indent === indent && top.ordered !== ordered) {
        lists.pop();
        top = lists[lists.length - 1];
      }
      if (!top || top.indent < indent) {
        const list = el(ctx, ordered ? 'ol' : 'ul', 'fc-md-list');
        if (ordered && o[2] !== '1') list.start = Number(o[2]);
        const parentItem = top ? top.el.lastElementChild : null;
        (parentItem ?? box).append(list);
        top = { indent, el: list, ordered };
        lists.push(top);
      }
      const li = el(ctx, 'li');
      inline(ctx, m ? m[2] : o[3], li);
      top.el.append(li);
      continue;
    }
    m = RE_QUOTE.exec(line);
    if (m) {
      para = null;
      lists = [];
      if (!quote) {
        quote = el(ctx, 'blockquote', 'fc-md-quote');
        box.append(quote);
      } else quote.append(el(ctx, 'br'));
      inline(ctx, m[1], quote);
      continue;
    }
    if (lists.length > 0 && /^\s+\S/.test(line)) {
      // A continuation line of a list item.
      const li = lists[lists.length - 1].el.lastElementChild;
      li.append(el(ctx, 'br'));
      inline(ctx, line.trim(), li);
      continue;
    }
    lists = [];
    quote = null;
    if (!para) {
      para = el(ctx, 'p', 'fc-md-p');
      box.append(para);
    } else para.append(el(ctx, 'br'));
    inline(ctx, line, para);
  }
}

const RE_LINK = /\[([^\]\n]*)\]\(([^()\s]*)\)/y;
const RE_URL = /https?:\/\/[^\s<>()[\]"'`]+/y;
const RE_FONT = /<font\s+color\s*=\s*(['"]?)([#\w(),.\s%-]*?)\1\s*>/iy;
const RE_AT = /<at\s+(?:id|user_id|open_id|email)\s*=\s*(['"]?)([^'">\s]*)\1\s*>([^<]*)<\/at>/iy;
const RE_TEXT_TAG = /<text_tag\s+color\s*=\s*(['"]?)([\w-]*)\1\s*>/iy;
const RE_BR = /<br\s*\/?>/iy;

function safeUrl(url) {
  const u = decodeEntities(url);
  return /^(https?:|mailto:)/i.test(u) ? u : null;
}

function sticky(re, src, i) {
  re.lastIndex = i;
  return re.exec(src);
}

/** The two-character delimiters of inline markdown and the element each makes. */
const PAIRED = new Map([
  ['**', 'strong'],
  ['~~', 'del'],
]);

function link(ctx, href) {
  const a = el(ctx, 'a', 'fc-md-link');
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

/** Inline markdown of one line into `parent`: bold, italic, strike, code, links, font, at, text_tag, br. */
function inline(ctx, src, parent) {
  let text = '';
  const flush = () => {
    if (text) parent.append(ctx.doc.createTextNode(decodeEntities(text)));
    text = '';
  };
  const wrap = (e, inner) => {
    flush();
    inline(ctx, inner, e);
    parent.append(e);
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    const pair = src.slice(i, i + 2);
    if (PAIRED.has(pair)) {
      const j = src.indexOf(pair, i + 2);
      if (j > i + 2) {
        wrap(el(ctx, PAIRED.get(pair)), src.slice(i + 2, j));
        i = j + 2;
        continue;
      }
    } else if (c === '*') {
      const j = src.indexOf('*', i + 1);
      if (j > i + 1 && src[i + 1] !== ' ') {
        wrap(el(ctx, 'em'), src.slice(i + 1, j));
        i = j + 1;
        continue;
      }
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j > i + 1) {
        flush();
        parent.append(el(ctx, 'code', 'fc-md-code', decodeEntities(src.slice(i + 1, j))));
        i = j + 1;
        continue;
      }
    } else if (c === '[') {
      const m = sticky(RE_LINK, src, i);
      if (m) {
        const url = safeUrl(m[2]);
        wrap(url ? link(ctx, url) : el(ctx, 'span'), m[1]);
        i = m.index + m[0].length;
        continue;
      }
    } else if (c === 'h') {
      const m = /\w/.test(src[i - 1] ?? '') ? null : sticky(RE_URL, src, i);
      if (m) {
        flush();
        const url = decodeEntities(m[0]);
        const a = link(ctx, url);
        a.textContent = url;
        parent.append(a);
        i += m[0].length;
        continue;
      }
    } else if (c === '<') {
      let m = sticky(RE_FONT, src, i);
      if (m) {
        const start = m.index + m[0].length;
        const end = src.toLowerCase().indexOf('</font>', start);
        if (end >= 0) {
          const span = el(ctx, 'span', 'fc-md-font');
          const col = color(m[2]);
          if (col) span.style.color = col;
          wrap(span, src.slice(start, end));
          i = end + '</font>'.length;
          continue;
        }
      }
      m = sticky(RE_AT, src, i);
      if (m) {
        flush();
        const id = decodeEntities(m[2]);
        const name = id === 'all' ? ctx.ui.everyone : (ctx.nameOf(id) ?? (decodeEntities(m[3]).trim() || id));
        const at = el(ctx, 'span', 'fc-md-at', `@${name}`);
        at.dataset.openId = id;
        parent.append(at);
        i = m.index + m[0].length;
        continue;
      }
      m = sticky(RE_TEXT_TAG, src, i);
      if (m) {
        const start = m.index + m[0].length;
        const end = src.toLowerCase().indexOf('</text_tag>', start);
        if (end >= 0) {
          flush();
          parent.append(textTag(ctx, decodeEntities(src.slice(start, end)), m[2]));
          i = end + '</text_tag>'.length;
          continue;
        }
      }
      m = sticky(RE_BR, src, i);
      if (m) {
        flush();
        parent.append(el(ctx, 'br'));
        i += m[0].length;
        continue;
      }
    }
    text += c;
    i++;
  }
  flush();
}

function textTag(ctx, text, colorName) {
  const tag = el(ctx, 'span', 'fc-tag', text);
  const name = typeof colorName === 'string' && Object.hasOwn(COLORS, colorName) ? colorName : 'neutral';
  tag.classList.add(`fc-tag-${name}`);
  return tag;
}

// ─── header ──────────────────────────────────────────────────────────────────────────────────────────────────

function pickHeader(card, lang) {
  if (isObj(card.i18n_header) && isObj(card.i18n_header[lang])) return card.i18n_header[lang];
  return isObj(card.header) ? card.header : null;
}

function renderHeader(ctx, h) {
  const template = typeof h.template === 'string' && /^[a-z]+$/.test(h.template) ? h.template : 'default';
  const head = el(ctx, 'div', `fc-header fc-tpl-${template}`);
  const titles = el(ctx, 'div', 'fc-header-titles');
  const titleRow = el(ctx, 'div', 'fc-header-row');
  titleRow.append(el(ctx, 'div', 'fc-title', textOf(h.title, ctx.lang)));
  let tags = h.text_tag_list;
  if (isObj(h.i18n_text_tag_list) && Array.isArray(h.i18n_text_tag_list[ctx.lang]))
    tags = h.i18n_text_tag_list[ctx.lang];
  if (Array.isArray(tags))
    for (const t of tags) if (isObj(t)) titleRow.append(textTag(ctx, textOf(t.text, ctx.lang), t.color));
  titles.append(titleRow);
  if (h.subtitle) titles.append(el(ctx, 'div', 'fc-subtitle', textOf(h.subtitle, ctx.lang)));
  head.append(titles);
  return head;
}

// ─── elements ────────────────────────────────────────────────────────────────────────────────────────────────

function renderElements(ctx, list) {
  if (!Array.isArray(list)) return [];
  return list.map((e) => renderElement(ctx, e));
}

function renderElement(ctx, e) {
  const tag = isObj(e) && typeof e.tag === 'string' ? e.tag : '?';
  const render = Object.hasOwn(RENDERERS, tag) ? RENDERERS[tag] : null;
  if (!render) return unsupported(ctx, tag);
  try {
    const out = render(ctx, e);
    if (typeof e.margin === 'string' && /^(-?\d+px\s*){1,4}$/.test(e.margin.trim()))
      out.style.margin = e.margin.trim();
    if (typeof e.element_id === 'string') out.dataset.elementId = e.element_id;
    return out;
  } catch (err) {
    return unsupported(ctx, tag, err);
  }
}

function unsupported(ctx, tag, err) {
  const box = el(
    ctx,
    'div',
    'fc-unsupported',
    err ? `[unsupported: ${tag} — ${err.message ?? err}]` : `[unsupported: ${tag}]`,
  );
  box.dataset.unsupported = tag;
  return box;
}

function spacing(v) {
  if (typeof v === 'string' && Object.hasOwn(SPACING, v)) return SPACING[v];
  if (typeof v === 'string' && /^\d{1,3}px$/.test(v)) return v;
  return null;
}

/** Container layout properties shared by body, column, panel, form and interactive_container. */
function layout(box, e) {
  if (e.direction === 'horizontal') box.classList.add('fc-horizontal');
  const v = spacing(e.vertical_spacing);
  const hsp = spacing(e.horizontal_spacing);
  if (v || hsp) box.style.gap = `${v ?? '8px'} ${hsp ?? '8px'}`;
  if (typeof e.padding === 'string' && /^(\d+px\s*){1,4}$/.test(e.padding.trim()))
    box.style.padding = e.padding.trim();
  const align = FLEX_ALIGN[e.horizontal_align];
  if (align) box.style.alignItems = align;
}

function width(e, node) {
  if (e.width === 'fill') node.classList.add('fc-fill');
  else if (typeof e.width === 'string' && /^\d{1,4}px$/.test(e.width)) node.style.width = e.width;
}

const RENDERERS = {
  markdown: (ctx, e) => renderMarkdown(ctx, textOf(e, ctx.lang), e),
  plain_text: (ctx, e) => renderText(ctx, e),
  lark_md: (ctx, e) => renderText(ctx, e),
  hr: (ctx) => el(ctx, 'hr', 'fc-hr'),
  div: (ctx, e) => {
    const box = el(ctx, 'div', 'fc-div');
    if (e.text) box.append(renderText(ctx, e.text));
    if (Array.isArray(e.fields)) {
      const grid = el(ctx, 'div', 'fc-fields');
      for (const f of e.fields) {
        if (!isObj(f)) continue;
        const cell = renderText(ctx, f.text, 'fc-field');
        if (f.is_short) cell.classList.add('fc-field-short');
        grid.append(cell);
      }
      box.append(grid);
    }
    return box;
  },
  img: (ctx, e) => {
    const box = el(ctx, 'div', 'fc-img');
    const alt = textOf(e.alt, ctx.lang) || textOf(e.title, ctx.lang);
    box.textContent = `🖼 ${ctx.ui.image}${alt ? `: ${alt}` : ''}`;
    box.title = typeof e.img_key === 'string' ? e.img_key : '';
    return box;
  },
  person: (ctx, e) => person(ctx, e.user_id, e.show_avatar !== false, e.show_name !== false),
  person_list: (ctx, e) => {
    const box = el(ctx, 'div', 'fc-person-list');
    for (const p of Array.isArray(e.persons) ? e.persons : [])
      box.append(person(ctx, isObj(p) ? p.id : p, e.show_avatar !== false, e.show_name !== false));
    return box;
  },
  column_set: renderColumnSet,
  collapsible_panel: renderPanel,
  interactive_container: renderInteractive,
  table: renderTable,
  chart: renderChart,
  form: renderForm,
  button: renderButton,
  input: renderInput,
  select_static: renderSelect,
  multi_select_static: renderMultiSelect,
  date_picker: (ctx, e) => renderPicker(ctx, e, 'date', e.initial_date),
  picker_time: (ctx, e) => renderPicker(ctx, e, 'time', e.initial_time),
  picker_datetime: (ctx, e) => renderPicker(ctx, e, 'datetime-local', e.initial_datetime),
};

function person(ctx, id, avatar, showName) {
  const openId = typeof id === 'string' ? id : '';
  const name = ctx.nameOf(openId) ?? openId;
  const box = el(ctx, 'span', 'fc-person');
  box.dataset.openId = openId;
  if (avatar) box.append(el(ctx, 'span', 'fc-avatar', [...name][0] ?? '?'));
  if (showName) box.append(el(ctx, 'span', 'fc-person-name', name));
  return box;
}

function renderColumnSet(ctx, e) {
  const mode = typeof e.flex_mode === 'string' ? e.flex_mode : 'none';
  const row = el(ctx, 'div', `fc-columns fc-flex-${mode.replace(/[^a-z]/g, '')}`);
  const gap = spacing(e.horizontal_spacing);
  if (gap) row.style.columnGap = gap;
  if (e.background_style === 'grey') row.classList.add('fc-bg-grey');
  const align = FLEX_ALIGN[e.horizontal_align];
  if (align) row.style.justifyContent = align;
  for (const c of Array.isArray(e.columns) ? e.columns : []) {
    if (!isObj(c) || c.tag !== 'column') {
      row.append(unsupported(ctx, isObj(c) ? String(c.tag) : '?'));
      continue;
    }
    const col = el(ctx, 'div', 'fc-column');
    layout(col, c);
    if (c.width === 'weighted') {
      const w = Number.isInteger(c.weight) && c.weight > 0 ? c.weight : 1;
      col.style.flex = `${w} 1 0`;
    } else if (typeof c.width === 'string' && /^\d{1,4}px$/.test(c.width)) col.style.flex = `0 0 ${c.width}`;
    else col.classList.add('fc-column-auto');
    const va = { top: 'flex-start', center: 'center', bottom: 'flex-end' }[c.vertical_align];
    if (va) col.style.alignSelf = va;
    if (c.background_style === 'grey') col.classList.add('fc-bg-grey');
    col.append(...renderElements(ctx, c.elements));
    row.append(col);
  }
  return row;
}

function renderPanel(ctx, e) {
  const panel = el(ctx, 'details', 'fc-panel');
  if (e.expanded) panel.open = true;
  if (isObj(e.border)) {
    panel.classList.add('fc-panel-border');
    const c = color(e.border.color);
    if (c) panel.style.borderColor = c;
  }
  const bg = color(e.background_color);
  if (bg) panel.style.background = bg;
  const summary = el(ctx, 'summary', 'fc-panel-header');
  const h = isObj(e.header) ? e.header : {};
  if (isObj(h.title) && h.title.tag === 'markdown') {
    const md = renderMarkdown(ctx, textOf(h.title, ctx.lang), h.title);
    md.classList.add('fc-inline');
    summary.append(md);
  } else summary.append(el(ctx, 'span', '', textOf(h.title, ctx.lang)));
  panel.append(summary);
  const inner = el(ctx, 'div', 'fc-panel-body');
  layout(inner, e);
  inner.append(...renderElements(ctx, e.elements));
  panel.append(inner);
  return panel;
}

function renderInteractive(ctx, e) {
  const box = el(ctx, 'div', 'fc-interactive');
  layout(box, e);
  width(e, box);
  if (e.has_border) box.classList.add('fc-interactive-border');
  if (e.background_style === 'grey') box.classList.add('fc-bg-grey');
  const tip = textOf(e.disabled ? e.disabled_tips : e.hover_tips, ctx.lang);
  if (tip) box.title = tip;
  box.append(...renderElements(ctx, e.elements));
  if (e.disabled) box.classList.add('fc-disabled');
  else {
    box.tabIndex = 0;
    box.setAttribute('role', 'button');
    const form = ctx.form;
    box.addEventListener('click', (ev) => {
      // Buttons and links inside the container act for themselves.
      if (
        ev.target instanceof ctx.doc.defaultView.Element &&
        ev.target.closest('button, a, input, select, textarea')
      )
        return;
      act(ctx, box, e, form, 'interactive_container');
    });
  }
  return box;
}

// ─── table ───────────────────────────────────────────────────────────────────────────────────────────────────

function renderTable(ctx, e) {
  const columns = (Array.isArray(e.columns) ? e.columns : []).filter(isObj);
  const rows = (Array.isArray(e.rows) ? e.rows : []).filter(isObj);
  const pageSize = Number.isInteger(e.page_size) && e.page_size > 0 ? e.page_size : 5;
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const box = el(ctx, 'div', 'fc-table-box');
  const scroll = el(ctx, 'div', 'fc-table-scroll');
  const table = el(ctx, 'table', 'fc-table');
  if (e.freeze_first_column) table.classList.add('fc-freeze');
  const hs = isObj(e.header_style) ? e.header_style : {};
  const thead = el(ctx, 'thead');
  const tr = el(ctx, 'tr');
  for (const c of columns) {
    const th = el(ctx, 'th', '', textOf(c.display_name, ctx.lang) || String(c.name ?? ''));
    if (hs.bold === false) th.style.fontWeight = 'normal';
    if (['left', 'center', 'right'].includes(hs.text_align)) th.style.textAlign = hs.text_align;
    const hc = color(hs.text_color);
    if (hc) th.style.color = hc;
    if (typeof c.width === 'string' && /^\d{1,4}px$/.test(c.width)) th.style.width = c.width;
    tr.append(th);
  }
  if (hs.background_style === 'none') thead.classList.add('fc-thead-plain');
  thead.append(tr);
  const tbody = el(ctx, 'tbody');
  table.append(thead, tbody);
  scroll.append(table);
  box.append(scroll);
  if (e.row_height === 'low') table.classList.add('fc-rows-low');
  let page = 0;
  const pager = el(ctx, 'div', 'fc-pager');
  const prev = el(ctx, 'button', 'fc-pager-btn', ctx.ui.prev);
  const next = el(ctx, 'button', 'fc-pager-btn', ctx.ui.next);
  const label = el(ctx, 'span', 'fc-pager-label');
  prev.type = 'button';
  next.type = 'button';
  const draw = () => {
    tbody.replaceChildren();
    for (const r of rows.slice(page * pageSize, (page + 1) * pageSize)) {
      const row = el(ctx, 'tr');
      for (const c of columns) {
        const td = el(ctx, 'td');
        const v = r[c.name];
        cell(ctx, td, v, c);
        if (['left', 'center', 'right'].includes(c.horizontal_align)) td.style.textAlign = c.horizontal_align;
        else if (c.data_type === 'number') td.style.textAlign = 'right';
        row.append(td);
      }
      tbody.append(row);
    }
    label.textContent = ctx.ui.page(page + 1, pages);
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  };
  prev.addEventListener('click', () => {
    if (page > 0) page--;
    draw();
  });
  next.addEventListener('click', () => {
    if (page < pages - 1) page++;
    draw();
  });
  draw();
  if (pages > 1) {
    pager.append(prev, label, next);
    box.append(pager);
  }
  return box;
}

function cell(ctx, td, v, c) {
  if (v === undefined || v === null) return;
  switch (c.data_type) {
    case 'number':
      td.textContent = typeof v === 'number' ? formatNumber(v, c.format) : String(v);
      return;
    case 'lark_md':
    case 'markdown':
      td.append(renderMarkdown(ctx, String(v), null, 'fc-inline'));
      return;
    case 'options':
      for (const o of Array.isArray(v) ? v : [v]) {
        if (isObj(o)) td.append(textTag(ctx, String(o.text ?? ''), o.color));
        else td.append(textTag(ctx, String(o), 'neutral'));
      }
      return;
    case 'persons':
    case 'person':
      for (const p of Array.isArray(v) ? v : [v]) td.append(person(ctx, isObj(p) ? p.id : p, true, true));
      return;
    case 'date':
      td.textContent = typeof v === 'number' ? formatDate(v, c.date_format) : String(v);
      return;
    default:
      td.textContent = typeof v === 'string' ? v : JSON.stringify(v);
  }
}

function formatNumber(v, format) {
  const f = isObj(format) ? format : {};
  const precision =
    Number.isInteger(f.precision) && f.precision >= 0 && f.precision <= 10 ? f.precision : null;
  let s = precision === null ? String(v) : v.toFixed(precision);
  if (f.separator) {
    const [int, frac] = s.split('.');
    s = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac !== undefined ? `.${frac}` : '');
  }
  return typeof f.symbol === 'string' ? `${f.symbol}${s}` : s;
}

function formatDate(ms, fmt) {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const p = (n) => String(n).padStart(2, '0');
  const parts = {
    YYYY: String(d.getFullYear()),
    MM: p(d.getMonth() + 1),
    DD: p(d.getDate()),
    HH: p(d.getHours()),
    mm: p(d.getMinutes()),
    ss: p(d.getSeconds()),
  };
  const pattern = typeof fmt === 'string' && fmt ? fmt : 'YYYY/MM/DD';
  return pattern.replace(/YYYY|MM|DD|HH|mm|ss/g, (k) => parts[k]);
}

// ─── chart ───────────────────────────────────────────────────────────────────────────────────────────────────

function renderChart(ctx, e) {
  const box = el(ctx, 'div', 'fc-chart');
  const m = typeof e.height === 'string' ? /^(\d{1,3})px$/.exec(e.height) : null;
  const ratio = typeof e.aspect_ratio === 'string' ? /^(\d{1,2}):(\d{1,2})$/.exec(e.aspect_ratio) : null;
  if (m) box.style.height = `${m[1]}px`;
  else if (ratio && Number(ratio[1]) > 0 && Number(ratio[2]) > 0)
    box.style.aspectRatio = `${ratio[1]} / ${ratio[2]}`;
  else box.style.height = '300px';
  ctx.charts.push({ box, spec: e.chart_spec });
  return box;
}

/** VChart needs its container laid out: draw once the card is in the document (or give up after ~2 s). */
function drawChartsWhenShown(ctx, root) {
  const win = ctx.doc.defaultView;
  if (!win) return;
  let tries = 0;
  const attempt = () => {
    if (!charts.has(root)) return; // disposed meanwhile
    if (!root.isConnected) {
      if (++tries < 120) win.requestAnimationFrame(attempt);
      return;
    }
    for (const { box, spec } of ctx.charts) drawChart(ctx, root, box, spec);
  };
  win.requestAnimationFrame(attempt);
}

function drawChart(ctx, root, box, spec) {
  const fail = () => {
    box.replaceChildren(el(ctx, 'div', 'fc-chart-failed', ctx.ui.chartFailed));
    box.style.height = 'auto';
  };
  try {
    const ns = ctx.doc.defaultView.VChart;
    const VChart = ns && (ns.VChart ?? ns.default ?? (typeof ns === 'function' ? ns : null));
    if (typeof VChart !== 'function' || !isObj(spec)) return fail();
    const chart = new VChart(JSON.parse(JSON.stringify(spec)), {
      dom: box,
      mode: 'desktop-browser',
      animation: false,
    });
    chart.renderSync();
    charts.get(root)?.push(chart);
  } catch {
    fail();
  }
}

// ─── buttons and callbacks ───────────────────────────────────────────────────────────────────────────────────

function renderButton(ctx, e) {
  const b = el(ctx, 'button', 'fc-button');
  b.type = 'button';
  const type = typeof e.type === 'string' && /^[a-z_]+$/.test(e.type) ? e.type : 'default';
  b.classList.add(`fc-btn-${type}`);
  if (['tiny', 'small', 'medium', 'large'].includes(e.size)) b.classList.add(`fc-btn-${e.size}`);
  width(e, b);
  b.textContent = textOf(e.text, ctx.lang);
  if (typeof e.name === 'string') b.dataset.name = e.name;
  const tip = textOf(e.disabled ? e.disabled_tips : e.hover_tips, ctx.lang);
  if (tip) b.title = tip;
  if (e.disabled) {
    b.disabled = true;
    return b;
  }
  const form = ctx.form;
  b.addEventListener('click', () => act(ctx, b, e, form, 'button'));
  return b;
}

/** What a click does: open a link, reset or submit the form, or call back — after the confirm dialog if any. */
function act(ctx, node, e, form, tag) {
  const behaviors = Array.isArray(e.behaviors) ? e.behaviors.filter(isObj) : [];
  let formAction = e.form_action_type;
  for (const b of behaviors) if (b.type === 'form_action') formAction = b.behavior;
  const callback = behaviors.find((b) => b.type === 'callback');
  const urls = behaviors.filter((b) => b.type === 'open_url');
  if (formAction === 'reset') {
    if (form) form.reset();
    return;
  }
  let formValue = null;
  if (formAction === 'submit' && form) {
    formValue = form.collect();
    if (!formValue) return; // a required field is empty: marked, not sent
  }
  const go = () => {
    for (const u of urls) {
      const url = safeUrl(String(u.pc_url || u.default_url || ''));
      if (url) ctx.doc.defaultView.open(url, '_blank', 'noopener');
    }
    if (!callback && formValue === null) return;
    const value = isObj(callback?.value) ? callback.value : {};
    node.classList.add('fc-loading');
    if ('disabled' in node) node.disabled = true;
    let result;
    try {
      result = ctx.onAction({ value, formValue, name: typeof e.name === 'string' ? e.name : null, tag });
    } catch {
      result = undefined;
    }
    Promise.resolve(result)
      .catch(() => undefined)
      .finally(() => {
        node.classList.remove('fc-loading');
        if ('disabled' in node) node.disabled = false;
      });
  };
  if (isObj(e.confirm)) confirmDialog(ctx, e.confirm).then((ok) => ok && go());
  else go();
}

/** A modal in the page (not window.confirm, which an automated browser dismisses). */
function confirmDialog(ctx, confirm) {
  return new Promise((resolve) => {
    const overlay = el(ctx, 'div', 'fc-modal-overlay');
    overlay.dataset.testid = 'confirm-dialog';
    const dialog = el(ctx, 'div', 'fc-modal');
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.append(el(ctx, 'div', 'fc-modal-title', textOf(confirm.title, ctx.lang)));
    dialog.append(el(ctx, 'div', 'fc-modal-text', textOf(confirm.text, ctx.lang)));
    const buttons = el(ctx, 'div', 'fc-modal-buttons');
    const cancel = el(ctx, 'button', 'fc-button fc-btn-default', ctx.ui.cancel);
    const ok = el(ctx, 'button', 'fc-button fc-btn-primary', ctx.ui.ok);
    cancel.type = 'button';
    ok.type = 'button';
    cancel.dataset.testid = 'confirm-cancel';
    ok.dataset.testid = 'confirm-ok';
    buttons.append(cancel, ok);
    dialog.append(buttons);
    overlay.append(dialog);
    const done = (answer) => {
      overlay.remove();
      ctx.doc.removeEventListener('keydown', onKey, true);
      resolve(answer);
    };
    const onKey = (ev) => {
      if (ev.key === 'Escape') done(false);
    };
    cancel.addEventListener('click', () => done(false));
    ok.addEventListener('click', () => done(true));
    overlay.addEventListener('click', (ev) => {
      if (ev.target === overlay) done(false);
    });
    ctx.doc.addEventListener('keydown', onKey, true);
    ctx.doc.body.append(overlay);
    ok.focus();
  });
}

// ─── forms ───────────────────────────────────────────────────────────────────────────────────────────────────

function renderForm(ctx, e) {
  const box = el(ctx, 'div', 'fc-form');
  if (typeof e.name === 'string') box.dataset.name = e.name;
  layout(box, e);
  const fields = [];
  const form = {
    fields,
    reset: () => fields.forEach((f) => f.reset()),
    /** The form's values keyed by field name, or null when a required field is empty (then it is marked). */
    collect: () => {
      const out = {};
      let ok = true;
      for (const f of fields) {
        const v = f.get();
        const empty = v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
        f.mark(f.required && empty);
        if (f.required && empty) ok = false;
        if (v !== undefined) out[f.name] = v;
      }
      if (!ok) box.querySelector('.fc-invalid')?.scrollIntoView?.({ block: 'nearest' });
      return ok ? out : null;
    },
  };
  const inner = { ...ctx, form };
  box.append(...renderElements(inner, e.elements));
  return box;
}

/** A field's frame: label, control, the "required" note. Registers the field with its form, if any. */
function field(ctx, e, control, api) {
  const wrap = el(ctx, 'div', 'fc-field-wrap');
  width(e, wrap);
  if (e.width === undefined || e.width === 'default') wrap.classList.add('fc-field-default');
  if (e.label) {
    const label = el(ctx, 'div', 'fc-label', textOf(e.label, ctx.lang));
    if (e.required) label.append(el(ctx, 'span', 'fc-required-star', ' *'));
    if (e.label_position === 'left') wrap.classList.add('fc-label-left');
    wrap.append(label);
  }
  wrap.append(control);
  const note = el(ctx, 'div', 'fc-invalid-note');
  wrap.append(note);
  if (typeof e.name === 'string') {
    control.dataset.name = e.name;
    wrap.dataset.field = e.name;
  }
  const entry = {
    name: typeof e.name === 'string' ? e.name : '',
    required: e.required === true,
    get: api.get,
    reset: () => {
      api.reset();
      entry.mark(false);
    },
    mark: (bad) => {
      wrap.classList.toggle('fc-invalid', bad);
      note.textContent = bad ? (api.choice ? ctx.ui.requiredSelect : ctx.ui.required) : '';
    },
  };
  api.onChange?.(() => entry.mark(false));
  if (ctx.form && entry.name) ctx.form.fields.push(entry);
  return wrap;
}

function renderInput(ctx, e) {
  const multiline = e.input_type === 'multiline_text';
  const input = el(ctx, multiline ? 'textarea' : 'input', 'fc-input');
  if (multiline) input.rows = Number.isInteger(e.rows) && e.rows > 0 && e.rows < 50 ? e.rows : 3;
  else input.type = e.input_type === 'password' ? 'password' : 'text';
  const initial =
    typeof e.default_value === 'string' ? e.default_value : typeof e.value === 'string' ? e.value : '';
  input.value = initial;
  const ph = textOf(e.placeholder, ctx.lang);
  if (ph) input.placeholder = ph;
  if (Number.isInteger(e.max_length) && e.max_length > 0) input.maxLength = e.max_length;
  if (e.disabled) input.disabled = true;
  const wrap = field(ctx, e, input, {
    get: () => input.value,
    reset: () => {
      input.value = initial;
    },
    onChange: (f) => input.addEventListener('input', f),
  });
  if (!ctx.form && !e.disabled && Array.isArray(e.behaviors)) {
    // Outside a form an input calls back on Enter with its callback value (what was typed is not sent).
    input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !multiline) act(ctx, input, e, null, 'input');
    });
  }
  return wrap;
}

function options(ctx, e) {
  return (Array.isArray(e.options) ? e.options : [])
    .filter(isObj)
    .map((o) => ({ value: String(o.value ?? ''), text: textOf(o.text, ctx.lang) || String(o.value ?? '') }));
}

function renderSelect(ctx, e) {
  const select = el(ctx, 'select', 'fc-select');
  const opts = options(ctx, e);
  const ph = el(ctx, 'option', 'fc-placeholder', textOf(e.placeholder, ctx.lang));
  ph.value = '';
  ph.disabled = true;
  select.append(ph);
  for (const o of opts) {
    const option = el(ctx, 'option', '', o.text);
    option.value = o.value;
    select.append(option);
  }
  const initial = opts.some((o) => o.value === e.initial_option) ? e.initial_option : '';
  const reset = () => {
    select.value = initial;
    select.classList.toggle('fc-empty', select.value === '');
  };
  reset();
  select.addEventListener('change', () => select.classList.toggle('fc-empty', select.value === ''));
  if (e.disabled) select.disabled = true;
  return field(ctx, e, select, {
    get: () => (select.value === '' ? undefined : select.value),
    reset,
    onChange: (f) => select.addEventListener('change', f),
    choice: true,
  });
}

/** A multiple choice drawn as toggle chips; the chosen option values, in option order, are its value. */
function renderMultiSelect(ctx, e) {
  const box = el(ctx, 'div', 'fc-multi');
  box.setAttribute('role', 'group');
  const opts = options(ctx, e);
  const initial = new Set(
    Array.isArray(e.selected_values)
      ? e.selected_values
      : Array.isArray(e.initial_options)
        ? e.initial_options
        : [],
  );
  const ph = textOf(e.placeholder, ctx.lang);
  const hint = el(ctx, 'div', 'fc-multi-hint', ph);
  box.append(hint);
  const chips = opts.map((o) => {
    const chip = el(ctx, 'button', 'fc-chip', o.text);
    chip.type = 'button';
    chip.dataset.value = o.value;
    chip.setAttribute('aria-pressed', 'false');
    if (e.disabled) chip.disabled = true;
    box.append(chip);
    return chip;
  });
  const listeners = [];
  const set = (chip, on) => {
    chip.setAttribute('aria-pressed', on ? 'true' : 'false');
    chip.classList.toggle('fc-chip-on', on);
  };
  const reset = () => chips.forEach((c) => set(c, initial.has(c.dataset.value)));
  reset();
  for (const chip of chips)
    chip.addEventListener('click', () => {
      set(chip, chip.getAttribute('aria-pressed') !== 'true');
      listeners.forEach((f) => f());
    });
  return field(ctx, e, box, {
    get: () => chips.filter((c) => c.getAttribute('aria-pressed') === 'true').map((c) => c.dataset.value),
    reset,
    onChange: (f) => listeners.push(f),
    choice: true,
  });
}

/** date_picker, picker_time, picker_datetime: Feishu sends `2026-12-08 +0800` (the office's offset). */
function renderPicker(ctx, e, type, initialRaw) {
  const input = el(ctx, 'input', 'fc-input fc-picker');
  input.type = type;
  let initial = typeof initialRaw === 'string' ? initialRaw.trim() : '';
  if (type === 'datetime-local') initial = initial.replace(' ', 'T');
  input.value = initial;
  if (input.value !== initial) input.value = '';
  const ph = textOf(e.placeholder, ctx.lang);
  if (ph) input.title = ph;
  if (e.disabled) input.disabled = true;
  return field(ctx, e, input, {
    get: () => {
      if (!input.value) return undefined;
      const v = type === 'datetime-local' ? input.value.replace('T', ' ') : input.value;
      const day = type === 'time' ? undefined : input.value.slice(0, 10);
      return `${v} ${offsetOf(ctx.tz, day)}`;
    },
    reset: () => {
      input.value = initial;
    },
    onChange: (f) => input.addEventListener('change', f),
    choice: true,
  });
}

/** `+0800`: the offset of `tz` at noon on `day` (now when absent); the browser's own zone without `tz`. */
function offsetOf(tz, day) {
  const at = day ? Date.parse(`${day}T12:00:00Z`) : Date.now();
  return formatOffset(zoneOffsetMinutes(tz, Number.isNaN(at) ? Date.now() : at), true);
}
