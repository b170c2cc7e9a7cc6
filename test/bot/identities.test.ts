import type { Insertable } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openIdFor, resolveIdentities, unresolvedPeople } from '../../src/services/identities.ts';
import type { Store } from '../../src/storage/db.ts';
import type { InspectorsTable } from '../../src/storage/schema.ts';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { harness, silent, type Harness } from './feishu-harness.ts';

const mobile = (i: number) => `139${String(i).padStart(8, '0')}`;

async function seedDirectories(store: Store, inspectors: number): Promise<void> {
  await store.db
    .insertInto('departments')
    .values([
      { code: 'SCJG', name: '市场监管局', head: 'ou_head_scjg', liaison: 'liaison@wuhai.gov.cn' },
      { code: 'WJW', name: '卫健委', head: '13999999999', liaison: null },
      { code: 'YJGL', name: '应急管理局', head: null, liaison: 'call the office' },
    ])
    .execute();
  const rows: Insertable<InspectorsTable>[] = Array.from({ length: inspectors }, (_, i) => ({
    cert_no: `C${String(i).padStart(4, '0')}`,
    name: `检查员${i}`,
    department: i % 2 ? 'SCJG' : 'WJW',
    section: null,
    cert_valid_until: '2030-12-31',
    specialties: '[]',
    regions: '["150302"]',
    mobile: mobile(i),
    open_id: null,
    kind: 'officer',
    active: 1,
  }));
  rows.push({
    ...rows[0]!,
    cert_no: 'X-OPEN',
    name: '有飞书ID',
    mobile: '13700000000',
    open_id: 'ou_direct',
  });
  rows.push({ ...rows[0]!, cert_no: 'X-NONE', name: '无联系方式', mobile: null, open_id: null });
  rows.push({ ...rows[0]!, cert_no: 'X-GONE', name: '已离岗', mobile: '13600000000', active: 0 });
  for (let i = 0; i < rows.length; i += 50)
    await store.db
      .insertInto('inspectors')
      .values(rows.slice(i, i + 50))
      .execute();
}

describe.each(dialects())('Feishu identities on $dialect', ({ fresh }) => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('resolves 120 mobiles in calls of 50 and keeps what Feishu answered', async () => {
    h = await harness(fresh);
    await seedDirectories(h.store, 120);
    // Everyone but inspectors 7 and 42 is in Feishu, and so are the WJW head and the SCJG liaison.
    h.fake.addUsers(120, 'insp').forEach((u, i) => {
      if (i === 7 || i === 42) h.fake.users.delete(u.openId);
    });
    h.fake.addUser({ openId: 'ou_head_wjw', mobile: '13999999999' });
    h.fake.addUser({ openId: 'ou_liaison', email: 'Liaison@wuhai.gov.cn' });

    const app = { store: h.store, clock: h.clock, log: silent };
    const report = await resolveIdentities(app, h.feishu);
    // 120 inspectors' mobiles, X-OPEN's (not in Feishu, but X-OPEN has an open_id), the head's; one e-mail.
    expect(report).toMatchObject({ checked: 123, resolved: 120, unresolved: 3, calls: 3 });
    const calls = h.fake.requestsTo('/open-apis/contact/v3/users/batch_get_id');
    expect(calls.map((c) => (c.body as { mobiles?: string[] }).mobiles?.length)).toEqual([50, 50, 22]);

    expect(await openIdFor(h.store.db, mobile(3))).toBe('ou_insp3');
    expect(await openIdFor(h.store.db, mobile(7))).toBeNull();
    expect(await openIdFor(h.store.db, '13999999999')).toBe('ou_head_wjw');
    expect(await openIdFor(h.store.db, 'liaison@wuhai.gov.cn')).toBe('ou_liaison');
    expect(await openIdFor(h.store.db, 'ou_anything')).toBe('ou_anything');

    const people = await unresolvedPeople(h.store.db);
    expect(people.map((p) => [p.who, p.certNo ?? p.department, p.fields, p.reason])).toEqual([
      ['department', 'YJGL', ['liaison'], 'not an open_id, mobile number or e-mail address'],
      ['department', 'YJGL', [], 'no head set'],
      ['inspector', 'C0007', ['mobile'], 'mobile number not found in Feishu'],
      ['inspector', 'C0042', ['mobile'], 'mobile number not found in Feishu'],
      ['inspector', 'X-NONE', [], 'no mobile number or open_id'],
    ]);

    // A second run asks only about what is still unresolved.
    const again = await resolveIdentities(app, h.feishu);
    expect(again).toMatchObject({ checked: 3, calls: 1 });
  });

  it('liancha users check resolves with credentials and lists the unresolved; in local mode it only lists', async () => {
    h = await harness(fresh);
    await seedDirectories(h.store, 3);
    h.fake.addUser({ openId: 'ou_i0', mobile: mobile(0) });
    h.fake.addUser({ openId: 'ou_liaison', email: 'liaison@wuhai.gov.cn' });

    const local = await runCli(h.url, ['users', 'check']);
    expect(local.code).toBe(0);
    expect(local.stdout).toContain('local mode');
    expect(local.stdout).toMatch(
      /WJW 卫健委\s+检查员0 \(C0000\)\s+mobile 13900000000\s+— not checked \(no Feishu credentials: local mode\)/,
    );

    const checked = await runCli(h.url, ['users', 'check'], { env: h.env() });
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain(
      'asked Feishu about 6 mobile numbers and e-mails in 1 calls: 2 resolved, 4 not found',
    );
    expect(checked.stdout).not.toContain('C0000');
    expect(checked.stdout).toMatch(
      /SCJG 市场监管局\s+检查员1 \(C0001\)\s+mobile 13900000001\s+— mobile number not found in Feishu/,
    );
    expect(checked.stdout).toMatch(
      /WJW 卫健委\s+卫健委 负责人 head\s+head 13999999999\s+— mobile number not found in Feishu/,
    );
    expect(checked.stdout).toMatch(/YJGL 应急管理局\s+应急管理局 负责人 head\s+-\s+— no head set/);

    const json = await runCli(h.url, ['users', 'check', '--json'], { env: h.env() });
    const parsed = JSON.parse(json.stdout);
    expect(parsed.checked).toMatchObject({ checked: 4, resolved: 0 });
    expect(
      parsed.unresolved.map((p: { certNo?: string; department: string }) => p.certNo ?? p.department),
    ).toEqual(['WJW', 'YJGL', 'YJGL', 'C0001', 'C0002', 'X-NONE']);
  });
});
