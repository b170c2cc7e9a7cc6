import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { openStore } from '../../src/storage/db.ts';
import type { DrawRecord } from '../../src/domain/draw/index.ts';
import { assignmentData, assignmentDataByTeam, type AssignmentData } from '../../src/services/card-data.ts';
import { recordExternalApproval } from '../../src/services/substitutions.ts';
import { getTask } from '../../src/storage/tasks.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { FOOD_TASK, foodTaskFile, importWuhai } from '../helpers/wuhai.ts';
import { loadVector } from '../helpers/wuhai-fixtures.ts';

/**
 * The card a button press answers with (`assignmentData` with `only`: one member) reads its team with statements of
 * its own — the team's region, targets and their names in one, the members, their identities, the team's requests —
 * while draw run's cards (assignmentDataByTeam) read ranges of teams. Both must give a member the same card: every
 * member, active or replaced, with an identity resolved from a mobile, a confirmation, a target the directory no
 * longer has (named by its USCC, no address), an approved substitution.
 */

const vector = loadVector<DrawRecord>('wuhai-food.json');
const TASK = FOOD_TASK;
const TZ = 'Asia/Shanghai';

async function flat(batches: AsyncGenerator<AssignmentData[]>): Promise<AssignmentData[]> {
  const out: AssignmentData[] = [];
  for await (const batch of batches) out.push(...batch);
  return out;
}

describe.each(dialects())('one member’s card on $dialect', ({ fresh }) => {
  it('is the card draw run builds for that member, for every member; a replaced one’s shows its team as it is', async () => {
    const { url, store } = await fresh();
    await store.close();
    await importWuhai(url);
    const env = { JOINT_CHAT_ID: 'oc_joint', LIANCHA_TZ: TZ };
    expect((await runCli(url, ['task', 'create', foodTaskFile()])).code).toBe(0);
    expect(
      (await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', vector.entropySource], { env })).code,
    ).toBe(0);
    const run = await runCli(url, ['draw', 'run', TASK, '--entropy', vector.entropy], { env });
    expect(run.code, run.stderr).toBe(0);

    // Reachable in both ways: an imported open_id, or a mobile resolved to one (and some mobiles not resolved).
    const s = openStore(url);
    const drawnWithMobile = await s.db
      .selectFrom('team_members as m')
      .innerJoin('inspectors as i', 'i.cert_no', 'm.cert_no')
      .select(['i.cert_no', 'i.mobile'])
      .where('m.task_id', '=', TASK)
      .where('i.mobile', 'is not', null)
      .orderBy('m.team_no')
      .orderBy('m.position')
      .execute();
    const byMobile = drawnWithMobile.slice(0, 6);
    expect(byMobile.length).toBe(6);
    await s.db
      .updateTable('inspectors')
      .set({ open_id: sql<string>`'ou_' || cert_no` })
      .where(
        'cert_no',
        'not in',
        byMobile.map((i) => i.cert_no),
      )
      .execute();
    await s.db
      .insertInto('identities')
      .values(
        byMobile.map((i, n) => ({
          raw: i.mobile!,
          kind: 'mobile' as const,
          open_id: `ou_m_${i.cert_no}`,
          status: n % 2 === 0 ? ('resolved' as const) : ('unresolved' as const),
          checked_at: '2026-12-01T00:00:00.000Z',
        })),
      )
      .execute();
    // A confirmation, and a drawn target the directory no longer has.
    const first = await s.db
      .selectFrom('team_members')
      .select(['team_no', 'cert_no'])
      .where('task_id', '=', TASK)
      .orderBy('team_no')
      .orderBy('position')
      .executeTakeFirstOrThrow();
    await s.db
      .updateTable('team_members')
      .set({ confirmed_at: '2026-12-02T01:02:03.000Z', confirmed_by: 'ou_x', version: 2 })
      .where('task_id', '=', TASK)
      .where('team_no', '=', first.team_no)
      .where('cert_no', '=', first.cert_no)
      .execute();
    const gone = await s.db
      .selectFrom('team_targets')
      .select(['uscc', 'team_no'])
      .where('task_id', '=', TASK)
      .orderBy('team_no', 'desc')
      .executeTakeFirstOrThrow();
    await s.db.deleteFrom('target_departments').where('uscc', '=', gone.uscc).execute();
    await s.db.deleteFrom('targets').where('uscc', '=', gone.uscc).execute();
    await s.close();

    const app = await createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'silent', LIANCHA_TZ: TZ } });
    try {
      const db = app.store.db;
      const task = (await getTask(db, TASK))!.definition;
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

      const cards = await flat(assignmentDataByTeam(db, task, { tz: TZ, teamsPerBatch: 2 }));
      expect(cards.length).toBe(vector.teams.reduce((n, t) => n + t.members.length, 0));
      const one = async (team: number, certNo: string) => {
        const got = await assignmentData(db, task, { only: { team, certNo }, tz: TZ });
        expect(got).toHaveLength(1);
        return got[0]!;
      };
      for (const card of cards) expect(await one(card.team.no, card.you.certNo)).toEqual(card);

      // What the setup meant to cover is in these cards.
      expect(cards.some((c) => c.openId?.startsWith('ou_m_'))).toBe(true);
      expect(cards.some((c) => c.openId === null)).toBe(true);
      expect(cards.some((c) => c.confirmation !== null)).toBe(true);
      const missing = cards.find((c) => c.team.no === Number(gone.team_no))!;
      expect(missing.targets).toContainEqual({ uscc: gone.uscc, name: gone.uscc, address: null });
      expect(missing.targets.some((t) => t.address !== null)).toBe(true);
      expect(missing.team.region).not.toBe('');

      // The replaced member: the team as its active members' cards show it, their own row, and by whom.
      const replaced = await one(sub.team, sub.out);
      const teammate = cards.find((c) => c.team.no === sub.team)!;
      const teamOf = (c: AssignmentData) => ({
        task: c.task,
        team: c.team,
        members: c.members,
        targets: c.targets,
        deadline: c.deadline,
      });
      expect(teamOf(replaced)).toEqual(teamOf(teammate));
      expect(replaced.you.certNo).toBe(sub.out);
      expect(replaced.substitution).toMatchObject({ state: 'approved', reason: sub.reason });
      expect(replaced.replaced).toMatchObject({
        byName: cards.find((c) => c.team.no === sub.team && c.you.certNo === sub.in)!.you.name,
      });
    } finally {
      await app.close();
    }
  });
});
