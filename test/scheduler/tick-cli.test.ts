import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/db.ts';
import { recordDelivery } from '../../src/storage/inbound.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects, freshSqliteUrl } from '../helpers/stores.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('liancha tick --at', () => {
  it.each([
    ['tomorrow'],
    ['2026-12-03T09:00:00'], // no offset: a different moment on every server
    ['2026-12-03 09:00+08:00'],
    ['2026-02-30T09:00:00Z'],
    ['2026-12-03T25:00:00Z'],
    ['2026-12-03T09:00:00+08'],
  ])('refuses %s with one line naming --at and an example, and does nothing', async (bad) => {
    const url = freshSqliteUrl();
    const res = await runCli(url, ['tick', '--at', bad]);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      `error: --at must be an ISO 8601 time with an offset or Z, e.g. 2026-12-03T09:00:00+08:00; got "${bad}"\n`,
    );
  });

  it('a missing value is a usage error (exit 2)', async () => {
    const res = await runCli(freshSqliteUrl(), ['tick', '--at']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--at <iso-time>.*argument missing/);
  });

  it('shows the moment in LIANCHA_TZ and what each job did, and that the bot sends what it queued', async () => {
    const url = freshSqliteUrl();
    const shanghai = await runCli(url, ['tick', '--at', '2026-12-03T01:00:00Z'], {
      env: { LIANCHA_TZ: 'Asia/Shanghai' },
    });
    expect(shanghai.stderr).toBe('');
    expect(shanghai.code).toBe(0);
    expect(shanghai.stdout).toBe(
      'tick at 2026-12-03 09:00 (Asia/Shanghai):\n' +
        '  prune-deliveries: pruned 0\n' +
        '  substitution-lapses: reminded 0, expired 0\n' +
        '  deadline-reminders: reminded 0, escalated 0, unreachable 0\n' +
        '  weekly-digest: posted 0, skipped 1\n' +
        'messages queued by this tick are sent by the running bot (or liancha outbox flush)\n',
    );
    const utc = await runCli(url, ['tick', '--at', '2026-12-03T09:00:00+08:00'], {
      env: { LIANCHA_TZ: 'UTC' },
    });
    expect(utc.stdout.split('\n')[0]).toBe('tick at 2026-12-03 01:00 (UTC):');
  });

  it('without --at it runs for now (the clock); --json prints the report with ISO times', async () => {
    const url = freshSqliteUrl();
    const now = new Date('2026-12-05T06:30:00.000Z');
    const res = await runCli(url, ['tick', '--json'], { clock: () => now });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({
      at: '2026-12-05T06:30:00.000Z',
      ran: true,
      jobs: [
        { name: 'prune-deliveries', ok: true, counts: { pruned: 0 } },
        { name: 'substitution-lapses', ok: true, counts: { reminded: 0, expired: 0 } },
        { name: 'deadline-reminders', ok: true, counts: { reminded: 0, escalated: 0, unreachable: 0 } },
        { name: 'weekly-digest', ok: true, counts: { posted: 0, skipped: 1 } },
      ],
    });
  });
});

describe.each(dialects())('liancha tick on $dialect', ({ fresh }) => {
  it('forgets delivery ids more than 7 days older than --at, and says how many', async () => {
    const { url, store } = await fresh();
    const at = new Date('2026-12-10T01:00:00.000Z');
    await recordDelivery(store.db, 'event:old', 'message', new Date(at.getTime() - 8 * DAY));
    await recordDelivery(store.db, 'event:recent', 'message', new Date(at.getTime() - 6 * DAY));
    await store.close();
    const res = await runCli(url, ['tick', '--at', at.toISOString()]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('  prune-deliveries: pruned 1\n');
    const check = openStore(url);
    try {
      const ids = await check.db.selectFrom('inbound_deliveries').select('delivery_id').execute();
      expect(ids.map((r) => r.delivery_id)).toEqual(['event:recent']);
    } finally {
      await check.close();
    }
  });
});
