import type { Hono } from 'hono';
import type { EventDispatcher } from '@larksuiteoapi/node-sdk';
import type { App } from '../../app.ts';
import { verifyDelivery } from './verify.ts';

/**
 * `POST /feishu/events` and `POST /feishu/callbacks`: verify the raw body (signature, timestamp, token), decode,
 * and hand the delivery to the SDK dispatcher → the bot's one dispatch. Refused → 401 and a log line, nothing
 * changes; malformed → 400. Callbacks answer with the listener's `{toast, card}` within Feishu's 3 s.
 */
export function mountFeishuReceivers(http: Hono, app: App, dispatcher: EventDispatcher): void {
  for (const [path, kind] of [
    ['/feishu/events', 'event'],
    ['/feishu/callbacks', 'callback'],
  ] as const) {
    http.post(path, async (c) => {
      const rawBody = await c.req.text();
      const verdict = verifyDelivery({
        rawBody,
        headers: {
          timestamp: c.req.header('x-lark-request-timestamp'),
          nonce: c.req.header('x-lark-request-nonce'),
          signature: c.req.header('x-lark-signature'),
        },
        encryptKey: app.config.FEISHU_ENCRYPT_KEY,
        verificationToken: app.config.FEISHU_VERIFICATION_TOKEN,
        now: app.clock(),
      });
      if (!verdict.ok) {
        app.log.warn({ path, status: verdict.status, reason: verdict.reason }, `feishu ${kind} refused`);
        return c.json({ error: verdict.reason }, verdict.status);
      }
      if (verdict.challenge !== undefined) return c.json({ challenge: verdict.challenge });
      const headers = Object.fromEntries(
        Object.entries(c.req.header()).map(([k, v]) => [k.toLowerCase(), v]),
      );
      try {
        // The SDK reads headers from the object's prototype (FEISHU.md); verification was done above on the raw text.
        const answer: unknown = await dispatcher.invoke(
          Object.assign(Object.create({ headers }), verdict.body),
          { needCheck: false },
        );
        return c.json(kind === 'callback' && answer && typeof answer === 'object' ? answer : {});
      } catch (err) {
        app.log.error({ err, path }, `feishu ${kind} handler failed`);
        // An event is redelivered by Feishu after a 5xx; a callback is not, so it gets a toast instead.
        if (kind === 'event') return c.json({ error: 'internal error' }, 500);
        return c.json({
          toast: {
            type: 'error',
            content: '处理失败，请稍后重试',
            i18n: { zh_cn: '处理失败，请稍后重试', en_us: 'Something went wrong; please try again' },
          },
        });
      }
    });
  }
}
