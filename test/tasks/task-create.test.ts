import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { importWuhai, WUHAI_DIR } from '../helpers/wuhai.ts';

const dir = mkdtempSync(join(tmpdir(), 'liancha-tasks-'));
let n = 0;
function taskFile(text: string, ext = 'yaml'): string {
  const path = join(dir, `task-${n++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

const base = `name: 测试任务
initiator: SCJG
participants: [WJW, YJGL]
items: [SCJG-002, WJW-003, YJGL-001]
ratio: { A: 0.03, B: 0.05 }
window: { start: 2026-12-01, end: 2026-12-31 }
team: { targetsPerTeam: 6 }
`;

describe('task create', () => {
  let url: string;
  beforeAll(async () => {
    const f = await dialects()[0]!.fresh();
    await f.store.close();
    url = f.url;
    await importWuhai(url);
  });

  it('creates both sample tasks and prints the id alone on the last line', async () => {
    for (const file of ['task-food.yaml', 'task-hazchem.yaml']) {
      const res = await runCli(url, ['task', 'create', join(WUHAI_DIR, file)]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout.trim().split('\n').at(-1)).toMatch(/^(SCJG|YJGL)-2026-\d{3}$/);
    }
    const list = JSON.parse((await runCli(url, ['task', 'list', '--json'])).stdout);
    expect(list.map((t: { state: string }) => t.state)).toEqual(['draft', 'draft']);
  });

  it('accepts JSON too, and numbers ids per initiator and year', async () => {
    const json = JSON.stringify({
      name: 'json task',
      initiator: 'SCJG',
      participants: ['WJW'],
      items: ['SCJG-001'],
      count: 3,
      window: { start: '2026-12-01', end: '2026-12-20' },
      team: { targetsPerTeam: 3 },
    });
    const a = await runCli(url, ['task', 'create', taskFile(json, 'json')]);
    const b = await runCli(url, ['task', 'create', taskFile(json, 'json')]);
    expect(a.code, a.stderr).toBe(0);
    const [ida, idb] = [a.stdout.trim().split('\n').at(-1)!, b.stdout.trim().split('\n').at(-1)!];
    expect(Number(idb.slice(-3))).toBe(Number(ida.slice(-3)) + 1);
  });

  it.each([
    [
      'an unknown department',
      base.replace('participants: [WJW, YJGL]', 'participants: [WJW, XXX]'),
      /participants\[1\]: department XXX is not in the department directory/,
    ],
    [
      'an unknown item',
      base.replace('YJGL-001]', 'YJGL-999]'),
      /items\[2\]: inspection item YJGL-999 is not in the item list/,
    ],
    [
      'a ratio above 1',
      base.replace('B: 0.05', 'B: 1.5'),
      /ratio\.B: must be between 0 and 1 with at most four decimals/,
    ],
    [
      'a ratio with five decimals',
      base.replace('B: 0.05', 'B: 0.00005'),
      /ratio\.B: must be between 0 and 1 with at most four decimals/,
    ],
    [
      'an end before the start',
      base.replace('end: 2026-12-31', 'end: 2026-11-30'),
      /window\.end: 2026-11-30 is before window\.start 2026-12-01/,
    ],
    [
      'a participant equal to the initiator',
      base.replace('[WJW, YJGL]', '[WJW, SCJG]'),
      /participants\[1\]: SCJG is the initiator/,
    ],
    [
      'a general-only task above the ratio cap',
      base.replace('[SCJG-002, WJW-003, YJGL-001]', '[SCJG-002, WJW-003]').replace('B: 0.05', 'B: 0.08'),
      /ratio\.B: 0\.08 is above the cap of 0\.05 for a task whose items are all general/,
    ],
    ['both ratio and count', base + 'count: 5\n', /give exactly one of ratio or count/],
    ['an unknown field', base + 'colour: red\n', /Unrecognized key\(s\) in object: 'colour'/],
    [
      'a team size of zero',
      base.replace('targetsPerTeam: 6', 'targetsPerTeam: 0'),
      /team\.targetsPerTeam: must be at least 1/,
    ],
    [
      'a date that does not exist',
      base.replace('start: 2026-12-01', 'start: 2026-02-30'),
      /window\.start: is not a real date/,
    ],
  ])('refuses %s, naming the field', async (_what, text, message) => {
    const res = await runCli(url, ['task', 'create', taskFile(text)]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).toMatch(/^error: task-\d+\.yaml: /);
  });

  it('a general ratio cap is a setting', async () => {
    const text = base
      .replace('[SCJG-002, WJW-003, YJGL-001]', '[SCJG-002, WJW-003]')
      .replace('B: 0.05', 'B: 0.08');
    const res = await runCli(url, ['task', 'create', taskFile(text)], {
      env: { LIANCHA_GENERAL_RATIO_CAP: '0.1' },
    });
    expect(res.code, res.stderr).toBe(0);
  });

  it('reports every problem of a file at once', async () => {
    const text = base
      .replace('participants: [WJW, YJGL]', 'participants: [WJW, XXX]')
      .replace('YJGL-001]', 'YJGL-999]');
    const res = await runCli(url, ['task', 'create', taskFile(text)]);
    expect(res.stderr).toMatch(/2 problem/);
  });
});
