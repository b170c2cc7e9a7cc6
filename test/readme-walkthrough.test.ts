/**
 * The README's walkthrough works as written (issue 7, item 17): every `npx liancha …` line of its shell blocks
 * runs, in order, on a new database, with the sample files shipped in examples/wuhai/.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { freshSqliteUrl } from './helpers/stores.ts';
import { WUHAI_DIR } from './helpers/wuhai.ts';
import { loadVector } from './helpers/wuhai-fixtures.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLES = join(ROOT, 'examples/wuhai');

/** `a "b c" d  # comment` → ['a', 'b c', 'd'] */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(#.*$)|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m[3] !== undefined) break;
    out.push(m[1] ?? m[2] ?? m[4]!);
  }
  return out;
}

/** The `npx liancha` lines of the README's sh blocks, without those that set their own DATABASE_URL. */
function walkthrough(): string[][] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split('\n'))
    .filter((l) => l.startsWith('npx liancha '))
    .map((l) => words(l).slice(2));
}

describe('the README walkthrough', () => {
  it('ships the Wuhai samples: the directory files as in the fixtures, the task files with their ids', () => {
    for (const name of readdirSync(WUHAI_DIR).filter((n) => n.endsWith('.csv')))
      expect(readFileSync(join(EXAMPLES, name)).equals(readFileSync(join(WUHAI_DIR, name))), name).toBe(true);
    const food = parseYaml(readFileSync(join(EXAMPLES, 'task-food.yaml'), 'utf8')) as Record<string, unknown>;
    expect(food.id).toBe(loadVector<{ taskId: string }>('wuhai-food.json').taskId);
    const { id: _id, ...rest } = food;
    expect(rest).toEqual(parseYaml(readFileSync(join(WUHAI_DIR, 'task-food.yaml'), 'utf8')));
    const hazchem = parseYaml(readFileSync(join(EXAMPLES, 'task-hazchem.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(hazchem.id).toBe('YJGL-2026-001');
  });

  it('runs as written on a new database and reproduces the published draw', async () => {
    const commands = walkthrough();
    expect(commands.map((c) => c.slice(0, 2).join(' '))).toEqual([
      'import departments',
      'import items',
      'import targets',
      'import inspectors',
      'import conflicts',
      'task create',
      'draw preview',
      'draw freeze',
      'draw run',
      'draw export',
      'draw verify',
      'results import',
      'results export',
      'results export',
    ]);
    const url = freshSqliteUrl();
    const work = mkdtempSync(join(tmpdir(), 'liancha-readme-'));
    const vector = loadVector<{ seed: string }>('wuhai-food.json');
    for (const args of commands) {
      // Paths in the README are relative to the repository's root; anything it writes goes to a temp dir.
      const resolved = args.map((a) =>
        a.startsWith('examples/') ? join(ROOT, a) : /\.(json|ya?ml|csv|xlsx)$/.test(a) ? join(work, a) : a,
      );
      const res = await runCli(url, resolved);
      expect(res.code, `liancha ${args.join(' ')}: ${res.stderr}`).toBe(0);
      if (args[0] === 'task') expect(res.stdout.trim().split('\n').at(-1)).toBe('WH-2026-FOOD-01');
      if (args[1] === 'run') expect(res.stdout).toContain(`seed ${vector.seed}`);
      if (args[1] === 'verify') expect(res.stdout.trim()).toBe('MATCH');
    }
  });
});
