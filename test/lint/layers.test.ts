/**
 * The layer rules of docs/architecture.md are enforced by ESLint: a probe that breaks each rule is an error, and
 * the same kind of import where it is allowed is not.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function errorsIn(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer rules', () => {
  it.each([
    ['src/services/probe.ts', "import { sql } from 'kysely';\nexport const q = sql`select 1`;\n"],
    ['src/bot/probe.ts', "import Database from 'better-sqlite3';\nexport const d = Database;\n"],
    ['src/cli/probe.ts', "import pg from 'pg';\nexport const p = pg;\n"],
    ['src/import/probe.ts', "import { Kysely } from 'kysely';\nexport const k = Kysely;\n"],
    ['src/domain/probe.ts', "import { getTask } from '../storage/tasks.ts';\nexport const g = getTask;\n"],
    [
      'src/domain/probe.ts',
      "import { myTasks } from '../services/my-tasks.ts';\nexport const m = myTasks;\n",
    ],
    ['src/domain/probe.ts', "import { loadConfig } from '../config.ts';\nexport const c = loadConfig;\n"],
    ['src/domain/probe.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
    ['src/domain/probe.ts', 'export const now = () => Date.now();\n'],
    ['src/cards/probe.ts', "import { getTask } from '../storage/tasks.ts';\nexport const g = getTask;\n"],
    ['src/cards/probe.ts', "import { dispatch } from '../bot/dispatch.ts';\nexport const d = dispatch;\n"],
    ['src/cards/probe.ts', "import { createApp } from '../app.ts';\nexport const a = createApp;\n"],
    ['src/cards/probe.ts', "import { myTasks } from '../services/my-tasks.ts';\nexport const m = myTasks;\n"],
  ])('%s: %s is refused', async (file, code) => {
    expect(await errorsIn(file, code)).not.toEqual([]);
  });

  it.each([
    ['src/storage/probe.ts', "import { sql } from 'kysely';\nexport const q = sql`select 1`;\n"],
    ['migrations/probe.ts', "import { sql } from 'kysely';\nexport const q = sql`select 1`;\n"],
    ['src/services/probe.ts', "import type { Kysely } from 'kysely';\nexport type K = Kysely<object>;\n"],
    [
      'src/cards/probe.ts',
      "import type { TaskDefinition } from '../domain/task.ts';\nexport type T = TaskDefinition;\n",
    ],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await errorsIn(file, code)).toEqual([]);
  });
});
