/**
 * Times every better-sqlite3 statement call by its SQL, for the in-process callback bench
 * (`BENCH_STATEMENT_TIMES=1`): which of a click's statements cost what. Installed by wrapping
 * `Database.prototype.prepare` before the bot opens its database, so every statement the app prepares reports here;
 * counting starts with `start()`. A bench tool only: each timed call costs a `hrtime` pair more.
 */
import Database from 'better-sqlite3';

export interface StatementTime {
  sql: string;
  calls: number;
  usPerCall: number;
  msTotal: number;
}

export function installStatementTimer(): { start(): void; top(n: number): StatementTime[] } {
  const bySql = new Map<string, { calls: number; ns: bigint }>();
  let counting = false;
  const proto = Database.prototype as unknown as { prepare(sql: string): Record<string, unknown> };
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, sql: string) {
    const stmt = prepare.call(this, sql);
    for (const method of ['all', 'get', 'run', 'iterate']) {
      const call = stmt[method] as (...args: unknown[]) => unknown;
      stmt[method] = function (this: unknown, ...args: unknown[]) {
        if (!counting) return call.apply(this, args);
        const t0 = process.hrtime.bigint();
        try {
          return call.apply(this, args);
        } finally {
          const entry = bySql.get(sql) ?? { calls: 0, ns: 0n };
          entry.calls++;
          entry.ns += process.hrtime.bigint() - t0;
          bySql.set(sql, entry);
        }
      };
    }
    return stmt;
  };
  return {
    start: () => {
      counting = true;
    },
    top: (n) =>
      [...bySql.entries()]
        .sort((a, b) => Number(b[1].ns - a[1].ns))
        .slice(0, n)
        .map(([sql, e]) => ({
          sql: sql.replace(/\s+/g, ' ').slice(0, 160),
          calls: e.calls,
          usPerCall: Math.round(Number(e.ns) / e.calls / 100) / 10,
          msTotal: Math.round(Number(e.ns) / 1e5) / 10,
        })),
  };
}
