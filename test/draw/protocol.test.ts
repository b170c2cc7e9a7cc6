import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/db.ts';
import { createApp } from '../../src/app.ts';
import { independentVerifier } from '../helpers/verifier.ts';
import { recordExternalApproval } from '../../src/services/substitutions.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { FOOD_TASK, foodTaskFile, importWuhai, WUHAI_DIR } from '../helpers/wuhai.ts';
import { loadVector, SPEC_RECORD_KEYS } from '../helpers/wuhai-fixtures.ts';
import type { DrawRecord } from '../../src/domain/draw/index.ts';

const vector = loadVector<DrawRecord>('wuhai-food.json');
const TASK = FOOD_TASK;

describe.each(dialects())('the draw protocol on $dialect', ({ fresh }) => {
  it('preview → freeze → run → export → verify reproduces the published vector, once', async () => {
    const { url, store } = await fresh();
    await store.close();
    await importWuhai(url);
    const created = await runCli(url, ['task', 'create', foodTaskFile()]);
    expect(created.code).toBe(0);
    expect(created.stdout.trim().split('\n').at(-1)).toBe(TASK);

    const preview = await runCli(url, ['draw', 'preview', TASK]);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/nothing is saved/);
    expect(preview.stdout).toContain('eligible targets: 203');
    const afterPreview = await runCli(url, ['task', 'show', TASK, '--json']);
    expect(JSON.parse(afterPreview.stdout)).toMatchObject({ state: 'draft', freeze: null });

    const frozen = await runCli(url, [
      'draw',
      'freeze',
      TASK,
      '--entropy-source',
      vector.entropySource,
      '--json',
    ]);
    expect(frozen.code).toBe(0);
    expect(JSON.parse(frozen.stdout).hashes).toEqual(vector.hashes);

    // Directory changes after the freeze do not touch the snapshot: reclassify a drawn target, retire an officer.
    const s = openStore(url);
    await s.db.updateTable('targets').set({ risk: 'D' }).where('uscc', '=', vector.targets.A![0]!).execute();
    await s.db
      .updateTable('inspectors')
      .set({ active: 0 })
      .where('cert_no', '=', vector.teams[0]!.members[0]!.certNo)
      .execute();
    await s.close();

    const run = await runCli(url, ['draw', 'run', TASK, '--entropy', vector.entropy, '--json']);
    expect(run.code).toBe(0);
    const outcome = JSON.parse(run.stdout);
    expect(outcome.seed).toBe(vector.seed);
    expect(outcome.targets).toEqual(vector.targets);
    expect(outcome.teams).toEqual(vector.teams);

    const again = await runCli(url, ['draw', 'run', TASK, '--entropy', 'something else']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/a draw runs once/);
    expect(again.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const show = JSON.parse((await runCli(url, ['task', 'show', TASK, '--json'])).stdout);
    expect(show.state).toBe('locked');
    expect(show.teams).toHaveLength(2);
    expect(show.teams[0].members[0]).toMatchObject({ leader: true, dept: 'SCJG' });
    expect(show.teams[0].targets[0].name).toBeTruthy();
    expect(show.teams[0].deadline).toMatch(/^2027-/);
    expect(show.teams[0].deadlineProvisional).toBe(true); // 2027 is not in the official calendar yet

    const verify = await runCli(url, ['draw', 'verify', TASK]);
    expect(verify.stdout.trim()).toBe('MATCH');
    expect(verify.code).toBe(0);

    // The vector's approved substitution, drawn by the same code the approval workflow uses.
    const app = await createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'silent' } });
    try {
      const sub = vector.substitutions[0]!;
      const record = await recordExternalApproval(app, TASK, {
        team: sub.team,
        dept: sub.dept,
        out: sub.out,
        reason: sub.reason,
        approvedBy: sub.approvedBy,
        approvedAt: sub.approvedAt,
        requestedBy: 'ou_requester',
        requestedAt: '2026-12-02T09:00:00+08:00',
      });
      expect(record).toEqual(sub);
    } finally {
      await app.close();
    }

    const file = join(mkdtempSync(join(tmpdir(), 'liancha-export-')), 'draw.json');
    const exported = await runCli(url, ['draw', 'export', TASK, file]);
    expect(exported.code).toBe(0);
    // the export record (docs/draw-algorithm.md §9) exactly, then the audit head that anchors it (see the audit-head test below).
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      ...vector,
      auditHead: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')))).toEqual([...SPEC_RECORD_KEYS, 'auditHead']);
    expect((await runCli(url, ['draw', 'verify', TASK])).stdout.trim()).toBe('MATCH');
    // The export alone is enough for the independent Python verifier published in docs/draw-algorithm.md.
    expect(independentVerifier(file)).toBe('MATCH');

    const audit = await runCli(url, ['audit', 'verify']);
    expect(audit.code).toBe(0);
  });

  it('a locked draw cannot be changed by a stray UPDATE or DELETE', async () => {
    const { url, store } = await fresh();
    await store.close();
    await importWuhai(url);
    await runCli(url, ['task', 'create', foodTaskFile()]);
    await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', vector.entropySource]);
    await runCli(url, ['draw', 'run', TASK, '--entropy', vector.entropy]);
    const s = openStore(url);
    try {
      const db = s.db;
      await expect(
        db.updateTable('team_members').set({ cert_no: '150000000000' }).where('task_id', '=', TASK).execute(),
      ).rejects.toThrow(/LOCKED/);
      await expect(
        db.updateTable('team_members').set({ active: 0 }).where('task_id', '=', TASK).execute(),
      ).rejects.toThrow(/LOCKED/);
      await expect(db.deleteFrom('team_members').where('task_id', '=', TASK).execute()).rejects.toThrow(
        /LOCKED/,
      );
      await expect(
        db.updateTable('team_targets').set({ uscc: 'X' }).where('task_id', '=', TASK).execute(),
      ).rejects.toThrow(/LOCKED/);
      await expect(db.deleteFrom('draw_picks').where('task_id', '=', TASK).execute()).rejects.toThrow(
        /LOCKED/,
      );
      await expect(
        db.insertInto('teams').values({ task_id: TASK, no: 9, region: '150302' }).execute(),
      ).rejects.toThrow(/LOCKED/);
      await expect(
        db.updateTable('draws').set({ entropy: 'redo', seed: 'x' }).where('task_id', '=', TASK).execute(),
      ).rejects.toThrow(/LOCKED/);
      await expect(
        db.updateTable('draw_snapshots').set({ text: '' }).where('task_id', '=', TASK).execute(),
      ).rejects.toThrow(/LOCKED/);
      await expect(db.deleteFrom('draw_snapshots').where('task_id', '=', TASK).execute()).rejects.toThrow(
        /LOCKED/,
      );
      await expect(
        db
          .insertInto('team_members')
          .values({
            task_id: TASK,
            team_no: 1,
            cert_no: '150000000001',
            dept: 'WJW',
            leader: 0,
            position: 9,
            source: 'substitution',
            active: 1,
            confirmed_at: null,
            confirmed_by: null,
            version: 1,
          })
          .execute(),
      ).rejects.toThrow(/LOCKED/);
      // Confirming an assignment is not a change to the draw.
      await db
        .updateTable('team_members')
        .set({ confirmed_at: '2026-12-01T08:00:00Z', confirmed_by: 'ou_x' })
        .where('task_id', '=', TASK)
        .execute();
    } finally {
      await s.close();
    }
    expect((await runCli(url, ['draw', 'verify', TASK])).stdout.trim()).toBe('MATCH');
  });
});

describe('the audit head on the cards and in the export (SQLite)', () => {
  it('each card carries the hash of the audit entry of its own step; audit verify --head finds it until it is removed', async () => {
    const { url, store } = await dialects()[0]!.fresh();
    await store.close();
    await importWuhai(url);
    const env = { JOINT_CHAT_ID: 'oc_joint' };
    await runCli(url, ['task', 'create', foodTaskFile()]);
    expect(
      (await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', vector.entropySource], { env })).code,
    ).toBe(0);
    expect((await runCli(url, ['draw', 'run', TASK, '--entropy', vector.entropy], { env })).code).toBe(0);

    const s = openStore(url);
    const headOn = async (ref: string) => {
      const row = await s.db
        .selectFrom('outbox')
        .select('content')
        .where('ref', '=', ref)
        .executeTakeFirstOrThrow();
      return /\*\*审计链头\*\* `([0-9a-f]{64})`/.exec(row.content)![1]!;
    };
    const entry = (action: string) =>
      s.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', action)
        .where('subject', '=', TASK)
        .executeTakeFirstOrThrow();
    try {
      const freezeHead = await headOn(`freeze:${TASK}`);
      const drawHead = await headOn(`draw:${TASK}`);
      expect(freezeHead).toBe((await entry('draw.freeze')).hash);
      expect(drawHead).toBe((await entry('draw.run')).hash);

      const ok = await runCli(url, ['audit', 'verify', '--head', drawHead]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(new RegExp(`head ${drawHead} is entry \\d+ \\(draw\\.run ${TASK}, `));

      const file = join(mkdtempSync(join(tmpdir(), 'liancha-export-')), 'draw.json');
      expect((await runCli(url, ['draw', 'export', TASK, file])).code).toBe(0);
      const exported = JSON.parse(readFileSync(file, 'utf8'));
      const newest = await s.db
        .selectFrom('audit_log')
        .select('hash')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      expect(exported.auditHead).toBe(newest.hash);
      expect(independentVerifier(file)).toBe('MATCH');
      expect((await runCli(url, ['audit', 'verify', '--head', exported.auditHead])).code).toBe(0);

      // Someone with the database file drops the guards and removes the draw's entry and everything after it.
      s.sqlite!.exec('drop trigger audit_log_no_delete');
      const run = await entry('draw.run');
      s.sqlite!.prepare('delete from audit_log where seq >= ?').run(run.seq);
      expect((await runCli(url, ['audit', 'verify'])).code).toBe(0); // the rest is still a valid chain
      const gone = await runCli(url, ['audit', 'verify', '--head', drawHead]);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toMatch(/is not in the audit log .*were removed or replaced/);
      expect((await runCli(url, ['audit', 'verify', '--head', exported.auditHead])).code).toBe(1);
      expect((await runCli(url, ['audit', 'verify', '--head', freezeHead])).code).toBe(0);
    } finally {
      await s.close();
    }
  });
});

describe('a count task (hazchem sample)', () => {
  it('draws a fixed count across two directories and verifies, also independently', async () => {
    const { url, store } = await dialects()[0]!.fresh();
    await store.close();
    await importWuhai(url);
    const created = await runCli(url, ['task', 'create', join(WUHAI_DIR, 'task-hazchem.yaml')]);
    expect(created.code, created.stderr).toBe(0);
    const id = created.stdout.trim().split('\n').at(-1)!;
    expect(
      (await runCli(url, ['draw', 'freeze', id, '--entropy-source', '福彩3D 第2026335期开奖号码'])).code,
    ).toBe(0);
    const run = await runCli(url, ['draw', 'run', id, '--entropy', '1.2.3', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const outcome = JSON.parse(run.stdout);
    expect(outcome.targets.all).toHaveLength(12);
    expect(outcome.teams.flatMap((t: { targets: string[] }) => t.targets)).toHaveLength(12);
    for (const team of outcome.teams) {
      expect(team.targets.length).toBeLessThanOrEqual(4);
      expect(team.members.map((m: { dept: string }) => m.dept)).toEqual(['YJGL', 'STHJ', 'GAJ']);
    }
    const file = join(mkdtempSync(join(tmpdir(), 'liancha-export-')), 'hazchem.json');
    await runCli(url, ['draw', 'export', id, file]);
    expect((await runCli(url, ['draw', 'verify', id])).stdout.trim()).toBe('MATCH');
    expect(independentVerifier(file)).toBe('MATCH');
  });
});

describe('the draw protocol, refusals (SQLite)', () => {
  it('refuses a second freeze, a run before freeze, and a tampered record; void keeps the record', async () => {
    const { url, store } = await dialects()[0]!.fresh();
    await store.close();
    await importWuhai(url);
    await runCli(url, ['task', 'create', foodTaskFile()]);
    const early = await runCli(url, ['draw', 'run', TASK, '--entropy', '1']);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/freeze it first/);
    expect((await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', 'x'])).code).toBe(0);
    const refreeze = await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', 'y']);
    expect(refreeze.code).toBe(1);
    expect(refreeze.stderr).toMatch(/a freeze is final/);
    await runCli(url, ['draw', 'run', TASK, '--entropy', vector.entropy]);

    // Tamper with the stored snapshot hash behind the triggers' back (as an attacker with file access could).
    const s = openStore(url);
    s.sqlite!.exec('drop trigger draws_frozen_fields; drop trigger draws_run_once;');
    s.sqlite!.prepare(`update draws set targets_hash = ? where task_id = ?`).run(
      createHash('sha256').update('x').digest('hex'),
      TASK,
    );
    await s.close();
    const verify = await runCli(url, ['draw', 'verify', TASK]);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/hashes\.targets: recorded 2d711642/);

    const voided = await runCli(url, ['task', 'void', TASK, '--reason', '录入错误，重新创建']);
    expect(voided.code).toBe(0);
    const show = JSON.parse((await runCli(url, ['task', 'show', TASK, '--json'])).stdout);
    expect(show).toMatchObject({ state: 'void', voidReason: '录入错误，重新创建' });
    expect(show.teams).toHaveLength(2); // the record stays
  });
});

describe('same-year exclusion across tasks (database)', () => {
  it('a general-only task skips targets another locked task drew this year, unless the setting is off', async () => {
    const { url, store } = await dialects()[0]!.fresh();
    await store.close();
    await importWuhai(url);
    const dir = mkdtempSync(join(tmpdir(), 'liancha-sameyear-'));
    const general = (id: string) => {
      const path = join(dir, `${id}.yaml`);
      writeFileSync(
        path,
        `id: ${id}\nname: ${id}\ninitiator: SCJG\nparticipants: [WJW]\nitems: [SCJG-002, WJW-002]\nscope: { regions: ['150302'], directories: [SCJG] }\ncount: 10\nwindow: { start: 2026-12-01, end: 2026-12-31 }\nteam: { targetsPerTeam: 5 }\n`,
      );
      return path;
    };
    await runCli(url, ['task', 'create', general('FIRST')]);
    await runCli(url, ['draw', 'freeze', 'FIRST', '--entropy-source', 's']);
    const first = JSON.parse((await runCli(url, ['draw', 'run', 'FIRST', '--entropy', 'e', '--json'])).stdout)
      .targets.all as string[];
    await runCli(url, ['task', 'create', general('SECOND')]);
    const excluded = JSON.parse((await runCli(url, ['draw', 'preview', 'SECOND', '--json'])).stdout);
    expect(excluded.pools.targets.excluded.sameYear).toBe(10);
    expect(excluded.pools.targets.sameYearExclusionApplies).toBe(true);
    const off = JSON.parse(
      (
        await runCli(url, ['draw', 'preview', 'SECOND', '--json'], {
          env: { LIANCHA_SAME_YEAR_EXCLUSION: 'off' },
        })
      ).stdout,
    );
    expect(off.pools.targets.excluded.sameYear).toBe(0);
    expect(off.pools.targets.eligible).toBe(excluded.pools.targets.eligible + first.length);
  });
});
