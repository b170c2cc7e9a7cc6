/**
 * `bin/liancha.js` runs the compiled build when it is current and the sources when they are newer — so `npm start`
 * after `npm ci` runs plain JavaScript, and a command run after an edit never runs stale code. Tried on a copy of
 * the bin in a scratch project whose two `main`s say which one ran.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');

function scratchProject(): { root: string; run: () => string } {
  const root = mkdtempSync(join(tmpdir(), 'liancha-bin-'));
  for (const dir of ['bin', 'dist/src/cli', 'src/cli', 'migrations'])
    mkdirSync(join(root, dir), { recursive: true });
  copyFileSync(join(REPO, 'bin', 'liancha.js'), join(root, 'bin', 'liancha.js'));
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }');
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  const main = (who: string) =>
    `export async function main(argv) { process.stdout.write('${who} ' + argv.join(' ')); return 0; }\n`;
  writeFileSync(join(root, 'dist', 'src', 'cli', 'main.js'), main('dist'));
  writeFileSync(join(root, 'src', 'cli', 'main.ts'), main('src').replace('(argv)', '(argv: string[])'));
  return {
    root,
    run: () =>
      execFileSync(process.execPath, [join(root, 'bin', 'liancha.js'), '--help'], { encoding: 'utf8' }),
  };
}

/** Sets a file's modification time `secondsAgo` in the past. */
const age = (path: string, secondsAgo: number) => {
  const t = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(path, t, t);
};

describe('bin/liancha.js', () => {
  it('runs dist/ when the build is newer than every source', () => {
    const p = scratchProject();
    age(join(p.root, 'src', 'cli', 'main.ts'), 60);
    writeFileSync(join(p.root, 'dist', '.built'), 'now');
    expect(p.run()).toBe('dist --help');
  });

  it('runs the sources (through tsx) when one is newer than the build, or there is no build', () => {
    const p = scratchProject();
    writeFileSync(join(p.root, 'dist', '.built'), 'earlier');
    age(join(p.root, 'dist', '.built'), 60);
    expect(p.run()).toBe('src --help');

    const q = scratchProject();
    expect(q.run()).toBe('src --help');
  });

  it('counts a changed migration as a change too', () => {
    const p = scratchProject();
    age(join(p.root, 'src', 'cli', 'main.ts'), 120);
    writeFileSync(join(p.root, 'dist', '.built'), 'earlier');
    age(join(p.root, 'dist', '.built'), 60);
    writeFileSync(join(p.root, 'migrations', '007_new.ts'), 'export {};\n');
    expect(p.run()).toBe('src --help');
  });
});
