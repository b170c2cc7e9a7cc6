import { hostname } from 'node:os';
import type { Config } from '../config.ts';

/**
 * Who this bot instance is, for the outbox claims its sender takes and the scheduled occasions its scheduler
 * records (`job_runs.instance`): `host:PORT`. The same after a restart (see `reclaimOwnClaims`), and different for
 * several instances on one host, which listen on different ports.
 */
export function botInstanceId(config: Pick<Config, 'PORT'>): string {
  return `${hostname()}:${config.PORT}`;
}
