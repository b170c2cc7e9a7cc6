import { userInfo } from 'node:os';
import pino, { type Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { localTimeWithSeconds } from './domain/time.ts';
import { sentenceDestination } from './log-format.ts';
import { LOCAL_BANNER } from './sim/banner.ts';
import { openStore, postgresConnectionProblem, type Store } from './storage/db.ts';
import { migrate, type MigrationReport } from './storage/migrate.ts';

/** Where "now" comes from. Tests and `--at` pass a fixed clock; everything else uses the system one. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** The composition root: configuration, database, clock and logger, wired once and handed to every command. */
export interface App {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  /** What start-up did to the schema: the migrations it applied (none when it was current). */
  migrations: MigrationReport;
  /** Who is acting, for the audit log: the OS user running the CLI. */
  actor: string;
  close(): Promise<void>;
}

export interface AppOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Logs go to stderr so that stdout stays data. */
  logDestination?: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * The log format when LOG_FORMAT is not set. CLI commands pass `pretty` (sentences for people); left out
   * (the server), it is `pretty` on a terminal and `json` otherwise (README).
   */
  logFormat?: 'json' | 'pretty';
  /**
   * The server (`serve`, `npm start`): pretty logs go through pino-pretty (times in LIANCHA_TZ) instead of the CLI's
   * sentences, and in local mode the first line says so, before anything else is logged.
   */
  server?: boolean;
}

/** Validates the environment, opens the database and brings it to the newest schema. */
export async function createApp(options: AppOptions = {}): Promise<App> {
  const config = loadConfig(options.env ?? process.env);
  const destination = options.logDestination ?? process.stderr;
  const format = config.LOG_FORMAT ?? options.logFormat ?? (destination.isTTY ? 'pretty' : 'json');
  const log = pino(
    { level: config.LOG_LEVEL, base: undefined },
    format === 'json'
      ? (destination as pino.DestinationStream)
      : options.server
        ? await prettyDestination(destination, config.LIANCHA_TZ)
        : sentenceDestination(destination),
  );
  if (options.server && config.localMode)
    log.info(
      { mode: 'local', listen: `http://${config.host}:${config.PORT}/sim` },
      `${LOCAL_BANNER.zh} (${LOCAL_BANNER.en}): no FEISHU_APP_ID, so liancha runs against its built-in Feishu simulator`,
    );
  const store = openStore(config.DATABASE_URL);
  let migrations: MigrationReport;
  try {
    migrations = await migrate(store);
    if (migrations.applied.length > 0)
      log.info(
        { applied: migrations.applied },
        `${store.description}: applied ${migrations.applied.length} migration(s): ${migrations.applied.join(', ')}`,
      );
  } catch (err) {
    await store.close();
    const problem = store.dialect === 'postgres' ? postgresConnectionProblem(err) : null;
    if (problem)
      throw new ConfigError(`DATABASE_URL (${store.description}): cannot use PostgreSQL: ${problem}`);
    throw err;
  }
  return {
    config,
    store,
    migrations,
    clock: options.clock ?? systemClock,
    log,
    actor: `cli:${safeUser()}`,
    close: () => store.close(),
  };
}

/**
 * pino-pretty for a person at the server's terminal: colours when it is one, times in the office's zone. Its
 * formatter is called line by line (`prettyFactory`) rather than through its transport stream, so every line is
 * out before the next statement runs (the stream would lose the last lines of a process that exits).
 */
async function prettyDestination(
  out: NodeJS.WritableStream & { isTTY?: boolean },
  tz: string,
): Promise<pino.DestinationStream> {
  // Loaded on demand: only the server on a terminal needs it.
  const { prettyFactory } = await import('pino-pretty');
  const pretty = prettyFactory({
    colorize: Boolean(out.isTTY),
    // Raw epoch milliseconds to the prettifier: pino-pretty's own translation knows only UTC and the system zone.
    translateTime: false,
    customPrettifiers: { time: (t) => `[${localTimeWithSeconds(Number(t), tz)}]` },
  });
  return { write: (line: string) => void out.write(pretty(line)) };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
