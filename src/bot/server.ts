import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { App } from '../app.ts';
import { checkHealth } from './health.ts';

/** The HTTP surface. Feishu receivers and the simulator mount here as they arrive. */
export function createHttpApp(app: App): Hono {
  const http = new Hono();
  http.get('/healthz', async (c) => {
    const health = await checkHealth(app);
    return c.json(health, health.ok ? 200 : 503);
  });
  return http;
}

/** Starts listening; resolves once the port is bound. */
export function listen(http: Hono, port: number): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch: http.fetch, port }, () => resolve(server));
  });
}
