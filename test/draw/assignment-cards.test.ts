import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { openStore } from '../../src/storage/db.ts';
import { assignmentCard } from '../../src/cards/index.ts';
import type { DrawRecord } from '../../src/domain/draw/index.ts';
import { assignmentData, assignmentDataByTeam, type AssignmentData } from '../../src/services/card-data.ts';
import { recordExternalApproval } from '../../src/services/substitutions.ts';
import { getTask } from '../../src/storage/tasks.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { FOOD_TASK, foodTaskFile, importWuhai } from '../helpers/wuhai.ts';
import { loadVector } from '../helpers/wuhai-fixtures.ts';

/**
 * `draw run` queues the assignment cards a batch of teams at a time (assignmentDataByTeam), so that a large draw's
 * cards' data are never all in memory at once. The cards and their order must be what assignmentData, which
 * builds them all at once, gives: the same members in the same order (team, then draw position), the same content.
 */

const vector = loadVector<DrawRecord>('wuhai-food.json');
const TASK = FOOD_TASK;
const TZ = 'Asia/Shanghai';

async function collect(batches: AsyncGenerator<AssignmentData[]>): Promise<AssignmentData[][]> {
  const out: AssignmentData[][] = [];
  for await (const batch of batches) out.push(batch);
  return out;
}

describe.each(dialects())('assignment cards team by team on $dialect', ({ fresh }) => {
  it('draw run queues the same cards in the same order as all at once, in batches of any size, also after a substitution', async () => {
    const { url, store } = await fresh();
    await store.close();
    await importWuhai(url);
    const env = { JOINT_CHAT_ID: 'oc_joint', LIANCHA_TZ: TZ };
    expect((await runCli(url, ['task', 'create', foodTaskFile()])).code).toBe(0);
    expect(
      (await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', vector.entropySource], { env })).code,
    ).toBe(0);
    // Every inspector reachable but one (who is then left out, listed as undeliverable on the group card).
    const s = openStore(url);
    const certs = await s.db.selectFrom('inspectors').select('cert_no').orderBy('cert_no').execute();
    for (const { cert_no } of certs.slice(1))
      await s.db
        .updateTable('inspectors')
        .set({ open_id: `ou_${cert_no}` })
        .where('cert_no', '=', cert_no)
        .execute();
    await s.close();
    const run = await runCli(url, ['draw', 'run', TASK, '--entropy', vector.entropy], { env });
    expect(run.code, run.stderr).toBe(0);

    const app = await createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'silent', LIANCHA_TZ: TZ } });
    try {
      const db = app.store.db;
      const task = (await getTask(db, TASK))!.definition;
      const allAtOnce = await assignmentData(db, task, { tz: TZ });
      expect(allAtOnce.length).toBe(vector.teams.reduce((n, t) => n + t.members.length, 0));

      // What draw run queued: one card per reachable member, in the order assignmentData lists them.
      const queued = await db
        .selectFrom('outbox')
        .select(['receive_id', 'ref', 'content'])
        .where('ref', 'like', 'assignment:%')
        .orderBy('seq')
        .execute();
      const reachable = allAtOnce.filter((a) => a.openId);
      expect(reachable.length).toBeGreaterThan(0);
      expect(queued).toEqual(
        reachable.map((a) => ({
          receive_id: a.openId,
          ref: `assignment:${TASK}:${a.team.no}:${a.you.certNo}`,
          content: expect.any(String),
        })),
      );
      expect(queued.map((q) => JSON.parse(q.content))).toEqual(
        reachable.map((a) => JSON.parse(JSON.stringify(assignmentCard(a)))),
      );

      for (const teamsPerBatch of [1, 2, 200]) {
        const batches = await collect(assignmentDataByTeam(db, task, { tz: TZ, teamsPerBatch }));
        expect(batches).toHaveLength(Math.ceil(vector.teams.length / teamsPerBatch));
        expect(batches.flat()).toEqual(allAtOnce);
      }

      // A replaced member gets no new card; the replacement does, in their team's place.
      const sub = vector.substitutions[0]!;
      await recordExternalApproval(app, TASK, {
        team: sub.team,
        dept: sub.dept,
        out: sub.out,
        reason: sub.reason,
        approvedBy: sub.approvedBy,
        approvedAt: sub.approvedAt,
        requestedBy: 'ou_requester',
        requestedAt: '2026-12-02T09:00:00+08:00',
      });
      const after = await assignmentData(db, task, { tz: TZ });
      expect(after.map((a) => a.you.certNo)).toContain(sub.in);
      expect(after.map((a) => a.you.certNo)).not.toContain(sub.out);
      expect((await collect(assignmentDataByTeam(db, task, { tz: TZ, teamsPerBatch: 1 }))).flat()).toEqual(
        after,
      );
    } finally {
      await app.close();
    }
  });
});
