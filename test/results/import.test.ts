/**
 * `liancha results import FILE [--dry-run]` end to end through the CLI, on SQLite and PostgreSQL: a locked task
 * built the e2e-free way (the Wuhai directories imported, the food task created, frozen and drawn through the CLI),
 * then good files in each format, every refusal rule in one file, re-import, dry run and the audit entry.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { runResultsImport } from '../../src/import/results/run.ts';
import { openStore, type Store } from '../../src/storage/db.ts';
import type { Database as Schema } from '../../src/storage/schema.ts';
import { sql, type Transaction } from 'kysely';
import { submitResult } from '../../src/services/result-entry.ts';
import { loadMembers } from '../../src/storage/draws.ts';
import { lockTasksForResults, resultVersions } from '../../src/storage/result-import.ts';
import { resultsOfTask, upsertResults } from '../../src/storage/results.ts';
import { teamTargetList } from '../helpers/team-targets.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects, freshPostgresUrl, freshSqliteUrl } from '../helpers/stores.ts';
import { importWuhai, WUHAI_DIR } from '../helpers/wuhai.ts';
import { fixture, tempDir, writeCsv, writeXlsx, type Grid } from '../import/files.ts';
import { RESULT_HEADER } from '../../bench/results-data.ts';

const TASK = 'WH-2026-FOOD-01';
/** A second drawn task (the same sample task again: its items are not all general, so it may draw anew). */
const TASK2 = 'WH-2026-FOOD-02';
const DRAFT = 'WH-2026-FOOD-DRAFT';
const VOIDED = 'WH-2026-FOOD-VOID';
const CLOSED = 'WH-2026-FOOD-CLOSED';
/** The office's "today" for every import here: inside the task's window (2026-12-01 … 2026-12-31). */
const clock = () => new Date('2026-12-20T10:00:00+08:00');
const ZH = RESULT_HEADER;
const EN = ['task', 'uscc', 'department', 'results', 'inspected_on', 'methods', 'note', 'followup'];

function taskFile(id: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'liancha-task-')), `${id}.yaml`);
  writeFileSync(path, `id: ${id}\n` + readFileSync(join(WUHAI_DIR, 'task-food.yaml'), 'utf8'));
  return path;
}

async function cli(url: string, args: string[]) {
  const res = await runCli(url, args, { clock });
  return res;
}

/** The drawn task and three others (draft, void, closed), built once per dialect; each test gets a copy. */
async function buildBase(url: string): Promise<void> {
  await importWuhai(url);
  for (const id of [TASK, TASK2, DRAFT, VOIDED, CLOSED])
    expect((await runCli(url, ['task', 'create', taskFile(id)])).code).toBe(0);
  for (const id of [TASK, TASK2]) {
    expect((await runCli(url, ['draw', 'freeze', id, '--entropy-source', 'test'])).code).toBe(0);
    const run = await runCli(url, ['draw', 'run', id, '--entropy', `entropy of ${id}`]);
    expect(run.code, run.stderr).toBe(0);
  }
  expect((await runCli(url, ['task', 'void', VOIDED, '--reason', '重复创建'])).code).toBe(0);
  // Only the state matters to the import: a closed task without going through a draw.
  const s = openStore(url);
  await s.db.updateTable('tasks').set({ state: 'closed' }).where('id', '=', CLOSED).execute();
  await s.close();
}

/** A copy of the base database: a SQLite file copied, or a PostgreSQL database created from it as a template. */
async function copyOf(dialect: string, base: string): Promise<string> {
  if (dialect === 'sqlite') {
    const url = freshSqliteUrl();
    copyFileSync(base.slice('file:'.length), url.slice('file:'.length));
    if (existsSync(base.slice('file:'.length) + '-wal'))
      copyFileSync(base.slice('file:'.length) + '-wal', url.slice('file:'.length) + '-wal');
    return url;
  }
  const name = `r_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const client = new pg.Client({ connectionString: inject('pgUrl') });
  await client.connect();
  try {
    const template = base.replace(/^.*\//, '');
    // The template's last connections may take a moment to go away after the store is closed.
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`create database ${name} template ${template}`);
        break;
      } catch (err) {
        if (attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    await client.end();
  }
  return inject('pgUrl').replace(/\/[^/]*$/, `/${name}`);
}

/**
 * A transaction of `store` that runs `first`, then stays open — its locks held — until `release()`, then runs
 * `then` and commits (`done`). Resolves once `first` has run.
 */
async function heldOpen(
  store: Store,
  first: (trx: Transaction<Schema>) => Promise<void>,
  then: (trx: Transaction<Schema>) => Promise<void> = async () => {},
): Promise<{ release: () => void; done: Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let holding!: () => void;
  const held = new Promise<void>((r) => (holding = r));
  const done = store.db.transaction().execute(async (trx) => {
    await first(trx);
    holding();
    await released;
    await then(trx);
  });
  await Promise.race([held, done]);
  return { release, done };
}

/** Gives team `team`'s SCJG member an open_id (returned), so that they can enter results in chat. */
async function reachableSCJGMember(store: Store, team: number): Promise<string> {
  const member = (await loadMembers(store.db, TASK, team)).find((m) => m.dept === 'SCJG')!;
  const openId = 'ou_race_member';
  await store.db
    .updateTable('inspectors')
    .set({ open_id: openId })
    .where('cert_no', '=', member.certNo)
    .execute();
  return openId;
}

/**
 * 'waiting' once a session on this test's database waits for a lock (pg_locks is the whole server's: other test
 * files' databases are left out), 'done' if `work` finishes first.
 */
async function waitsForALock(work: Promise<unknown>, store: Store): Promise<'waiting' | 'done'> {
  let finished = false;
  const done = work.then(() => (finished = true)).then(() => 'done' as const);
  const waiting = async () => {
    while (!finished) {
      const { rows } = await sql<{
        n: string;
      }>`select count(*) as n from pg_locks l join pg_stat_activity a on a.pid = l.pid where not l.granted and a.datname = current_database()`.execute(
        store.db,
      );
      if (Number(rows[0]!.n) > 0) return 'waiting' as const;
      await new Promise((r) => setTimeout(r, 20));
    }
    return 'done' as const;
  };
  return Promise.race([done, waiting()]);
}

interface Drawn {
  targets: { uscc: string; team: number }[];
  targets2: { uscc: string; team: number }[];
  /** A target in the directory that was not drawn for the task. */
  notDrawn: string;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function importAudits(store: Store) {
  const rows = await store.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', 'results.import')
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details) }));
}

/** The inspector's 提交 on the result-entry card for their department's part of `target`, never entered before. */
const chatSave = (app: App, openId: string, target: { uscc: string; team: number }, category: string) =>
  submitResult(app, {
    operatorOpenId: openId,
    taskId: TASK,
    team: target.team,
    page: 0,
    uscc: target.uscc,
    version: 0,
    input: { categories: [category], inspectedOn: '2026-12-06', methods: [], note: '', followup: '' },
  });

describe.each(dialects())('results import on $dialect', ({ dialect }) => {
  let base = '';
  let drawn: Drawn;

  beforeAll(async () => {
    base = dialect === 'sqlite' ? freshSqliteUrl() : await freshPostgresUrl();
    await buildBase(base);
    const s = openStore(base);
    try {
      const targets = await teamTargetList(s.db, TASK);
      const all = fixture('targets.csv')
        .slice(1)
        .map((r) => r[0]!);
      drawn = {
        targets,
        targets2: await teamTargetList(s.db, TASK2),
        notDrawn: all.find((u) => !targets.some((t) => t.uscc === u))!,
      };
    } finally {
      await s.close();
    }
    expect(drawn.targets.length).toBeGreaterThan(4);
  }, 120_000);

  const withCopy = async (test: (url: string, store: Store) => Promise<void>) => {
    const url = await copyOf(dialect, base);
    const store = openStore(url);
    try {
      await test(url, store);
    } finally {
      await store.close();
    }
  };

  it('imports a CSV with Chinese headers (UTF-8 with BOM): every part saved, version 1, one audit entry', async () => {
    await withCopy(async (url, store) => {
      const [a, b] = drawn.targets;
      const grid: Grid = [
        ZH,
        [TASK, a!.uscc, 'SCJG', '未发现问题', '2026-12-05', '书面检查', '', ''],
        [TASK, a!.uscc, 'WJW', 'NO_ISSUE', '2026/12/5', '书面检查、网络检查', '现场整洁', ''],
        [
          TASK,
          a!.uscc,
          'YJGL',
          '未按规定公示应当公示的信息；发现问题已责令改正',
          '2026-12-06',
          '网络检查',
          '',
          '',
        ],
        // A national wording holding a separator itself, next to another category.
        [
          TASK,
          b!.uscc,
          'SCJG',
          '公示信息隐瞒真实情况、弄虚作假;发现问题待后续处理',
          '2026-12-07',
          '',
          '',
          '移送稽查',
        ],
      ];
      const file = writeCsv(tempDir(), 'results.csv', grid);
      const res = await cli(url, ['results', 'import', file]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.stdout).toBe(`results.csv: 4 rows — 4 inserted, 0 replaced; 1 task: ${TASK}\n`);

      const saved = await resultsOfTask(store.db, TASK);
      expect(saved).toHaveLength(4);
      const part = (uscc: string, dept: string) => saved.find((r) => r.uscc === uscc && r.dept === dept)!;
      expect(part(a!.uscc, 'SCJG')).toMatchObject({
        team: a!.team,
        categories: ['NO_ISSUE'],
        inspectedOn: '2026-12-05',
        methods: ['书面检查'],
        note: null,
        followup: null,
        source: 'import',
        version: 1,
        enteredAt: clock().toISOString(),
      });
      expect(part(a!.uscc, 'SCJG').enteredBy).toMatch(/^cli:/);
      expect(part(a!.uscc, 'WJW')).toMatchObject({
        inspectedOn: '2026-12-05',
        methods: ['书面检查', '网络检查'],
        note: '现场整洁',
      });
      expect(part(a!.uscc, 'YJGL').categories).toEqual(['NOT_DISCLOSED', 'CORRECTED']);
      expect(part(b!.uscc, 'SCJG')).toMatchObject({
        team: b!.team,
        categories: ['FALSE_DISCLOSURE', 'PENDING_FOLLOWUP'],
        methods: [],
        followup: '移送稽查',
      });

      const audits = await importAudits(store);
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ subject: TASK, at: clock().toISOString() });
      expect(audits[0]!.details).toMatchObject({
        file: 'results.csv',
        sha256: sha256(file),
        format: 'csv-utf8',
        rows: 4,
        inserted: 4,
        replaced: 0,
        fields: [
          'uscc',
          'dept',
          'team',
          'categories',
          'inspectedOn',
          'methods',
          'note',
          'followup',
          'version',
        ],
      });
      expect(audits[0]!.details.results).toContainEqual([
        b!.uscc,
        'SCJG',
        b!.team,
        ['FALSE_DISCLOSURE', 'PENDING_FOLLOWUP'],
        '2026-12-07',
        [],
        null,
        '移送稽查',
        1,
      ]);
      expect((await runCli(url, ['audit', 'verify'])).code).toBe(0);
    });
  });

  it('imports an XLSX with English headers (date cells, English method names, lower-case codes)', async () => {
    await withCopy(async (url, store) => {
      const [a] = drawn.targets;
      const file = await writeXlsx(tempDir(), 'results.xlsx', [
        EN,
        [
          TASK,
          a!.uscc.toLowerCase(),
          'SCJG',
          'no_issue',
          new Date(Date.UTC(2026, 11, 8)),
          'written; online',
          'ok',
          null,
        ],
        [TASK, a!.uscc, 'WJW', 'Problems found; correction ordered', '2026-12-09', 'online', null, null],
      ]);
      const res = await cli(url, ['results', 'import', file]);
      expect(res.stderr).toBe('');
      expect(res.stdout).toBe(`results.xlsx: 2 rows — 2 inserted, 0 replaced; 1 task: ${TASK}\n`);
      const saved = await resultsOfTask(store.db, TASK);
      expect(saved.map((r) => [r.dept, r.categories, r.inspectedOn, r.methods])).toEqual([
        ['SCJG', ['NO_ISSUE'], '2026-12-08', ['书面检查', '网络检查']],
        ['WJW', ['CORRECTED'], '2026-12-09', ['网络检查']],
      ]);
      expect((await importAudits(store))[0]!.details).toMatchObject({ format: 'xlsx', sha256: sha256(file) });
    });
  });

  it('imports a GBK CSV as Excel on Chinese Windows saves it', async () => {
    await withCopy(async (url, store) => {
      const [a] = drawn.targets;
      const file = writeCsv(
        tempDir(),
        'results-gbk.csv',
        [
          ZH.slice(0, 7),
          [
            TASK,
            a!.uscc,
            'YJGL',
            '通过登记的住所（经营场所）无法联系',
            '2026-12-10',
            '网络检查',
            '三次上门未见人',
          ],
        ],
        { encoding: 'gbk' },
      );
      const res = await cli(url, ['results', 'import', file]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const [saved] = await resultsOfTask(store.db, TASK);
      expect(saved).toMatchObject({ categories: ['UNREACHABLE'], note: '三次上门未见人' });
      expect((await importAudits(store))[0]!.details).toMatchObject({
        format: 'csv-gbk',
        sha256: sha256(file),
      });
    });
  });

  it('reports every rule a row breaks as "row N, column C: reason" and writes nothing', async () => {
    await withCopy(async (url, store) => {
      const [a, b, c] = drawn.targets;
      const long = '字'.repeat(501);
      const grid: Grid = [
        ZH,
        /* 2 */ ['WH-NOPE', a!.uscc, 'SCJG', '未发现问题', '2026-12-05', '', '', ''],
        /* 3 */ [DRAFT, a!.uscc, 'SCJG', '未发现问题', '2026-12-05', '', '', ''],
        /* 4 */ [VOIDED, a!.uscc, 'SCJG', '未发现问题', '2026-12-05', '', '', ''],
        /* 5 */ [CLOSED, a!.uscc, 'SCJG', '未发现问题', '2026-12-05', '', '', ''],
        /* 6 */ [TASK, drawn.notDrawn, 'SCJG', '未发现问题', '2026-12-05', '', '', ''],
        /* 7 */ [TASK, a!.uscc, 'STHJ', '未发现问题', '2026-12-05', '', '', ''],
        /* 8 */ [TASK, a!.uscc, 'SCJG', '合格', '2026-12-05', '', '', ''],
        /* 9 */ [TASK, a!.uscc, 'WJW', '未发现问题', '2026-13-45', '', '', ''],
        /* 10 */ [TASK, a!.uscc, 'YJGL', '未发现问题', '2026-11-30', '', '', ''],
        /* 11 */ [TASK, b!.uscc, 'SCJG', '未发现问题', '2026-12-25', '', '', ''],
        /* 12 */ [TASK, b!.uscc, 'WJW', '未发现问题', '2026-12-05', '实地核查', '', ''],
        /* 13 */ [TASK, b!.uscc, 'YJGL', '发现问题待后续处理', '2026-12-05', '', '', ''],
        /* 14 */ [TASK, c!.uscc, 'SCJG', '未发现问题；发现问题已责令改正', '2026-12-05', '', '', ''],
        /* 15 */ [TASK, c!.uscc, 'WJW', '未发现问题', '2026-12-05', '', long, ''],
        /* 16 */ [TASK, c!.uscc, 'YJGL', '未发现问题', '2026-12-05', '', '', ''],
        /* 17 */ [TASK, c!.uscc, 'YJGL', '未发现问题', '2026-12-06', '', '', ''],
        /* 18 */ [TASK, c!.uscc, 'SCJG', '', 'yesterday', '', '', ''],
      ];
      const file = writeCsv(tempDir(), 'bad.csv', grid);
      const res = await cli(url, ['results', 'import', file]);
      expect(res.code).toBe(1);
      expect(res.stdout).toBe('');
      const accepted =
        '未发现问题 (NO_ISSUE), 未按规定公示应当公示的信息 (NOT_DISCLOSED), 公示信息隐瞒真实情况、弄虚作假 (FALSE_DISCLOSURE), ' +
        '通过登记的住所（经营场所）无法联系 (UNREACHABLE), 不配合检查情节严重 (NON_COOPERATION), ' +
        '未发现开展本次抽查涉及的经营活动 (NO_RELEVANT_ACTIVITY), 发现问题已责令改正 (CORRECTED), ' +
        '发现问题待后续处理 (PENDING_FOLLOWUP), 已关闭停业或正在组织清算 (CLOSED), 已注销 (DEREGISTERED), 已吊销 (REVOKED)';
      expect(res.stderr.split('\n')).toEqual([
        "bad.csv: row 2, column 任务编号: unknown task 'WH-NOPE' (liancha task list shows the tasks)",
        `bad.csv: row 3, column 任务编号: task ${DRAFT} is a draft: its draw has not run (draw freeze, then draw run), so it has no targets yet`,
        `bad.csv: row 4, column 任务编号: task ${VOIDED} is void (重复创建): it takes no results`,
        `bad.csv: row 5, column 任务编号: task ${CLOSED} is closed: a closed task takes no more results`,
        `bad.csv: row 6, column 统一社会信用代码: ${drawn.notDrawn} was not drawn for task ${TASK} (not one of its ${drawn.targets.length} targets)`,
        `bad.csv: row 7, column 部门编码: 'STHJ' is not a department of task ${TASK} (its teams' departments: SCJG, WJW, YJGL)`,
        `bad.csv: row 8, column 检查结果: unknown result "合格"; accepted: ${accepted}`,
        "bad.csv: row 9, column 检查日期: '2026-13-45' is not a calendar date",
        'bad.csv: row 10, column 检查日期: 2026-11-30 is outside the inspection window 2026-12-01 to 2026-12-31',
        'bad.csv: row 11, column 检查日期: 2026-12-25 is in the future (today is 2026-12-20)',
        'bad.csv: row 12, column 检查方式: method "实地核查" is not one of this task\'s: 书面检查, 网络检查',
        'bad.csv: row 13, column 后续处置: "发现问题待后续处理" needs a follow-up note (后续处置)',
        'bad.csv: row 14, column 检查结果: "未发现问题" cannot be combined with any other result',
        'bad.csv: row 15, column 备注: too long: 501 characters, at most 500; shorten the cell',
        'bad.csv: row 17, column 统一社会信用代码: duplicate: row 16 has the same 任务编号, 统一社会信用代码 and 部门编码',
        'bad.csv: row 18, column 检查结果: required, but empty',
        "bad.csv: row 18, column 检查日期: 'yesterday' is not a date (use YYYY-MM-DD)",
        'bad.csv: row 18, column 统一社会信用代码: duplicate: row 14 has the same 任务编号, 统一社会信用代码 and 部门编码',
        'error: bad.csv: 18 problems — nothing was imported',
        '',
      ]);
      expect(await resultsOfTask(store.db, TASK)).toEqual([]);
      expect(await importAudits(store)).toEqual([]);
    });
  });

  it('lists the first 200 problems and counts the rest; --json gives them all as data', async () => {
    await withCopy(async (url, store) => {
      const rows = Array.from({ length: 250 }, () => [
        TASK,
        drawn.notDrawn,
        'SCJG',
        '未发现问题',
        '2026-12-05',
      ]);
      const file = writeCsv(tempDir(), 'many.csv', [ZH.slice(0, 5), ...rows]);
      const res = await cli(url, ['results', 'import', file]);
      expect(res.code).toBe(1);
      const lines = res.stderr.trim().split('\n');
      expect(lines).toHaveLength(202);
      expect(lines[0]).toMatch(/^many\.csv: row 2, column 统一社会信用代码: .* was not drawn/);
      expect(lines[200]).toBe('many.csv: … and 299 more');
      expect(lines[201]).toBe('error: many.csv: 499 problems — nothing was imported');
      const json = await cli(url, ['results', 'import', file, '--json']);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        rows: 250,
        problemCount: 499,
        sha256: sha256(file),
      });
      expect(await resultsOfTask(store.db, TASK)).toEqual([]);
    });
  });

  it('a re-import replaces each part (version 2) and keeps one row per key; --dry-run writes nothing', async () => {
    await withCopy(async (url, store) => {
      const [a, b] = drawn.targets;
      const dir = tempDir();
      const first = writeCsv(dir, 'first.csv', [
        ZH,
        [TASK, a!.uscc, 'SCJG', '未发现问题', '2026-12-05', '', '', ''],
        [TASK, a!.uscc, 'WJW', '未发现问题', '2026-12-05', '', '', ''],
      ]);
      expect((await cli(url, ['results', 'import', first])).code).toBe(0);

      const second = writeCsv(dir, 'second.csv', [
        ZH,
        [TASK, a!.uscc, 'SCJG', '发现问题已责令改正', '2026-12-06', '书面检查', '复查', ''],
        [TASK, a!.uscc, 'WJW', '未发现问题', '2026-12-05', '', '', ''],
        [TASK, b!.uscc, 'SCJG', '未发现问题', '2026-12-07', '', '', ''],
      ]);
      const dry = await cli(url, ['results', 'import', second, '--dry-run']);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toBe(
        `second.csv: 3 rows — 1 inserted, 2 replaced; 1 task: ${TASK} (dry run: nothing was written)\n`,
      );
      expect((await resultsOfTask(store.db, TASK)).map((r) => r.version)).toEqual([1, 1]);
      expect(await importAudits(store)).toHaveLength(1);

      const res = await cli(url, ['results', 'import', second]);
      expect(res.stdout).toBe(`second.csv: 3 rows — 1 inserted, 2 replaced; 1 task: ${TASK}\n`);
      const saved = await resultsOfTask(store.db, TASK);
      expect(saved).toHaveLength(3);
      const part = (uscc: string, dept: string) => saved.find((r) => r.uscc === uscc && r.dept === dept)!;
      expect(part(a!.uscc, 'SCJG')).toMatchObject({ categories: ['CORRECTED'], note: '复查', version: 2 });
      expect(part(a!.uscc, 'WJW').version).toBe(2);
      expect(part(b!.uscc, 'SCJG').version).toBe(1);

      const audits = await importAudits(store);
      expect(audits).toHaveLength(2);
      expect(audits[1]!.details).toMatchObject({
        file: 'second.csv',
        sha256: sha256(second),
        inserted: 1,
        replaced: 2,
      });
      const versions = (audits[1]!.details.results as unknown[][]).map((r) => [r[0], r[1], r.at(-1)]);
      expect(versions).toEqual(
        expect.arrayContaining([
          [a!.uscc, 'SCJG', 2],
          [a!.uscc, 'WJW', 2],
          [b!.uscc, 'SCJG', 1],
        ]),
      );

      const json = await cli(url, ['results', 'import', second, '--dry-run', '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: true,
        dryRun: true,
        rows: 3,
        inserted: 0,
        replaced: 3,
        tasks: [{ id: TASK, rows: 3, inserted: 0, replaced: 3 }],
      });
    });
  });
  it('takes several tasks in one file: one audit entry per task, the summary names them', async () => {
    await withCopy(async (url, store) => {
      const [a] = drawn.targets;
      const [x, y] = drawn.targets2;
      const file = writeCsv(tempDir(), 'two-tasks.csv', [
        ZH,
        [TASK2, x!.uscc, 'SCJG', '未发现问题', '2026-12-11', '', '', ''],
        [TASK, a!.uscc, 'SCJG', '未发现问题', '2026-12-11', '', '', ''],
        [TASK2, y!.uscc, 'WJW', '已注销', '2026-12-12', '', '', ''],
      ]);
      const res = await cli(url, ['results', 'import', file]);
      expect(res.stderr).toBe('');
      expect(res.stdout).toBe(`two-tasks.csv: 3 rows — 3 inserted, 0 replaced; 2 tasks: ${TASK2}, ${TASK}\n`);
      expect(await resultsOfTask(store.db, TASK)).toHaveLength(1);
      expect((await resultsOfTask(store.db, TASK2)).map((r) => [r.uscc, r.team])).toEqual(
        [
          [x!.uscc, x!.team],
          [y!.uscc, y!.team],
        ].sort((p, q) => Number(p[1]) - Number(q[1]) || String(p[0]).localeCompare(String(q[0]))),
      );
      const audits = await importAudits(store);
      expect(audits.map((e) => [e.subject, e.details.rows, e.details.sha256])).toEqual([
        [TASK2, 2, sha256(file)],
        [TASK, 1, sha256(file)],
      ]);
    });
  });

  it.runIf(dialect === 'postgres')(
    'a part first entered in chat while an import holds its task waits, then finds the import saved it first',
    async () => {
      await withCopy(async (url, store) => {
        const [a] = drawn.targets;
        const openId = await reachableSCJGMember(store, a!.team);
        const app = await createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'silent' }, clock });
        const importer = openStore(url);
        try {
          // The import's write transaction, with its locks taken and the versions read (none for this part) …
          const importing = await heldOpen(
            importer,
            async (trx) => {
              await lockTasksForResults(trx, [TASK]);
              expect((await resultVersions(trx, TASK, { lock: true })).size).toBe(0);
            },
            (trx) =>
              upsertResults(trx, importer, [
                {
                  taskId: TASK,
                  uscc: a!.uscc,
                  dept: 'SCJG',
                  team: a!.team,
                  categories: ['NO_ISSUE'],
                  inspectedOn: '2026-12-05',
                  methods: [],
                  note: null,
                  followup: null,
                  enteredBy: 'cli:import',
                  enteredAt: clock().toISOString(),
                  source: 'import',
                  version: 1,
                },
              ]),
          );
          // … while the inspector submits the same part, never entered before, in chat.
          const chat = chatSave(app, openId, a!, 'CORRECTED');
          // The chat save must wait for the import's transaction (a lock it cannot get), not commit under it.
          expect(await waitsForALock(chat, store)).toBe('waiting');
          importing.release();
          await importing.done;
          const outcome = await chat;
          expect(outcome.ok).toBe(false);
          expect(!outcome.ok && outcome.refusal.code).toBe('RESULT.CARD_STALE');
          expect(await resultsOfTask(store.db, TASK)).toMatchObject([
            { uscc: a!.uscc, dept: 'SCJG', version: 1, source: 'import', categories: ['NO_ISSUE'] },
          ]);
        } finally {
          await importer.close();
          await app.close();
        }
      });
    },
  );

  it.runIf(dialect === 'postgres')(
    'a chat save and a task close of the same task run one after the other: a closed task takes no edit',
    async () => {
      await withCopy(async (url, store) => {
        const [a] = drawn.targets;
        const openId = await reachableSCJGMember(store, a!.team);
        const app = await createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'silent' }, clock });
        const closer = openStore(url);
        try {
          // A close holds the task row (as moveTask's update does) while the chat save is submitted.
          const closing = await heldOpen(closer, async (trx) => {
            await trx.updateTable('tasks').set({ state: 'closed' }).where('id', '=', TASK).execute();
          });
          const chat = chatSave(app, openId, a!, 'NO_ISSUE');
          expect(await waitsForALock(chat, store)).toBe('waiting');
          closing.release();
          await closing.done;
          const outcome = await chat;
          expect(!outcome.ok && outcome.refusal.code).toBe('TASK.CLOSED');
          expect(await resultsOfTask(store.db, TASK)).toEqual([]);
        } finally {
          await closer.close();
          await app.close();
        }
      });
    },
  );

  it.runIf(dialect === 'sqlite')(
    'what changed between the check and the write is seen inside the write transaction',
    async () => {
      await withCopy(async (url, store) => {
        const [a, b] = drawn.targets;
        const dir = tempDir();
        const row = (t: { uscc: string }, dept: string) => [
          TASK,
          t.uscc,
          dept,
          '未发现问题',
          '2026-12-05',
          '',
          '',
          '',
        ];
        expect(
          (await cli(url, ['results', 'import', writeCsv(dir, 'one.csv', [ZH, row(a!, 'SCJG')])])).code,
        ).toBe(0);
        const file = writeCsv(dir, 'two.csv', [ZH, row(a!, 'SCJG'), row(b!, 'SCJG')]);
        const raw = new Database(url.slice('file:'.length));
        const app = await createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'silent' }, clock });
        // Right before the write (the progress bar's "writing" phase): someone else edits a part in chat.
        const editing = {
          update() {},
          stop() {},
          phase() {
            raw
              .prepare("update results set version = 5, source = 'chat' where uscc = ? and dept = 'SCJG'")
              .run(a!.uscc);
          },
        };
        try {
          const summary = await runResultsImport(app, { path: file, progress: () => editing });
          expect(summary).toMatchObject({ inserted: 1, replaced: 1 });
          const saved = await resultsOfTask(store.db, TASK);
          expect(saved.find((r) => r.uscc === a!.uscc)).toMatchObject({ version: 6, source: 'import' });

          // … or the task is voided: nothing is written.
          const voiding = {
            ...editing,
            phase() {
              raw.prepare("update tasks set state = 'void', void_reason = '录入有误' where id = ?").run(TASK);
            },
          };
          await expect(runResultsImport(app, { path: file, progress: () => voiding })).rejects.toThrow(
            `two.csv: task ${TASK} is void (录入有误): it takes no results (it changed while the file was being checked) — nothing was imported`,
          );
          expect((await resultsOfTask(store.db, TASK)).map((r) => r.version).sort()).toEqual([1, 6]);
          expect(await importAudits(store)).toHaveLength(2);
        } finally {
          raw.close();
          await app.close();
        }
      });
    },
  );
});
