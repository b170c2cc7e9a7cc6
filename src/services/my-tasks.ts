import type { App } from '../app.ts';
import type { MyTasksCardData } from '../cards/index.ts';
import { activeAssignments, inspectorName } from '../storage/assignments.ts';
import { certNosForOpenId } from '../storage/people.ts';
import { resultDeadline } from './card-data.ts';

/** 我的任务 / my tasks: what the Feishu user `openId` was drawn for, with each result-entry deadline. */
export async function myTasks(app: App, openId: string): Promise<MyTasksCardData> {
  const { db } = app.store;
  const certs = await certNosForOpenId(db, openId);
  if (certs.length === 0) return { name: '', assignments: [] };
  const assignments = await activeAssignments(db, certs);
  return {
    name: (await inspectorName(db, certs[0]!)) ?? '',
    assignments: assignments.map((a) => ({
      task: { id: a.task.id, name: a.task.name, window: a.task.window },
      team: a.team,
      certNo: a.certNo,
      leader: a.leader,
      targets: a.targets,
      confirmed: a.confirmed,
      deadline: resultDeadline(a.task),
    })),
  };
}
