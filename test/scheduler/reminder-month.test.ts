/**
 * A simulated five and a half weeks of the scheduler over the wuhai food task (window 2026-12-01 … 12-31, results
 * due 20 working days after the inspection): `tick` every hour from 2026-12-01 to 2027-01-08, a restart in the
 * middle, and on PostgreSQL a second instance ticking at the same moments. Which reminders and escalations go out,
 * to whom and on which day, is worked out by hand below from the calendar — not from the code under test.
 *
 * The process runs in a zone far from the office's (America/Los_Angeles vs Asia/Shanghai): every date here is the
 * office's.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { localTime } from '../../src/domain/time.ts';
import { tick } from '../../src/services/tick.ts';
import { openStore } from '../../src/storage/db.ts';
import { loadMembers, teamTargets } from '../../src/storage/draws.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects, freshPostgresUrl, freshSqliteUrl } from '../helpers/stores.ts';
import { importWuhai, WUHAI_DIR } from '../helpers/wuhai.ts';
import { writeCsv } from '../import/files.ts';
import { RESULT_HEADER } from '../../bench/results-data.ts';

process.env.TZ = 'America/Los_Angeles';

const TASK = 'WH-2026-FOOD-01';
const TZ = 'Asia/Shanghai';
const officeTime = (local: string) => new Date(`${local}+08:00`);

/**
 * The parts entered, and the deadlines that follow (20 working days after the inspection, E not counted; no
 * holidays in December 2026):
 * - target A of team 1: SCJG and WJW on 12-01 → YJGL's part is due 12-29 (Dec 2–4, 7–11, 14–18, 21–25, 28–29).
 * - target C of team 2: SCJG on 12-01 → WJW and YJGL due 12-29; WJW enters it on 12-22 at 08:59.
 * - target D of team 3: WJW on 12-02 → SCJG (the leader) and YJGL due 12-30.
 * Every other part has no inspection date: due 20 working days after the window's end, 2027-01-28 (provisional:
 * no 2027 calendar yet, Monday–Friday) — its first reminder, 5 working days before, is after the simulation.
 */
/** The working days from 12-31 to the end of the simulation. 2027 is provisional (Mon–Fri), so 01-01 counts. */
const OVERDUE_THROUGH_0108 = [
  '2026-12-31',
  '2027-01-01',
  '2027-01-04',
  '2027-01-05',
  '2027-01-06',
  '2027-01-07',
  '2027-01-08',
];
const REMINDER_DAYS_DUE_1229 = [
  '2026-12-22', // 5 working days left: 23, 24, 25, 28, 29
  '2026-12-24', // 3
  '2026-12-28', // 1
  '2026-12-29', // 0: due today
  '2026-12-30', // overdue from here on, every working day
  ...OVERDUE_THROUGH_0108,
];
const REMINDER_DAYS_DUE_1230 = [
  '2026-12-23', // 5: 24, 25, 28, 29, 30
  '2026-12-25', // 3
  '2026-12-29', // 1
  '2026-12-30', // 0
  ...OVERDUE_THROUGH_0108,
];

describe.each(dialects())('a month of hourly ticks on $dialect', ({ dialect }) => {
  let url = '';
  let teams: { a: string; c: string; d: string };
  /** open_id of the active member of each team for each department: `ou_<certNo>`. */
  const member = new Map<string, string>();
  const at = (team: number, dept: string) => member.get(`${team}/${dept}`)!;

  beforeAll(async () => {
    url = dialect === 'sqlite' ? freshSqliteUrl() : await freshPostgresUrl();
    await importWuhai(url);
    const dir = mkdtempSync(join(tmpdir(), 'liancha-month-'));
    const taskFile = join(dir, 'task.yaml');
    writeFileSync(taskFile, `id: ${TASK}\n` + readFileSync(join(WUHAI_DIR, 'task-food.yaml'), 'utf8'));
    const clock = () => officeTime('2026-11-30T10:00:00');
    const ok = async (args: string[], c = clock) => {
      const res = await runCli(url, args, { clock: c });
      expect(res.code, res.stderr).toBe(0);
    };
    await ok(['task', 'create', taskFile]);
    await ok(['draw', 'freeze', TASK, '--entropy-source', 'test']);
    await ok(['draw', 'run', TASK, '--entropy', 'a month of reminders']);

    const store = openStore(url);
    try {
      // Everyone reachable in Feishu: members by their own open_id, each department's head by theirs.
      await store.db
        .updateTable('inspectors')
        .set({ open_id: sql<string>`'ou_' || cert_no` })
        .execute();
      await store.db
        .updateTable('departments')
        .set({ head: sql<string>`'ou_head_' || code` })
        .execute();
      const byTeam = await teamTargets(store.db, TASK);
      expect(byTeam.size).toBeGreaterThanOrEqual(3);
      teams = { a: byTeam.get(1)![0]!, c: byTeam.get(2)![0]!, d: byTeam.get(3)![0]! };
      for (const m of await loadMembers(store.db, TASK))
        if (m.active) member.set(`${m.teamNo}/${m.dept}`, `ou_${m.certNo}`);
    } finally {
      await store.close();
    }
    const row = (uscc: string, dept: string, date: string) => [
      TASK,
      uscc,
      dept,
      '未发现问题',
      date,
      '',
      '',
      '',
    ];
    await ok(
      [
        'results',
        'import',
        writeCsv(dir, 'early.csv', [
          RESULT_HEADER,
          row(teams.a, 'SCJG', '2026-12-01'),
          row(teams.a, 'WJW', '2026-12-01'),
          row(teams.c, 'SCJG', '2026-12-01'),
          row(teams.d, 'WJW', '2026-12-02'),
        ]),
      ],
      () => officeTime('2026-12-02T18:00:00'),
    );
  }, 180_000);

  it('reminds exactly the officers with results missing, on the working days due, and escalates to the heads', async () => {
    const instances = dialect === 'postgres' ? ['bot-a', 'bot-b'] : ['bot-a'];
    const open = () =>
      Promise.all(instances.map(() => createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'silent' } })));
    let apps: App[] = await open();
    try {
      const start = officeTime('2026-12-01T00:00:00').getTime();
      const end = officeTime('2027-01-08T23:00:00').getTime();
      for (let t = start; t <= end; t += 3_600_000) {
        const now = new Date(t);
        const local = localTime(now, TZ);
        if (local === '2026-12-22 09:00') {
          // A minute before the 09:00 tick, WJW enters target C: its 09:00 reminder is not sent.
          const res = await runCli(
            url,
            [
              'results',
              'import',
              writeCsv(mkdtempSync(join(tmpdir(), 'liancha-c-')), 'c.csv', [
                RESULT_HEADER,
                [TASK, teams.c, 'WJW', '未发现问题', '2026-12-21', '', '', ''],
              ]),
            ],
            { clock: () => officeTime('2026-12-22T08:59:00') },
          );
          expect(res.code, res.stderr).toBe(0);
        }
        if (local === '2026-12-26 00:00') {
          // The bot restarts (every instance): what was sent is in the database, not in memory.
          await Promise.all(apps.map((a) => a.close()));
          apps = await open();
        }
        const reports = await Promise.all(apps.map((a, i) => tick(a, now, { instance: instances[i]! })));
        for (const r of reports)
          for (const j of r.jobs) expect(j.ok, `${local} ${j.name}: ${j.error}`).toBe(true);
      }
    } finally {
      await Promise.all(apps.map((a) => a.close()));
    }

    const store = openStore(url);
    try {
      const rows = await store.db
        .selectFrom('outbox')
        .select(['receive_id', 'ref', 'created_at', 'content'])
        .where((eb) => eb.or([eb('ref', 'like', 'reminder:%'), eb('ref', 'like', 'escalation:%')]))
        .execute();
      // Each card's ref ends with the office day of the tick that sent it; job_runs has the moment.
      const sent = rows
        .map((r) => `${r.ref!.split(':').at(-1)} ${r.ref!.split(':')[0]} ${r.receive_id}`)
        .sort();
      const claimed = await store.db.selectFrom('job_runs').select(['key', 'ran_at']).execute();
      for (const c of claimed.filter((c) => /^(remind|escalate):/.test(c.key)))
        expect(localTime(c.ran_at, TZ).slice(11)).toBe('09:00');
      const expected = [
        ...REMINDER_DAYS_DUE_1229.map((d) => `${d} reminder ${at(1, 'YJGL')}`),
        ...REMINDER_DAYS_DUE_1229.map((d) => `${d} reminder ${at(2, 'YJGL')}`),
        ...REMINDER_DAYS_DUE_1230.map((d) => `${d} reminder ${at(3, 'SCJG')}`),
        ...REMINDER_DAYS_DUE_1230.map((d) => `${d} reminder ${at(3, 'YJGL')}`),
        // YJGL is overdue on two targets due 12-29 (teams 1, 2) and one due 12-30 (team 3): at 1 working day
        // overdue (12-30; 12-31) and at 5 (12-30, 12-31, 01-01, 01-04, 01-05 → 01-05; 12-31 … 01-06 → 01-06).
        ...['2026-12-30', '2026-12-31', '2027-01-05', '2027-01-06'].map(
          (d) => `${d} escalation ou_head_YJGL`,
        ),
        // SCJG (team 3's leader) is overdue on D, due 12-30.
        ...['2026-12-31', '2027-01-06'].map((d) => `${d} escalation ou_head_SCJG`),
      ].sort();
      expect(sent).toEqual(expected);

      // The leader's reminder also names the team's other department still missing; the officer's names the target.
      const content = (ref: string) => JSON.stringify(JSON.parse(rows.find((r) => r.ref === ref)!.content));
      const leaderCertNo = at(3, 'SCJG').slice(3);
      const leaderCard = content(`reminder:${TASK}:3:${leaderCertNo}:2026-12-23`);
      expect(leaderCard).toContain('本组其他部门尚未录入');
      expect(leaderCard).toContain('市应急管理局');
      expect(leaderCard).toContain('2026-12-30（还剩 5 个工作日）');
      const overdueCard = content(`reminder:${TASK}:1:${at(1, 'YJGL').slice(3)}:2026-12-31`);
      expect(overdueCard).toContain('2026-12-29（已逾期 2 个工作日）');
      expect(overdueCard).toContain('"template":"red"');
      // Its 录入结果 button opens the result-entry card for that officer's place on the team.
      expect(overdueCard).toContain(
        `"value":{"action":"result.open","task":"${TASK}","team":1,"cert":"${at(1, 'YJGL').slice(3)}","page":0}`,
      );
    } finally {
      await store.close();
    }
  }, 600_000);
});
