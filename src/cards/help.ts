import { card, markdown, md, t } from './i18n.ts';

/** The answer to 帮助 / help and to anything the bot does not understand. */
export function helpCard(opts: { unknownText?: string } = {}): Record<string, unknown> {
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
  elements.push(
    markdown(
      t(
        '**我的任务**：我被抽中的检查任务和录入期限\n**进度**：抽查进度\n**帮助**：显示本说明\n\n在群里请 @我；私聊直接发送即可。',
        '**my tasks**: the inspections you were drawn for, and what is due\n**progress**: inspection progress\n**help**: this message\n\nIn a group, @ me; in a direct message, just send it.',
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
