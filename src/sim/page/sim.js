/**
 * The local-mode chat page (`GET /sim`): pick who you are, see their direct chat with the bot and the
 * joint-meeting group, type chat commands, press the real cards, and move the simulated clock. Everything comes
 * from the simulator's API on the same origin (`/sim/api/*`, with Server-Sent Events for new and updated
 * messages); cards are drawn by card.js.
 *
 * The chosen person and language live in `location.hash` (`#as=ou_…&lang=en`), so a reload keeps them.
 */
import { disposeCard, renderCard } from './card.js';
import { formatLocal, localToIso, nextMonday, nextWeekday } from './time.js';

// ─── texts ───────────────────────────────────────────────────────────────────────────────────────────────────

const TEXT = {
  zh_cn: {
    brand: '联查助手 · 本地模拟',
    localOnly: (a) => `仅本机可访问 ${a}`,
    exposed: (a) => `⚠ 正在监听 ${a}：网络中的其他设备也可访问此页面`,
    clock: '模拟时间',
    tickAt: '拨到',
    tickRun: '运行',
    nextWorkday: '下一个工作日 09:00',
    nextWorkdayTip: '按周一至周五计算，不含节假日和调休',
    nextMonday: '下周一 09:00',
    lang: 'English',
    search: '搜索姓名、部门、角色、证号…',
    peopleCount: (n, all) => (n === all ? `共 ${all} 人` : `${n} / ${all} 人`),
    noMatch: '没有匹配的人员',
    pick: '从左侧选择你要扮演的人',
    loading: '加载中…',
    p2p: '私聊',
    group: '群聊',
    noMessages: '暂无消息',
    sayP2p: '输入 帮助、我的任务 或 进度，回车发送',
    sayGroup: (bot) => `在群里对 @${bot} 说：帮助、我的任务、进度…`,
    send: '发送',
    idle: '点击此处在此会话中发送消息',
    updated: '已更新',
    you: '（你）',
    ticked: (t) => `模拟时间已拨到 ${t}`,
    ran: '上次运行',
    badTime: '请先选择要拨到的时间',
    roles: { inspector: '检查人员', expert: '专家', head: '部门负责人', liaison: '联络员' },
    failed: '请求失败',
  },
  en_us: {
    brand: 'liancha · local simulation',
    localOnly: (a) => `only this machine can reach ${a}`,
    exposed: (a) => `⚠ listening on ${a}: other devices on the network can reach this page`,
    clock: 'Simulated time',
    tickAt: 'Set to',
    tickRun: 'Run',
    nextWorkday: 'Next working day 09:00',
    nextWorkdayTip: 'Monday to Friday; holidays and make-up days are not taken into account',
    nextMonday: 'Next Monday 09:00',
    lang: '中文',
    search: 'Search name, department, role, certificate…',
    peopleCount: (n, all) => (n === all ? `${all} people` : `${n} of ${all}`),
    noMatch: 'Nobody matches',
    pick: 'Choose who you are on the left',
    loading: 'Loading…',
    p2p: 'Direct chat',
    group: 'Group',
    noMessages: 'No messages yet',
    sayP2p: 'Type help, my tasks or progress (帮助 / 我的任务 / 进度); Enter sends',
    sayGroup: (bot) => `Say to @${bot} in the group: 帮助, 我的任务, 进度…`,
    send: 'Send',
    idle: 'Click here to send in this chat',
    updated: 'updated',
    you: ' (you)',
    ticked: (t) => `Simulated time set to ${t}`,
    ran: 'Last run',
    badTime: 'Choose a time first',
    roles: { inspector: 'Inspector', expert: 'Expert', head: 'Head of department', liaison: 'Liaison' },
    failed: 'Request failed',
  },
};
const ROLE_ORDER = { head: 0, liaison: 1, inspector: 2, expert: 3 };
const AVATAR_COLORS = [
  '#3370ff',
  '#2ea121',
  '#de7802',
  '#7a35f0',
  '#078372',
  '#c71f6b',
  '#037eaa',
  '#b25600',
];

// ─── state ───────────────────────────────────────────────────────────────────────────────────────────────────

const state = {
  info: null, // GET /sim/api/state
  people: [],
  byId: new Map(),
  as: null,
  lang: 'zh_cn',
  search: '',
  clock: null,
  /** The current person's chats: { chatId, kind, name, messages: Map<messageId, Entry>, order: string[] }. */
  chats: [],
  /** Which chat the message box sends to (its kind). */
  active: 'p2p',
  loading: false,
  /** SSE messages that arrived while the chats were loading, applied after. */
  pending: [],
  /** Bumped on every load, so an older answer is dropped. */
  loadSeq: 0,
  lastRan: null,
};

const $ = (id) => document.getElementById(id);
const T = () => TEXT[state.lang];

function h(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'testid') e.dataset.testid = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k in e && typeof v !== 'string') e[k] = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

// ─── API ─────────────────────────────────────────────────────────────────────────────────────────────────────

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const msg =
      data && typeof data.error === 'string' ? data.error : text.slice(0, 200) || `HTTP ${res.status}`;
    throw new Error(msg);
  }
  return data ?? {};
}

const failed = (err) => toast({ type: 'error', content: `${T().failed}: ${err?.message ?? err}` });

// ─── toasts ──────────────────────────────────────────────────────────────────────────────────────────────────

const ICONS = { success: '✓', info: 'i', warning: '!', error: '×' };

/** Shows a callback toast (`{ type, content, i18n }`) in the chosen language for about 3 s. */
function toast(t) {
  if (!t || typeof t !== 'object') return;
  const type = Object.hasOwn(ICONS, t.type) ? t.type : 'info';
  const i18n = t.i18n && typeof t.i18n === 'object' ? t.i18n : {};
  const text =
    typeof i18n[state.lang] === 'string' && i18n[state.lang] ? i18n[state.lang] : String(t.content ?? '');
  const node = h(
    'div',
    { class: `toast toast-${type}`, testid: 'toast', dataset: { type }, role: 'status' },
    h('span', { class: 'toast-icon', text: ICONS[type] }),
    h('span', { class: 'toast-text', text }),
  );
  const box = $('toasts');
  box.append(node);
  // At most three at a time: a burst of answers does not cover the chats.
  while (box.children.length > 3) box.firstElementChild.remove();
  setTimeout(() => node.remove(), 3000);
}

// ─── hash ────────────────────────────────────────────────────────────────────────────────────────────────────

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  return { as: p.get('as') || null, lang: p.get('lang') === 'en' ? 'en_us' : 'zh_cn' };
}

function writeHash() {
  const p = new URLSearchParams();
  if (state.as) p.set('as', state.as);
  if (state.lang === 'en_us') p.set('lang', 'en');
  const next = p.toString();
  if (location.hash.slice(1) !== next)
    history.replaceState(null, '', next ? `#${next}` : `${location.pathname}${location.search}`);
}

// ─── banner and toolbar ──────────────────────────────────────────────────────────────────────────────────────

function renderBanner() {
  const info = state.info;
  if (!info) return;
  const listening = String(info.listening ?? '');
  const local = /^(127\.|localhost\b|\[?::1\]?:)/.test(listening);
  $('banner-title').textContent = state.lang === 'en_us' ? (info.bannerEn ?? info.banner) : info.banner;
  $('banner-address').textContent = listening
    ? local
      ? T().localOnly(listening)
      : T().exposed(listening)
    : '';
  $('banner').classList.toggle('exposed', !!listening && !local);
}

function clockDay() {
  return state.clock?.local?.slice(0, 10) ?? null;
}

function renderToolbar() {
  const t = T();
  const clock = state.clock;
  const input = h('input', {
    class: 'field',
    type: 'datetime-local',
    testid: 'tick-at',
    'aria-label': t.tickAt,
  });
  if (clock?.local) input.value = clock.local.replace(' ', 'T').slice(0, 16);
  const run = h('button', { class: 'btn btn-primary', testid: 'tick-run', text: t.tickRun });
  run.addEventListener('click', () => tick(input.value));
  const quick = (label, day, title) =>
    h('button', {
      class: 'btn',
      text: label,
      title,
      disabled: !day,
      onclick: () => {
        input.value = `${day}T09:00`;
        tick(input.value);
      },
    });
  const today = clockDay();
  $('toolbar').replaceChildren(
    h('span', { class: 'toolbar-brand', text: t.brand }),
    h(
      'div',
      { class: 'clock' },
      h(
        'span',
        {
          class: 'clock-now',
          testid: 'clock',
          title: [clock?.now, state.lastRan ? `${t.ran}: ${JSON.stringify(state.lastRan, null, 2)}` : '']
            .filter(Boolean)
            .join('\n'),
        },
        `${t.clock} `,
        h('b', { text: clock?.local ?? '—' }),
        clock?.tz ? ` (${clock.tz})` : '',
      ),
      h('span', { text: t.tickAt }),
      input,
      run,
      quick(t.nextWorkday, today && nextWeekday(today), t.nextWorkdayTip),
      quick(t.nextMonday, today && nextMonday(today)),
    ),
    h('span', { class: 'toolbar-spacer' }),
    h('button', {
      class: 'btn',
      testid: 'lang-switch',
      text: t.lang,
      onclick: () => {
        state.lang = state.lang === 'en_us' ? 'zh_cn' : 'en_us';
        document.documentElement.lang = state.lang === 'en_us' ? 'en' : 'zh-CN';
        writeHash();
        renderAll({ keep: true });
      },
    }),
  );
}

/**
 * What a tick did, in one line: the jobs that counted something (`{ jobs: [{ name, ok, counts }] }`, the report of
 * `services/tick.ts`); '' when nothing happened or the report has another shape.
 */
function summarise(ran) {
  const jobs = ran && Array.isArray(ran.jobs) ? ran.jobs : [];
  const parts = [];
  for (const j of jobs) {
    if (!j || typeof j.name !== 'string') continue;
    const counts = j.counts && typeof j.counts === 'object' ? Object.entries(j.counts) : [];
    const busy = counts.filter(([, v]) => typeof v === 'number' && v > 0).map(([k, v]) => `${k} ${v}`);
    if (j.ok === false) parts.push(`${j.name} ✗`);
    else if (busy.length > 0) parts.push(`${j.name}: ${busy.join(', ')}`);
  }
  return parts.join('; ');
}

let ticking = false;
async function tick(local) {
  if (ticking) return;
  const tz = state.clock?.tz;
  const at = local ? localToIso(local, tz) : null;
  if (!at) return toast({ type: 'warning', content: T().badTime });
  ticking = true;
  for (const b of document.querySelectorAll('.clock button')) b.disabled = true;
  try {
    const out = await api('POST', '/sim/api/tick', { at });
    if (out.clock) state.clock = out.clock;
    state.lastRan = out.ran ?? null;
    const did = summarise(state.lastRan);
    toast({ type: 'success', content: `${T().ticked(state.clock?.local ?? at)}${did ? ` — ${did}` : ''}` });
  } catch (err) {
    failed(err);
  } finally {
    ticking = false;
    renderToolbar();
  }
}

// ─── people ──────────────────────────────────────────────────────────────────────────────────────────────────

function roleText(role, lang = state.lang) {
  return TEXT[lang].roles[role] ?? String(role ?? '');
}

function haystack(p) {
  return [
    p.name,
    p.dept?.name,
    p.dept?.code,
    roleText(p.role, 'zh_cn'),
    roleText(p.role, 'en_us'),
    p.role,
    p.detail,
    p.openId,
  ]
    .filter((x) => typeof x === 'string')
    .join(' ')
    .toLowerCase();
}

function avatar(name, id, className = '') {
  let hash = 0;
  for (const ch of String(id ?? name ?? '')) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
  const first = [...String(name ?? '?')].slice(-2).join('') || '?';
  const node = h('span', { class: `avatar ${className}`.trim(), text: first });
  if (!className) node.style.background = AVATAR_COLORS[hash % AVATAR_COLORS.length];
  return node;
}

function renderPeople() {
  const t = T();
  const box = $('people');
  let search = box.querySelector('[data-testid="person-search"]');
  if (!search) {
    search = h('input', {
      class: 'field',
      type: 'search',
      testid: 'person-search',
      autocomplete: 'off',
      oninput: () => {
        state.search = search.value;
        renderPeopleList();
      },
    });
    box.replaceChildren(
      h('div', { class: 'people-head' }, search, h('div', { class: 'people-count', id: 'people-count' })),
      h('div', { class: 'people-list', id: 'people-list', role: 'listbox' }),
    );
  }
  search.placeholder = t.search;
  search.setAttribute('aria-label', t.search);
  renderPeopleList();
}

function renderPeopleList() {
  const t = T();
  const typed = state.search.trim().toLowerCase();
  const tokens = typed.split(/\s+/).filter(Boolean);
  const shown = state.people.filter((p) => {
    const hay = haystack(p);
    return tokens.every((tok) => hay.includes(tok));
  });
  // While searching, the person whose name is what was typed comes first, then names that start with it.
  const rank = (p) => {
    const name = String(p.name ?? '').toLowerCase();
    return name === typed ? 0 : name.startsWith(typed) ? 1 : 2;
  };
  if (typed) shown.sort((a, b) => rank(a) - rank(b));
  $('people-count').textContent = t.peopleCount(shown.length, state.people.length);
  const list = $('people-list');
  const rows = [];
  let dept = null;
  for (const p of shown) {
    const d = p.dept?.name ?? '';
    if (!typed && d !== dept) {
      dept = d;
      rows.push(h('div', { class: 'people-dept', text: d }));
    }
    rows.push(
      h(
        'button',
        {
          class: `person-option${p.openId === state.as ? ' current' : ''}`,
          type: 'button',
          role: 'option',
          'aria-selected': p.openId === state.as ? 'true' : 'false',
          testid: 'person-option',
          dataset: { openId: p.openId },
          onclick: () => choosePerson(p.openId),
        },
        avatar(p.name, p.openId),
        h(
          'span',
          { class: 'person-text' },
          h(
            'span',
            { class: 'person-name' },
            h('span', { text: p.name }),
            h('span', { class: `role role-${p.role}`, text: roleText(p.role) }),
          ),
          h('span', { class: 'person-sub', text: [p.dept?.name, p.detail].filter(Boolean).join(' · ') }),
        ),
      ),
    );
  }
  if (shown.length === 0) rows.push(h('div', { class: 'messages-empty', text: t.noMatch }));
  list.replaceChildren(...rows);
  list.querySelector('.person-option.current')?.scrollIntoView({ block: 'nearest' });
}

function choosePerson(openId) {
  if (!state.byId.has(openId)) return;
  if (openId === state.as && state.chats.length > 0) return;
  state.as = openId;
  writeHash();
  renderPeopleList();
  loadChats();
}

// ─── chats ───────────────────────────────────────────────────────────────────────────────────────────────────

async function loadChats() {
  const seq = ++state.loadSeq;
  const as = state.as;
  dropChats();
  state.loading = true;
  state.pending = [];
  renderChats();
  if (!as) {
    state.loading = false;
    renderChats();
    return;
  }
  try {
    const out = await api('GET', `/sim/api/chats?as=${encodeURIComponent(as)}`);
    if (seq !== state.loadSeq) return;
    state.chats = (Array.isArray(out.chats) ? out.chats : [])
      .filter((c) => c && typeof c.chatId === 'string')
      .sort((a, b) => (a.kind === 'p2p' ? 0 : 1) - (b.kind === 'p2p' ? 0 : 1))
      .map((c) => {
        const chat = { chatId: c.chatId, kind: c.kind, name: c.name, messages: new Map(), order: [] };
        for (const m of Array.isArray(c.messages) ? c.messages : []) upsertEntry(chat, m);
        return chat;
      });
    if (!state.chats.some((c) => c.kind === state.active)) state.active = state.chats[0]?.kind ?? 'p2p';
  } catch (err) {
    if (seq === state.loadSeq) failed(err);
  } finally {
    if (seq === state.loadSeq) {
      state.loading = false;
      renderChats();
      const pending = state.pending;
      state.pending = [];
      for (const m of pending) onMessage(m);
    }
  }
}

function dropChats() {
  for (const chat of state.chats) for (const entry of chat.messages.values()) releaseNode(entry);
  state.chats = [];
}

function releaseNode(entry) {
  const card = entry.node?.querySelector('[data-testid="card"]');
  if (card) disposeCard(card);
  entry.node = null;
}

/**
 * Stores a message in its chat: 'new', 'changed' (to draw again), 'touched' (same content, a newer time) or ''
 * (nothing to do: not a message, or older than the version shown).
 */
function upsertEntry(chat, m) {
  if (!m || typeof m.messageId !== 'string') return '';
  const old = chat.messages.get(m.messageId);
  if (old) {
    if (
      typeof old.msg.updatedAt === 'number' &&
      typeof m.updatedAt === 'number' &&
      m.updatedAt < old.msg.updatedAt
    )
      return ''; // an older version than the one shown
    const same = sameContent(old.msg, m);
    const touched = old.msg.updatedAt !== m.updatedAt;
    old.msg = { ...m };
    old.seq++;
    return same ? (touched ? 'touched' : '') : 'changed';
  }
  chat.messages.set(m.messageId, { msg: { ...m }, node: null, seq: 0 });
  chat.order.push(m.messageId);
  const at = (id) => chat.messages.get(id).msg.createdAt ?? 0;
  // Keep creation order; a message that arrives late still lands in its place.
  for (let i = chat.order.length - 1; i > 0 && at(chat.order[i - 1]) > at(chat.order[i]); i--)
    [chat.order[i - 1], chat.order[i]] = [chat.order[i], chat.order[i - 1]];
  return 'new';
}

function sameContent(a, b) {
  return a.text === b.text && a.msgType === b.msgType && JSON.stringify(a.card) === JSON.stringify(b.card);
}

function chatOf(chatId) {
  return state.chats.find((c) => c.chatId === chatId) ?? null;
}

function chatOfMessage(messageId) {
  return state.chats.find((c) => c.messages.has(messageId)) ?? null;
}

/**
 * Draws both chats. `keep` (a language switch) keeps each list where it was: the first message in view stays in
 * view; otherwise (another person) both lists start at their newest message.
 */
function renderChats({ keep = false } = {}) {
  const anchors = keep ? scrollAnchors() : new Map();
  const box = $('chats');
  const t = T();
  if (!state.as) {
    box.replaceChildren(h('div', { class: 'chats-empty', text: t.pick }));
    return;
  }
  if (state.loading) {
    box.replaceChildren(h('div', { class: 'chats-empty', text: t.loading }));
    return;
  }
  for (const chat of state.chats) for (const entry of chat.messages.values()) releaseNode(entry);
  const panes = state.chats.filter((c) => c.kind === 'p2p' || c.kind === 'group').map(renderPane);
  box.replaceChildren(...(panes.length ? panes : [h('div', { class: 'chats-empty', text: t.noMessages })]));
  for (const pane of panes) {
    const list = pane.querySelector('.messages');
    const anchor = anchors.get(list.dataset.chatId);
    const node = anchor?.id ? list.querySelector(`[data-message-id="${CSS.escape(anchor.id)}"]`) : null;
    if (node) list.scrollTop = node.offsetTop + anchor.delta;
    else scrollToBottom(list);
  }
}

/** Per chat list: the first message in view and how far it is scrolled past (none when at the bottom). */
function scrollAnchors() {
  const out = new Map();
  for (const list of document.querySelectorAll('.messages')) {
    if (nearBottom(list)) continue;
    const first = [...list.querySelectorAll('[data-testid="message"]')].find(
      (n) => n.offsetTop + n.offsetHeight > list.scrollTop,
    );
    if (first)
      out.set(list.dataset.chatId, { id: first.dataset.messageId, delta: list.scrollTop - first.offsetTop });
  }
  return out;
}

function renderPane(chat) {
  const t = T();
  const bot = state.info?.bot?.name ?? 'bot';
  const active = chat.kind === state.active;
  const list = h('div', { class: 'messages', dataset: { chatId: chat.chatId } });
  for (const id of chat.order) list.append(messageNode(chat.messages.get(id)));
  if (chat.order.length === 0) list.append(h('div', { class: 'messages-empty', text: t.noMessages }));
  const title = chat.kind === 'p2p' ? bot : (chat.name ?? state.info?.group?.name ?? t.group);
  return h(
    'section',
    {
      class: `chat${active ? ' active' : ''}`,
      testid: chat.kind === 'p2p' ? 'chat-p2p' : 'chat-group',
      dataset: { chatId: chat.chatId },
      onclick: () => activate(chat.kind),
    },
    h(
      'div',
      { class: 'chat-head', onclick: () => activate(chat.kind, { focus: true }) },
      chat.kind === 'p2p' ? avatar('联查', 'bot', 'avatar-bot') : avatar('群', chat.chatId),
      h(
        'div',
        {},
        h('div', { class: 'chat-title', text: title }),
        h('div', { class: 'chat-kind', text: chat.kind === 'p2p' ? t.p2p : t.group }),
      ),
    ),
    list,
    active ? composer(chat) : idleComposer(chat),
  );
}

/**
 * Makes a chat the one the message box sends to. A click anywhere in a pane selects it (so a card pressed there
 * leaves its focus where it was); the header and the idle bar also put the cursor in the box.
 */
function activate(kind, { focus = false } = {}) {
  if (state.active === kind) {
    if (focus) document.querySelector('[data-testid="say-input"]')?.focus();
    return;
  }
  state.active = kind;
  for (const pane of document.querySelectorAll('.chat')) {
    const chat = chatOf(pane.dataset.chatId);
    if (!chat) continue;
    const on = chat.kind === kind;
    pane.classList.toggle('active', on);
    const old = pane.querySelector('.composer, .composer-idle');
    const next = on ? composer(chat) : idleComposer(chat);
    old?.replaceWith(next);
    if (on && focus) next.querySelector('input')?.focus();
  }
}

function idleComposer(chat) {
  return h('div', {
    class: 'composer-idle',
    text: T().idle,
    onclick: () => activate(chat.kind, { focus: true }),
  });
}

function composer(chat) {
  const t = T();
  const bot = state.info?.bot?.name ?? 'bot';
  const input = h('input', {
    class: 'field',
    type: 'text',
    testid: 'say-input',
    autocomplete: 'off',
    placeholder: chat.kind === 'p2p' ? t.sayP2p : t.sayGroup(bot),
    maxlength: '2000',
  });
  const send = h('button', { class: 'btn btn-primary', testid: 'say-send', text: t.send });
  const go = async () => {
    const text = input.value.trim();
    if (!text || send.disabled) return;
    send.disabled = true;
    try {
      await api('POST', '/sim/api/say', { as: state.as, chatId: chat.chatId, text });
      input.value = '';
    } catch (err) {
      failed(err);
    } finally {
      send.disabled = false;
      input.focus();
    }
  };
  input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.isComposing && ev.keyCode !== 229) {
      ev.preventDefault();
      go();
    }
  });
  send.addEventListener('click', go);
  return h('div', { class: 'composer', dataset: { chatId: chat.chatId } }, input, send);
}

function formatTime(ms) {
  if (typeof ms !== 'number') return '';
  return formatLocal(ms, state.clock?.tz ?? 'Asia/Shanghai');
}

function senderName(m) {
  if (m.sender === 'bot') return state.info?.bot?.name ?? m.senderName ?? 'bot';
  return m.senderName ?? state.byId.get(m.sender)?.name ?? String(m.sender ?? '');
}

/** Who and when: the sender, the time sent and, once the card changed, the time of its last update. */
function metaNode(entry) {
  const m = entry.msg;
  const t = T();
  const name = senderName(m);
  const updated =
    typeof m.updatedAt === 'number' && typeof m.createdAt === 'number' && m.updatedAt - m.createdAt >= 1000
      ? formatTime(m.updatedAt)
      : '';
  return h(
    'div',
    { class: 'msg-meta' },
    h('span', { class: 'sender', text: m.sender === state.as ? `${name}${t.you}` : name }),
    h('span', { class: 'time', text: formatTime(m.createdAt) }),
    updated ? h('span', { class: 'time', text: `${t.updated} ${updated.slice(11)}` }) : null,
  );
}

function messageNode(entry) {
  const m = entry.msg;
  const fromBot = m.sender === 'bot';
  const mine = m.sender === state.as;
  const name = senderName(m);
  let content;
  if (m.msgType === 'interactive' && m.card && typeof m.card === 'object') {
    content = renderCard(m.card, {
      lang: state.lang,
      tz: state.clock?.tz,
      nameOf: (id) => state.byId.get(id)?.name ?? (id === 'bot' ? (state.info?.bot?.name ?? null) : null),
      onAction: (a) => cardAction(m.messageId, a),
    });
  } else {
    content = h('div', { class: 'bubble', text: String(m.text ?? '') });
  }
  const node = h(
    'div',
    {
      class: `msg${mine ? ' mine' : ''}${fromBot ? ' from-bot' : ''}${m.msgType === 'interactive' ? ' is-card' : ''}`,
      testid: 'message',
      dataset: { messageId: m.messageId, sender: fromBot ? 'bot' : String(m.sender ?? '') },
    },
    fromBot ? avatar('联查', 'bot', 'avatar-bot') : avatar(name, m.sender),
    h('div', { class: 'msg-main' }, metaNode(entry), content),
  );
  entry.node = node;
  return node;
}

function nearBottom(list) {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 60;
}

function scrollToBottom(list) {
  if (list) list.scrollTop = list.scrollHeight;
}

/** Draws a new or changed message: replaced in place (the view does not jump), or appended in order. */
function showMessage(chat, messageId, { follow = false } = {}) {
  const entry = chat.messages.get(messageId);
  const list = document.querySelector(`.messages[data-chat-id="${CSS.escape(chat.chatId)}"]`);
  if (!entry || !list) return;
  if (entry.node && entry.node.isConnected) {
    const old = entry.node;
    const above = old.offsetTop + old.offsetHeight <= list.scrollTop;
    const before = old.offsetHeight;
    releaseNode(entry);
    const next = messageNode(entry);
    old.replaceWith(next);
    if (above) list.scrollTop += next.offsetHeight - before;
    return;
  }
  const stick = follow || nearBottom(list);
  list.querySelector('.messages-empty')?.remove();
  const node = messageNode(entry);
  const i = chat.order.indexOf(messageId);
  const after = chat.order
    .slice(i + 1)
    .map((id) => chat.messages.get(id)?.node)
    .find((n) => n?.isConnected);
  if (after) after.before(node);
  else list.append(node);
  if (stick) scrollToBottom(list);
}

/** The same content at a newer time: only the "updated" time changes. */
function touchMessage(entry) {
  const meta = entry?.node?.querySelector('.msg-meta');
  if (meta) meta.replaceWith(metaNode(entry));
}

/** A message from the stream: a chat of the current person gets it; others are not ours. */
function onMessage(m) {
  if (!m || typeof m !== 'object') return;
  if (state.loading) {
    state.pending.push(m);
    return;
  }
  const chat = chatOf(m.chatId);
  if (!chat) {
    // A direct chat the person did not have yet (first message): look again.
    if (state.as && !state.chats.some((c) => c.kind === 'p2p')) scheduleReload();
    return;
  }
  const what = upsertEntry(chat, m);
  if (what === 'touched') touchMessage(chat.messages.get(m.messageId));
  else if (what) showMessage(chat, m.messageId, { follow: m.sender === state.as });
}

let reloadTimer = null;
function scheduleReload() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => loadChats(), 300);
}

/** A card's callback: the toast, and the card as the answer has it (unless the stream brought a newer one). */
async function cardAction(messageId, a) {
  const chat = chatOfMessage(messageId);
  const seq = chat?.messages.get(messageId)?.seq;
  const as = state.as;
  try {
    const out = await api('POST', '/sim/api/action', {
      as,
      messageId,
      value: a.value ?? {},
      formValue: a.formValue ?? null,
      name: a.name ?? null,
      tag: a.tag ?? 'button',
    });
    if (out.toast) toast(out.toast);
    const card = out.card && out.card.type === 'raw' && out.card.data ? out.card.data : out.card;
    if (card && typeof card === 'object' && as === state.as) {
      const now = chatOfMessage(messageId);
      const entry = now?.messages.get(messageId);
      if (entry && entry.seq === seq) {
        const m = { ...entry.msg, card, msgType: 'interactive' };
        if (upsertEntry(now, m) === 'changed') showMessage(now, messageId);
      }
    }
  } catch (err) {
    failed(err);
  }
}

// ─── the stream ──────────────────────────────────────────────────────────────────────────────────────────────

function connect() {
  if (typeof EventSource !== 'function') return;
  const source = new EventSource('/sim/api/stream');
  let broken = false;
  source.addEventListener('message', (ev) => {
    try {
      onMessage(JSON.parse(ev.data));
    } catch {
      // Not JSON: nothing to show.
    }
  });
  const onClock = (ev) => {
    try {
      const c = JSON.parse(ev.data);
      if (c && typeof c.local === 'string') {
        state.clock = c;
        updateClock();
      }
    } catch {
      // Not JSON: keep the clock shown.
    }
  };
  // `ready` opens the stream with the clock; `clock` follows each tick.
  source.addEventListener('ready', onClock);
  source.addEventListener('clock', onClock);
  source.addEventListener('error', () => {
    broken = true;
  });
  source.addEventListener('open', () => {
    // Back after a break: catch up on what the stream missed.
    if (broken && state.as) loadChats();
    broken = false;
  });
}

/** The clock changed: redraw the toolbar unless someone is typing a time into it. */
function updateClock() {
  const input = document.querySelector('[data-testid="tick-at"]');
  if (input && document.activeElement === input) return;
  renderToolbar();
}

// ─── start ───────────────────────────────────────────────────────────────────────────────────────────────────

function renderAll({ keep = false } = {}) {
  renderBanner();
  renderToolbar();
  renderPeople();
  renderChats({ keep });
}

async function start() {
  const hash = readHash();
  state.lang = hash.lang;
  document.documentElement.lang = state.lang === 'en_us' ? 'en' : 'zh-CN';
  renderToolbar();
  try {
    state.info = await api('GET', '/sim/api/state');
  } catch (err) {
    failed(err);
    return;
  }
  state.clock = state.info.clock ?? null;
  state.people = (Array.isArray(state.info.people) ? state.info.people : [])
    .filter((p) => p && typeof p.openId === 'string')
    .sort(
      (a, b) =>
        String(a.dept?.code ?? '').localeCompare(String(b.dept?.code ?? '')) ||
        (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) ||
        String(a.name).localeCompare(String(b.name), 'zh-CN'),
    );
  state.byId = new Map(state.people.map((p) => [p.openId, p]));
  state.as = hash.as && state.byId.has(hash.as) ? hash.as : null;
  writeHash();
  renderAll();
  connect();
  if (state.as) loadChats();
  window.addEventListener('hashchange', () => {
    const next = readHash();
    const langChanged = next.lang !== state.lang;
    state.lang = next.lang;
    if (next.as !== state.as && (next.as === null || state.byId.has(next.as))) {
      state.as = next.as;
      if (langChanged) renderAll();
      else renderPeopleList();
      loadChats();
    } else if (langChanged) renderAll({ keep: true });
  });
}

start().catch((err) => failed(err));
