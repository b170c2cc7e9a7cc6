import { card, markdown, md, t, type Bilingual } from './i18n.ts';

/** One line of the help card: a command's name and what it does. */
export interface HelpLine {
  name: Bilingual;
  help: Bilingual;
}

/** The answer to 帮助 / help and to anything the bot does not understand; `commands` is the bot's command table. */
export function helpCard(opts: {
  commands: readonly HelpLine[];
  unknownText?: string;
}): Record<string, unknown> {
  const elements: unknown[] = [];
  if (opts.unknownText !== undefined) {
    elements.push(
      markdown(
        t(
          `没有听懂“${md(opts.unknownText.slice(0, 50))}”。可以这样问我：`,
          `I did not understand "${md(opts.unknownText.slice(0, 50))}". You can ask:`,
        ),
      ),
    );
  }
  const zh = opts.commands.map((c) => `**${c.name.zh}**：${c.help.zh}`).join('\n');
  const en = opts.commands.map((c) => `**${c.name.en}**: ${c.help.en}`).join('\n');
  elements.push(
    markdown(
      t(
        `${zh}\n\n在群里请 @我；私聊直接发送即可。`,
        `${en}\n\nIn a group, @ me; in a direct message, just send it.`,
      ),
    ),
  );
  return card({
    title: t('联查助手', 'liancha'),
    template: 'blue',
    summary: t('联查助手：帮助', 'liancha: help'),
    elements,
  });
}
