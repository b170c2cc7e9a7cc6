/**
 * Synthetic directory data for the import benchmark: deterministic, valid (USCC check characters computed),
 * written out as a CSV stream so that a million rows never sit in memory.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { usccCheckCharacter } from '../src/domain/uscc.ts';

export const BENCH_DEPARTMENTS = ['SCJG', 'STHJ', 'YJGL', 'SWJ', 'WJW', 'ZJJ', 'JTYS', 'GAJ'];

export const TARGET_HEADER = [
  '统一社会信用代码',
  '名称',
  '主体类型',
  '法定代表人',
  '住所',
  '行政区划代码',
  '行业',
  '经营范围',
  '成立日期',
  '登记状态',
  '信用风险分类',
  '联系电话',
  '所属部门',
];

const ALNUM = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const KINDS = ['企业', '企业', '企业', '个体工商户', '个体工商户', '农民专业合作社'];
const INDUSTRIES = [
  '食品销售',
  '餐饮服务',
  '医疗服务',
  '排污单位',
  '危化品经营',
  '道路运输',
  '建筑施工',
  '旅馆业',
];
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚';
const STREETS = ['人民路', '滨河路', '海北大街', '新华街', '黄河东街', '林荫路'];
const RISK = 'AABBBBBCCD';

/** Row `i` of the synthetic targets file, as the 13 cells of TARGET_HEADER. Pure: the same i, the same row. */
export function syntheticTarget(i: number): string[] {
  let x = (Math.imul(i + 1, 2654435761) >>> 0) ^ 0x9e3779b9;
  const next = (n: number) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
  const region = String(150302 + next(3));
  let body = `9${next(2) === 0 ? '1' : '2'}${region}`;
  for (let k = 0, v = i; k < 9; k++, v = Math.floor(v / 31)) body += ALNUM[v % 31];
  const depts = [BENCH_DEPARTMENTS[next(8)]!];
  for (let extra = next(3); extra > 0; extra--) {
    const d = BENCH_DEPARTMENTS[next(8)]!;
    if (!depts.includes(d)) depts.push(d);
  }
  const industry = INDUSTRIES[next(INDUSTRIES.length)]!;
  const year = 1990 + next(36);
  return [
    body + usccCheckCharacter(body),
    `乌海${SURNAMES[next(20)]}${GIVEN[next(20)]}${industry}有限公司${i}`,
    KINDS[next(KINDS.length)]!,
    `${SURNAMES[next(20)]}${GIVEN[next(20)]}`,
    `乌海市海勃湾区${STREETS[next(STREETS.length)]}${next(999) + 1}号`,
    region,
    industry,
    industry,
    `${year}-${String(next(12) + 1).padStart(2, '0')}-${String(next(28) + 1).padStart(2, '0')}`,
    next(20) === 0 ? '注销' : '存续',
    RISK[next(RISK.length)]!,
    `0473-${String(next(9_000_000) + 1_000_000)}`,
    depts.join(';'),
  ];
}

const csvLine = (cells: readonly string[]) =>
  cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',') + '\n';

/** Streams `rows` synthetic targets to `path` as UTF-8 CSV with a BOM. */
export async function writeTargetsCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  let buf = '\uFEFF' + csvLine(TARGET_HEADER);
  for (let i = 0; i < rows; i++) {
    buf += csvLine(syntheticTarget(i));
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

export function departmentsCsv(): string {
  return '\uFEFF部门编码,部门名称\n' + BENCH_DEPARTMENTS.map((d) => `${d},${d}局`).join('\n') + '\n';
}
