import type { App } from '../app.ts';

/** What a listener needs: the application, and a way to tell the sender that new messages are queued. */
export interface BotContext {
  app: App;
  wakeSender(): void;
}
