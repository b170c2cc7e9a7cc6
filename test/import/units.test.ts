import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { normalizeDate } from '../../src/domain/date-input.ts';
import { idCardProblem } from '../../src/domain/id-card.ts';
import { usccCheckCharacter, usccProblem } from '../../src/domain/uscc.ts';
import { chunkSizes } from '../../src/storage/import/bulk.ts';
import { quote } from '../../src/import/cells.ts';
import { col, resolveColumns } from '../../src/import/columns.ts';
import { normalizeContact } from '../../src/import/contact.ts';
import { KeyIndex } from '../../src/import/key-index.ts';
import { KINDS } from '../../src/import/kinds/index.ts';
import { RowDigests } from '../../src/import/row-digests.ts';
import { sourceDigester } from '../../src/import/source-digest.ts';
import { Problems } from '../../src/import/problems.ts';
import { progressBar } from '../../src/import/progress.ts';
import { Utf8Validator } from '../../src/import/utf8.ts';
import { fixture } from './files.ts';

describe('USCC (GB 32100-2015)', () => {
  it('accepts every code in the Wuhai fixtures and computes their check characters', () => {
    for (const [uscc] of fixture('targets.csv').slice(1)) {
      expect(usccProblem(uscc!)).toBeNull();
      expect(usccCheckCharacter(uscc!.slice(0, 17))).toBe(uscc![17]);
    }
  });

  it('says why a code is wrong', () => {
    expect(usccProblem('91350100M000100Y43')).toBeNull(); // a published example
    expect(usccProblem('91350100M000100Y4')).toBe('must be 18 characters, found 17');
    expect(usccProblem('91350100M000100Y44')).toBe("check character should be '3', found '4'");
    expect(usccProblem('91350100M0001O0Y43')).toBe(
      "character 14 'O' is not allowed (I, O, Z, S and V are never used)",
    );
    expect(usccProblem('913501a0M000100Y43')).toBe("character 7 'a' is not allowed");
    expect(usccProblem('91AB0100M000100Y43')).toBe('characters 3–8 must be a 6-digit region code');
  });

  it('maps a check value of 0 to "0" (31 - 0 mod 31)', () => {
    for (let i = 0; i < 5000; i++) {
      const body = `91150302${String(i).padStart(9, '0')}`;
      const code = body + usccCheckCharacter(body);
      expect(usccProblem(code)).toBeNull();
    }
  });
});

describe('identity numbers (GB 11643)', () => {
  it('accepts valid numbers, including an X check digit', () => {
    expect(idCardProblem('11010519491231002X')).toBeNull();
    expect(idCardProblem('11010519491231002x')).toBeNull();
    for (const row of fixture('inspectors.csv').slice(1)) expect(idCardProblem(row[8]!)).toBeNull();
  });

  it('says why a number is wrong, never repeating it', () => {
    const cases = ['110105194912310021', '1101051949123100', '11010519491331002X', '1101051949123100AX'];
    const reasons = cases.map((id) => idCardProblem(id));
    expect(reasons).toEqual([
      'ID number check digit is wrong',
      'ID number must be 18 characters',
      'ID number does not contain a valid birth date',
      'ID number must be 17 digits and a check digit (0–9 or X)',
    ]);
    for (const [i, id] of cases.entries()) {
      expect(reasons[i]).not.toContain(id);
      expect(reasons[i]).not.toMatch(/\d{6}/);
    }
  });
});

describe('date cells', () => {
  it('normalises typed and spreadsheet dates to ISO', () => {
    expect(normalizeDate('2026-01-05')).toEqual({ date: '2026-01-05' });
    expect(normalizeDate('2026/1/5')).toEqual({ date: '2026-01-05' });
    expect(normalizeDate(' 2026.1.5 ')).toEqual({ date: '2026-01-05' });
    expect(normalizeDate('2026年1月5日')).toEqual({ date: '2026-01-05' });
    expect(normalizeDate('2026/1/5 0:00')).toEqual({ date: '2026-01-05' });
    expect(normalizeDate('2026-01-05T00:00:00Z')).toEqual({ date: '2026-01-05' });
    expect(normalizeDate(new Date(Date.UTC(2026, 0, 5)))).toEqual({ date: '2026-01-05' });
    expect(normalizeDate(new Date(Date.UTC(2026, 0, 4, 23, 59, 59, 800)))).toEqual({ date: '2026-01-05' });
    expect(normalizeDate(46027)).toEqual({ date: '2026-01-05' }); // Excel serial
    expect(normalizeDate(46027.75)).toEqual({ date: '2026-01-05' });
    expect(normalizeDate(61)).toEqual({ date: '1900-03-01' });
    expect(normalizeDate('2024-02-29')).toEqual({ date: '2024-02-29' });
  });

  it('says why a cell is not a date', () => {
    expect(normalizeDate('2023-02-29')).toEqual({ problem: "'2023-02-29' is not a calendar date" });
    expect(normalizeDate('2026-13-01')).toEqual({ problem: "'2026-13-01' is not a calendar date" });
    expect(normalizeDate('05/01/2026')).toEqual({ problem: "'05/01/2026' is not a date (use YYYY-MM-DD)" });
    expect(normalizeDate('1800-01-01')).toEqual({
      problem: "'1800-01-01': year must be between 1900 and 2199",
    });
    expect(normalizeDate(0).problem).toBe('0 is not a date (use YYYY-MM-DD)');
    expect(normalizeDate(new Date(Number.NaN)).problem).toBe('not a valid date');
  });
});

describe('messages', () => {
  it('quote cells, shortened, with identity numbers masked', () => {
    expect(quote('abc')).toBe("'abc'");
    expect(quote('x'.repeat(50))).toBe(`'${'x'.repeat(39)}…'`);
    expect(quote('11010519491231002X')).toBe("'[ID number]'");
    expect(quote('身份证 110105194912310021')).toBe("'身份证 110105194912310021'"); // not a valid one
  });
});

describe('contacts', () => {
  it('accepts an open_id, a mainland mobile or an e-mail', () => {
    expect(normalizeContact('ou_7d8a6e6df7621556ce0d21922b676706')).toEqual({
      value: 'ou_7d8a6e6df7621556ce0d21922b676706',
    });
    expect(normalizeContact('13947000000')).toEqual({ value: '13947000000' });
    expect(normalizeContact('+86 139 4700 0000')).toEqual({ value: '13947000000' });
    expect(normalizeContact('zhang.san@wuhai.gov.cn')).toEqual({ value: 'zhang.san@wuhai.gov.cn' });
    expect(normalizeContact('12947000000').problem).toMatch(/is not a Feishu open_id/);
    expect(normalizeContact('1394700000').problem).toMatch(/is not a Feishu open_id/);
    expect(normalizeContact('on_abc').problem).toMatch(/is not a Feishu open_id/);
  });
});

describe('KeyIndex', () => {
  it('remembers where each key was first seen, exactly, through growth', () => {
    const index = new KeyIndex();
    const n = 200_000;
    const key = (i: number) => `91150302${i.toString(36).padStart(9, '0')}X`;
    let fresh = 0;
    for (let i = 0; i < n; i++) if (index.firstSeen(key(i), i + 2) === undefined) fresh++;
    expect(fresh).toBe(n);
    expect(index.size).toBe(n);
    const wrong: number[] = [];
    for (let i = 0; i < n; i += 7) if (index.firstSeen(key(i), 0) !== i + 2) wrong.push(i);
    expect(wrong).toEqual([]);
    expect(index.size).toBe(n);
  });

  it('tells apart keys that differ only in length or in non-ASCII characters, and handles long keys', () => {
    const index = new KeyIndex();
    expect(index.firstSeen('市场局', 2)).toBeUndefined();
    expect(index.firstSeen('市场', 3)).toBeUndefined();
    expect(index.firstSeen('市场局\t91150302', 4)).toBeUndefined();
    expect(index.firstSeen('', 5)).toBeUndefined();
    const long = 'x'.repeat(5000);
    expect(index.firstSeen(long, 6)).toBeUndefined();
    expect(index.firstSeen('市场局', 9)).toBe(2);
    expect(index.firstSeen('市场', 9)).toBe(3);
    expect(index.firstSeen('', 9)).toBe(5);
    expect(index.firstSeen(long, 9)).toBe(6);
    expect(index.firstSeen(long + 'y', 10)).toBeUndefined();
  });
});

describe('RowDigests', () => {
  it("tells a file's keys new, in the table or repeated, and which rows the same line wrote, in one index", () => {
    const keys = new RowDigests();
    keys.addTableRow('A', 1234567);
    keys.addTableRow('B', null); // written before digests were kept
    keys.addTableRow('E', '9007199254740991'); // PostgreSQL gives a bigint as text
    const a = keys.inFile('A', 2);
    expect(keys.earlierRow).toBe(0);
    expect(keys.inTable(a)).toBe(true);
    expect(keys.wroteFrom(a, 1234567)).toBe(true);
    expect(keys.wroteFrom(a, 1234568)).toBe(false);
    expect(keys.wroteFrom(keys.find('E'), 2 ** 53 - 1)).toBe(true);
    const c = keys.inFile('C', 3);
    expect(keys.earlierRow).toBe(0);
    expect(keys.inTable(c)).toBe(false);
    keys.inFile('A', 7);
    expect(keys.earlierRow).toBe(2);
    keys.inFile('C', 8);
    expect(keys.earlierRow).toBe(3);
    const b = keys.inFile('B', 9); // in the table, first time in the file
    expect(keys.earlierRow).toBe(0);
    expect(keys.inTable(b)).toBe(true);
    // No digest is no line: not even -1, the mark for none, matches it.
    expect(keys.wroteFrom(b, -1)).toBe(false);
    expect(keys.find('B')).toBe(1);
    expect(keys.find('D')).toBe(-1);
    expect(keys.inTable(-1)).toBe(false);
  });
});

describe('sourceDigester', () => {
  const defs = KINDS.departments.columns;
  const resolve = (headers: string[]) => resolveColumns('d.csv', 'departments', defs, headers);
  const digestOf = sourceDigester('departments', defs, resolve(['code', 'name', 'head', 'liaison']));

  it('gives a line the same digest whatever the order of its columns and whatever else the file holds', () => {
    const other = sourceDigester('departments', defs, resolve(['remark', 'liaison', 'name', 'code', 'head']));
    expect(other(['x', 'ou_2', '市场监管局', 'SCJG', 'ou_1'])).toBe(
      digestOf(['SCJG', '市场监管局', 'ou_1', 'ou_2']),
    );
  });

  it('tells apart cells that read alike: other text, a moved boundary, an empty cell from a missing one, a number from its text', () => {
    const lines = [
      ['SCJG', '市场监管局', 'ou_1', ''],
      ['SCJG', '市场监管局', 'ou_1', ' '],
      ['SCJG', '市场监管局', 'ou_1', 'x'],
      ['SCJ', 'G市场监管局', 'ou_1', ''],
      ['SCJG', '市场监管局', 'ou_1'],
      [12, '市场监管局', 'ou_1', ''],
      ['12', '市场监管局', 'ou_1', ''],
      [new Date('2026-01-05T00:00:00Z'), '市场监管局', 'ou_1', ''],
      ['2026-01-05T00:00:00.000Z', '市场监管局', 'ou_1', ''],
      [true, '市场监管局', 'ou_1', ''],
      ['true', '市场监管局', 'ou_1', ''],
    ];
    expect(new Set(lines.map(digestOf)).size).toBe(lines.length);
    // A cell past the end of a short row is missing, as a null one is.
    expect(digestOf(['SCJG', '市场监管局', 'ou_1'])).toBe(digestOf(['SCJG', '市场监管局', 'ou_1', null]));
  });

  it('differs between kinds, and stays a whole number below 2^53 (exact in SQLite and PostgreSQL)', () => {
    // The same cells read as another kind (with the departments' columns, to show it is the kind that differs).
    const items = sourceDigester('items', defs, resolve(['code', 'name', 'head', 'liaison']));
    const asDepartment = digestOf(['SCJG', '市场监管局']);
    expect(items(['SCJG', '市场监管局'])).not.toBe(asDepartment);
    for (let i = 0; i < 1000; i++) {
      const d = digestOf([`D${i}`, `部门${i}`]);
      expect(Number.isSafeInteger(d) && d >= 0).toBe(true);
    }
  });
});

describe('Utf8Validator', () => {
  const text = Buffer.from('统一社会信用代码,名称\n9115030260J006RL9Q,乌海昌明商贸😀有限公司\n');

  it('accepts UTF-8 split at every possible byte boundary', () => {
    for (let size = 1; size <= 7; size++) {
      const v = new Utf8Validator();
      for (let i = 0; i < text.length; i += size) v.push(text.subarray(i, i + size));
      expect(v.end(), `chunks of ${size}`).toBe(true);
    }
  });

  it('rejects GBK, stray continuation bytes and a truncated last character', () => {
    const gbk = Buffer.from([0xce, 0xda, 0xba, 0xa3]); // 乌海 in GBK
    for (const bytes of [gbk, Buffer.from([0x41, 0x80]), text.subarray(0, text.indexOf(0x0a) - 1)]) {
      const v = new Utf8Validator();
      for (let i = 0; i < bytes.length; i += 2) v.push(bytes.subarray(i, i + 2));
      expect(v.end()).toBe(false);
    }
  });
});

describe('helpers', () => {
  it('splits batches into powers of two', () => {
    expect(chunkSizes(2500, 1024)).toEqual([1024, 1024, 256, 128, 64, 4]);
    expect(chunkSizes(0, 1024)).toEqual([]);
    expect(chunkSizes(7, 4)).toEqual([4, 2, 1]);
  });

  it('matches Chinese, English and combined header names', () => {
    const defs = [col('uscc', '统一社会信用代码', 'uscc', true), col('legal_rep', '法定代表人', 'legal_rep')];
    for (const header of [
      ['统一社会信用代码'],
      ['USCC'],
      ['统一社会信用代码 uscc'],
      ['统一社会信用代码（USCC）'],
    ])
      expect(resolveColumns('t.csv', 'targets', defs, header).index).toEqual({ uscc: 0 });
    const r = resolveColumns('t.csv', 'targets', defs, ['', 'Legal Rep', '\uFEFF统一社会信用代码', '备注']);
    expect(r.index).toEqual({ uscc: 2, legal_rep: 1 });
    expect(r.header).toEqual({ uscc: '统一社会信用代码', legal_rep: 'Legal Rep' });
    expect(r.warnings).toEqual(['t.csv: column "备注" is not one of the targets columns; ignored']);
  });

  it('formats problems and caps the kept list', () => {
    const p = new Problems('x.csv', 2);
    p.add(5, '名称', 'b');
    p.add(3, null, 'a');
    p.add(9, '名称', 'c');
    expect(p.count).toBe(3);
    expect(p.lines()).toEqual(['x.csv: row 3: a', 'x.csv: row 5, column 名称: b', 'x.csv: … and 1 more']);
  });

  it('shows a progress bar only on a terminal, and only once the work takes longer than the delay', async () => {
    class Tty extends Writable {
      isTTY = true;
      text = '';
      override _write(chunk: Buffer, _e: string, cb: () => void) {
        this.text += chunk.toString();
        cb();
      }
    }
    const quiet = new Tty();
    const fast = progressBar(quiet, 'import targets', 100, 1000);
    fast.update(100, 10);
    fast.stop();
    expect(quiet.text).toBe('');

    const tty = new Tty();
    const slow = progressBar(tty, 'import targets', 100, 0);
    slow.update(10, 5);
    slow.update(50, 25);
    slow.phase('import targets: writing', 20);
    slow.update(10, 10);
    slow.stop();
    expect(tty.text).toContain('import targets');
    expect(tty.text).toContain('100%');
    expect(tty.text).toContain('25 rows');
    // Writing, after reading, has a bar of its own.
    expect(tty.text).toContain('import targets: writing');

    const pipe = Object.assign(new Tty(), { isTTY: false });
    const none = progressBar(pipe, 'import targets', 100, 0);
    none.update(50, 1);
    none.stop();
    expect(pipe.text).toBe('');
  });
});
