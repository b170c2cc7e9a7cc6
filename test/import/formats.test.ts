import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { importWuhai, WUHAI_FILES } from '../helpers/wuhai.ts';
import {
  dumpDatabase,
  fixture,
  reorder,
  tempDir,
  writeCsv,
  writeXlsx,
  type Grid,
  type XlsxCell,
} from './files.ts';

type Kind = (typeof WUHAI_FILES)[number][0];

/** The English header names of README "Import formats", by the fixtures' Chinese ones. */
const ENGLISH: Record<string, string> = {
  部门编码: 'code',
  部门名称: 'name',
  负责人: 'head',
  联络员: 'liaison',
  事项编码: 'code',
  事项名称: 'name',
  发起部门: 'department',
  事项类别: 'category',
  检查依据: 'basis',
  检查方式: 'method',
  业务专长: 'specialty',
  统一社会信用代码: 'uscc',
  名称: 'name',
  主体类型: 'kind',
  法定代表人: 'legal_rep',
  住所: 'address',
  行政区划代码: 'region',
  行业: 'industry',
  经营范围: 'scope',
  成立日期: 'established',
  登记状态: 'status',
  信用风险分类: 'risk',
  联系电话: 'phone',
  所属部门: 'departments',
  执法证号: 'cert_no',
  姓名: 'name',
  所在部门: 'department',
  科室: 'section',
  执法证有效期至: 'cert_valid_until',
  执法区域: 'regions',
  手机号: 'mobile',
  身份证号: 'id_number',
  人员类别: 'kind',
  原因: 'reason',
};
const ENGLISH_VALUES: Record<string, string> = {
  重点: 'key',
  一般: 'general',
  执法人员: 'officer',
  专家: 'expert',
  存续: 'active',
};

const isoToDate = (iso: string) => new Date(`${iso}T00:00:00.000Z`);
const excelSerial = (iso: string) => (Date.parse(`${iso}T00:00:00Z`) - Date.UTC(1899, 11, 30)) / 86_400_000;

/** Typed cells as a spreadsheet holds them: real dates, serial numbers, numeric codes. */
function typedCells(kind: Kind, grid: Grid): XlsxCell[][] {
  const header = grid[0]!;
  const col = (name: string) => header.indexOf(name);
  return grid.map((row, r) =>
    row.map((cell, c): XlsxCell => {
      if (r === 0 || cell === '') return cell;
      if (kind === 'targets' && c === col('成立日期')) return isoToDate(cell); // a real Excel date cell
      if (kind === 'targets' && c === col('行政区划代码')) return Number(cell);
      if (kind === 'inspectors' && c === col('执法证有效期至')) return excelSerial(cell); // a bare serial number
      if (kind === 'inspectors' && (c === col('执法证号') || c === col('手机号'))) return Number(cell);
      return cell;
    }),
  );
}

/** English headers, English enum values, and the columns rotated and reversed. */
function englishShuffled(kind: Kind, grid: Grid): Grid {
  const n = grid[0]!.length;
  const order = Array.from({ length: n }, (_, i) => (i + 2) % n).reverse();
  const english = (h: string) => (kind === 'inspectors' && h === '业务专长' ? 'specialties' : ENGLISH[h]!);
  return reorder(
    grid.map((row, r) => row.map((cell) => (r === 0 ? english(cell) : (ENGLISH_VALUES[cell] ?? cell)))),
    order,
  );
}

describe.each(dialects())('import formats on $dialect', ({ fresh }) => {
  it('GBK CSV, UTF-8 without BOM and XLSX (date cells, numbers, English shuffled headers) give the same database', async () => {
    const base = await fresh();
    await base.store.close();
    await importWuhai(base.url);
    // The same rows from other cells (GBK bytes, Excel dates and numbers): only their source digests differ.
    const same = { except: ['audit_log', 'liancha_migrations'], exceptColumns: ['source_digest'] };
    const expected = await dumpDatabase(base.url, same);
    expect(expected.targets).toHaveLength(2000);

    const dir = tempDir();
    const variants: {
      name: string;
      format: string;
      write: (kind: Kind, file: string, grid: Grid) => Promise<string>;
    }[] = [
      {
        name: 'gbk',
        format: 'csv-gbk',
        write: async (_kind, file, grid) => writeCsv(dir, `gbk-${file}`, grid, { encoding: 'gbk' }),
      },
      {
        name: 'utf8-no-bom',
        format: 'csv-utf8',
        write: async (_kind, file, grid) => writeCsv(dir, `nobom-${file}`, grid, { bom: false }),
      },
      {
        name: 'xlsx',
        format: 'xlsx',
        write: (kind, file, grid) =>
          writeXlsx(dir, `zh-${file.replace('.csv', '.xlsx')}`, typedCells(kind, grid)),
      },
      {
        name: 'xlsx-english-shuffled',
        format: 'xlsx',
        write: (kind, file, grid) =>
          writeXlsx(dir, `en-${file.replace('.csv', '.xlsx')}`, englishShuffled(kind, grid)),
      },
    ];
    for (const variant of variants) {
      const { url, store } = await fresh();
      await store.close();
      for (const [kind, file] of WUHAI_FILES) {
        const path = await variant.write(kind, file, fixture(file));
        const res = await runCli(url, ['import', kind, path, '--json']);
        expect(res.stderr, `${variant.name} ${kind}`).toBe('');
        expect(res.code).toBe(0);
        expect(JSON.parse(res.stdout), `${variant.name} ${kind}`).toMatchObject({
          format: variant.format,
          changed: 0,
        });
      }
      expect(await dumpDatabase(url, same), variant.name).toEqual(expected);
    }
  }, 120_000);

  it('the GBK fixture variant really is GBK and round-trips', () => {
    const text = fixture('targets.csv')
      .map((r) => r.join(','))
      .join('\n');
    const bytes = iconv.encode(text, 'gbk');
    expect(iconv.decode(bytes, 'gbk')).toBe(text);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
  });

  it('a header row below a title row and blank rows keep Excel row numbers in problems', async () => {
    const { url, store } = await fresh();
    await store.close();
    const dir = tempDir();
    const grid: XlsxCell[][] = [
      ['乌海市部门名录'],
      [],
      ['部门编码', '部门名称'],
      ['A1', '甲'],
      [],
      ['市场局', '乙'],
    ];
    const res = await runCli(url, ['import', 'departments', await writeXlsx(dir, 'departments.xlsx', grid)]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      "departments.xlsx: row 6, column 部门编码: '市场局' is not a valid code: use only letters A–Z, digits, '-' and '_'",
    );
    const csv = writeCsv(dir, 'departments.csv', [
      ['部门编码', '部门名称'],
      ['A1', '甲'],
      ['', ''],
      ['B 2', '乙'],
    ]);
    const res2 = await runCli(url, ['import', 'departments', csv]);
    expect(res2.stderr).toContain("departments.csv: row 4, column 部门编码: 'B 2' is not a valid code");
  });
});
