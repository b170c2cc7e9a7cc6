import * as lark from '@larksuiteoapi/node-sdk';
import type { Config } from '../../config.ts';
import { toCardActionEvent, toMessageEvent, type BotEvent, type CallbackAnswer } from '../events.ts';

/**
 * The SDK's EventDispatcher, used by both receivers to flatten Feishu's envelopes; each handler turns the
 * result into a BotEvent and hands it to the one `handle` (the bot's dispatch). Verification happens before.
 */
export function createSdkDispatcher(
  config: Config,
  handle: (event: BotEvent) => Promise<CallbackAnswer>,
): lark.EventDispatcher {
  return new lark.EventDispatcher({
    encryptKey: config.FEISHU_ENCRYPT_KEY,
    verificationToken: config.FEISHU_VERIFICATION_TOKEN,
    loggerLevel: lark.LoggerLevel.warn,
  }).register({
    'im.message.receive_v1': async (data: unknown) => {
      const event = toMessageEvent(data as Record<string, unknown>);
      return event ? handle(event) : {};
    },
    'card.action.trigger': async (data: unknown) =>
      handle(toCardActionEvent(data as Record<string, unknown>)),
  } as never);
}
