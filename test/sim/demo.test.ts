/**
 * Local mode's demo data (src/sim/demo.ts) on a fresh database: the Wuhai directories imported once (and not again),
 * then — with everyone registered in the simulator by mobile and liancha's identities resolved, as local mode
 * does — both sample tasks, the food task drawn, team 1's confirmations and results, and one pending substitution
 * request, all as a user of the /sim page would find them: cards in the outbox to the right people, results
 * through `taskResults`, and a draw that `draw verify` replays to MATCH. Counts are taken from the CSV files by
 * hand (examples/wuhai/README.md), never from the code under test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { createFeishuClient } from '../../src/bot/feishu/client.ts';
import { createSender } from '../../src/bot/sender.ts';
import { verifyTaskDraw } from '../../src/services/draws.ts';
import { resolveIdentities } from '../../src/services/identities.ts';
import { taskResults } from '../../src/services/result-progress.ts';
import { getTask } from '../../src/storage/tasks.ts';
import {
  DEMO_ACTOR,
  DEMO_ENTROPY,
  DEMO_ENTROPY_SOURCE,
  demoWindow,
  importDemoDirectories,
  inspectionDates,
  seedDemoTasks,
  type DemoSummary,
} from '../../src/sim/demo.ts';
import { startFakeFeishu, type FakeFeishu } from '../../src/sim/feishu/server.ts';
import { activeMembers, cardTitle, openIdOfMobile } from '../bot/e2e/setup.ts';
import { silent } from '../bot/feishu-harness.ts';
import { dialects } from '../helpers/stores.ts';
import type { Store } from '../../src/storage/db.ts';

const TZ = 'Asia/Shanghai';
const JOINT_CHAT = 'oc_demo_joint_meeting';
/** The office's clock in local mode today: Wednesday 2026-12-02 10:00 in Beijing, inside the food task's window. */
const NOW = new Date('2026-12-02T10:00:00+08:00');
const FOOD = 'WH-2026-FOOD-01';
const HAZCHEM = 'YJGL-2026-001';
/** departments.csv: the head of 市卫生健康委员会 (WJW), who decides a WJW officer's request. */
const WJW_HEAD_MOBILE = '13947000056';

/** Rows in each sample file, counted by hand (`tail -n +2 FILE | grep -c .`; no quoted fields). */
const ROWS = { departments: 8, items: 15, targets: 2000, inspectors: 96, conflicts: 9 };

async function counts(app: App) {
  const n = async (table: 'departments' | 'items' | 'targets' | 'inspectors' | 'conflicts' | 'audit_log') =>
    Number(
      (
        await app.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    departments: await n('departments'),
    items: await n('items'),
    targets: await n('targets'),
    inspectors: await n('inspectors'),
    conflicts: await n('conflicts'),
    audit: await n('audit_log'),
  };
}

/** Everyone in the directories registered in the simulator by mobile, and liancha's identities resolved. */
async function resolveEveryone(app: App, fake: FakeFeishu): Promise<void> {
  const mobiles = new Set<string>();
  for (const d of await app.store.db.selectFrom('departments').select(['head', 'liaison']).execute())
    for (const m of [d.head, d.liaison]) if (m) mobiles.add(m);
  for (const i of await app.store.db.selectFrom('inspectors').select('mobile').execute())
    if (i.mobile) mobiles.add(i.mobile);
  for (const mobile of mobiles) fake.addUser({ openId: openIdOfMobile(mobile), mobile });
  const client = createFeishuClient({
    appId: fake.appId,
    appSecret: fake.appSecret,
    domain: fake.url,
    timeoutMs: 3000,
    log: silent,
  });
  const report = await resolveIdentities(app, client);
  expect(report.unresolved).toBe(0);
}

async function outbox(app: App) {
  return app.store.db
    .selectFrom('outbox')
    .select(['id', 'kind', 'receive_id_type', 'receive_id', 'ref', 'patch_of', 'content'])
    .orderBy('seq')
    .execute();
}

describe('demo moment and inspection dates', () => {
  const window = { start: '2026-12-01', end: '2026-12-31' };

  it("keeps the sample's window while today is in it, else runs over today's calendar month", () => {
    expect(demoWindow(window, '2026-12-02')).toEqual(window);
    expect(demoWindow(window, '2026-12-31')).toEqual(window);
    expect(demoWindow(window, '2027-01-10')).toEqual({ start: '2027-01-01', end: '2027-01-31' });
    expect(demoWindow(window, '2026-11-20')).toEqual({ start: '2026-11-01', end: '2026-11-30' });
    expect(demoWindow(window, '2028-02-29')).toEqual({ start: '2028-02-01', end: '2028-02-29' });
  });

  it('dates inspections the day before and the day itself, inside the window; none before it opens', () => {
    expect(inspectionDates('2026-12-02', window)).toEqual({ earlier: '2026-12-01', later: '2026-12-02' });
    expect(inspectionDates('2026-12-01', window)).toEqual({ earlier: '2026-12-01', later: '2026-12-01' });
    expect(inspectionDates('2027-01-05', window)).toEqual({ earlier: '2026-12-30', later: '2026-12-31' });
    expect(inspectionDates('2026-11-30', window)).toBeNull();
  });
});

interface Seeded {
  app: App;
  fake: FakeFeishu;
  imported: boolean;
  demo: DemoSummary;
  ms: { import: number; seed: number };
  close(): Promise<void>;
}

/** A fresh database, the demo directories imported, everyone resolved, and the demo tasks seeded at `now`. */
async function seeded(
  fresh: () => Promise<{ url: string; store: Store }>,
  now: Date,
  opts: { resolve?: boolean } = {},
): Promise<Seeded> {
  const { url, store } = await fresh();
  await store.close();
  const app = await createApp({
    env: { DATABASE_URL: url, JOINT_CHAT_ID: JOINT_CHAT, LOG_LEVEL: 'silent', LIANCHA_TZ: TZ },
    clock: () => now,
  });
  const fake = await startFakeFeishu();
  fake.addChat({ chatId: JOINT_CHAT, name: '联席会议' });
  let t = performance.now();
  const imported = await importDemoDirectories(app);
  const importMs = performance.now() - t;
  if (opts.resolve ?? true) await resolveEveryone(app, fake);
  t = performance.now();
  const demo = await seedDemoTasks(app, { now });
  const seedMs = performance.now() - t;
  return {
    app,
    fake,
    imported,
    demo,
    ms: { import: importMs, seed: seedMs },
    async close() {
      await app.close();
      await fake.close();
    },
  };
}

/** What a run leaves in the database, without the ids the services make up (outbox rows, the request). */
async function contents(app: App) {
  const db = app.store.db;
  const requestIds = (await db.selectFrom('substitutions').select('id').execute()).map((r) => r.id);
  const anon = (text: string | null) =>
    requestIds.reduce((t, id) => t?.replaceAll(id, '<request>') ?? t, text);
  return {
    tasks: await db.selectFrom('tasks').select(['id', 'state']).orderBy('id').execute(),
    draws: await db.selectFrom('draws').selectAll().orderBy('task_id').execute(),
    members: await db.selectFrom('team_members').selectAll().orderBy('team_no').orderBy('position').execute(),
    targets: await db.selectFrom('team_targets').selectAll().orderBy('team_no').orderBy('position').execute(),
    results: await db.selectFrom('results').selectAll().orderBy('uscc').orderBy('dept').execute(),
    requests: (await db.selectFrom('substitutions').selectAll().execute()).map(({ id: _id, ...r }) => r),
    audit: (
      await db
        .selectFrom('audit_log')
        .select(['at', 'actor', 'action', 'subject', 'details'])
        .orderBy('seq')
        .execute()
    ).map((a) => ({ ...a, details: anon(a.details) })),
    outbox: (
      await db
        .selectFrom('outbox')
        .select(['kind', 'receive_id', 'ref', 'created_at', 'content'])
        .orderBy('seq')
        .execute()
    ).map((o) => ({ ...o, ref: anon(o.ref), content: anon(o.content) })),
  };
}

describe.each(dialects())('demo data on $dialect', ({ fresh }) => {
  let s: Seeded;
  let app: App;
  let demo: DemoSummary;

  beforeAll(async () => {
    s = await seeded(fresh, NOW);
    ({ app, demo } = s);
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it('imports the five directory files once', async () => {
    expect(s.imported).toBe(true);
    const before = await counts(app);
    expect(before).toMatchObject(ROWS);
    expect(await importDemoDirectories(app)).toBe(false);
    expect(await counts(app)).toEqual(before);
  });

  it('creates both tasks: the food task drawn and locked, the hazchem task a draft', async () => {
    const food = (await getTask(app.store.db, FOOD))!;
    const hazchem = (await getTask(app.store.db, HAZCHEM))!;
    expect(food.state).toBe('locked');
    expect(hazchem.state).toBe('draft');
    expect(demo.food).toMatchObject({ taskId: FOOD, state: 'locked', entropySource: DEMO_ENTROPY_SOURCE });
    expect(demo.hazchem).toEqual({ taskId: HAZCHEM, name: hazchem.name, state: 'draft' });
    const draw = await app.store.db
      .selectFrom('draws')
      .select(['entropy_source', 'entropy'])
      .where('task_id', '=', FOOD)
      .executeTakeFirstOrThrow();
    expect(draw).toEqual({ entropy_source: DEMO_ENTROPY_SOURCE, entropy: DEMO_ENTROPY });
    expect(
      await app.store.db.selectFrom('draws').select('task_id').where('task_id', '=', HAZCHEM).execute(),
    ).toEqual([]);
    // docs/draw-algorithm.md: 203 eligible targets, A 70, B 99, C 29, D 5 → ⌈3%·70⌉ + ⌈5%·99⌉ + ⌈10%·29⌉ + ⌈20%·5⌉ = 12.
    expect(demo.food.targets).toBe(12);
  });

  it('queues the freeze and draw cards to the group and one assignment card per member, to that member', async () => {
    const members = await activeMembers(app.store, FOOD);
    const teams = new Set(members.map((m) => m.team));
    // The 12 targets fall 6 in 150302 and 6 in 150303 with this entropy (read once from the draw): one team of 6
    // per region, each with one officer of each of the three departments (SCJG, WJW, YJGL).
    expect(teams.size).toBe(2);
    expect(members).toHaveLength(teams.size * 3);
    expect(demo.food).toMatchObject({
      teams: teams.size,
      members: members.length,
      assignmentCards: members.length,
      undeliverable: 0,
      groupCards: 2,
    });
    const rows = await outbox(app);
    const group = rows.filter((r) => r.receive_id_type === 'chat_id');
    expect(group.map((r) => [r.receive_id, r.ref])).toEqual([
      [JOINT_CHAT, `freeze:${FOOD}`],
      [JOINT_CHAT, `draw:${FOOD}`],
    ]);
    const assignments = rows.filter((r) => r.kind === 'send' && r.ref?.startsWith('assignment:'));
    expect(assignments.map((r) => [r.ref, r.receive_id]).sort()).toEqual(
      members.map((m) => [`assignment:${FOOD}:${m.team}:${m.certNo}`, m.openId]).sort(),
    );
    expect(JSON.parse(group[1]!.content)).toBeTruthy();
    expect(group[1]!.content).toContain(DEMO_ENTROPY_SOURCE);
  });

  it("team 1's officers have confirmed, and their cards are updated to show it", async () => {
    const members = await activeMembers(app.store, FOOD);
    const confirmed = members.filter((m) => m.confirmed);
    expect(confirmed.map((m) => [m.team, m.dept])).toEqual([
      [1, 'SCJG'],
      [1, 'WJW'],
      [1, 'YJGL'],
    ]);
    expect(demo.food.confirmed.map((o) => o.certNo)).toEqual(confirmed.map((m) => m.certNo));
    const rows = await outbox(app);
    for (const m of confirmed) {
      const send = rows.find((r) => r.ref === `assignment:${FOOD}:1:${m.certNo}` && r.kind === 'send')!;
      const patch = rows.filter((r) => r.kind === 'patch' && r.patch_of === send.id);
      expect(patch, m.name).toHaveLength(1);
      expect(send.content).toContain('assignment.confirm');
      expect(patch[0]!.content).not.toContain('assignment.confirm');
    }
  });

  it('shows the results entered by team 1 through taskResults', async () => {
    const food = (await getTask(app.store.db, FOOD))!;
    const members = await activeMembers(app.store, FOOD);
    const byDept = new Map(members.filter((m) => m.team === 1).map((m) => [m.dept, m.openId]));
    const targets = await taskResults(app.store.db, food.definition, '2026-12-02');
    const parts = targets.flatMap((t) =>
      t.parts
        .filter((p) => p.result)
        .map((p) => ({ team: t.team, uscc: t.uscc, dept: p.dept, r: p.result! })),
    );
    const team1 = targets.filter((t) => t.team === 1);
    expect(parts.map((p) => [p.uscc, p.dept, p.r.categories, p.r.inspectedOn])).toEqual([
      [team1[0]!.uscc, 'SCJG', ['NO_ISSUE'], '2026-12-01'],
      [team1[0]!.uscc, 'WJW', ['CORRECTED'], '2026-12-01'],
      [team1[0]!.uscc, 'YJGL', ['NO_ISSUE'], '2026-12-01'],
      [team1[1]!.uscc, 'SCJG', ['PENDING_FOLLOWUP'], '2026-12-02'],
    ]);
    for (const p of parts) {
      expect(p.r.enteredBy).toBe(byDept.get(p.dept));
      expect(p.r.source).toBe('chat');
    }
    expect(parts[3]!.r.followup).toBe('移交执法大队立案调查');
    expect(targets.filter((t) => t.complete).map((t) => t.uscc)).toEqual([team1[0]!.uscc]);
    expect(demo.food).toMatchObject({ results: 4, completeTargets: 1 });
  });

  it("leaves one substitution request pending, its approval card queued to the head of the officer's department", async () => {
    const requests = await app.store.db
      .selectFrom('substitutions')
      .select(['id', 'state', 'team_no', 'dept', 'out_cert', 'reason'])
      .execute();
    expect(requests).toHaveLength(1);
    const r = requests[0]!;
    expect(r).toMatchObject({ state: 'pending', dept: 'WJW', reason: '工作冲突' });
    const members = await activeMembers(app.store, FOOD);
    const lastTeam = Math.max(...members.map((m) => m.team));
    const requester = members.find((m) => m.certNo === r.out_cert)!;
    expect(requester).toMatchObject({ team: lastTeam, dept: 'WJW', confirmed: false });
    expect(Number(r.team_no)).toBe(lastTeam);
    const rows = await outbox(app);
    const approval = rows.filter((x) => x.ref === `substitution:${r.id}`);
    expect(approval.map((x) => [x.kind, x.receive_id])).toEqual([['send', openIdOfMobile(WJW_HEAD_MOBILE)]]);
    // The requester's own card is updated to show the request (as the 提交申请 answer would have).
    const send = rows.find(
      (x) => x.ref === `assignment:${FOOD}:${lastTeam}:${r.out_cert}` && x.kind === 'send',
    )!;
    expect(rows.filter((x) => x.kind === 'patch' && x.patch_of === send.id)).toHaveLength(1);
    expect(demo.pendingRequest).toMatchObject({
      id: r.id,
      officer: { certNo: r.out_cert, team: lastTeam, dept: 'WJW', openId: requester.openId },
      reason: '工作冲突',
      decider: { openId: openIdOfMobile(WJW_HEAD_MOBILE), role: 'head', label: '市卫生健康委员会负责人' },
    });
  });

  it('writes nothing else to the outbox, and says what it made in one line', async () => {
    const rows = await outbox(app);
    // 2 group cards, one per member, the approval card, and patches of the 3 confirmed and the requester's cards.
    expect(rows).toHaveLength(2 + demo.food.members + 1 + 4);
    expect(demo.skipped).toEqual([]);
    expect(demo.description).toContain(FOOD);
    expect(demo.description).toContain(HAZCHEM);
    expect(demo.description).not.toContain('\n');
  });

  it('has a draw that draw verify replays to MATCH', async () => {
    expect(await verifyTaskDraw(app, FOOD)).toEqual({ ok: true });
  });

  it('dates every step before now, in the order of the audit log, so every card is due at once', async () => {
    // Without the test's own `draw verify` above.
    const audit = await app.store.db
      .selectFrom('audit_log')
      .select(['at', 'actor', 'action'])
      .where('action', '!=', 'draw.verify')
      .orderBy('seq')
      .execute();
    const times = audit.map((a) => a.at);
    expect(times).toEqual([...times].sort());
    expect(times.at(-1)! <= NOW.toISOString()).toBe(true);
    expect(audit.map((a) => [a.actor.startsWith('ou_') ? 'officer' : a.actor, a.action])).toEqual([
      ...['departments', 'items', 'targets', 'inspectors', 'conflicts'].map((k) => [
        DEMO_ACTOR,
        `import.${k}`,
      ]),
      [DEMO_ACTOR, 'task.create'],
      [DEMO_ACTOR, 'task.create'],
      [DEMO_ACTOR, 'draw.freeze'],
      [DEMO_ACTOR, 'draw.run'],
      ...Array.from({ length: 3 }, () => ['officer', 'assignment.confirm']),
      ...Array.from({ length: 4 }, () => ['officer', 'result.enter']),
      ['officer', 'substitution.request'],
    ]);
    const due = await app.store.db.selectFrom('outbox').select('next_attempt_at').execute();
    expect(due.every((r) => r.next_attempt_at <= NOW.toISOString())).toBe(true);
  });

  it("is what the bot's sender delivers: every card to its person, the pressed cards updated in place", async () => {
    const start = Date.now();
    const sender = createSender({
      store: app.store,
      feishu: createFeishuClient({
        appId: s.fake.appId,
        appSecret: s.fake.appSecret,
        domain: s.fake.url,
        log: silent,
      }),
      // The office's clock, running on from NOW (pacing needs a clock that moves).
      clock: () => new Date(NOW.getTime() + (Date.now() - start)),
      log: silent,
      instanceId: 'demo-test',
    });
    try {
      const report = await sender.drainUntilIdle({ maxWaitMs: 20_000 });
      expect(report).toMatchObject({ failed: 0 });
    } finally {
      await sender.stop();
    }
    const members = await activeMembers(app.store, FOOD);
    const got = s.fake.messages.map((m) => ({
      to: m.receiveId,
      title: cardTitle(m.card),
      patches: m.patches.length,
    }));
    const pressed = new Set([...demo.food.confirmed, demo.pendingRequest!.officer].map((o) => o.openId));
    expect(got.filter((m) => m.to === JOINT_CHAT).map((m) => m.title)).toEqual([
      '抽查名单已冻结',
      '抽查结果',
    ]);
    expect(
      got
        .filter((m) => m.title === '检查任务通知')
        .map((m) => [m.to, m.patches])
        .sort(),
    ).toEqual(members.map((m) => [m.openId, pressed.has(m.openId) ? 1 : 0]).sort());
    expect(got.filter((m) => m.title === '更换申请').map((m) => m.to)).toEqual([
      openIdOfMobile(WJW_HEAD_MOBILE),
    ]);
    expect(got).toHaveLength(2 + members.length + 1);
  });

  it('reports how long it took', () => {
    console.log(
      `demo data: import ${s.ms.import.toFixed(0)} ms, seed ${s.ms.seed.toFixed(0)} ms — ${demo.description}`,
    );
  });
});

describe('demo data on other days, and without identities (SQLite)', () => {
  const sqlite = dialects()[0]!.fresh;
  const opened: Seeded[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
  });
  const seed = async (now: Date, opts: { resolve?: boolean } = {}) => {
    const s = await seeded(sqlite, now, opts);
    opened.push(s);
    return s;
  };

  it('is the same every run at the same moment', async () => {
    const [a, b] = [await seed(NOW), await seed(NOW)];
    expect(await contents(b.app)).toEqual(await contents(a.app));
  }, 60_000);

  it('after the sample window, the task runs over the current month: results and the request as on any day', async () => {
    const { app, demo } = await seed(new Date('2027-01-12T09:00:00+08:00'));
    const food = (await getTask(app.store.db, FOOD))!;
    expect(food.definition.window).toEqual({ start: '2027-01-01', end: '2027-01-31' });
    const dates = (await taskResults(app.store.db, food.definition, '2027-01-12'))
      .flatMap((t) => t.parts.flatMap((p) => (p.result ? [p.result.inspectedOn] : [])))
      .sort();
    expect(dates).toEqual(['2027-01-11', '2027-01-11', '2027-01-11', '2027-01-12']);
    expect(demo.pendingRequest).not.toBeNull();
    expect(demo.skipped).toEqual([]);
    const times = (await app.store.db.selectFrom('audit_log').select('at').orderBy('seq').execute()).map(
      (a) => a.at,
    );
    expect(times).toEqual([...times].sort());
    expect(times.at(-1)! <= demo.at).toBe(true);
  }, 60_000);

  it('before the sample window, the same: the task runs over that month', async () => {
    const { app, demo } = await seed(new Date('2026-11-20T09:00:00+08:00'));
    const food = (await getTask(app.store.db, FOOD))!;
    expect(food.definition.window).toEqual({ start: '2026-11-01', end: '2026-11-30' });
    expect(demo.food).toMatchObject({ state: 'locked', results: 4, completeTargets: 1 });
    expect(demo.pendingRequest).not.toBeNull();
    expect(demo.skipped).toEqual([]);
  }, 60_000);

  it('without resolved identities, draws but acts as nobody, and says why', async () => {
    const { app, demo } = await seed(NOW, { resolve: false });
    expect(demo.food).toMatchObject({
      state: 'locked',
      assignmentCards: 0,
      undeliverable: 6,
      groupCards: 2,
      confirmed: [],
      results: 0,
    });
    expect(demo.pendingRequest).toBeNull();
    expect(demo.skipped).toEqual([expect.stringContaining('resolve identities before seeding')]);
    expect(demo.hazchem.state).toBe('draft');
    expect(await app.store.db.selectFrom('substitutions').select('id').execute()).toEqual([]);
  }, 60_000);
});
