import { createServer } from 'node:http';
import { getRequestListener, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { nodeReceiversOf } from './receivers/http.ts';

/**
 * Starts listening; resolves once the port is bound, rejects when it cannot be (EADDRINUSE, EACCES). What
 * @hono/node-server's `serve` does, with the Feishu receivers mounted on `http` (if any) answering their two POST
 * endpoints on node:http before Hono sees them (src/bot/receivers/http.ts: the same answers, less CPU a click).
 */
export function listen(http: Hono, port: number, hostname?: string): Promise<ServerType> {
  const hono = getRequestListener(http.fetch, hostname ? { hostname } : {});
  const receivers = nodeReceiversOf(http);
  const server = createServer(
    receivers
      ? (req, res) => void (receivers(req, res) || hono(req, res))
      : (req, res) => void hono(req, res),
  );
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
