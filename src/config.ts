import { validate as validateCron } from 'node-cron';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

/** README "Environment". Parsed once at start-up; a bad value stops with one line naming the variable. */
const cronExpression = z
  .string()
  .regex(/^(\S+\s+){4,5}\S+$/, 'must be a cron expression with 5 or 6 fields, e.g. "0 9 * * 1"')
  // node-cron's own check: every field within its range (minute 0–59, hour 0–23, …), as the scheduler reads it.
  .refine(
    (expr) => validateCron(expr),
    'is not a valid cron expression (minute 0–59, hour 0–23, day 1–31, month 1–12, weekday 0–7), e.g. "0 9 * * 1"',
  );

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, 'must be file:PATH or postgres://…')
    .default('file:./data/liancha.db'),
  FEISHU_APP_ID: z.string().min(1).optional(),
  FEISHU_APP_SECRET: z.string().min(1).optional(),
  FEISHU_ENCRYPT_KEY: z.string().min(1).optional(),
  FEISHU_VERIFICATION_TOKEN: z.string().min(1).optional(),
  FEISHU_DOMAIN: z
    .string()
    .regex(
      /^(feishu|lark|https?:\/\/\S+)$/,
      'must be feishu, lark or a base URL such as http://127.0.0.1:4010',
    )
    .default('feishu'),
  FEISHU_MODE: z.enum(['http', 'ws']).default('http'),
  JOINT_CHAT_ID: z.string().min(1).optional(),
  PORT: z.coerce
    .number({ invalid_type_error: 'must be a port number' })
    .int('must be a whole number')
    .min(1)
    .max(65535, 'must be a port between 1 and 65535')
    .default(3000),
  /** Absent: 127.0.0.1 in local mode (the simulator lets anyone act as anyone), else 0.0.0.0. */
  HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, 'must be an address to listen on, such as 127.0.0.1, 0.0.0.0 or ::')
    .optional(),
  LIANCHA_TZ: z
    .string()
    .refine((tz) => isTimeZone(tz), 'must be an IANA time zone such as Asia/Shanghai')
    .default('Asia/Shanghai'),
  DIGEST_CRON: cronExpression.default('0 9 * * 1'),
  REMINDER_CRON: cronExpression.default('0 9 * * *'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Absent: `pretty` on a terminal, else `json`; CLI commands other than `serve` print sentences (app.ts). */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  /** Settings where the regulations differ (docs/domain.md). */
  LIANCHA_GENERAL_RATIO_CAP: z.coerce.number().min(0).max(1).default(0.05),
  LIANCHA_SAME_YEAR_EXCLUSION: z.enum(['on', 'off']).default('on'),
});

export type Config = z.infer<typeof envSchema> & {
  localMode: boolean;
  /** HOST, or its default for the mode. */
  host: string;
};

export { ConfigError } from './errors.ts';

/** Validates the environment. Throws a ConfigError whose message is the one line to print. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable counts as unset, as it would in a .env file or a compose file.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new ConfigError(`${name}=${JSON.stringify(hidePassword(env[name] ?? ''))}: ${issue.message}`);
  }
  const cfg = parsed.data;
  if (Boolean(cfg.FEISHU_APP_ID) !== Boolean(cfg.FEISHU_APP_SECRET)) {
    const missing = cfg.FEISHU_APP_ID ? 'FEISHU_APP_SECRET' : 'FEISHU_APP_ID';
    throw new ConfigError(
      `${missing}: must be set together with ${missing === 'FEISHU_APP_ID' ? 'FEISHU_APP_SECRET' : 'FEISHU_APP_ID'}`,
    );
  }
  const localMode = !cfg.FEISHU_APP_ID;
  return { ...cfg, localMode, host: cfg.HOST ?? (localMode ? '127.0.0.1' : '0.0.0.0') };
}

/** `scheme://user:secret@host` → `scheme://user:***@host`: a value echoed in an error never shows a password. */
function hidePassword(value: string): string {
  return value.replace(/([^:@/\s]*):[^@/\s]*@/, '$1:***@');
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
