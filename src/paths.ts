import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root — the folder with package.json — whether this module runs from `src/` (tsx: tests, benches)
 * or from `dist/src/` (the build `npm start` runs). Files that are not code (config/, examples/, the /sim page)
 * are read from there, so both agree on where they are.
 */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project, e.g. `projectPath('config', 'holidays.json')`. */
export const projectPath = (...parts: string[]): string => join(PROJECT_ROOT, ...parts);

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
