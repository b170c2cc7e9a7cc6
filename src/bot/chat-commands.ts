import { digestCard, helpCard, myTasksCard, type HelpLine } from '../cards/index.ts';
import { t, type Bilingual } from '../cards/i18n.ts';
import { progressAnswer } from '../services/digest.ts';
import { myTasks } from '../services/my-tasks.ts';
import type { BotContext } from './context.ts';
import type { MessageEvent } from './events.ts';

/** One chat command: how people type it, what the help card says about it, and the card that answers it. */
export interface ChatCommand {
  id: string;
  /** The name shown on the help card, in both languages. */
  name: Bilingual;
  /** Everything that invokes it, compared after trimming, lower-casing and folding spaces. */
  aliases: readonly string[];
  help: Bilingual;
  answer(ctx: BotContext, e: MessageEvent): Promise<Record<string, unknown>>;
}

/**
 * Every chat command, once. The parser and the help card both read this table, so a command is advertised
 * exactly when it exists. A new command is one entry here (and its service and card).
 */
export const CHAT_COMMANDS: readonly ChatCommand[] = [
  {
    id: 'my-tasks',
    name: t('我的任务', 'my tasks'),
    aliases: ['我的任务', 'my tasks', 'mytasks', 'tasks'],
    help: t('我被抽中的检查任务和录入期限', 'the inspections you were drawn for, and what is due'),
    answer: async (ctx, e) => myTasksCard(await myTasks(ctx.app, e.senderOpenId)),
  },
  {
    id: 'progress',
    name: t('进度', 'progress'),
    aliases: ['进度', 'progress', '周报', 'digest'],
    help: t(
      '各任务和各部门的进度（群聊中为全办公室；部门负责人私聊时本部门在前）',
      'progress of every task and department (the whole office in a group; your department first in a direct message to a head)',
    ),
    answer: async (ctx, e) => digestCard(await progressAnswer(ctx.app, e)),
  },
  {
    id: 'help',
    name: t('帮助', 'help'),
    aliases: ['帮助', 'help', '?', '？'],
    help: t('显示本说明', 'this message'),
    answer: async () => helpCard({ commands: helpLines() }),
  },
];

const BY_ALIAS = new Map(CHAT_COMMANDS.flatMap((c) => c.aliases.map((a) => [a, c] as const)));

/** The command a message's text invokes (mentions already stripped), or null. */
export function parseChatCommand(text: string): ChatCommand | null {
  return BY_ALIAS.get(text.trim().toLowerCase().replace(/\s+/g, ' ')) ?? null;
}

export function helpLines(): HelpLine[] {
  return CHAT_COMMANDS.map((c) => ({ name: c.name, help: c.help }));
}

/** The card that answers a message: its command's, or the help card naming what was not understood. */
export async function answerFor(ctx: BotContext, e: MessageEvent): Promise<Record<string, unknown>> {
  const command = parseChatCommand(e.text);
  if (command) return command.answer(ctx, e);
  return helpCard({ commands: helpLines(), unknownText: e.text });
}
