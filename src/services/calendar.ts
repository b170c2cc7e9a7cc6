import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { mergeCalendar, type CalendarData, type CalendarOverride } from '../domain/calendar.ts';
import { UserError } from '../errors.ts';
import { projectPath } from '../paths.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const overrideSchema = z.object({
  source: z.string().min(1),
  years: z.record(
    z.string().regex(/^\d{4}$/),
    z.object({ holidays: z.array(isoDate), workdays: z.array(isoDate) }),
  ),
});

/**
 * The working-day calendar: `chinese-days` (official notices 2004–2026) plus the reviewed override file
 * `config/holidays.json`. Coverage is the set of years actually present — chinese-days itself silently treats
 * later years as Monday–Friday, which is why its data is read here rather than its functions.
 */
export function loadCalendar(overridePath = projectPath('config', 'holidays.json')): CalendarData {
  // Built once per process: cards compute deadlines on every button press, and a reviewed change to the override
  // file takes effect when the server restarts (as any configuration does).
  const key = String(overridePath);
  const cached = calendars.get(key);
  if (cached) return cached;
  const calendar = buildCalendar(overridePath);
  calendars.set(key, calendar);
  return calendar;
}

const calendars = new Map<string, CalendarData>();

function buildCalendar(overridePath: URL | string): CalendarData {
  const require = createRequire(import.meta.url);
  const data = require('chinese-days/dist/chinese-days.json') as {
    holidays: Record<string, string>;
    workdays: Record<string, string>;
  };
  const holidays = new Set(Object.keys(data.holidays));
  const workdays = new Set(Object.keys(data.workdays));
  const coveredYears = new Set([...holidays].map((d) => Number(d.slice(0, 4))));
  return mergeCalendar({ coveredYears, holidays, workdays }, readOverride(overridePath));
}

function readOverride(path: URL | string): CalendarOverride | null {
  if (!existsSync(path)) return null;
  const parsed = overrideSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new UserError('CALENDAR.BAD_OVERRIDE', `config/holidays.json: ${i.path.join('.')}: ${i.message}`);
  }
  return parsed.data;
}
