import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { dialects } from '../helpers/stores.ts';
import { harness, type Harness } from './feishu-harness.ts';
import { simpleCard } from '../fake-feishu/sample-cards.ts';

describe.each(dialects())('liancha outbox on $dialect', ({ fresh }) => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('a card too large for Feishu is not sent: outbox --failed names it with the reason', async () => {
    h = await harness(fresh);
    h.fake.addUser({ openId: 'ou_big' });
    // 11,000 CJK characters: 33 KB of card, over Feishu's 30 KB request body.
    const huge = () => simpleCard('检'.repeat(11_000));
    const [row] = await h.enqueueCards(['ou_big'], 'open_id', huge);
    const flushed = await runCli(h.url, ['outbox', 'flush'], { env: h.env() });
    expect(flushed.code).toBe(0);
    expect(flushed.stdout).toContain('sent 0, failed 1');
    expect(h.fake.messagesTo('ou_big')).toHaveLength(0);
    const failed = await runCli(h.url, ['outbox', '--failed']);
    expect(failed.stdout).toContain(row!.id);
    expect(failed.stdout).toMatch(
      /reason: card too large: the request would be \d+ bytes, Feishu accepts 30720/,
    );
  });

  it('flushes, lists failures with the reason, and requeues one with --retry', async () => {
    h = await harness(fresh);
    const far = h.fake.addUser({ openId: 'ou_far', outsideAvailability: true });
    h.fake.addUser({ openId: 'ou_ok' });
    h.fake.addChat({ chatId: 'oc_nobot', botIsMember: false });
    const [farRow] = await h.enqueueCards(['ou_far']);
    await h.enqueueCards(['oc_nobot'], 'chat_id');
    await h.enqueueCards(['ou_ok']);

    const waiting = await runCli(h.url, ['outbox']);
    expect(waiting.code).toBe(0);
    expect(waiting.stdout).toContain('3 waiting messages:');
    expect(waiting.stdout).toContain(`${farRow!.id}  send → open_id ou_far  test:0  attempts 0  next try`);

    const flushed = await runCli(h.url, ['outbox', 'flush'], { env: h.env() });
    expect(flushed.code).toBe(0); // stderr carries the warn-level log of the two failures
    expect(flushed.stdout).toContain('sent 1, failed 2, still waiting 0');
    expect(flushed.stdout).toContain('2 failed in all: see liancha outbox --failed');
    expect(h.fake.messagesTo('ou_ok')).toHaveLength(1);

    expect((await runCli(h.url, ['outbox'])).stdout).toBe('nothing waiting to be sent\n');
    const failed = await runCli(h.url, ['outbox', '--failed']);
    expect(failed.code).toBe(0);
    expect(failed.stdout).toContain('2 failed messages:');
    expect(failed.stdout).toContain("    reason: user is outside the bot's availability (code 230013");
    expect(failed.stdout).toContain('    reason: bot is not in the chat (code 230002');
    const json = JSON.parse((await runCli(h.url, ['outbox', '--failed', '--json'])).stdout);
    expect(json).toEqual([
      expect.objectContaining({
        id: farRow!.id,
        state: 'failed',
        receiveId: 'ou_far',
        lastError: expect.stringContaining('230013'),
      }),
      expect.objectContaining({ receiveId: 'oc_nobot', lastError: expect.stringContaining('230002') }),
    ]);

    // The office widens the bot's availability, then retries (a prefix of the id is enough).
    far.outsideAvailability = false;
    const retried = await runCli(h.url, ['outbox', '--retry', farRow!.id.slice(0, 8)]);
    expect(retried).toMatchObject({
      code: 0,
      stdout: `message ${farRow!.id} is queued again (send → open_id ou_far)\n`,
    });
    expect((await runCli(h.url, ['outbox'])).stdout).toContain('1 waiting message:');
    const again = await runCli(h.url, ['outbox', 'flush', '--json'], { env: h.env() });
    expect(JSON.parse(again.stdout)).toMatchObject({ sent: 1, failed: 0, waiting: 0, failedTotal: 1 });
    expect(h.fake.messagesTo('ou_far')).toHaveLength(1);

    const notFailed = await runCli(h.url, ['outbox', '--retry', farRow!.id]);
    expect(notFailed).toMatchObject({
      code: 1,
      stderr: `error: message ${farRow!.id} is sent, not failed: only failed messages can be retried\n`,
    });
    expect(await runCli(h.url, ['outbox', '--retry', 'nope-nope'])).toMatchObject({
      code: 1,
      stderr: 'error: no outbox message with id "nope-nope"\n',
    });
  });

  it('outbox flush and users check exit 1 with a clear message when Feishu refuses the credentials', async () => {
    h = await harness(fresh);
    await h.enqueueCards(['ou_x']);
    const env = { ...h.env(), FEISHU_APP_SECRET: 'wrong' };
    const flush = await runCli(h.url, ['outbox', 'flush'], { env });
    expect(flush.code).toBe(1);
    expect(flush.stderr).toMatch(
      /^error: cannot reach Feishu: could not get a tenant access token \(HTTP 400, code 10014: app secret invalid\) — check FEISHU_APP_ID and FEISHU_APP_SECRET\n$/,
    );
    expect((await runCli(h.url, ['outbox'])).stdout).toContain('attempts 0');
    await h.store.db
      .insertInto('departments')
      .values({ code: 'D', name: 'd', head: '13800000000', liaison: null })
      .execute();
    const users = await runCli(h.url, ['users', 'check'], { env });
    expect(users.code).toBe(1);
    expect(users.stderr).toMatch(
      /^error: could not resolve identities with Feishu: could not get a tenant access token/,
    );
  });

  it('outbox flush without Feishu credentials exits 1 with a clear message', async () => {
    const { url, store } = await fresh();
    await store.close();
    const res = await runCli(url, ['outbox', 'flush']);
    expect(res).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'error: no Feishu credentials: set FEISHU_APP_ID and FEISHU_APP_SECRET (without them liancha runs in local mode)\n',
    });
  });
});
