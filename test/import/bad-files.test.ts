/**
 * Files that are not what they claim (issue 7, items 7, 9, 10 and 19): each is refused with one clear message
 * — what is wrong, where, what to do — exit 1 and nothing written; none echoes more than a short, sanitised
 * excerpt of the file. Run on SQLite: how a file is read does not depend on the database.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { freshSqliteUrl } from '../helpers/stores.ts';
import { importWuhai } from '../helpers/wuhai.ts';
import { openStore } from '../../src/storage/db.ts';
import { migrate } from '../../src/storage/migrate.ts';
import {
  dumpDatabase,
  fixture,
  storeXlsx,
  tempDir,
  writeCsv,
  writeXlsx,
  writeZip,
  type Grid,
} from './files.ts';

const dir = tempDir();
let url = '';
let before: Record<string, string[]> = {};

async function freshUrl(): Promise<string> {
  const u = freshSqliteUrl();
  const store = openStore(u);
  await migrate(store);
  await store.close();
  return u;
}

/** Runs `import KIND PATH`; it must be refused with exactly `message` (one line), nothing on stdout. */
async function refused(kind: string, path: string, message: string | RegExp): Promise<string> {
  const res = await runCli(url, ['import', kind, path]);
  expect(res.code, res.stderr).toBe(1);
  expect(res.stdout).toBe('');
  if (typeof message === 'string') expect(res.stderr).toBe(message + '\n');
  else expect(res.stderr).toMatch(message);
  return res.stderr;
}

const departments = (): Grid => fixture('departments.csv').slice(0, 4);
const csvBytes = (grid: Grid, eol = '\r\n') => grid.map((r) => r.join(',')).join(eol) + eol;

beforeAll(async () => {
  url = await freshUrl();
  await importWuhai(url);
  before = await dumpDatabase(url);
});

afterAll(async () => {
  expect(await dumpDatabase(url)).toEqual(before);
});

describe('item 7: what is not a regular file is refused before it is read', () => {
  it('/proc/self/environ: refused, no environment in the message', async () => {
    const err = await refused(
      'departments',
      '/proc/self/environ',
      'error: environ: is not a regular file (it is under /proc); give the path of a CSV or XLSX file',
    );
    for (const value of Object.values(process.env))
      if (value && value.length > 6) expect(err).not.toContain(value);
  });

  it('directories, devices, FIFOs and /sys files', async () => {
    const fifo = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    mkdirSync(join(dir, 'folder.csv'));
    const why: [string, string][] = [
      [join(dir, 'folder.csv'), 'folder.csv: is not a regular file (it is a directory)'],
      [fifo, 'pipe.csv: is not a regular file (it is a pipe or a socket)'],
      ['/dev/zero', 'zero: is not a regular file (it is under /dev)'],
      ['/sys/kernel/mm/transparent_hugepage/enabled', 'enabled: is not a regular file (it is under /sys)'],
    ];
    for (const [path, text] of why)
      await refused('targets', path, `error: ${text}; give the path of a CSV or XLSX file`);
  });

  it('/etc/passwd: no header row, quoting only a short excerpt of its first line', async () => {
    const err = await refused('departments', '/etc/passwd', /^error: passwd: no header row: .*\n$/);
    const firstLine = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
    expect(err).not.toContain(firstLine.slice(0, 25));
    expect(err).toContain(`row 1 begins '${firstLine.slice(0, 23)}…'`);
    expect(err).toContain('the first row must name the columns: 部门编码 (code), 部门名称 (name)');
  });

  it('a header of control characters and a long text is quoted sanitised and short', async () => {
    const path = join(dir, 'escape.csv');
    writeFileSync(path, `\x1b[2J\x1b[31mred\x07 ${'x'.repeat(200)}\nA,B\n`);
    const err = await refused('departments', path, /^error: escape\.csv: no header row: /);
    expect([...err].filter((c) => c < ' ' && c !== '\n')).toEqual([]);
    expect(/begins '([^']*)'/.exec(err)![1]!.length).toBeLessThanOrEqual(24);
  });
});

describe('item 10: files that are not what they claim', () => {
  it('a truncated XLSX', async () => {
    const path = await writeXlsx(dir, 'cut.xlsx', departments());
    truncateSync(path, Math.floor(readFileSync(path).length / 2));
    await refused(
      'departments',
      path,
      'error: cut.xlsx: the XLSX file is damaged or incomplete (its zip directory cannot be read); open it in Excel (or WPS) and save it again as .xlsx, or export it as CSV',
    );
  });

  it('a zip archive that is not a workbook', async () => {
    const path = await writeZip(join(dir, 'photos.xlsx'), { 'readme.txt': 'hello' });
    await refused(
      'departments',
      path,
      'error: photos.xlsx: is a zip archive but not an Excel workbook (it has no xl/workbook.xml); open it in Excel (or WPS) and save it again as .xlsx, or export it as CSV',
    );
  });

  it('UTF-16 with or without BOM, and binary files', async () => {
    const text = csvBytes(departments());
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    const files: [string, Buffer][] = [
      ['utf16le-bom.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
      ['utf16be-bom.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
      ['utf16le.csv', le],
    ];
    for (const [name, bytes] of files) {
      writeFileSync(join(dir, name), bytes);
      await refused(
        'departments',
        join(dir, name),
        `error: ${name}: is UTF-16 text, which is not supported; save it from Excel or WPS as "CSV UTF-8 (comma delimited)" (or as "CSV (comma delimited)")`,
      );
    }
    writeFileSync(
      join(dir, 'image.csv'),
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    );
    await refused(
      'departments',
      join(dir, 'image.csv'),
      /^error: image\.csv: is not a text CSV file \(byte 8 is a NUL byte\)/,
    );
  });

  it('one bad byte in a UTF-8 file: that cell, not "missing columns"', async () => {
    const good = Buffer.from('\uFEFF' + csvBytes(departments()), 'utf8');
    const at = good.indexOf(Buffer.from(departments()[2]![1]!, 'utf8'));
    const bad = Buffer.from(good);
    bad[at + 1] = 0xff; // inside the name in row 3
    writeFileSync(join(dir, 'utf8-bad.csv'), bad);
    const noBom = bad.subarray(3);
    writeFileSync(join(dir, 'utf8-bad-nobom.csv'), noBom);
    for (const name of ['utf8-bad.csv', 'utf8-bad-nobom.csv'])
      await refused(
        'departments',
        join(dir, name),
        `${name}: row 3, column 部门名称: holds a byte that is not valid UTF-8 (shown as '\uFFFD'); fix the cell, or save it from Excel or WPS as "CSV UTF-8 (comma delimited)"\n` +
          `error: ${name}: 1 problem — nothing was imported`,
      );
  });

  it('an invalid byte in a GBK file: that cell, not silent replacement characters', async () => {
    const grid = departments();
    const bytes = Buffer.concat([
      iconv.encode(csvBytes(grid.slice(0, 3)), 'gbk'),
      iconv.encode(`${grid[3]![0]},`, 'gbk'),
      Buffer.from([0xff]),
      iconv.encode(`${grid[3]![1]}\r\n`, 'gbk'),
    ]);
    writeFileSync(join(dir, 'gbk-bad.csv'), bytes);
    await refused(
      'departments',
      join(dir, 'gbk-bad.csv'),
      `gbk-bad.csv: row 4, column 部门名称: holds a byte that is not GBK/GB18030 text (shown as '\uFFFD'); fix the cell, or save it from Excel or WPS as "CSV UTF-8 (comma delimited)"\n` +
        'error: gbk-bad.csv: 1 problem — nothing was imported',
    );
  });

  it('a CRLF header with LF rows: every line is a row, as Excel reads it', async () => {
    const own = await freshUrl();
    const grid = departments();
    const path = join(dir, 'mixed.csv');
    writeFileSync(
      path,
      grid[0]!.join(',') +
        '\r\n' +
        grid
          .slice(1)
          .map((r) => r.join(','))
          .join('\n') +
        '\n',
    );
    const res = await runCli(own, ['import', 'departments', path]);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('mixed.csv: 3 rows — 3 added, 0 changed, 0 unchanged\n');
  });

  it('10,000 unknown columns: one warning with the count and the first names', async () => {
    const own = await freshUrl();
    const grid = departments().map((row, r) => [
      ...row,
      ...Array.from({ length: 10_000 }, (_, i) => (r === 0 ? `extra${i}` : '')),
    ]);
    const res = await runCli(own, ['import', 'departments', writeCsv(dir, 'wide.csv', grid)]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe(
      'warning: wide.csv: 10000 columns are not departments columns and are ignored: "extra0", "extra1", "extra2" and 9997 more\n',
    );
  });
});

describe('item 9: field lengths', () => {
  it('names, addresses, scopes and people longer than a card can hold are row errors', async () => {
    const targets = fixture('targets.csv').slice(0, 4);
    const col = (name: string) => targets[0]!.indexOf(name);
    targets[1]![col('名称')] = '甲'.repeat(101);
    targets[2]![col('住所')] = '路'.repeat(201);
    targets[3]![col('经营范围')] = '销'.repeat(501);
    targets[3]![col('法定代表人')] = '𠀀'.repeat(51); // outside the BMP: counted as one character each
    await refused(
      'targets',
      writeCsv(dir, 'long-targets.csv', targets),
      [
        'long-targets.csv: row 2, column 名称: too long: 101 characters, at most 100; shorten the cell',
        'long-targets.csv: row 3, column 住所: too long: 201 characters, at most 200; shorten the cell',
        'long-targets.csv: row 4, column 法定代表人: too long: 51 characters, at most 50; shorten the cell',
        'long-targets.csv: row 4, column 经营范围: too long: 501 characters, at most 500; shorten the cell',
        'error: long-targets.csv: 4 problems — nothing was imported',
      ].join('\n'),
    );
    const inspectors = fixture('inspectors.csv').slice(0, 3);
    const icol = (name: string) => inspectors[0]!.indexOf(name);
    inspectors[1]![icol('姓名')] = '张'.repeat(51);
    inspectors[2]![icol('科室')] = '科'.repeat(51);
    await refused(
      'inspectors',
      writeCsv(dir, 'long-inspectors.csv', inspectors),
      [
        'long-inspectors.csv: row 2, column 姓名: too long: 51 characters, at most 50; shorten the cell',
        'long-inspectors.csv: row 3, column 科室: too long: 51 characters, at most 50; shorten the cell',
        'error: long-inspectors.csv: 2 problems — nothing was imported',
      ].join('\n'),
    );
    const depts = departments();
    depts[1]![1] = '局'.repeat(101);
    await refused(
      'departments',
      writeCsv(dir, 'long-departments.csv', depts),
      'long-departments.csv: row 2, column 部门名称: too long: 101 characters, at most 100; shorten the cell\n' +
        'error: long-departments.csv: 1 problem — nothing was imported',
    );
    // Exactly at the limit is accepted.
    const own = await freshUrl();
    const ok = departments();
    ok[1]![1] = '局'.repeat(100);
    expect((await runCli(own, ['import', 'departments', writeCsv(dir, 'd100.csv', ok)])).code).toBe(0);
  });
});

describe('item 19: XLSX parts after the sheets are never lost', () => {
  it('a workbook saved without compression imports every time, not 2 times in 3', async () => {
    const own = await freshUrl();
    const path = await storeXlsx(
      await writeXlsx(dir, 'departments-deflated.xlsx', fixture('departments.csv')),
      join(dir, 'stored.xlsx'),
    );
    for (let i = 0; i < 10; i++) {
      const res = await runCli(own, ['import', 'departments', path, '--dry-run']);
      expect(res.stderr, `attempt ${i}`).toBe('');
      expect(res.stdout).toBe(
        'stored.xlsx: 8 rows — 8 added, 0 changed, 0 unchanged (dry run: nothing was written)\n',
      );
    }
  });
});
