import { hostname } from 'node:os';
import { Hono } from 'hono';
import { pruneDeliveries } from '../storage/inbound.ts';
import type { App } from '../app.ts';
import { cachedBotOpenId, type BotContext } from './context.ts';
import { dispatch } from './dispatch.ts';
import { feishuFromConfig, type FeishuClient } from './feishu/client.ts';
import { checkHealth } from './health.ts';
import { resolveIdentities } from '../services/identities.ts';
import { mountFeishuReceivers } from './receivers/http.ts';
import { createSdkDispatcher } from './receivers/sdk-dispatcher.ts';
import { startWsReceiver } from './receivers/ws.ts';
import { createSender, type Sender } from './sender.ts';

export interface BotRuntime {
  http: Hono;
  sender: Sender | null;
  stop(): Promise<void>;
}

/**
 * Wires the running bot: HTTP routes (/healthz always; the Feishu receivers in `http` mode), the WS long
 * connection in `ws` mode, and the outbox sender. Without Feishu credentials (local mode) only /healthz is served.
 */
export function startBot(app: App, options: { feishu?: FeishuClient } = {}): BotRuntime {
  const http = new Hono();
  let sender: Sender | null = null;
  http.get('/healthz', async (c) => {
    const health = await checkHealth(app, sender);
    return c.json(health, health.ok ? 200 : 503);
  });
  if (app.config.localMode) {
    app.log.info(
      'local mode (no FEISHU_APP_ID): Feishu endpoints are off; the built-in simulator is not built yet',
    );
    return { http, sender, stop: async () => {} };
  }

  const feishu = options.feishu ?? feishuFromConfig(app.config, { log: app.log });
  sender = createSender({
    store: app.store,
    feishu,
    clock: app.clock,
    log: app.log,
    // The same after a restart (several instances on one host listen on different ports): see reclaimOwnClaims.
    instanceId: `${hostname()}:${app.config.PORT}`,
  });
  const botOpenId = cachedBotOpenId(
    () => feishu.botInfo(),
    (err) => app.log.warn({ err }, 'bot info unavailable: group messages are ignored until Feishu answers'),
  );
  void botOpenId();
  const ctx: BotContext = { app, wakeSender: () => sender?.wake(), botOpenId };
  const dispatcher = createSdkDispatcher(app.config, (event) => dispatch(ctx, event));
  let ws: { close(): void } | null = null;
  if (app.config.FEISHU_MODE === 'ws') ws = startWsReceiver(app, dispatcher);
  else mountFeishuReceivers(http, app, dispatcher);
  sender.start();
  const pruning = startDeliveryPruning(app);
  // People imported by mobile or e-mail become reachable once Feishu tells us their open_id.
  void resolveIdentities(app, feishu).then(
    (r) => app.log.info({ ...r }, 'identities resolved'),
    (err: unknown) => app.log.warn({ err }, 'identity resolution failed; `liancha users check` retries'),
  );
  app.log.info(
    { mode: app.config.FEISHU_MODE },
    `Feishu ${app.config.FEISHU_MODE === 'ws' ? 'long connection' : 'endpoints POST /feishu/events, /feishu/callbacks'} ready`,
  );
  return {
    http,
    sender,
    async stop() {
      clearInterval(pruning);
      ws?.close();
      await sender?.stop();
    },
  };
}

/** Delivery ids are kept this long: well past Feishu's last re-delivery (6 h) and the signed window (7 h). */
export const DELIVERY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * `inbound_deliveries` would grow forever: at start-up and every hour, ids older than the retention are forgotten.
 * (The scheduler's tick takes this over once it exists.)
 */
function startDeliveryPruning(app: App): NodeJS.Timeout {
  const prune = () =>
    pruneDeliveries(app.store.db, new Date(app.clock().getTime() - DELIVERY_RETENTION_MS)).then(
      (n) => n > 0 && app.log.info({ pruned: n }, 'old delivery ids forgotten'),
      (err: unknown) => app.log.warn({ err }, 'pruning delivery ids failed'),
    );
  void prune();
  const timer = setInterval(() => void prune(), 60 * 60 * 1000);
  timer.unref();
  return timer;
}
