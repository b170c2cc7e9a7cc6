import { userInfo } from 'node:os';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from './config.ts';
import { openStore, type Store } from './storage/db.ts';
import { migrate } from './storage/migrate.ts';

/** Where "now" comes from. Tests and `--at` pass a fixed clock; everything else uses the system one. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** The composition root: configuration, database, clock and logger, wired once and handed to every command. */
export interface App {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  /** Who is acting, for the audit log: the OS user running the CLI. */
  actor: string;
  close(): Promise<void>;
}

export interface AppOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Logs go to stderr so that stdout stays data. */
  logDestination?: NodeJS.WritableStream;
}

/** Validates the environment, opens the database and brings it to the newest schema. */
export async function createApp(options: AppOptions = {}): Promise<App> {
  const config = loadConfig(options.env ?? process.env);
  const log = pino(
    { level: config.LOG_LEVEL, base: undefined },
    (options.logDestination ?? process.stderr) as pino.DestinationStream,
  );
  const store = openStore(config.DATABASE_URL);
  try {
    const report = await migrate(store);
    if (report.applied.length > 0) log.info({ applied: report.applied }, 'database migrated');
  } catch (err) {
    await store.close();
    throw err;
  }
  return {
    config,
    store,
    clock: options.clock ?? systemClock,
    log,
    actor: `cli:${safeUser()}`,
    close: () => store.close(),
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
