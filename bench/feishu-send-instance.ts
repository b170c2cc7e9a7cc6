/**
 * One bot instance's sender for bench/feishu-send-multi.ts, in its own process: the real sender and the real SDK
 * on DATABASE_URL, against the fake Feishu at FEISHU_DOMAIN. Tells its parent `ready` once it has its token,
 * starts sending (as the bot does: `start()`, polling) on `go`, and stops on `stop`. The parent may kill it.
 */
import pino from 'pino';
import { systemClock } from '../src/app.ts';
import { createFeishuClient } from '../src/bot/feishu/client.ts';
import { createSender } from '../src/bot/sender.ts';
import { openStore } from '../src/storage/db.ts';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

const log = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const store = openStore(env('DATABASE_URL'));
const feishu = createFeishuClient({
  appId: env('FEISHU_APP_ID'),
  appSecret: env('FEISHU_APP_SECRET'),
  domain: env('FEISHU_DOMAIN'),
  log,
});
await feishu.warmUp();
const sender = createSender({ store, feishu, clock: systemClock, log, instanceId: env('INSTANCE_ID') });

process.on('message', (message: unknown) => {
  if (message === 'go') sender.start();
  if (message === 'stop')
    void (async () => {
      await sender.stop();
      await store.close();
      process.exit(0);
    })();
});
process.send!('ready');
