import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CategoryList } from '../domain/result.ts';
import { UserError } from '../errors.ts';
import { projectPath } from '../paths.ts';

const schema = z.object({
  version: z.string().min(1),
  source: z.string(),
  categories: z
    .array(
      z
        .object({
          code: z.string().regex(/^[A-Z_]+$/),
          zh: z.string().min(1),
          en: z.string().min(1),
          exclusive: z.boolean().optional(),
          needsFollowup: z.boolean().optional(),
        })
        .strict(),
    )
    .min(1),
});

let cached: CategoryList | null = null;

/**
 * The result categories (national wording and liancha's codes), from the versioned data file
 * `config/result-categories.json` — not from code, so a wording change is a reviewed data change. Read once per
 * process.
 */
export function resultCategories(
  path: URL | string = projectPath('config', 'result-categories.json'),
): CategoryList {
  if (cached && typeof path !== 'string') return cached;
  const parsed = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UserError(
      'RESULT.BAD_CATEGORIES',
      `config/result-categories.json: ${i.path.join('.')}: ${i.message}`,
    );
  }
  const list = { version: parsed.data.version, categories: parsed.data.categories };
  if (typeof path !== 'string') cached = list;
  return list;
}
