import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs the stdlib-only Python script published in docs/draw-algorithm.md on an exported record: an implementation
 * independent of the project's, as an auditor would use it. Returns what it prints (`MATCH`, or the difference).
 */
export function independentVerifier(exportFile: string): string {
  const doc = readFileSync(new URL('../../docs/draw-algorithm.md', import.meta.url), 'utf8');
  const script = /```python\n([\s\S]*?)```/.exec(doc)![1]!;
  const path = join(mkdtempSync(join(tmpdir(), 'liancha-py-')), 'verify.py');
  writeFileSync(path, script);
  return execFileSync('python3', [path, exportFile], { encoding: 'utf8' }).trim();
}
