import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { startBot } from '../../src/bot/runtime.ts';
import { dialects } from '../helpers/stores.ts';
import { freePort } from '../helpers/ports.ts';

describe.each(dialects())('GET /healthz on $dialect', ({ dialect, fresh }) => {
  it('answers 200 with the database and scheduler status', async () => {
    const { url, store } = await fresh();
    await store.close();
    const app = await createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'silent' } });
    const bot = startBot(app);
    try {
      await bot.scheduler!.tickNow();
      const res = await bot.http.request('/healthz');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        ok: true,
        database: { ok: true, dialect },
        scheduler: { state: 'running', lastTickRan: true, failedJobs: [] },
      });
    } finally {
      await bot.stop();
      await app.close();
    }
  });
});

describe('liancha serve (npm start)', () => {
  it('migrates a new database, listens on PORT and serves /healthz', async () => {
    const { url } = await dialects()[0]!.fresh();
    const port = await freePort();
    const child = spawn(process.execPath, ['bin/liancha.js', 'serve'], {
      env: { ...process.env, DATABASE_URL: url, PORT: String(port), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (d) => (log += d));
    try {
      let body: unknown = null;
      // Local mode (no Feishu credentials) makes the demo data first: a few seconds.
      for (let i = 0; i < 300 && body === null; i++) {
        await new Promise((r) => setTimeout(r, 100));
        body = await fetch(`http://127.0.0.1:${port}/healthz`).then(
          (r) => r.json(),
          () => null,
        );
      }
      expect(body).toMatchObject({ ok: true, database: { ok: true }, scheduler: { state: 'running' } });
      expect(log).toContain(`listening on http://127.0.0.1:${port}`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
