#!/usr/bin/env node
// The `liancha` command. It runs the compiled build in dist/ (`npm run build`, which `npm ci` runs through
// `prepare`): plain JavaScript starts in a fraction of the time tsx needs to transpile the sources. When a source
// file is newer than the build — someone changed src/ and did not rebuild — it runs the sources through tsx
// instead (a devDependency), so a command never runs stale code. Checking takes a few milliseconds of stat calls.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.built');

/** The newest modification time under `dir` (ms), or 0 when it does not exist. */
function newest(dir) {
  let latest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    latest = Math.max(latest, e.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function builtAt() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return 0;
  }
}

const built = builtAt();
const stale = built === 0 || newest(join(root, 'src')) > built || newest(join(root, 'migrations')) > built;
let main;
if (stale) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import('../src/cli/main.ts'));
  } catch (err) {
    if (built === 0 || err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    // No tsx (installed without devDependencies): the build is what there is.
    ({ main } = await import('../dist/src/cli/main.js'));
  }
} else {
  ({ main } = await import('../dist/src/cli/main.js'));
}
process.exitCode = await main(process.argv.slice(2));
