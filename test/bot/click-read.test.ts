/**
 * The one statement a 确认 click reads (`assignmentAsClicked`) says what the three it replaced said: the member row
 * (`getAssignment`), whether the operator is that member (`certNosForOpenId(openId).includes(certNo)`, by open_id
 * or by a mobile that resolved to it) and the task's definition (`getTask`). On SQLite and PostgreSQL.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/storage/db.ts';
import { assignmentAsClicked, getAssignment } from '../../src/storage/assignments.ts';
import { certNosForOpenId } from '../../src/storage/people.ts';
import { getTask } from '../../src/storage/tasks.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { importWuhai, WUHAI_DIR } from '../helpers/wuhai.ts';

describe.each(dialects())('the confirm click read on $dialect', ({ fresh }) => {
  let store: Store;
  let taskId: string;
  let members: { team: number; certNo: string; mobile: string | null }[];

  beforeAll(async () => {
    const created = await fresh();
    store = created.store;
    await importWuhai(created.url);
    const cli = async (args: string[]) => {
      const r = await runCli(created.url, args);
      if (r.code !== 0) throw new Error(`liancha ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    taskId = (await cli(['task', 'create', join(WUHAI_DIR, 'task-food.yaml')])).trim().split('\n').at(-1)!;
    await cli(['draw', 'freeze', taskId, '--entropy-source', 'test']);
    await cli(['draw', 'run', taskId, '--entropy', '387']);
    members = (
      await store.db
        .selectFrom('team_members as m')
        .innerJoin('inspectors as i', 'i.cert_no', 'm.cert_no')
        .select(['m.team_no', 'm.cert_no', 'i.mobile'])
        .where('m.task_id', '=', taskId)
        .orderBy('m.team_no')
        .orderBy('m.position')
        .execute()
    ).map((r) => ({ team: Number(r.team_no), certNo: r.cert_no, mobile: r.mobile }));
    // Three ways to be someone: an imported open_id, a mobile resolved to one, a mobile not (yet) resolved.
    const [a, b, c] = members.filter((m) => m.mobile);
    await store.db
      .updateTable('inspectors')
      .set({ open_id: 'ou_direct' })
      .where('cert_no', '=', a!.certNo)
      .execute();
    const checkedAt = '2026-12-01T00:00:00.000Z';
    await store.db
      .insertInto('identities')
      .values([
        {
          raw: b!.mobile!,
          kind: 'mobile',
          open_id: 'ou_by_mobile',
          status: 'resolved',
          checked_at: checkedAt,
        },
        {
          raw: c!.mobile!,
          kind: 'mobile',
          open_id: 'ou_unresolved',
          status: 'unresolved',
          checked_at: checkedAt,
        },
      ])
      .execute();
  });
  afterAll(async () => store?.close());

  it('agrees with getAssignment, certNosForOpenId and getTask for every member and operator', async () => {
    const definition = (await getTask(store.db, taskId))!.definition;
    const operators = ['ou_direct', 'ou_by_mobile', 'ou_unresolved', 'ou_nobody'];
    let assignees = 0;
    for (const m of members) {
      const key = { taskId, team: m.team, certNo: m.certNo };
      for (const openId of operators) {
        const read = await assignmentAsClicked(store.db, key, openId);
        expect(read).not.toBeNull();
        expect(read!.assignment).toEqual(await getAssignment(store.db, key));
        expect(read!.definition).toEqual(definition);
        const expected = (await certNosForOpenId(store.db, openId)).includes(m.certNo);
        expect(read!.byAssignee).toBe(expected);
        if (expected) assignees++;
      }
    }
    // The direct open_id and the resolved mobile each are one member; the unresolved mobile and a stranger none.
    expect(assignees).toBe(2);
  });

  it('is null where there is no such member, and sees a confirmation once saved', async () => {
    const m = members[0]!;
    expect(
      await assignmentAsClicked(store.db, { taskId, team: m.team, certNo: 'NO-SUCH' }, 'ou_direct'),
    ).toBeNull();
    expect(
      await assignmentAsClicked(store.db, { taskId: 'NO-TASK', team: m.team, certNo: m.certNo }, 'x'),
    ).toBeNull();
    await store.db
      .updateTable('team_members')
      .set({ confirmed_at: '2026-12-02T01:00:00.000Z', confirmed_by: 'ou_x', version: 2 })
      .where('task_id', '=', taskId)
      .where('cert_no', '=', m.certNo)
      .execute();
    const read = await assignmentAsClicked(store.db, { taskId, team: m.team, certNo: m.certNo }, 'ou_x');
    expect(read!.assignment).toMatchObject({
      confirmedAt: '2026-12-02T01:00:00.000Z',
      confirmedBy: 'ou_x',
      version: 2,
      active: true,
      taskState: 'locked',
    });
  });
});
