/**
 * The Wuhai sample directories (../shared/fixtures/wuhai/) imported through the real CLI, for tests that need
 * a populated database.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { runCli } from './cli.ts';

/** Absolute path of the Wuhai fixtures: `shared/` sits beside the repository. */
export const WUHAI_DIR = fileURLToPath(new URL('../../../shared/fixtures/wuhai/', import.meta.url));

/** The five files in the order their references need. */
export const WUHAI_FILES = [
  ['departments', 'departments.csv'],
  ['items', 'items.csv'],
  ['targets', 'targets.csv'],
  ['inspectors', 'inspectors.csv'],
  ['conflicts', 'conflicts.csv'],
] as const;

/** Imports all five Wuhai files into the database at `url` through `liancha import`; each must exit 0. */
export async function importWuhai(url: string): Promise<void> {
  for (const [kind, file] of WUHAI_FILES) {
    const res = await runCli(url, ['import', kind, join(WUHAI_DIR, file)]);
    expect(res.code, `import ${kind}: ${res.stderr}`).toBe(0);
  }
}

/** The id the published draw vector (fixtures/draw-vectors/wuhai-food.json) gives the sample food task. */
export const FOOD_TASK = 'WH-2026-FOOD-01';

/** The sample food task (`task-food.yaml`) under `id`, written to a temporary file for `task create`. */
export function foodTaskFile(id: string = FOOD_TASK): string {
  const dir = mkdtempSync(join(tmpdir(), 'liancha-task-'));
  const path = join(dir, 'task-food.yaml');
  writeFileSync(path, `id: ${id}\n` + readFileSync(join(WUHAI_DIR, 'task-food.yaml'), 'utf8'));
  return path;
}
