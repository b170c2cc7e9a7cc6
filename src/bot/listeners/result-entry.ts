import { z } from 'zod';
import { RESULT_PAGE_SIZE, resultEntryCard, resultFormFields } from '../../cards/index.ts';
import { MAX_RESULT_TEXT } from '../../domain/result.ts';
import { openResultEntry, submitResult } from '../../services/result-entry.ts';
import type { BotContext } from '../context.ts';
import { toast, type CardActionEvent } from '../events.ts';
import type { ListenerResult } from './result.ts';

/**
 * 录入结果 (on the assignment card, reminders and 我的任务), the entry card's pages, and each target's 提交. Values
 * and form fields are parsed here; the service decides.
 */

const entryValue = z.object({
  task: z.string().max(64),
  team: z.number().int(),
  page: z.number().int().min(0).max(10_000).default(0),
});
const submitValue = entryValue.extend({ uscc: z.string().max(32), v: z.number().int().min(0) });

const MALFORMED: ListenerResult = { refused: { ok: false, code: 'BUTTON.MALFORMED' } };

/** A form value as a list of strings (multi-selects send arrays); anything else is empty. */
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, 50) : [];
/** A text field, cut just past what the rule allows so the rule still reports it too long. */
const text = (v: unknown): string => (typeof v === 'string' ? v.slice(0, MAX_RESULT_TEXT + 1) : '');
/** The date picker sends `2026-12-08 +0800`; the day is the first ten characters. */
const day = (v: unknown): string => (typeof v === 'string' ? v.trim().slice(0, 10) : '');

/** The submitted target's fields: the form of the one index whose field names are present. */
function submittedFields(form: Record<string, unknown>) {
  for (let i = 0; i < RESULT_PAGE_SIZE; i++) {
    const f = resultFormFields(i);
    if (Object.values(f).some((name) => Object.hasOwn(form, name)))
      return {
        categories: strings(form[f.categories]),
        inspectedOn: day(form[f.date]),
        methods: strings(form[f.methods]),
        note: text(form[f.note]),
        followup: text(form[f.followup]),
      };
  }
  return { categories: [], inspectedOn: '', methods: [], note: '', followup: '' };
}

const render = (data: Parameters<typeof resultEntryCard>[0] | undefined) =>
  data ? { type: 'raw' as const, data: resultEntryCard(data) } : undefined;

export async function onOpenResultEntry(ctx: BotContext, e: CardActionEvent): Promise<ListenerResult> {
  const v = entryValue.safeParse(e.value);
  if (!v.success) return MALFORMED;
  const out = await openResultEntry(ctx.app, {
    operatorOpenId: e.operatorOpenId,
    taskId: v.data.task,
    team: v.data.team,
    page: v.data.page,
  });
  if (!out.ok) return { refused: out.refusal, card: render(out.card) };
  return { card: render(out.card) };
}

export async function onSubmitResult(ctx: BotContext, e: CardActionEvent): Promise<ListenerResult> {
  const v = submitValue.safeParse(e.value);
  if (!v.success) return MALFORMED;
  const out = await submitResult(ctx.app, {
    operatorOpenId: e.operatorOpenId,
    taskId: v.data.task,
    team: v.data.team,
    page: v.data.page,
    uscc: v.data.uscc,
    version: v.data.v,
    input: submittedFields(e.formValue ?? {}),
  });
  if (!out.ok) return { refused: out.refusal, card: render(out.card) };
  const name = out.card.targets.find((t) => t.uscc === v.data.uscc)?.name ?? v.data.uscc;
  return {
    toast: toast('success', `已保存：${name}`, `Saved: ${name}`),
    card: render(out.card),
  };
}
