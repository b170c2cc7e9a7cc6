import type { App } from '../app.ts';
import type { MyTasksCardData } from '../cards/index.ts';
import { activeAssignments, inspectorName } from '../storage/assignments.ts';
import { certNosForOpenId } from '../storage/people.ts';
import { localDate } from '../domain/time.ts';
import { resultDeadline } from './card-data.ts';
import { taskResults } from './result-progress.ts';

/**
 * 我的任务 / my tasks: what the Feishu user `openId` was drawn for, with each result-entry deadline and what their
 * department still owes on the team (pending, overdue, the soonest deadline).
 */
export async function myTasks(app: App, openId: string): Promise<MyTasksCardData> {
  const { db } = app.store;
  const certs = await certNosForOpenId(db, openId);
  if (certs.length === 0) return { name: '', assignments: [] };
  const assignments = await activeAssignments(db, certs);
  const today = localDate(app.clock(), app.config.LIANCHA_TZ);
  const due = await Promise.all(
    assignments.map(async (a) => {
      const missing = (await taskResults(db, a.task, today, { team: a.team }))
        .flatMap((t) => t.parts)
        .filter((p) => p.dept === a.dept && !p.result);
      const next = missing.map((p) => p.deadline).sort((x, y) => x.date.localeCompare(y.date))[0] ?? null;
      return { pending: missing.length, overdue: missing.filter((p) => p.overdue).length, next };
    }),
  );
  return {
    name: (await inspectorName(db, certs[0]!)) ?? '',
    assignments: assignments.map((a, i) => ({
      task: { id: a.task.id, name: a.task.name, window: a.task.window },
      team: a.team,
      certNo: a.certNo,
      leader: a.leader,
      targets: a.targets,
      confirmed: a.confirmed,
      deadline: resultDeadline(a.task),
      due: due[i]!,
    })),
  };
}
