import { Hono } from 'hono';
import type { App } from '../app.ts';
import { cachedBotOpenId, type BotContext } from './context.ts';
import { dispatch } from './dispatch.ts';
import { feishuFromConfig, type FeishuClient } from './feishu/client.ts';
import { checkHealth } from './health.ts';
import { botInstanceId } from './instance.ts';
import { resolveIdentities } from '../services/identities.ts';
import { mountFeishuReceivers } from './receivers/http.ts';
import { createSdkDispatcher } from './receivers/sdk-dispatcher.ts';
import { startWsReceiver } from './receivers/ws.ts';
import { startScheduler, type Scheduler } from './scheduler.ts';
import { createSender, type Sender } from './sender.ts';

export interface BotRuntime {
  http: Hono;
  sender: Sender | null;
  /** Null when started with `scheduler: false`. */
  scheduler: Scheduler | null;
  stop(): Promise<void>;
}

export interface StartBotOptions {
  /** The Feishu client the sender uses (default: the configured one). */
  feishu?: FeishuClient;
  /**
   * Tick every minute (default true). The e2e tests turn it off and drive time with `liancha tick --at` instead
   * of the wall clock.
   */
  scheduler?: boolean;
}

/**
 * Wires the running bot: HTTP routes (/healthz always; the Feishu receivers in `http` mode), the WS long
 * connection in `ws` mode, the outbox sender and the scheduler. Without Feishu credentials only /healthz and the
 * scheduler run; `serve` in local mode gives it the embedded simulator's (`src/sim/local-mode.ts`).
 */
export function startBot(app: App, options: StartBotOptions = {}): BotRuntime {
  const http = new Hono();
  let sender: Sender | null = null;
  const instanceId = botInstanceId(app.config);
  const scheduler =
    (options.scheduler ?? true)
      ? startScheduler(app, { instance: instanceId, afterTick: () => sender?.wake() })
      : null;
  http.get('/healthz', async (c) => {
    const health = await checkHealth(app, sender, scheduler);
    return c.json(health, health.ok ? 200 : 503);
  });
  if (!app.config.FEISHU_APP_ID) {
    // No Feishu app at all: only /healthz and the scheduler (`serve` gives local mode the simulator's app instead).
    return { http, sender, scheduler, stop: async () => void (await scheduler?.stop()) };
  }

  const feishu = options.feishu ?? feishuFromConfig(app.config, { log: app.log });
  sender = createSender({
    store: app.store,
    feishu,
    clock: app.clock,
    log: app.log,
    instanceId,
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
    scheduler,
    async stop() {
      await scheduler?.stop();
      ws?.close();
      await sender?.stop();
    },
  };
}
