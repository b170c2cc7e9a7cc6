/**
 * The chat page in a real browser (Debian's Chromium, driven by playwright-core), on a fresh data directory, the
 * way an IT officer would try liancha before connecting it to Feishu: confirm an assignment as an inspector, ask
 * to be replaced, approve as the department head, see the replacement's new assignment, enter a result as the
 * replacement, run the clock to next Monday and see the digest with its chart, switch to English. A screenshot
 * of each step goes to `test-results/sim-browser/`. Any console error on the page fails the test.
 *
 * Who acts is looked up through the page's JSON API (which officer has an assignment still to confirm, who
 * heads their department, who was drawn to replace them); everything they do is done by clicking.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSqliteUrl } from '../helpers/stores.ts';
import { buttonValues, serve, until, type Chat, type Person, type Served } from './serve.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'test-results', 'sim-browser');
const haveBrowser = existsSync(CHROMIUM);
/** What a person waits for after a click: the bot answers through the simulator, the page over its stream. */
const eventually = <T>(f: () => Promise<T> | T) => expect.poll(f, { timeout: 10_000, interval: 100 });
if (!haveBrowser && process.env.CI)
  throw new Error(
    `Chromium not found at ${CHROMIUM}: CI must run the browser test (apt-get install chromium)`,
  );
if (!haveBrowser)
  console.warn(
    `Chromium not found at ${CHROMIUM}: the /sim browser test is skipped (apt-get install chromium)`,
  );

describe.skipIf(!haveBrowser)('the /sim chat page in Chromium', () => {
  let s: Served;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  let step = 0;
  const shot = async (name: string) =>
    page.screenshot({ path: join(SHOTS, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });

  const api = async <T>(path: string): Promise<T> => (await fetch(s.base + path)).json() as Promise<T>;
  const people = async () => (await api<{ people: Person[] }>('/sim/api/state')).people;
  const p2pOf = async (openId: string) =>
    (await api<{ chats: Chat[] }>(`/sim/api/chats?as=${openId}`)).chats.find((c) => c.kind === 'p2p')!;

  /** Picks the person on the page: types their name in the search box, clicks them. */
  async function actAs(p: Person): Promise<void> {
    await page.getByTestId('person-search').fill(p.name);
    await page.locator(`[data-testid="person-option"][data-open-id="${p.openId}"]`).click();
    await eventually(() => page.url()).toContain(p.openId);
  }
  const messageIn = (chat: 'chat-p2p' | 'chat-group', messageId: string): Locator =>
    page.getByTestId(chat).locator(`[data-testid="message"][data-message-id="${messageId}"]`);
  /** Clicks a card's button by its label, and confirms its dialog when it has one. */
  async function press(card: Locator, label: string): Promise<void> {
    await card.getByRole('button', { name: label, exact: true }).click();
    const dialog = page.getByTestId('confirm-dialog');
    if (await dialog.isVisible().catch(() => false)) await page.getByTestId('confirm-ok').click();
  }
  const toast = () => page.getByTestId('toast').last();

  beforeAll(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    s = await serve({ DATABASE_URL: freshSqliteUrl() }, /to start over/);
    await until('the demo cards delivered', async () => {
      const h = (await api<{ outbox: { pending: number; sending: number } }>('/healthz')).outbox;
      return h.pending === 0 && h.sending === 0;
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN' });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('confirm, ask to be replaced, approve, the replacement enters a result, the digest with its chart', async () => {
    await page.goto(`${s.base}/sim`);
    await eventually(() => page.getByTestId('banner').innerText()).toContain('本地模拟 — 未连接飞书');

    // An officer with an assignment still to confirm, who may ask to be replaced.
    const everyone = await people();
    let officer: Person | undefined;
    let assignmentId = '';
    for (const p of everyone.filter((x) => x.role === 'inspector')) {
      const card = (await p2pOf(p.openId)).messages.find((m) => {
        const actions = buttonValues(m.card).map((v) => v.action);
        return actions.includes('assignment.confirm') && actions.includes('substitution.form');
      });
      if (card) {
        officer = p;
        assignmentId = card.messageId;
        break;
      }
    }
    expect(officer, 'the demo has an officer with an unconfirmed assignment').toBeTruthy();
    const head = everyone.find((p) => p.role === 'head' && p.dept.code === officer!.dept.code)!;

    // 1. The officer confirms.
    await actAs(officer!);
    const assignment = messageIn('chat-p2p', assignmentId);
    await eventually(() => assignment.isVisible()).toBe(true);
    await shot('officer-assignment');
    await press(assignment, '确认');
    await eventually(() => toast().innerText()).toContain('已确认');
    await eventually(() => assignment.getByRole('button', { name: '确认', exact: true }).count()).toBe(0);
    await shot('officer-confirmed');

    // 2. … and asks to be replaced: the form opens in the card, a reason, 提交申请.
    await press(assignment, '申请更换');
    const reason = assignment.locator('select[data-name="reason"]');
    await eventually(() => reason.isVisible()).toBe(true);
    await reason.selectOption('WORK_CONFLICT');
    await assignment.locator('[data-name="note"]').fill('浏览器测试：本月下旬另有任务');
    await shot('officer-request-form');
    await press(assignment, '提交申请');
    await eventually(() => assignment.innerText()).toContain('已申请更换');
    await shot('officer-requested');

    // 3. The department head approves on the approval card in their direct chat.
    const approvalId = await until(
      'the approval card to the head',
      async () =>
        (await p2pOf(head.openId)).messages.findLast(
          (m) =>
            buttonValues(m.card).some((v) => v.action === 'substitution.approve') &&
            JSON.stringify(m.card).includes(officer!.name),
        )?.messageId,
    );
    await actAs(head);
    const approval = messageIn('chat-p2p', approvalId);
    await eventually(() => approval.isVisible()).toBe(true);
    await shot('head-approval-card');
    await press(approval, '同意');
    await eventually(() => approval.innerText()).toContain('已同意');
    await shot('head-approved');

    // 4. The replacement, drawn at random from the department, has a new assignment card.
    const before = new Set([officer!.openId]);
    const replacement = await until('the replacement’s assignment card', async () => {
      for (const p of everyone.filter((x) => x.role === 'inspector' && x.dept.code === officer!.dept.code)) {
        if (before.has(p.openId)) continue;
        const card = (await p2pOf(p.openId)).messages.find((m) =>
          buttonValues(m.card).some((v) => v.action === 'assignment.confirm'),
        );
        if (card) return { person: p, messageId: card.messageId };
      }
      return null;
    });
    await actAs(replacement.person);
    const newAssignment = messageIn('chat-p2p', replacement.messageId);
    await eventually(() => newAssignment.isVisible()).toBe(true);
    await shot('replacement-assignment');

    // 5. The replacement enters a result: 录入结果 turns the card into the entry form; a category, a date, 提交.
    await press(newAssignment, '录入结果');
    const firstForm = newAssignment.locator('.fc-form').first();
    await eventually(() => firstForm.isVisible()).toBe(true);
    await firstForm.locator('[aria-pressed]').first().click();
    const date = firstForm.locator('input[type="date"]').first();
    if (!(await date.inputValue()))
      await date.fill(await page.evaluate(() => new Date().toISOString().slice(0, 10)));
    await shot('replacement-result-form');
    await firstForm.getByRole('button', { name: '提交', exact: true }).click();
    await eventually(() => toast().innerText()).toContain('已保存');
    await shot('replacement-result-saved');

    // 6. The clock to next Monday 09:00: the weekly digest arrives in the group, with its chart drawn.
    const digestsBefore = await page.getByTestId('chat-group').getByTestId('message').count();
    await page.getByRole('button', { name: '下周一 09:00' }).click();
    await page.getByTestId('tick-run').click();
    await eventually(() => page.getByTestId('chat-group').getByTestId('message').count()).toBeGreaterThan(
      digestsBefore,
    );
    const digest = page.getByTestId('chat-group').getByTestId('message').last();
    await eventually(() => digest.innerText()).toContain('周报');
    await eventually(() => digest.locator('canvas').count()).toBeGreaterThan(0);
    await digest.scrollIntoViewIfNeeded();
    await shot('digest-with-chart');

    // 7. English: the cards' en_us texts.
    await page.getByTestId('lang-switch').click();
    await eventually(() => digest.innerText()).toContain('Weekly progress');
    await shot('english');

    expect(consoleErrors).toEqual([]);
  }, 120_000);
});
