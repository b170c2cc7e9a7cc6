/**
 * The floor for the draw benchmark: read the same eligible rows the freeze reads and hash their canonical
 * text — no eligibility code, no draw, no writes. Run in its own process; reports like bench/child.ts.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';

const [path, directories] = process.argv.slice(2) as [string, string];
const started = performance.now();
const db = new Database(path, { readonly: true });
const depts = directories.split(',');
const rows = db
  .prepare(
    `select uscc, risk, region from targets t where status = '存续'
     and exists (select 1 from target_departments d where d.uscc = t.uscc and d.department in (${depts.map(() => '?').join(',')}))`,
  )
  .raw()
  .iterate(...depts) as Iterable<[string, string, string]>;
const lines: string[] = [];
for (const [uscc, risk, region] of rows) lines.push(`${uscc}\t${risk}\t${region}\n`);
lines.sort(); // USCCs are ASCII: code-unit order is byte order
const hash = createHash('sha256').update(lines.join('')).digest('hex');
const ms = performance.now() - started;
writeFileSync(
  process.env.BENCH_RESULT!,
  JSON.stringify({
    code: 0,
    ms,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    lines: lines.length,
    hash,
  }),
);
