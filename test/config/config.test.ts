import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { runCli } from '../helpers/cli.ts';
import { freshSqliteUrl } from '../helpers/stores.ts';

describe('configuration', () => {
  it('has the defaults of README and starts in local mode without Feishu credentials', () => {
    const cfg = loadConfig({});
    expect(cfg).toMatchObject({
      DATABASE_URL: 'file:./data/liancha.db',
      FEISHU_DOMAIN: 'feishu',
      FEISHU_MODE: 'http',
      PORT: 3000,
      LIANCHA_TZ: 'Asia/Shanghai',
      DIGEST_CRON: '0 9 * * 1',
      REMINDER_CRON: '0 9 * * *',
      LOG_LEVEL: 'info',
      localMode: true,
      host: '127.0.0.1',
    });
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT="abc": /],
    [{ PORT: '70000' }, /^PORT="70000": .*65535/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL="mysql:\/\/x": must be file:PATH or postgres/],
    [{ FEISHU_MODE: 'socket' }, /^FEISHU_MODE="socket": /],
    [{ LIANCHA_TZ: 'Mars/Olympus' }, /^LIANCHA_TZ="Mars\/Olympus": must be an IANA time zone/],
    [{ DIGEST_CRON: 'every monday' }, /^DIGEST_CRON="every monday": must be a cron expression/],
    [{ FEISHU_APP_ID: 'cli_a' }, /^FEISHU_APP_SECRET: must be set together/],
    [{ HOST: 'localhost; rm -rf /' }, /^HOST="localhost; rm -rf \/": must be an address to listen on/],
  ])('refuses %o with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('with Feishu credentials it is not local mode, and listens on every address unless HOST says otherwise', () => {
    const cfg = loadConfig({ FEISHU_APP_ID: 'cli_a', FEISHU_APP_SECRET: 's' });
    expect(cfg.localMode).toBe(false);
    expect(cfg.host).toBe('0.0.0.0');
    expect(loadConfig({ FEISHU_APP_ID: 'cli_a', FEISHU_APP_SECRET: 's', HOST: '10.0.0.5' }).host).toBe(
      '10.0.0.5',
    );
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('the CLI stops with exit 1 and that one line, no stack trace', async () => {
    const res = await runCli(freshSqliteUrl(), ['migrate'], { env: { LIANCHA_TZ: 'Nowhere/Else' } });
    expect(res.code).toBe(1);
    expect(res.stderr.trim()).toBe(
      'error: LIANCHA_TZ="Nowhere/Else": must be an IANA time zone such as Asia/Shanghai',
    );
  });
});
