import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usccCheckCharacter } from '../../src/domain/uscc.ts';
import { openStore } from '../../src/storage/db.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { importWuhai } from '../helpers/wuhai.ts';
import { dumpDatabase, fixture, tempDir, writeCsv, type Grid } from './files.ts';

/** The header and the first `n` data rows of a fixture (rows 2 … n+1 as Excel numbers them). */
const head = (file: string, n = 3): Grid => fixture(file).slice(0, n + 1);
const colOf = (grid: Grid, name: string) => grid[0]!.indexOf(name);
/** Sets the cell in Excel row `row` (header = 1) under column `name`. */
function set(grid: Grid, row: number, name: string, value: string): Grid {
  grid[row - 1]![colOf(grid, name)] = value;
  return grid;
}
const validUscc = (body17: string) => body17 + usccCheckCharacter(body17);

interface Case {
  name: string;
  kind: 'departments' | 'items' | 'targets' | 'inspectors' | 'conflicts';
  file: string;
  grid: () => Grid;
  /** Each line must appear in stderr, exactly. */
  lines: string[];
}

const UNKNOWN = '(not in the database: import departments first)';

const CASES: Case[] = [
  {
    name: 'USCC check character',
    kind: 'targets',
    file: 'targets.csv',
    grid: () => set(head('targets.csv'), 2, '统一社会信用代码', '9115030260J006RL9A'),
    lines: ["targets.csv: row 2, column 统一社会信用代码: check character should be 'Q', found 'A'"],
  },
  {
    name: 'USCC characters and length',
    kind: 'targets',
    file: 'targets.csv',
    grid: () =>
      set(
        set(head('targets.csv'), 2, '统一社会信用代码', '9115030260I006RL9Q'),
        3,
        '统一社会信用代码',
        '911503026',
      ),
    lines: [
      "targets.csv: row 2, column 统一社会信用代码: character 11 'I' is not allowed (I, O, Z, S and V are never used)",
      'targets.csv: row 3, column 统一社会信用代码: must be 18 characters, found 9',
    ],
  },
  {
    name: 'dates',
    kind: 'targets',
    file: 'targets.csv',
    grid: () => set(set(head('targets.csv'), 2, '成立日期', '2021-02-30'), 4, '成立日期', '20210230'),
    lines: [
      "targets.csv: row 2, column 成立日期: '2021-02-30' is not a calendar date",
      "targets.csv: row 4, column 成立日期: '20210230' is not a date (use YYYY-MM-DD)",
    ],
  },
  {
    name: 'a required date',
    kind: 'inspectors',
    file: 'inspectors.csv',
    grid: () => set(set(head('inspectors.csv'), 3, '执法证有效期至', '明年'), 4, '执法证有效期至', ''),
    lines: [
      "inspectors.csv: row 3, column 执法证有效期至: '明年' is not a date (use YYYY-MM-DD)",
      'inspectors.csv: row 4, column 执法证有效期至: required, but empty',
    ],
  },
  {
    name: 'unknown departments',
    kind: 'targets',
    file: 'targets.csv',
    grid: () => set(set(head('targets.csv'), 2, '所属部门', 'SCJG;XXJ'), 3, '所属部门', 'XXJ；YYJ、SCJG'),
    lines: [
      `targets.csv: row 2, column 所属部门: unknown department 'XXJ' ${UNKNOWN}`,
      `targets.csv: row 3, column 所属部门: unknown departments 'XXJ', 'YYJ' ${UNKNOWN}`,
    ],
  },
  {
    name: "an item's or inspector's department",
    kind: 'items',
    file: 'items.csv',
    grid: () => set(head('items.csv'), 3, '发起部门', 'ABC'),
    lines: [`items.csv: row 3, column 发起部门: unknown department 'ABC' ${UNKNOWN}`],
  },
  {
    name: "an inspector's department",
    kind: 'inspectors',
    file: 'inspectors.csv',
    grid: () => set(head('inspectors.csv'), 2, '所在部门', 'scjg'),
    lines: [`inspectors.csv: row 2, column 所在部门: unknown department 'scjg' ${UNKNOWN}`],
  },
  {
    name: 'conflicts naming an unknown inspector or target',
    kind: 'conflicts',
    file: 'conflicts.csv',
    grid: () =>
      set(
        set(head('conflicts.csv'), 2, '执法证号', '999999999999'),
        3,
        '统一社会信用代码',
        validUscc('91150302MA0N00000'),
      ),
    lines: [
      "conflicts.csv: row 2, column 执法证号: no inspector with 执法证号 '999999999999' (not in the database: import inspectors first)",
      `conflicts.csv: row 3, column 统一社会信用代码: no target with 统一社会信用代码 '${validUscc('91150302MA0N00000')}' (not in the database: import targets first)`,
    ],
  },
  {
    name: 'enumerations',
    kind: 'targets',
    file: 'targets.csv',
    grid: () =>
      set(
        set(set(head('targets.csv'), 2, '主体类型', '外资'), 3, '登记状态', '停业'),
        4,
        '信用风险分类',
        'E',
      ),
    lines: [
      "targets.csv: row 2, column 主体类型: '外资' is not one of 企业, 个体工商户, 农民专业合作社, 社会组织, 事业单位, 产品, 项目",
      "targets.csv: row 3, column 登记状态: '停业' is not one of 存续, 吊销, 注销 (active, revoked, deregistered)",
      "targets.csv: row 4, column 信用风险分类: 'E' is not one of A, B, C, D",
    ],
  },
  {
    name: 'item enumerations',
    kind: 'items',
    file: 'items.csv',
    grid: () => set(set(head('items.csv'), 2, '事项类别', '普通'), 3, '检查方式', '电话检查'),
    lines: [
      "items.csv: row 2, column 事项类别: '普通' is not one of 重点, 一般 (key, general)",
      "items.csv: row 3, column 检查方式: '电话检查' is not one of 实地核查, 书面检查, 网络检查, 抽样检测, 委托专业机构",
    ],
  },
  {
    name: 'inspector kind and active flag',
    kind: 'inspectors',
    file: 'inspectors.csv',
    grid: () => {
      const g = head('inspectors.csv').map((row, i) => [...row, i === 0 ? '在岗' : '是']);
      set(g, 2, '人员类别', '志愿者');
      return set(g, 3, '在岗', '也许');
    },
    lines: [
      "inspectors.csv: row 2, column 人员类别: '志愿者' is not one of 执法人员, 专家 (officer, expert)",
      "inspectors.csv: row 3, column 在岗: '也许' is not one of 是, 否 (true, false, 1, 0)",
    ],
  },
  {
    name: 'non-ASCII codes',
    kind: 'departments',
    file: 'departments.csv',
    grid: () => set(head('departments.csv'), 3, '部门编码', '市场局'),
    lines: [
      "departments.csv: row 3, column 部门编码: '市场局' is not a valid code: use only letters A–Z, digits, '-' and '_'",
    ],
  },
  {
    name: 'item codes and certificate numbers are ASCII identifiers too',
    kind: 'inspectors',
    file: 'inspectors.csv',
    grid: () => set(head('inspectors.csv'), 2, '执法证号', '蒙A 123'),
    lines: [
      "inspectors.csv: row 2, column 执法证号: '蒙A 123' is not a valid code: use only letters A–Z, digits, '-' and '_'",
    ],
  },
  {
    name: 'region codes',
    kind: 'targets',
    file: 'targets.csv',
    grid: () => set(head('targets.csv'), 4, '行政区划代码', '15030'),
    lines: ["targets.csv: row 4, column 行政区划代码: '15030' is not a 6-digit region code"],
  },
  {
    name: "an inspector's regions",
    kind: 'inspectors',
    file: 'inspectors.csv',
    grid: () => set(set(head('inspectors.csv'), 2, '执法区域', '150302;1503;乌海'), 3, '执法区域', ' ; '),
    lines: [
      "inspectors.csv: row 2, column 执法区域: '1503', '乌海' are not 6-digit region codes",
      'inspectors.csv: row 3, column 执法区域: required, but empty',
    ],
  },
  {
    name: 'duplicates in the file name the earlier row',
    kind: 'departments',
    file: 'departments.csv',
    grid: () => {
      const g = head('departments.csv', 5);
      return set(g, 5, '部门编码', g[1]![0]!);
    },
    lines: ['departments.csv: row 5, column 部门编码: duplicate: row 2 has the same 部门编码'],
  },
  {
    name: 'duplicate conflict pairs',
    kind: 'conflicts',
    file: 'conflicts.csv',
    grid: () => {
      const g = head('conflicts.csv');
      g.push([...g[2]!.slice(0, 2), '另一个原因']);
      return g;
    },
    lines: [
      'conflicts.csv: row 5, column 执法证号: duplicate: row 3 has the same 执法证号 and 统一社会信用代码',
    ],
  },
  {
    name: 'empty required cells',
    kind: 'targets',
    file: 'targets.csv',
    grid: () => set(set(head('targets.csv'), 2, '名称', '   '), 3, '所属部门', ''),
    lines: [
      'targets.csv: row 2, column 名称: required, but empty',
      'targets.csv: row 3, column 所属部门: required, but empty',
    ],
  },
  {
    name: 'contacts',
    kind: 'departments',
    file: 'departments.csv',
    grid: () => set(set(head('departments.csv'), 2, '负责人', '12345'), 3, '联络员', 'ou_'),
    lines: [
      "departments.csv: row 2, column 负责人: '12345' is not a Feishu open_id (ou_…), an 11-digit mobile number or an e-mail address",
      "departments.csv: row 3, column 联络员: 'ou_' is not a Feishu open_id (ou_…), an 11-digit mobile number or an e-mail address",
    ],
  },
  {
    name: "an inspector's mobile",
    kind: 'inspectors',
    file: 'inspectors.csv',
    grid: () => set(head('inspectors.csv'), 4, '手机号', '0473-1234567'),
    lines: [
      "inspectors.csv: row 4, column 手机号: '0473-1234567' is not a Feishu open_id (ou_…), an 11-digit mobile number or an e-mail address",
    ],
  },
];

describe.each(dialects())('import validation on $dialect', ({ fresh }) => {
  let url = '';
  let before: Record<string, string[]> = {};
  const dir = tempDir();

  beforeAll(async () => {
    const db = await fresh();
    await db.store.close();
    url = db.url;
    await importWuhai(url);
    before = await dumpDatabase(url);
  });

  afterAll(async () => {
    // Not one of the refused files wrote anything.
    expect(await dumpDatabase(url)).toEqual(before);
  });

  it.each(CASES)('refuses a file with bad $name, naming each row and column', async (c) => {
    const path = writeCsv(dir, c.file, c.grid());
    const res = await runCli(url, ['import', c.kind, path]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines.slice(0, -1)).toEqual(c.lines);
    expect(lines.at(-1)).toBe(
      `error: ${c.file}: ${c.lines.length} problem${c.lines.length > 1 ? 's' : ''} — nothing was imported`,
    );
  });

  it('checks identity numbers without ever printing them', async () => {
    const grid = head('inspectors.csv');
    const ids = grid.slice(1).map((r) => r[colOf(grid, '身份证号')]!);
    const wrong = ids[1]!.slice(0, 17) + (ids[1]!.endsWith('0') ? '1' : '0');
    set(grid, 3, '身份证号', wrong);
    set(grid, 4, '身份证号', ids[2]!.slice(0, 15));
    const path = writeCsv(dir, 'inspectors.csv', grid);
    const text = await runCli(url, ['import', 'inspectors', path]);
    expect(text.code).toBe(1);
    expect(text.stderr).toBe(
      [
        'inspectors.csv: row 3, column 身份证号: ID number check digit is wrong',
        'inspectors.csv: row 4, column 身份证号: ID number must be 18 characters',
        'error: inspectors.csv: 2 problems — nothing was imported',
        '',
      ].join('\n'),
    );
    // An identity number typed into another column is not echoed either.
    const misplaced = head('inspectors.csv');
    set(misplaced, 2, '手机号', ids[0]!);
    const other = await runCli(url, ['import', 'inspectors', writeCsv(dir, 'misplaced.csv', misplaced)]);
    expect(other.stderr).toContain(
      "misplaced.csv: row 2, column 手机号: '[ID number]' is not a Feishu open_id (ou_…), an 11-digit mobile number or an e-mail address",
    );
    expect(other.stderr).not.toContain(ids[0]!);
    const json = await runCli(url, ['import', 'inspectors', path, '--json']);
    expect(JSON.parse(json.stdout).problems.map((p: { reason: string }) => p.reason)).toEqual([
      'ID number check digit is wrong',
      'ID number must be 18 characters',
    ]);
    for (const out of [text.stdout, text.stderr, json.stdout, json.stderr])
      for (const id of [...ids, wrong, wrong.slice(0, 17), ids[2]!.slice(0, 15)])
        expect(out).not.toContain(id);
  });

  it('refuses a file missing a required column with one clear error', async () => {
    const grid = head('targets.csv').map((row) => row.slice(0, 12)); // no 所属部门
    const res = await runCli(url, ['import', 'targets', writeCsv(dir, 'targets.csv', grid)]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(
      'error: targets.csv: missing required column 所属部门 (departments); the header row has: ' +
        grid[0]!.join(', ') +
        '\n',
    );
    const two = head('items.csv').map((row) => row.slice(2));
    const res2 = await runCli(url, ['import', 'items', writeCsv(dir, 'items.csv', two), '--json']);
    expect(res2.code).toBe(1);
    expect(JSON.parse(res2.stdout)).toMatchObject({
      ok: false,
      error: expect.stringContaining('missing required columns 事项编码 (code), 事项名称 (name)'),
    });
  });

  it('refuses a column given twice, in Chinese and in English', async () => {
    const grid = head('departments.csv').map((row, i) => [...row, i === 0 ? 'Name' : 'x']);
    const res = await runCli(url, ['import', 'departments', writeCsv(dir, 'departments.csv', grid)]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('error: departments.csv: "部门名称" and "Name" are both 部门名称 (name)\n');
  });

  it('reports every problem but prints the first 200, with the count of the rest', async () => {
    const grid = head('targets.csv', 250);
    for (let row = 2; row <= 251; row++) set(grid, row, '信用风险分类', 'Z');
    const res = await runCli(url, ['import', 'targets', writeCsv(dir, 'targets.csv', grid)]);
    expect(res.code).toBe(1);
    const lines = res.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(202);
    expect(lines[0]).toBe("targets.csv: row 2, column 信用风险分类: 'Z' is not one of A, B, C, D");
    expect(lines[199]).toBe("targets.csv: row 201, column 信用风险分类: 'Z' is not one of A, B, C, D");
    expect(lines[200]).toBe('targets.csv: … and 50 more');
    expect(lines[201]).toBe('error: targets.csv: 250 problems — nothing was imported');
    const json = JSON.parse(
      (await runCli(url, ['import', 'targets', join(dir, 'targets.csv'), '--json'])).stdout,
    );
    expect(json).toMatchObject({ ok: false, problemCount: 250, rows: 250 });
    expect(json).not.toHaveProperty('added');
    expect(json.problems).toHaveLength(200);
    expect(json.problems[0]).toEqual({
      row: 2,
      column: '信用风险分类',
      reason: "'Z' is not one of A, B, C, D",
      message: "targets.csv: row 2, column 信用风险分类: 'Z' is not one of A, B, C, D",
    });
  });

  it('refuses unreadable files with one clear error', async () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['missing.csv', '', /^error: missing\.csv: cannot read .*missing\.csv \(no such file\)\n$/],
      ['empty.csv', '\uFEFF\n\n', /^error: empty\.csv: the file is empty \(no header row\)\n$/],
      [
        'old.xls',
        Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 0, 0]),
        /Excel 97–2003 \(\.xls\) files are not supported/,
      ],
      ['fake.xlsx', 'a,b\n', /fake\.xlsx: is not an XLSX file/],
      [
        'quote.csv',
        '部门编码,部门名称\nA,"unterminated\n',
        /^error: quote\.csv: malformed CSV near line \d+: /,
      ],
      [
        'broken.xlsx',
        Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64, 1)]),
        /^error: broken\.xlsx: the XLSX file is damaged or incomplete/,
      ],
    ];
    for (const [name, content, expected] of cases) {
      if (name !== 'missing.csv') writeFileSync(join(dir, name), content);
      const res = await runCli(url, ['import', 'departments', join(dir, name)]);
      expect(res.code, name).toBe(1);
      expect(res.stderr, name).toMatch(expected);
    }
    const usage = await runCli(url, ['import', 'companies', join(dir, 'x.csv')]);
    expect(usage.code).toBe(2);
  });

  it('accepts the flexible spellings: dates, separators, English values, contacts, lower-case USCC', async () => {
    const { url: own, store } = await fresh();
    await store.close();
    await runCli(own, [
      'import',
      'departments',
      writeCsv(dir, 'd.csv', [
        ['code', 'name', 'head', 'liaison'],
        [' SCJG ', ' 市场局 ', 'ou_7d8a6e6df7621556ce0d21922b676706', '+86 139-4700-0000'],
        ['WJW', '卫健委', 'Head@Example.gov.cn', ''],
      ]),
    ]);
    const uscc = validUscc('91150302MA0N00000');
    const targets = writeCsv(dir, 't.csv', [
      ['uscc', 'name', 'kind', 'region', 'status', 'risk', 'departments', 'established'],
      [uscc.toLowerCase(), '甲', 'enterprise', '150302', 'active', 'b', 'SCJG；WJW、 SCJG ;', '2026/1/5'],
    ]);
    const t = await runCli(own, ['import', 'targets', targets]);
    expect(t.stderr).toBe('');
    const inspectors = writeCsv(dir, 'i.csv', [
      ['执法证号', '姓名', '所在部门', '执法证有效期至', '执法区域', '业务专长', '在岗'],
      ['A-1', '乙', 'WJW', '2027年3月1日', '150302、150303', '食品安全；；', '否'],
    ]);
    expect((await runCli(own, ['import', 'inspectors', inspectors])).code).toBe(0);
    const check = openStore(own);
    try {
      const departments = check.db.selectFrom('departments').select(['code', 'name', 'head', 'liaison']);
      expect(await departments.orderBy('code').execute()).toEqual([
        { code: 'SCJG', name: '市场局', head: 'ou_7d8a6e6df7621556ce0d21922b676706', liaison: '13947000000' },
        { code: 'WJW', name: '卫健委', head: 'Head@Example.gov.cn', liaison: null },
      ]);
      expect(
        await check.db
          .selectFrom('targets')
          .select(['uscc', 'kind', 'status', 'risk', 'established'])
          .execute(),
      ).toEqual([{ uscc, kind: '企业', status: '存续', risk: 'B', established: '2026-01-05' }]);
      const depts = await check.db
        .selectFrom('target_departments')
        .select('department')
        .orderBy('department')
        .execute();
      expect(depts.map((d) => d.department)).toEqual(['SCJG', 'WJW']);
      const officer = await check.db.selectFrom('inspectors').selectAll().executeTakeFirstOrThrow();
      expect({ ...officer, active: Number(officer.active) }).toMatchObject({
        cert_no: 'A-1',
        cert_valid_until: '2027-03-01',
        regions: '["150302","150303"]',
        specialties: '["食品安全"]',
        kind: 'officer',
        active: 0,
      });
    } finally {
      await check.close();
    }
  });
});
