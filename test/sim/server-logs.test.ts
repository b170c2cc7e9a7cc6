/**
 * The server's logs for a person at a terminal (pino-pretty, times in the office's zone, local mode said first)
 * and for a log collector (JSON lines, whatever the mode).
 */
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { freshSqliteUrl } from '../helpers/stores.ts';

/** A stream that keeps what is written, claiming to be a terminal or not. */
function capture(isTTY: boolean) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

/** Shanghai wall-clock minute of `ms`, worked out without the code under test (UTC+8, no daylight saving). */
const shanghaiMinute = (ms: number) =>
  new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('the server logs', () => {
  it('on a terminal: pino-pretty lines, local mode first, times in LIANCHA_TZ whatever the process zone', async () => {
    const out = capture(true);
    const t0 = Date.now();
    const app = await createApp({
      env: { DATABASE_URL: freshSqliteUrl(), LIANCHA_TZ: 'Asia/Shanghai', LOG_LEVEL: 'info' },
      logDestination: out.stream,
      server: true,
    });
    app.log.info({ port: 3000 }, 'listening');
    await app.close();
    // Colours on (a terminal); the words without them.
    const lines = stripVTControlCharacters(out.text()).trim().split('\n');
    expect(out.text()).toContain('\x1b[');
    expect(lines[0]).toContain('本地模拟 — 未连接飞书');
    expect(() => JSON.parse(lines[0]!)).toThrow();
    const last = lines.findIndex((l) => l.includes('listening'));
    expect(last).toBeGreaterThan(0);
    // pino-pretty puts the fields on the lines after the message.
    expect(lines.slice(last).join('\n')).toContain('port: 3000');
    const minutes = [shanghaiMinute(t0), shanghaiMinute(Date.now())];
    expect(minutes.some((m) => lines[last]!.includes(`[${m}:`))).toBe(true);
  });

  it('not on a terminal: one JSON object a line, local mode said first there too', async () => {
    const out = capture(false);
    const app = await createApp({
      env: { DATABASE_URL: freshSqliteUrl(), LOG_LEVEL: 'info' },
      logDestination: out.stream,
      server: true,
    });
    await app.close();
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines[0]!.msg).toContain('本地模拟 — 未连接飞书');
  });

  it('with Feishu credentials nothing says local mode', async () => {
    const out = capture(false);
    const app = await createApp({
      env: {
        DATABASE_URL: freshSqliteUrl(),
        FEISHU_APP_ID: 'cli_a',
        FEISHU_APP_SECRET: 's',
        LOG_LEVEL: 'info',
      },
      logDestination: out.stream,
      server: true,
    });
    await app.close();
    expect(out.text()).not.toContain('本地模拟');
  });
});
