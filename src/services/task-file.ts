import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RISK_CLASSES, type RiskClass } from '../domain/directory.ts';
import { ratioToBasisPoints } from '../domain/task.ts';
import { UserError } from '../errors.ts';

/** The task file of README "Task file" (YAML or JSON), as written by the operator. */
const code = z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a code of ASCII letters, digits, - or _');
const isoDate = z.preprocess(
  (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-12-01')
    .refine(
      (s) =>
        !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
      'is not a real date',
    ),
);
const ratio = z
  .number({ invalid_type_error: 'must be a number between 0 and 1' })
  .refine((r) => ratioToBasisPoints(r) !== null, {
    message: 'must be between 0 and 1 with at most four decimals (e.g. 0.05)',
  });
const stringList = z.array(z.string().min(1)).nonempty('must not be empty');

/** Longest task name accepted: it is the title of every card about the task. */
export const TASK_NAME_MAX = 100;
/** A task file is a page of YAML; anything bigger is not one (and /dev/zero would never end). */
export const TASK_FILE_MAX_BYTES = 1024 * 1024;

export const taskFileSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1–64 ASCII letters, digits, - or _')
      .optional(),
    name: z
      .string()
      .trim()
      .min(1, 'is required')
      .refine((n) => [...n].length <= TASK_NAME_MAX, {
        message: `must be at most ${TASK_NAME_MAX} characters (it is the title of every card about the task)`,
      }),
    initiator: code,
    participants: z.array(code).default([]),
    items: z.array(code).nonempty('must list at least one inspection item'),
    scope: z
      .object({
        kinds: stringList.optional(),
        regions: z
          .array(z.union([z.string(), z.number()]).transform(String))
          .nonempty('must not be empty')
          .optional(),
        industries: stringList.optional(),
        directories: z.array(code).nonempty('must not be empty').optional(),
      })
      .strict()
      .default({}),
    ratio: z
      .union([ratio, z.object({ A: ratio, B: ratio, C: ratio, D: ratio }).partial().strict()])
      .optional(),
    count: z.number().int('must be a whole number').positive('must be at least 1').optional(),
    window: z.object({ start: isoDate, end: isoDate }).strict(),
    team: z
      .object({
        targetsPerTeam: z.number().int('must be a whole number').positive('must be at least 1'),
        officersPerParticipant: z
          .number()
          .int('must be a whole number')
          .positive('must be at least 1')
          .default(1),
      })
      .strict(),
    specialty: z.string().trim().min(1).optional(),
    resultDays: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(120, 'must be at most 120')
      .default(20),
  })
  .strict();

export type TaskFile = z.infer<typeof taskFileSchema>;

/** Ratios of a task file in basis points per risk class (a single number applies to every class). */
export function ratioBasisPoints(r: TaskFile['ratio']): Partial<Record<RiskClass, number>> | null {
  if (r === undefined) return null;
  const out: Partial<Record<RiskClass, number>> = {};
  for (const cls of RISK_CLASSES) {
    const value = typeof r === 'number' ? r : r[cls];
    if (value !== undefined) out[cls] = ratioToBasisPoints(value)!;
  }
  return out;
}

/** Reads and validates a task file; every problem is named by its field, e.g. `team.targetsPerTeam: must be at least 1`. */
export function readTaskFile(path: string): TaskFile {
  const name = basename(path);
  let text: string;
  try {
    // Checked before reading: a device or a FIFO (/dev/zero, /dev/stdin) would be read without end.
    const stat = statSync(path);
    if (!stat.isFile())
      throw new UserError(
        'TASK.FILE_NOT_REGULAR',
        `${name}: not a regular file (${stat.isDirectory() ? 'a directory' : 'a device, pipe or socket'}); give the path of a YAML or JSON task file`,
      );
    if (stat.size > TASK_FILE_MAX_BYTES)
      throw new UserError(
        'TASK.FILE_TOO_LARGE',
        `${name}: ${stat.size} bytes is too large for a task file (at most ${TASK_FILE_MAX_BYTES}); give the path of a YAML or JSON task file`,
      );
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(
      'TASK.FILE_UNREADABLE',
      `${name}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  let raw: unknown;
  try {
    raw = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new UserError(
      'TASK.FILE_SYNTAX',
      `${name}: not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const parsed = taskFileSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
  if (parsed.success) {
    const t = parsed.data;
    if ((t.ratio === undefined) === (t.count === undefined))
      problems.push('ratio/count: give exactly one of ratio or count');
    if (t.window.end < t.window.start)
      problems.push(`window.end: ${t.window.end} is before window.start ${t.window.start}`);
  }
  if (problems.length > 0)
    throw new UserError(
      'TASK.INVALID',
      `${name}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`,
      problems,
    );
  return parsed.data!;
}
