import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { importWuhai } from '../helpers/wuhai.ts';

let url: string;
const dir = mkdtempSync(join(tmpdir(), 'liancha-taskfile-'));

function taskFile(name: string, lines: Record<string, string>): string {
  const base: Record<string, string> = {
    name: '食品抽查',
    initiator: 'SCJG',
    participants: '[WJW, YJGL]',
    items: '[SCJG-002, WJW-003, YJGL-001]',
    scope: "{ regions: ['150302', '150303'], directories: [SCJG] }",
    count: '6',
    window: '{ start: 2026-12-01, end: 2026-12-31 }',
    team: '{ targetsPerTeam: 3 }',
    ...lines,
  };
  const path = join(dir, name);
  writeFileSync(
    path,
    Object.entries(base)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n') + '\n',
  );
  return path;
}

async function taskCount(): Promise<number> {
  return JSON.parse((await runCli(url, ['task', 'list', '--json'])).stdout).length;
}

beforeAll(async () => {
  const { url: u, store } = await dialects()[0]!.fresh();
  await store.close();
  url = u;
  await importWuhai(url);
});

describe('task create: files that are not task files', () => {
  it('refuses /dev/zero at once instead of reading it forever', async () => {
    const started = Date.now();
    const res = await runCli(url, ['task', 'create', '/dev/zero']);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.stderr).toBe(
      'error: zero: not a regular file (a device, pipe or socket); give the path of a YAML or JSON task file\n',
    );
    expect(res.code).toBe(1);
    expect(await taskCount()).toBe(0);
  });

  it('refuses a directory and a file over 1 MB with one line each', async () => {
    const asDir = await runCli(url, ['task', 'create', dir]);
    expect(asDir.code).toBe(1);
    expect(asDir.stderr).toMatch(
      /^error: .*: not a regular file \(a directory\); give the path of a YAML or JSON task file\n$/,
    );
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `# ${'x'.repeat(1024 * 1024)}\nname: x\n`);
    const tooBig = await runCli(url, ['task', 'create', big]);
    expect(tooBig.code).toBe(1);
    expect(tooBig.stderr).toMatch(
      /^error: big\.yaml: 1048587 bytes is too large for a task file \(at most 1048576\)/,
    );
    expect(await taskCount()).toBe(0);
  });

  it('refuses a task name longer than 100 characters, naming the field', async () => {
    const res = await runCli(url, ['task', 'create', taskFile('long.yaml', { name: '长'.repeat(101) })]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/name: must be at most 100 characters/);
    expect(await taskCount()).toBe(0);
    const ok = await runCli(url, [
      'task',
      'create',
      taskFile('ok.yaml', { name: '长'.repeat(100), id: 'LEN-100' }),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe('task create: specialty and small pools', () => {
  it('refuses a specialty no inspector has, listing the ones there are', async () => {
    const res = await runCli(url, ['task', 'create', taskFile('spec.yaml', { specialty: '食品安仝' })]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /specialty: no inspector in the directory has the specialty "食品安仝" \(specialties there: .*食品安全/,
    );
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it('warns, in plain sentences, when a department has no or too few eligible officers', async () => {
    // 食品安全: SCJG and WJW have it, no officer of YJGL does.
    const none = await runCli(url, [
      'task',
      'create',
      taskFile('food.yaml', { specialty: '食品安全', id: 'SPEC-1' }),
    ]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout.trim().split('\n').at(-1)).toBe('SPEC-1');
    expect(none.stderr).toMatch(
      /^warning: department YJGL has 0 eligible officer\(s\) for this task and every team needs 1 \(of its 12 inspector\(s\): .*\d+ without the specialty 食品安全.*\): draw freeze will refuse it until the inspector directory changes$/m,
    );
    expect(none.stderr).not.toMatch(/"level"|\{"/); // no JSON log lines for a person
    // 税务: one officer each in SCJG and WJW.
    const few = await runCli(url, [
      'task',
      'create',
      taskFile('tax.yaml', {
        specialty: '税务',
        participants: '[WJW]',
        items: '[SCJG-002, WJW-003]',
        id: 'SPEC-2',
      }),
      '--json',
    ]);
    expect(few.code, few.stderr).toBe(0);
    const warnings = JSON.parse(few.stdout).warnings as string[];
    expect(warnings.some((w) => /^department (SCJG|WJW) has only 1 eligible officer\(s\)/.test(w))).toBe(
      true,
    );
  });
});
