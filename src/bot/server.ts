import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';

/** Starts listening; resolves once the port is bound. */
export function listen(http: Hono, port: number): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch: http.fetch, port }, () => resolve(server));
  });
}
