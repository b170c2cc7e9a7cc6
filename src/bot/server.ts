import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';

/** Starts listening; resolves once the port is bound, rejects when it cannot be (EADDRINUSE, EACCES). */
export function listen(http: Hono, port: number, hostname?: string): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: http.fetch, port, ...(hostname ? { hostname } : {}) }, () => {
      server.off('error', reject);
      resolve(server);
    });
    server.once('error', reject);
  });
}
