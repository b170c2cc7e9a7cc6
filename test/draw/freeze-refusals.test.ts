import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/db.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { foodTaskFile, importWuhai } from '../helpers/wuhai.ts';

const TASK = 'WH-STAFF-01';

async function wuhaiWithFoodTask(): Promise<string> {
  const { url, store } = await dialects()[0]!.fresh();
  await store.close();
  await importWuhai(url);
  const path = foodTaskFile(TASK);
  expect((await runCli(url, ['task', 'create', path])).code).toBe(0);
  return url;
}

async function withStore(url: string, change: (s: ReturnType<typeof openStore>) => Promise<unknown>) {
  const s = openStore(url);
  try {
    await change(s);
  } finally {
    await s.close();
  }
}

async function nothingFrozen(url: string): Promise<void> {
  const show = JSON.parse((await runCli(url, ['task', 'show', TASK, '--json'])).stdout);
  expect(show).toMatchObject({ state: 'draft', freeze: null });
}

describe('draw freeze refuses a task whose draw can never succeed', () => {
  it('a department of the task with no eligible officer: named, with the rule that left its officers out', async () => {
    const url = await wuhaiWithFoodTask();
    await withStore(url, (s) =>
      s.db.updateTable('inspectors').set({ active: 0 }).where('department', '=', 'SCJG').execute(),
    );
    const preview = await runCli(url, ['draw', 'preview', TASK]);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(
      /draw freeze would refuse this task: department SCJG has no eligible officer/,
    );

    const freeze = await runCli(url, [
      'draw',
      'freeze',
      TASK,
      '--entropy-source',
      '福彩3D 第2026330期开奖号码',
    ]);
    expect(freeze.stderr).toMatch(
      /^error: task WH-STAFF-01 cannot be frozen: department SCJG has no eligible officer \(of its 12 inspector\(s\): 9 not active \(在岗: 否\), 3 experts \(专家\), who are not drawn as officers\); every team needs 1 from it\. Nothing was saved/,
    );
    expect(freeze.stderr.trim().split('\n')).toHaveLength(1);
    expect(freeze.code).toBe(1);
    await nothingFrozen(url);

    // Once the directory is fixed, the same task freezes.
    await withStore(url, (s) =>
      s.db.updateTable('inspectors').set({ active: 1 }).where('department', '=', 'SCJG').execute(),
    );
    expect((await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', 'x'])).code).toBe(0);
  });

  it('officers that cover none of the target regions: no team can be staffed', async () => {
    const url = await wuhaiWithFoodTask();
    await withStore(url, (s) =>
      s.db.updateTable('inspectors').set({ regions: '["150399"]' }).where('department', '=', 'WJW').execute(),
    );
    const freeze = await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', 'x']);
    expect(freeze.code).toBe(1);
    expect(freeze.stderr).toMatch(
      /^error: task WH-STAFF-01 cannot be frozen: no region can staff a single team — officers must cover the team's region \(执法区域\): region 150302: WJW has 0 of 1; region 150303: WJW has 0 of 1\./,
    );
    await nothingFrozen(url);
  });

  it('an entropy source longer than a card can show is refused', async () => {
    const url = await wuhaiWithFoodTask();
    const freeze = await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', '福'.repeat(201)]);
    expect(freeze.code).toBe(1);
    expect(freeze.stderr).toMatch(/^error: --entropy-source is 201 characters long; at most 200/);
    await nothingFrozen(url);
    expect((await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', '福'.repeat(200)])).code).toBe(0);
  });
});
