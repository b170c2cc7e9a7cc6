import type { App } from '../app.ts';

/** What a listener needs: the application, and a way to tell the sender that new messages are queued. */
export interface BotContext {
  app: App;
  wakeSender(): void;
  /**
   * The bot's own open_id (`GET /open-apis/bot/v3/info`), fetched once at start-up and cached; null while Feishu
   * has not answered (asked again on the next call). In a group the bot acts only on messages that @ it.
   */
  botOpenId(): Promise<string | null>;
}

/** Caches the first successful answer of `fetch`; a failure is logged and retried on the next call. */
export function cachedBotOpenId(
  fetch: () => Promise<{ openId: string }>,
  onError: (err: unknown) => void,
): () => Promise<string | null> {
  let known: string | null = null;
  let pending: Promise<string | null> | null = null;
  return async () => {
    if (known) return known;
    pending ??= fetch().then(
      (info) => {
        known = info.openId || null;
        pending = null;
        return known;
      },
      (err: unknown) => {
        onError(err);
        pending = null;
        return null;
      },
    );
    return pending;
  };
}
