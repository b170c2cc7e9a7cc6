import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/db.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects, pgAvailable } from '../helpers/stores.ts';
import { foodTaskFile, importWuhai } from '../helpers/wuhai.ts';

const TASK = 'WH-RACE-01';

function taskFile(): string {
  const path = foodTaskFile(TASK);
  return path;
}

async function frozenTask(fresh: () => Promise<{ url: string; store: { close(): Promise<void> } }>) {
  const { url, store } = await fresh();
  await store.close();
  await importWuhai(url);
  expect((await runCli(url, ['task', 'create', taskFile()])).code).toBe(0);
  expect((await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', 's'])).code).toBe(0);
  return url;
}

async function drawRows(url: string) {
  const s = openStore(url);
  try {
    const draw = await s.db.selectFrom('draws').select(['entropy']).where('task_id', '=', TASK).execute();
    const teams = await s.db.selectFrom('teams').select('no').where('task_id', '=', TASK).execute();
    const runs = await s.db.selectFrom('audit_log').select('seq').where('action', '=', 'draw.run').execute();
    return { entropy: draw[0]?.entropy, teams: teams.length, runs: runs.length };
  } finally {
    await s.close();
  }
}

describe('two `draw run` at once', () => {
  it('SQLite: the one that loses the race is told the draw already ran (exit 1), not a database error', async () => {
    const url = await frozenTask(() => dialects()[0]!.fresh());
    // The loser checks "already ran" and computes its draw; just then (its first look at the clock, right
    // before its transaction) another process runs the same draw to the end.
    let raced = false;
    const clock = () => {
      if (!raced) {
        raced = true;
        execFileSync(process.execPath, ['bin/liancha.js', 'draw', 'run', TASK, '--entropy', 'winner'], {
          env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
          stdio: 'ignore',
        });
      }
      return new Date('2026-11-30T10:00:00Z');
    };
    const loser = await runCli(url, ['draw', 'run', TASK, '--entropy', 'loser'], { clock });
    expect(raced).toBe(true);
    expect(loser.stderr).not.toMatch(/internal error|SqliteError|LOCKED|\n\s+at /);
    expect(loser.stderr).toMatch(
      /^error: the draw of task WH-RACE-01 ran at .* with entropy "winner"; a draw runs once\n$/,
    );
    expect(loser.code).toBe(1);
    // The winner's draw stands, recorded once.
    expect(await drawRows(url)).toMatchObject({ entropy: 'winner', runs: 1 });
  });

  it.skipIf(!pgAvailable())(
    'PostgreSQL: of two runs started together one draws, the other is told it already ran',
    async () => {
      const url = await frozenTask(() => dialects()[1]!.fresh());
      const results = await Promise.all(
        ['first', 'second'].map((e) => runCli(url, ['draw', 'run', TASK, '--entropy', e])),
      );
      const codes = results.map((r) => r.code).sort();
      expect(codes, results.map((r) => r.stderr).join('\n')).toEqual([0, 1]);
      const loser = results.find((r) => r.code === 1)!;
      expect(loser.stderr).toMatch(
        /^error: the draw of task WH-RACE-01 (ran at|has already run).*a draw runs once\n$/,
      );
      const rows = await drawRows(url);
      expect(rows.runs).toBe(1);
      expect(rows.teams).toBeGreaterThan(0);
    },
  );
});

describe('two `draw freeze` of different tasks at once', () => {
  it.skipIf(!pgAvailable())(
    'PostgreSQL: both freeze, each with its own audit entry, the chain intact',
    async () => {
      const { url, store } = await dialects()[1]!.fresh();
      await store.close();
      await importWuhai(url);
      const ids = ['WH-RACE-A', 'WH-RACE-B'];
      for (const id of ids) {
        const path = foodTaskFile(id);
        expect((await runCli(url, ['task', 'create', path])).code).toBe(0);
      }
      const results = await Promise.all(
        ids.map((id) => runCli(url, ['draw', 'freeze', id, '--entropy-source', 's'])),
      );
      expect(
        results.map((r) => r.code),
        results.map((r) => r.stderr).join('\n'),
      ).toEqual([0, 0]);
      const s = openStore(url);
      try {
        const freezes = await s.db
          .selectFrom('audit_log')
          .select('subject')
          .where('action', '=', 'draw.freeze')
          .execute();
        expect(freezes.map((f) => f.subject).sort()).toEqual(ids);
      } finally {
        await s.close();
      }
      expect((await runCli(url, ['audit', 'verify'])).code).toBe(0);
    },
  );
});
