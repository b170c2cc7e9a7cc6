/**
 * The weekly digest 周报 over the Wuhai food task, on SQLite and PostgreSQL: the task drawn through the CLI, some
 * results entered through `liancha results import`, one confirmation and three substitution requests written
 * directly; then every number of the digest against a fixture computed by hand below (never by the code under
 * test), the weekly tick job's once-per-ISO-week rule, `进度`'s department-first answer, and the CLI.
 *
 * The office clock is Monday 2027-01-04 09:00 in Asia/Shanghai (01:00Z; the process runs in whatever zone, the
 * office's is LIANCHA_TZ). The task: window 2026-12-01 … 2026-12-31, 20 working days, departments SCJG (initiator),
 * WJW, YJGL, one officer of each per team; 12 targets in 3 teams (6, 3, 3).
 *
 * Deadlines by hand — "within 20 working days of E" is the 20th working day after E. December 2026 has no public
 * holiday and no adjusted working day; 2027 is not covered by any calendar source, so a count that passes through
 * 2027 is Monday–Friday and **provisional** (2027-01-01, a Friday, counts as a working day until 2027 is published):
 *   E = 12-01 → Dec 2–4 (3), 7–11 (8), 14–18 (13), 21–25 (18), 28, 29 (20)   → 2026-12-29
 *   E = 12-02 → Dec 3–4 (2), 7–11 (7), 14–18 (12), 21–25 (17), 28–30 (20)    → 2026-12-30
 *   E = 12-03 → Dec 4 (1), 7–11 (6), 14–18 (11), 21–25 (16), 28–31 (20)      → 2026-12-31
 *   E = 12-04 → Dec 7–11 (5), 14–18 (10), 21–25 (15), 28–31 (19), Jan 1 (20) → 2027-01-01 provisional
 *   E = 12-07 → Dec 8–11 (4), 14–18 (9), 21–25 (14), 28–31 (18), Jan 1, 4    → 2027-01-04 provisional
 *   E = 12-10 → Dec 11 (1), 14–18 (6), 21–25 (11), 28–31 (15), Jan 1, 4–7    → 2027-01-07 provisional
 *   E = 12-14 → Dec 15–18 (4), 21–25 (9), 28–31 (13), Jan 1, 4–8 (19), 11   → 2027-01-11 provisional
 *   no date   → E = window end 12-31: Jan 1, 4–8, 11–15, 18–22, 25–28        → 2027-01-28 provisional
 * A missing part is due from its target's inspection date (the earliest any department entered), else the window.
 * Overdue: missing and today (2027-01-04) is after the deadline. "Next 7 days": 2027-01-04 … 2027-01-10.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { digestCard } from '../../src/cards/digest.ts';
import type { DigestData } from '../../src/cards/digest-data.ts';
import {
  CARD_BUDGET_BYTES,
  CARD_BUDGET_ELEMENTS,
  countElements,
  requestBytes,
} from '../../src/cards/limits.ts';
import { digestData, progressAnswer } from '../../src/services/digest.ts';
import { digestJob } from '../../src/services/digest-tick.ts';
import { tick } from '../../src/services/tick.ts';
import { openStore } from '../../src/storage/db.ts';
import { listOutbox } from '../../src/storage/outbox.ts';
import { insertRequest } from '../../src/storage/substitutions.ts';
import { validateCardContent } from '../../src/sim/feishu/cards.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { importWuhai, WUHAI_DIR } from '../helpers/wuhai.ts';
import { tempDir, writeCsv } from '../import/files.ts';

const TASK = 'WH-2026-FOOD-01';
const TASK_NAME = '2026年第四季度餐饮服务单位部门联合抽查';
const NOW = new Date('2027-01-04T09:00:00+08:00');
const clock = () => NOW;
const ENV = { LIANCHA_TZ: 'Asia/Shanghai', LOG_LEVEL: 'silent' };

/** The draw of the food task with entropy `entropy of WH-2026-FOOD-01`: team → targets in visiting order. */
const TEAMS: Record<number, string[]> = {
  1: [
    '91150302955QCT060P',
    '9115030265U3MLHK9U',
    '9115030279YQR73T2B',
    '9115030212LMKNFP5B',
    '9215030277Q2L8JP8B',
    '911503028861R85E54',
  ],
  2: ['91150302518NA6QTX6', '9115030288Q5JY4U7L', '92150302204MEALY8U'],
  3: ['91150303267EKGWD5Y', '9115030391FA9R2U70', '9115030393FM1PFJ9T'],
};
const [T1, T2, T3, T4] = TEAMS[1]!;
const [T7, T8] = TEAMS[2]!;
const [T10, , T12] = TEAMS[3]!;

/** What each department entered (the fixture): target, department, inspection date. */
const ENTERED: [string, string, string][] = [
  [T1!, 'SCJG', '2026-12-01'],
  [T1!, 'WJW', '2026-12-01'],
  [T1!, 'YJGL', '2026-12-01'],
  [T2!, 'SCJG', '2026-12-02'],
  [T2!, 'WJW', '2026-12-02'],
  [T3!, 'SCJG', '2026-12-04'],
  [T4!, 'SCJG', '2026-12-07'],
  [T7!, 'SCJG', '2026-12-10'],
  [T7!, 'WJW', '2026-12-10'],
  [T7!, 'YJGL', '2026-12-10'],
  [T8!, 'WJW', '2026-12-10'],
  [T10!, 'SCJG', '2026-12-14'],
  [T12!, 'YJGL', '2026-12-03'],
];

const targetName = (uscc: string) =>
  readFileSync(`${WUHAI_DIR}targets.csv`, 'utf8')
    .split(/\r?\n/)
    .find((l) => l.startsWith(uscc))!
    .split(',')[1]!;

async function appOn(url: string, env: Record<string, string> = {}, at: () => Date = clock): Promise<App> {
  return createApp({ env: { ...ENV, ...env, DATABASE_URL: url }, clock: at });
}

async function buildOffice(url: string): Promise<void> {
  await importWuhai(url);
  const dir = tempDir();
  const taskFile = `${dir}/task.yaml`;
  writeFileSync(taskFile, `id: ${TASK}\n` + readFileSync(`${WUHAI_DIR}task-food.yaml`, 'utf8'));
  expect((await runCli(url, ['task', 'create', taskFile])).code).toBe(0);
  expect((await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', 'test'])).code).toBe(0);
  const run = await runCli(url, ['draw', 'run', TASK, '--entropy', `entropy of ${TASK}`]);
  expect(run.code, run.stderr).toBe(0);

  const csv = writeCsv(dir, 'results.csv', [
    ['任务编号', '统一社会信用代码', '部门编码', '检查结果', '检查日期'],
    ...ENTERED.map(([uscc, dept, date]) => [TASK, uscc, dept, '未发现问题', date]),
  ]);
  const imported = await runCli(url, ['results', 'import', csv], { clock, env: ENV });
  expect(imported.code, imported.stderr).toBe(0);

  const store = openStore(url);
  try {
    // The draw as the fixture expects it (a changed draw would make every number below meaningless).
    const rows = await store.db
      .selectFrom('team_targets')
      .select(['team_no', 'uscc'])
      .where('task_id', '=', TASK)
      .orderBy('team_no')
      .orderBy('position')
      .execute();
    const teams: Record<number, string[]> = {};
    for (const r of rows) (teams[Number(r.team_no)] ??= []).push(r.uscc);
    expect(teams).toEqual(TEAMS);
    // One confirmation: team 1's WJW officer.
    await store.db
      .updateTable('team_members')
      .set({ confirmed_at: '2026-12-02T02:00:00.000Z', confirmed_by: 'ou_x' })
      .where('task_id', '=', TASK)
      .where('team_no', '=', 1)
      .where('dept', '=', 'WJW')
      .execute();
    // Three requests: YJGL team 2 pending (方海鹏, cert 151074289747), SCJG team 3 rejected, WJW team 3 approved
    // (counted only: the member swap is not part of what the digest reads).
    const base = {
      taskId: TASK,
      taskState: 'locked',
      voidReason: null,
      reason: '工作冲突',
      note: null,
      state: 'pending',
      requestedBy: 'ou_requester',
      decider: { openId: 'ou_head', role: 'head', why: null },
      decidedBy: null,
      decidedAt: null,
      comment: null,
      inCert: null,
      version: 1,
    } as const;
    await store.db.transaction().execute(async (trx) => {
      for (const r of [
        { id: 's1', team: 2, dept: 'YJGL', outCert: '151074289747', requestedAt: '2027-01-02T02:00:00.000Z' },
        { id: 's2', team: 3, dept: 'SCJG', outCert: '151838010246', requestedAt: '2026-12-03T02:00:00.000Z' },
        { id: 's3', team: 3, dept: 'WJW', outCert: '159585434375', requestedAt: '2026-12-04T02:00:00.000Z' },
      ])
        expect(await insertRequest(trx, { ...base, ...r })).toBe(true);
      await trx.updateTable('substitutions').set({ state: 'rejected' }).where('id', '=', 's2').execute();
      await trx.updateTable('substitutions').set({ state: 'approved' }).where('id', '=', 's3').execute();
    });
  } finally {
    await store.close();
  }
}

describe.each(dialects())('weekly digest on $dialect', ({ fresh }) => {
  let url = '';
  beforeAll(async () => {
    const f = await fresh();
    await f.store.close();
    url = f.url;
    await buildOffice(url);
  }, 180_000);

  it('every number against the hand-computed fixture', async () => {
    const app = await appOn(url);
    try {
      const d = await digestData(app, NOW);
      expect(d.week).toBe('2027-W01');
      expect(d.today).toBe('2027-01-04');
      expect(d.generatedAt).toBe('2027-01-04T01:00:00.000Z');
      expect(d.generatedAtLocal).toBe('2027-01-04 09:00');
      expect(d.focusDept).toBeNull();
      // Inspected: T1 T2 T3 T4 T7 T8 T10 T12; complete: T1 T7; overdue targets: T2 (YJGL), T3 (WJW, YJGL), T12.
      expect(d.tasks).toEqual([
        {
          id: TASK,
          name: TASK_NAME,
          window: { start: '2026-12-01', end: '2026-12-31' },
          drawn: 12,
          inspected: 8,
          complete: 2,
          overdue: 3,
        },
      ]);
      // Per department, 12 parts each. SCJG entered 6 (T1 T2 T3 T4 T7 T10), missing T5 T6 T8 T9 T11 T12, overdue T12
      // (12-31). WJW entered 4 (T1 T2 T7 T8), overdue T3 (01-01) and T12 (12-31). YJGL entered 3 (T1 T7 T12),
      // overdue T2 (12-30) and T3 (01-01). Officers: 3 teams × 1; WJW's team 1 officer confirmed.
      const sub = (requested: number, approved: number, pending: number) => ({
        requested,
        approved,
        pending,
      });
      expect(d.departments).toEqual([
        {
          code: 'SCJG',
          name: '市市场监督管理局',
          officers: 3,
          unconfirmed: 3,
          entered: 6,
          pending: 5,
          overdue: 1,
          substitutions: sub(1, 0, 0),
        },
        {
          code: 'WJW',
          name: '市卫生健康委员会',
          officers: 3,
          unconfirmed: 2,
          entered: 4,
          pending: 6,
          overdue: 2,
          substitutions: sub(1, 1, 0),
        },
        {
          code: 'YJGL',
          name: '市应急管理局',
          officers: 3,
          unconfirmed: 3,
          entered: 3,
          pending: 7,
          overdue: 2,
          substitutions: sub(1, 0, 1),
        },
      ]);
      expect(d.totals).toEqual({
        tasks: 1,
        drawn: 12,
        inspected: 8,
        complete: 2,
        overdueTargets: 3,
        entered: 13,
        pending: 18,
        overdue: 5,
      });
      // Due 01-04 … 01-10 and still missing: T4's WJW and YJGL (from 12-07 → 01-04), T8's SCJG and YJGL (12-10 →
      // 01-07); T10's (01-11) and the undated targets' (01-28) are later.
      expect(d.deadlines).toEqual([
        { taskId: TASK, taskName: TASK_NAME, date: '2027-01-04', provisional: true, parts: 2 },
        { taskId: TASK, taskName: TASK_NAME, date: '2027-01-07', provisional: true, parts: 2 },
      ]);
      const late = (
        team: number,
        uscc: string,
        dept: string,
        deptName: string,
        deadline: string,
        provisional: boolean,
      ) => ({
        taskId: TASK,
        taskName: TASK_NAME,
        team,
        uscc,
        target: targetName(uscc),
        dept,
        deptName,
        deadline,
        provisional,
      });
      expect(d.overdue).toEqual([
        late(1, T2!, 'YJGL', '市应急管理局', '2026-12-30', false),
        late(3, T12!, 'SCJG', '市市场监督管理局', '2026-12-31', false),
        late(3, T12!, 'WJW', '市卫生健康委员会', '2026-12-31', false),
        late(1, T3!, 'WJW', '市卫生健康委员会', '2027-01-01', true),
        late(1, T3!, 'YJGL', '市应急管理局', '2027-01-01', true),
      ]);
      expect(d.approvals).toEqual([
        {
          taskId: TASK,
          taskName: TASK_NAME,
          team: 2,
          inspector: '方海鹏',
          dept: 'YJGL',
          deptName: '市应急管理局',
          requestedAt: '2027-01-02T02:00:00.000Z',
          requestedAtLocal: '2027-01-02 10:00',
          decider: 'head',
        },
      ]);
      expect(d.provisional).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('the card: chart, table and lists from the same data, valid for the fake Feishu, within limits', async () => {
    const app = await appOn(url);
    try {
      const card = digestCard(await digestData(app, NOW));
      const verdict = validateCardContent(JSON.stringify(card));
      expect(verdict).toMatchObject({ ok: true });
      const elements = (card.body as { elements: Record<string, any>[] }).elements;
      const chart = elements.find((e) => e.tag === 'chart')!;
      expect(chart.chart_spec).toMatchObject({
        type: 'bar',
        stack: true,
        xField: 'parts',
        yField: 'dept',
        seriesField: 'status',
      });
      const values = chart.chart_spec.data[0].values as { dept: string; status: string; parts: number }[];
      expect(values.filter((v) => v.dept === '市卫生健康委员会').map((v) => v.parts)).toEqual([4, 6, 2]);
      const table = elements.find((e) => e.tag === 'table')!;
      expect(table.rows[2]).toEqual({
        dept: '市应急管理局',
        officers: 3,
        unconfirmed: 3,
        entered: 3,
        pending: 7,
        overdue: 2,
        sub_requested: 1,
        sub_approved: 0,
        sub_pending: 1,
      });
      const text = JSON.stringify(card);
      expect(text).toContain('2027-W01');
      expect(text).toContain('暂定');
      expect(text).toContain('方海鹏');
      expect(text).toContain(targetName(T2!));
      expect(requestBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    } finally {
      await app.close();
    }
  });

  it('进度: a head in a direct message sees their department first; a group sees the office', async () => {
    const app = await appOn(url);
    try {
      // YJGL's head is imported as a mobile number (13947000028), resolved to this open_id.
      await app.store.db
        .insertInto('identities')
        .values({
          raw: '13947000028',
          kind: 'mobile',
          open_id: 'ou_head_yjgl',
          status: 'resolved',
          checked_at: NOW.toISOString(),
        })
        .onConflict((oc) => oc.column('raw').doNothing())
        .execute();
      const dm = await progressAnswer(app, { chatType: 'p2p', senderOpenId: 'ou_head_yjgl' });
      expect(dm.focusDept).toBe('YJGL');
      expect(dm.departments.map((x) => x.code)).toEqual(['YJGL', 'SCJG', 'WJW']);
      const group = await progressAnswer(app, { chatType: 'group', senderOpenId: 'ou_head_yjgl' });
      expect(group.departments.map((x) => x.code)).toEqual(['SCJG', 'WJW', 'YJGL']);
      const stranger = await progressAnswer(app, { chatType: 'p2p', senderOpenId: 'ou_nobody' });
      expect(stranger.focusDept).toBeNull();
    } finally {
      await app.close();
    }
  });

  it('the tick job: once per ISO week in LIANCHA_TZ, after downtime once, nothing without JOINT_CHAT_ID', async () => {
    const f = await fresh();
    await f.store.close();
    // A copy of the office is not needed: an empty office still gets its (empty) digest.
    const at = (iso: string) => new Date(iso);
    const app = await appOn(f.url, { JOINT_CHAT_ID: 'oc_joint' });
    const run = async (iso: string) => (await tick(app, at(iso), { jobs: [digestJob] })).jobs[0]!.counts;
    try {
      // Thursday of 2026-W53 … its Monday fire (2026-12-28 09:00) is in this week: that week's digest is due.
      expect(await run('2026-12-31T12:00:00+08:00')).toEqual({ posted: 1, skipped: 0 });
      // Monday 2027-01-04 08:59 Shanghai: the week's fire has not come yet.
      expect(await run('2027-01-04T00:59:00Z')).toEqual({ posted: 0, skipped: 0 });
      // 09:00 Shanghai = 01:00Z (a server reading cron in UTC would wait until 17:00 Shanghai).
      expect(await run('2027-01-04T01:00:00Z')).toEqual({ posted: 1, skipped: 0 });
      expect(await run('2027-01-04T01:00:00Z')).toEqual({ posted: 0, skipped: 0 });
      expect(await run('2027-01-08T10:00:00+08:00')).toEqual({ posted: 0, skipped: 0 });
      // Down all Monday 2027-01-11, back Tuesday: that week's digest once.
      expect(await run('2027-01-12T10:00:00+08:00')).toEqual({ posted: 1, skipped: 0 });
      expect(await run('2027-01-12T10:01:00+08:00')).toEqual({ posted: 0, skipped: 0 });
      const rows = (await listOutbox(app.store.db)).sort((a, b) => (a.seq < b.seq ? -1 : 1));
      expect(rows.map((r) => [r.ref, r.receive_id_type, r.receive_id, r.msg_type])).toEqual([
        ['digest:2026-W53', 'chat_id', 'oc_joint', 'interactive'],
        ['digest:2027-W01', 'chat_id', 'oc_joint', 'interactive'],
        ['digest:2027-W02', 'chat_id', 'oc_joint', 'interactive'],
      ]);
      expect(validateCardContent(rows[1]!.content)).toMatchObject({ ok: true });
      const keys = await app.store.db.selectFrom('job_runs').select('key').orderBy('key').execute();
      expect(keys.map((k) => k.key)).toEqual([
        'digest:oc_joint:2026-W53',
        'digest:oc_joint:2027-W01',
        'digest:oc_joint:2027-W02',
      ]);
    } finally {
      await app.close();
    }
    const noChat = await appOn(f.url);
    try {
      expect((await tick(noChat, NOW, { jobs: [digestJob] })).jobs[0]!.counts).toEqual({
        posted: 0,
        skipped: 1,
      });
    } finally {
      await noChat.close();
    }
  });

  it('liancha digest: text, --json, --send refused without JOINT_CHAT_ID, queued with it', async () => {
    const text = await digestCli(url, ['digest', '--at', '2027-01-04T09:00:00+08:00']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('周报 weekly digest 2027-W01 — generated 2027-01-04 09:00 (Asia/Shanghai)');
    expect(text.stdout).toContain('targets drawn 12, inspected 8, complete 2, overdue 3');
    expect(text.stdout).toContain('result parts: entered 13, pending 18, overdue 5');
    expect(text.stdout).toContain('  2027-01-04 (provisional)  WH-2026-FOOD-01  2 parts');
    expect(text.stdout).toContain(`  2026-12-30  ${TASK} team 1  ${targetName(T2!)} (${T2})  市应急管理局`);
    expect(text.stdout).toContain('方海鹏 (市应急管理局), asked 2027-01-02 10:00');
    expect(text.stdout).not.toContain('"schema"');

    const json = await digestCli(url, ['digest', '--at', '2027-01-04T01:00:00Z', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const app = await appOn(url);
    try {
      expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(await digestData(app, NOW))));
    } finally {
      await app.close();
    }

    const refused = await digestCli(url, ['digest', '--send']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: JOINT_CHAT_ID is not set[^\n]*\n$/);

    const sent = await digestCli(url, ['digest', '--send', '--at', '2027-01-04T09:00:00+08:00'], {
      JOINT_CHAT_ID: 'oc_joint',
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toMatch(
      /digest 2027-W01 queued to oc_joint \(outbox [^)]+\): the running bot sends it/,
    );
    const store = openStore(url);
    try {
      const rows = (await listOutbox(store.db)).filter((r) => r.ref === 'digest:manual');
      expect(rows).toHaveLength(1);
      expect(validateCardContent(rows[0]!.content)).toMatchObject({ ok: true });
    } finally {
      await store.close();
    }
  });
});

describe('the digest card for a province', () => {
  it('200 tasks, 40 departments, 5,000 overdue parts: summarised within the limits with 10 % headroom, escaped', () => {
    const nasty = '<at id=all></at> **[点我](http://x.cn)** # 标题 | 表';
    const depts = Array.from({ length: 40 }, (_, i) => ({
      code: `D${String(i).padStart(2, '0')}`,
      name: i === 0 ? `内蒙古自治区第${i}厅局${nasty}` : `内蒙古自治区市场监督管理局第${i}直属分局`,
      officers: 120,
      unconfirmed: 7,
      entered: 2000,
      pending: 400,
      overdue: 100,
      substitutions: { requested: 9, approved: 5, pending: 2 },
    }));
    const d: DigestData = {
      week: '2027-W01',
      today: '2027-01-04',
      generatedAt: NOW.toISOString(),
      generatedAtLocal: '2027-01-04 09:00',
      tz: 'Asia/Shanghai',
      focusDept: null,
      totals: {
        tasks: 200,
        drawn: 25_000,
        inspected: 20_000,
        complete: 15_000,
        overdueTargets: 3000,
        entered: 80_000,
        pending: 15_000,
        overdue: 5000,
      },
      tasks: Array.from({ length: 200 }, (_, i) => ({
        id: `NM-2026-${String(i).padStart(3, '0')}`,
        name: `2026年第四季度全区部门联合双随机一公开抽查第${i}批次${i === 0 ? nasty : ''}`,
        window: { start: '2026-12-01', end: '2026-12-31' },
        drawn: 125,
        inspected: 100,
        complete: 75,
        overdue: 15,
      })),
      departments: depts,
      deadlines: Array.from({ length: 200 * 7 }, (_, i) => ({
        taskId: `NM-2026-${String(i % 200).padStart(3, '0')}`,
        taskName: `2026年第四季度全区部门联合抽查第${i}批次`,
        date: `2027-01-0${4 + (i % 7)}`,
        provisional: true,
        parts: 12,
      })),
      overdue: Array.from({ length: 5000 }, (_, i) => ({
        taskId: 'NM-2026-001',
        taskName: `2026年第四季度全区部门联合双随机一公开抽查第1批次`,
        team: i,
        uscc: '91150302955QCT060P',
        target: `乌海市某某餐饮管理有限责任公司第${i}分公司${i === 0 ? nasty : ''}`,
        dept: 'D00',
        deptName: depts[0]!.name,
        deadline: '2026-12-30',
        provisional: false,
      })),
      approvals: Array.from({ length: 300 }, (_, i) => ({
        taskId: 'NM-2026-001',
        taskName: `2026年第四季度全区部门联合双随机一公开抽查第1批次`,
        team: i,
        inspector: i === 0 ? `张${nasty}` : `张某某${i}`,
        dept: 'D01',
        deptName: depts[1]!.name,
        requestedAt: NOW.toISOString(),
        requestedAtLocal: '2027-01-04 09:00',
        decider: 'head',
      })),
      provisional: true,
    };
    const card = digestCard(d);
    expect(requestBytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    expect(countElements((card.body as { elements: unknown[] }).elements)).toBeLessThanOrEqual(
      CARD_BUDGET_ELEMENTS,
    );
    expect(validateCardContent(JSON.stringify(card))).toMatchObject({ ok: true });
    const markdowns = (card.body as { elements: Record<string, any>[] }).elements.filter(
      (e) => e.tag === 'markdown',
    );
    const all = markdowns.map((m) => `${m.content}\n${m.i18n_content.en_us}`).join('\n');
    expect(all).not.toContain('<at');
    expect(all).not.toContain('](http');
    expect(all).toContain('&#60;at id=all&#62;');
    // The overdue list: at most 10, then the count of the rest, pointing to the JSON.
    expect(all).toMatch(/另有 \d+ 项未列出，完整数据：`liancha digest --json`/);
    expect(all).toContain('另有 4990 项未列出');
    expect(all).toMatch(/另有 13\d\d 项未列出/); // deadlines: the first few of 1,400
    expect(all).toMatch(/另有 29\d 项未列出/); // approvals: the first few of 300
    // Tasks are summarised first; the table says how many departments it leaves out.
    const table = (card.body as { elements: Record<string, any>[] }).elements.find((e) => e.tag === 'table')!;
    expect(table.rows.length).toBeGreaterThanOrEqual(5);
    if (table.rows.length < 40) expect(all).toContain(`另有 ${40 - table.rows.length} 个`);
  });
});

/** `liancha ARGS` in-process at the office clock. */
const digestCli = (url: string, args: string[], env: Record<string, string> = {}) =>
  runCli(url, args, { clock, env: { ...ENV, ...env } });

describe('the fake Feishu checks chart and table shapes', () => {
  const cardWith = (element: Record<string, unknown>) =>
    JSON.stringify({ schema: '2.0', body: { elements: [element] } });
  it('refuses JavaScript in a chart spec, a bad height, a number column holding text, and a table without rows', () => {
    const spec = { type: 'bar', data: [{ values: [] }], xField: 'a', yField: 'b' };
    expect(validateCardContent(cardWith({ tag: 'chart', chart_spec: spec, height: '300px' }))).toMatchObject({
      ok: true,
    });
    expect(
      validateCardContent(
        cardWith({ tag: 'chart', chart_spec: { ...spec, label: { formatMethod: '(v) => v' } } }),
      ),
    ).toMatchObject({ ok: false, code: 230099 });
    expect(validateCardContent(cardWith({ tag: 'chart', chart_spec: spec, height: '2000px' }))).toMatchObject(
      { ok: false },
    );
    expect(validateCardContent(cardWith({ tag: 'chart', chart_spec: '{"type":"bar"}' }))).toMatchObject({
      ok: false,
    });
    const columns = [{ name: 'n', display_name: 'N', data_type: 'number' }];
    expect(validateCardContent(cardWith({ tag: 'table', columns, rows: [{ n: 1 }] }))).toMatchObject({
      ok: true,
    });
    expect(validateCardContent(cardWith({ tag: 'table', columns, rows: [{ n: '1' }] }))).toMatchObject({
      ok: false,
    });
    expect(validateCardContent(cardWith({ tag: 'table', columns }))).toMatchObject({ ok: false });
  });
});
