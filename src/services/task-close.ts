import type { App } from '../app.ts';
import { localDate } from '../domain/time.ts';
import { UserError } from '../errors.ts';
import { appendAudit } from '../storage/audit.ts';
import { recordTaskClose } from '../storage/results.ts';
import { getTask, type TaskRecord } from '../storage/tasks.ts';
import { taskResults } from './result-progress.ts';
import { moveTask, requireTask } from './tasks.ts';

/** The parts still missing when a task is closed, as the audit entry and the refusal list them. */
export interface MissingPart {
  team: number;
  uscc: string;
  name: string;
  dept: string;
}

/**
 * `task close ID [--force --reason TEXT]`: a locked task whose results are all entered is closed; with results
 * missing it is refused (listing what is missing) unless forced with a reason, and then the audit entry records
 * every missing part. A closed task takes no more edits (results, substitutions).
 */
export async function closeTask(
  app: App,
  id: string,
  opts: { force?: boolean; reason?: string } = {},
): Promise<{ task: TaskRecord; missing: MissingPart[] }> {
  const task = await requireTask(app, id);
  if (task.state !== 'locked')
    throw new UserError(
      'TASK.WRONG_STATE',
      `task ${id} is ${task.state}; only a drawn (locked) task can be closed`,
    );
  const reason = opts.reason?.trim() ?? '';
  if (opts.force && !reason)
    throw new UserError(
      'TASK.CLOSE_NEEDS_REASON',
      'closing with --force needs --reason TEXT (why results are missing)',
    );
  const now = app.clock();
  const targets = await taskResults(app.store.db, task.definition, localDate(now, app.config.LIANCHA_TZ));
  const missing = targets.flatMap((t) =>
    t.parts.filter((p) => !p.result).map((p) => ({ team: t.team, uscc: t.uscc, name: t.name, dept: p.dept })),
  );
  if (missing.length > 0 && !opts.force) {
    const first = missing
      .slice(0, 5)
      .map((m) => `${m.name} (${m.uscc}) ${m.dept}`)
      .join('; ');
    throw new UserError(
      'TASK.RESULTS_MISSING',
      `task ${id} has ${missing.length} result${missing.length === 1 ? '' : 's'} missing: ${first}${missing.length > 5 ? '; …' : ''} — enter them, or close with --force --reason TEXT`,
    );
  }
  await app.store.db.transaction().execute(async (trx) => {
    await moveTask(trx, task, 'close', now);
    await recordTaskClose(trx, id, now.toISOString(), missing.length > 0 ? reason : null);
    await appendAudit(trx, {
      at: now.toISOString(),
      actor: app.actor,
      action: 'task.close',
      subject: id,
      details: {
        forced: missing.length > 0,
        ...(missing.length > 0
          ? { reason, missing: missing.map(({ team, uscc, dept }) => ({ team, uscc, dept })) }
          : {}),
      },
    });
  });
  return { task: (await getTask(app.store.db, id))!, missing };
}
