import * as lark from '@larksuiteoapi/node-sdk';
import type { App } from '../../app.ts';

/**
 * `FEISHU_MODE=ws`: the SDK's long connection delivers events and card callbacks over an outbound WebSocket
 * (no public URL — the usual case in a government network). The SDK authenticates the connection itself; the
 * same dispatcher and dispatch as HTTP handle what arrives, and the handler's return value answers a callback.
 */
export function startWsReceiver(app: App, dispatcher: lark.EventDispatcher): { close(): void } {
  const domain =
    app.config.FEISHU_DOMAIN === 'feishu'
      ? lark.Domain.Feishu
      : app.config.FEISHU_DOMAIN === 'lark'
        ? lark.Domain.Lark
        : app.config.FEISHU_DOMAIN;
  const client = new lark.WSClient({
    appId: app.config.FEISHU_APP_ID!,
    appSecret: app.config.FEISHU_APP_SECRET!,
    domain,
    loggerLevel: lark.LoggerLevel.warn,
  });
  void client.start({ eventDispatcher: dispatcher });
  return { close: () => client.close({ force: true }) };
}
