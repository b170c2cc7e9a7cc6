/**
 * Issue 7, items 12, 16 and 18: what an operator sees when a setting is wrong, and what the CLI prints for a
 * person (sentences, never JSON log lines, stack traces or passwords).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { startBot } from '../../src/bot/runtime.ts';
import { loadConfig } from '../../src/config.ts';
import { openStore } from '../../src/storage/db.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';
import { freshSqliteUrl, pgAvailable } from '../helpers/stores.ts';
import { foodTaskFile, importWuhai } from '../helpers/wuhai.ts';

/** One line, `error: …`, exit 1, no stack trace. */
function oneClearLine(res: CliResult, pattern: RegExp): void {
  expect(res.stderr).toMatch(/^error: [^\n]+\n$/);
  expect(res.stderr).toMatch(pattern);
  expect(res.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(res.code).toBe(1);
}

describe('DATABASE_URL mistakes', () => {
  it('a directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liancha-dir-'));
    const res = await runCli(`file:${dir}`, ['task', 'list']);
    oneClearLine(res, /^error: DATABASE_URL="file:.*": .* is a directory; give the path of a database file/);
  });

  it('a file that is not a database', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'liancha-notdb-')), 'notes.txt');
    writeFileSync(file, 'these are not the tables you are looking for\n'.repeat(100));
    const res = await runCli(`file:${file}`, ['task', 'list']);
    oneClearLine(res, /^error: DATABASE_URL="file:.*notes\.txt": .*notes\.txt is not a SQLite database\n$/);
    expect(readFileSync(file, 'utf8')).toMatch(/^these are not/);
  });

  it('a PostgreSQL server that is not there: one line naming DATABASE_URL, never the password', async () => {
    const port = await freePort();
    const res = await runCli(`postgres://liancha:s3cret-pw@127.0.0.1:${port}/liancha`, ['task', 'list']);
    oneClearLine(
      res,
      new RegExp(
        `^error: DATABASE_URL \\(postgres://liancha:\\*\\*\\*@127\\.0\\.0\\.1:${port}/liancha\\): cannot use PostgreSQL: .*ECONNREFUSED`,
      ),
    );
    expect(res.stderr).not.toContain('s3cret-pw');
  });

  it.skipIf(!pgAvailable())('a PostgreSQL database that does not exist', async () => {
    const { inject } = await import('vitest');
    const admin = inject('pgUrl');
    const res = await runCli(admin.replace(/\/[^/]*$/, '/no_such_db_here'), ['task', 'list']);
    oneClearLine(
      res,
      /^error: DATABASE_URL \(postgres:.*\): cannot use PostgreSQL: database "no_such_db_here" does not exist/,
    );
  });

  it('a malformed URL never echoes its password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgresql//liancha:s3cret-pw@db/liancha' })).toThrow(
      /^DATABASE_URL="postgresql\/\/liancha:\*\*\*@db\/liancha": must be file:PATH or postgres/,
    );
  });
});

describe('cron settings are real cron expressions', () => {
  it.each([
    ['DIGEST_CRON', '61 * * * *'],
    ['REMINDER_CRON', '0 25 * * *'],
    ['DIGEST_CRON', '0 9 * * 8'],
  ])('%s=%s is refused with one line naming the variable', async (name, value) => {
    const res = await runCli(freshSqliteUrl(), ['migrate'], { env: { [name]: value } });
    oneClearLine(
      res,
      new RegExp(`^error: ${name}="${value.replace(/\*/g, '\\*')}": is not a valid cron expression`),
    );
  });

  it('accepts 5- and 6-field expressions', () => {
    expect(loadConfig({ DIGEST_CRON: '*/15 9-17 * * 1-5', REMINDER_CRON: '0 30 8 * * *' })).toMatchObject({
      DIGEST_CRON: '*/15 9-17 * * 1-5',
    });
  });

  it('LOG_FORMAT is json or pretty', async () => {
    const res = await runCli(freshSqliteUrl(), ['migrate'], { env: { LOG_FORMAT: 'xml' } });
    oneClearLine(res, /^error: LOG_FORMAT="xml": /);
  });
});

describe('migrate', () => {
  it('on a new database says what it applied, and then that nothing was needed', async () => {
    const url = freshSqliteUrl();
    const first = await runCli(url, ['migrate']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /: applied \d+ migration\(s\): 001_directories_and_audit, 002_tasks_and_draws/,
    );
    const json = JSON.parse((await runCli(url, ['migrate', '--json'])).stdout);
    expect(json.applied).toEqual([]);
    const again = await runCli(url, ['migrate']);
    expect(again.stdout).not.toMatch(/applied/);
    expect(again.stdout).toMatch(/schema is current/);
  });

  it('the migration notice on stderr is a sentence, not a JSON log line', async () => {
    const res = await runCli(freshSqliteUrl(), ['task', 'list'], { env: { LOG_LEVEL: 'info' } });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/^file:.*: applied \d+ migration\(s\): 001_directories_and_audit, .*\n$/);
    expect(res.stderr).not.toContain('{');
  });
});

describe('serve on a port already in use', () => {
  it('one line naming PORT, exit 1', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, r));
    try {
      const res = await runCli(freshSqliteUrl(), ['serve'], { env: { PORT: String(port) } });
      oneClearLine(res, new RegExp(`^error: PORT=${port}: port ${port} is already in use`));
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe('the draw, for a person at the terminal', () => {
  const TASK = 'WH-OPS-01';
  let url: string;
  beforeAll(async () => {
    url = freshSqliteUrl();
    await importWuhai(url);
    const path = foodTaskFile(TASK);
    expect((await runCli(url, ['task', 'create', path])).code).toBe(0);
  });

  it('warnings are sentences on stderr; LOG_FORMAT=json keeps JSON', async () => {
    const preview = await runCli(url, ['draw', 'preview', TASK], { env: { LOG_FORMAT: 'json' } });
    expect(preview.code).toBe(0);
    const freeze = await runCli(url, ['draw', 'freeze', TASK, '--entropy-source', 's']);
    expect(freeze.code).toBe(0);
    expect(freeze.stderr).toBe(
      'warning: JOINT_CHAT_ID is not set: the joint-meeting group card was not queued\n',
    );
  });

  it('draw run says how many assignment cards were queued and who cannot be reached', async () => {
    // Only the SCJG inspectors have a Feishu identity.
    const s = openStore(url);
    const scjg = await s.db
      .selectFrom('inspectors')
      .select('cert_no')
      .where('department', '=', 'SCJG')
      .execute();
    for (const { cert_no } of scjg)
      await s.db
        .updateTable('inspectors')
        .set({ open_id: `ou_${cert_no}` })
        .where('cert_no', '=', cert_no)
        .execute();
    await s.close();
    const run = await runCli(url, ['draw', 'run', TASK, '--entropy', 'e'], { env: { LOG_FORMAT: 'json' } });
    expect(run.code, run.stderr).toBe(0);
    // The JSON log line is kept when asked for.
    expect(JSON.parse(run.stderr.trim().split('\n')[0]!)).toMatchObject({ level: 40, msg: /JOINT_CHAT_ID/ });
    const teams = JSON.parse((await runCli(url, ['task', 'show', TASK, '--json'])).stdout).teams as {
      members: { dept: string; name: string }[];
    }[];
    const members = teams.flatMap((t) => t.members);
    const reachable = members.filter((m) => m.dept === 'SCJG').length;
    expect(run.stdout).toContain(
      `queued ${reachable} assignment card${reachable === 1 ? '' : 's'}: the running bot sends them`,
    );
    const unreachable = members.length - reachable;
    expect(run.stdout).toContain(`${unreachable} drawn people have no Feishu identity and cannot be reached`);
    for (const m of members.filter((x) => x.dept !== 'SCJG')) expect(run.stdout).toContain(`: ${m.name}, `);
  });

  it('draw export refuses to overwrite an existing file without --force, and the database always', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liancha-exp-'));
    const file = join(dir, 'draw.json');
    writeFileSync(file, 'keep me\n');
    oneClearLine(
      await runCli(url, ['draw', 'export', TASK, file]),
      /^error: .*draw\.json already exists: choose another file name, or add --force to overwrite it\n$/,
    );
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
    expect((await runCli(url, ['draw', 'export', TASK, file, '--force'])).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).taskId).toBe(TASK);

    const dbPath = url.slice('file:'.length);
    const before = readFileSync(dbPath);
    for (const args of [[], ['--force']]) {
      oneClearLine(
        await runCli(url, ['draw', 'export', TASK, dbPath, ...args]),
        /is liancha's own database \(DATABASE_URL\): write the record to another file\n$/,
      );
    }
    expect(readFileSync(dbPath).subarray(0, 16).toString()).toBe('SQLite format 3\0');
    expect(readFileSync(dbPath).length).toBe(before.length);
    expect((await runCli(url, ['draw', 'verify', TASK])).stdout.trim()).toBe('MATCH');
  });
});

describe('/healthz reads the database for real', () => {
  it('says 503 when the database file was replaced under the running server', async () => {
    const url = freshSqliteUrl();
    const app = await createApp({ env: { DATABASE_URL: url, LOG_LEVEL: 'silent' } });
    try {
      // No scheduler: nothing but the check itself touches the file while it is replaced.
      const bot = startBot(app, { scheduler: false });
      expect((await bot.http.request('/healthz')).status).toBe(200);
      writeFileSync(url.slice('file:'.length), JSON.stringify({ record: 'an export written over it' }));
      const res = await bot.http.request('/healthz');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ ok: false, database: { ok: false } });
    } finally {
      await app.close();
    }
  });
});

describe('users check', () => {
  it('has the same exit code with and without --json', async () => {
    const url = freshSqliteUrl();
    await importWuhai(url);
    for (const env of [
      {},
      {
        FEISHU_APP_ID: 'cli_x',
        FEISHU_APP_SECRET: 's',
        FEISHU_DOMAIN: `http://127.0.0.1:${await freePort()}`,
      },
    ]) {
      const text = await runCli(url, ['users', 'check'], { env });
      const json = await runCli(url, ['users', 'check', '--json'], { env });
      expect(json.code, `${JSON.stringify(env)}: ${text.stderr} / ${json.stderr}`).toBe(text.code);
    }
  });
});
