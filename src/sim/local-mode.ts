import { randomBytes } from 'node:crypto';
import type { App } from '../app.ts';
import { feishuFromConfig } from '../bot/feishu/client.ts';
import { startBot, type BotRuntime } from '../bot/runtime.ts';
import { resolveIdentities } from '../services/identities.ts';
import { importDemoDirectories, seedDemoTasks, type DemoSummary } from './demo.ts';
import { startFakeFeishu, type FakeFeishu } from './feishu/server.ts';
import { restoreChats } from './history.ts';
import { registerPeople } from './people.ts';
import { mountSim, type SimContext } from './routes.ts';

/** The joint-meeting group of local mode, when JOINT_CHAT_ID does not name one. */
const SIM_GROUP = { chatId: 'oc_sim_joint_meeting', name: '双随机联席会议群（本地模拟）' };

export interface LocalBot {
  bot: BotRuntime;
  fake: FakeFeishu;
  /** The app as the bot runs it: the simulator's app credentials and domain, a generated encrypt key. */
  app: App;
  /** Demo data made on this start (an empty database), or null when the database already had data. */
  demo: DemoSummary | null;
  stop(): Promise<void>;
}

/**
 * Local mode (no FEISHU_APP_ID): the bot against an embedded Feishu simulator in this process, on the production
 * code paths — the real SDK client with its domain pointed at the simulator, the real `/feishu/events` and
 * `/feishu/callbacks` verification and decryption (an encrypt key and verification token generated for this run),
 * the real outbox and sender. On an empty database the demo data is made first (`demo.ts`), after the simulator
 * knows everyone in the directories and liancha has resolved their identities, so every card reaches someone.
 */
export async function startLocalBot(base: App): Promise<LocalBot> {
  const fake = await startFakeFeishu();
  const app: App = {
    ...base,
    config: {
      ...base.config,
      FEISHU_APP_ID: fake.appId,
      FEISHU_APP_SECRET: fake.appSecret,
      FEISHU_ENCRYPT_KEY: randomBytes(24).toString('base64url'),
      FEISHU_VERIFICATION_TOKEN: randomBytes(16).toString('hex'),
      FEISHU_DOMAIN: fake.url,
      FEISHU_MODE: 'http',
      JOINT_CHAT_ID: base.config.JOINT_CHAT_ID ?? SIM_GROUP.chatId,
    },
  };
  const group = {
    chatId: app.config.JOINT_CHAT_ID!,
    name: app.config.JOINT_CHAT_ID === SIM_GROUP.chatId ? SIM_GROUP.name : app.config.JOINT_CHAT_ID!,
  };
  fake.addChat({ chatId: group.chatId, name: group.name });
  try {
    await restoreChats(app, fake);
    const fresh = await importDemoDirectories(app);
    await registerPeople(app, fake);
    await resolveIdentities(app, feishuFromConfig(app.config, { log: app.log }));
    const demo = fresh ? await seedDemoTasks(app, { now: app.clock() }) : null;
    const bot = startBot(app);
    const ctx: SimContext = { app, fake, group, selfUrl: selfUrl(app), wakeSender: () => bot.sender?.wake() };
    mountSim(bot.http, ctx);
    return {
      bot,
      fake,
      app,
      demo,
      async stop() {
        await bot.stop();
        await fake.close();
      },
    };
  } catch (err) {
    await fake.close();
    throw err;
  }
}

/** Where the simulator delivers events: this server, as a client on this machine reaches it. */
function selfUrl(app: App): string {
  const host = app.config.host;
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${local.includes(':') ? `[${local}]` : local}:${app.config.PORT}`;
}

/** How to throw the local database away, for the log: `rm -r data/` for the default file. */
export function startOverHint(databaseUrl: string): string {
  if (!databaseUrl.startsWith('file:')) return 'drop and re-create the database DATABASE_URL names';
  const path = databaseUrl.slice('file:'.length);
  if (path === './data/liancha.db' || path === 'data/liancha.db') return '`rm -r data/`';
  return `delete ${path} (and its -wal and -shm files)`;
}
