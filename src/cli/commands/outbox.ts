import type { Command } from 'commander';
import type { App } from '../../app.ts';
import { UserError } from '../../errors.ts';
import type { OutboxRow } from '../../storage/outbox.ts';
import { print, printJson, when } from '../io.ts';
import type { CommandContext } from '../main.ts';

export function registerOutbox(program: Command, { io, withApp }: CommandContext): void {
  const outbox = program
    .command('outbox')
    .description('messages waiting to be sent to Feishu, or (--failed) those that failed, with the reason')
    .option('--failed', 'list failed messages and why they failed')
    .option('--retry <id>', 'put a failed message back in the queue (an id or a unique prefix of one)')
    .option('--json', 'print as JSON')
    .action(async (opts: { failed?: boolean; retry?: string; json?: boolean }) => {
      const { listOutbox, retryFailed } = await import('../../storage/outbox.ts');
      await withApp(async (app) => {
        if (opts.retry !== undefined) {
          const row = await findRow(app, opts.retry);
          if (row.state !== 'failed')
            throw new UserError(
              'OUTBOX.NOT_FAILED',
              `message ${row.id} is ${row.state}, not failed: only failed messages can be retried`,
            );
          await retryFailed(app.store.db, row.id, app.clock());
          if (opts.json) printJson(io, { retried: row.id });
          else print(io, `message ${row.id} is queued again (${describeTarget(row)})`);
          return;
        }
        const rows = await listOutbox(app.store.db, { failed: opts.failed ?? false });
        if (opts.json) {
          printJson(io, rows.map(toJson));
          return;
        }
        if (rows.length === 0) {
          print(io, opts.failed ? 'no failed messages' : 'nothing waiting to be sent');
          return;
        }
        print(
          io,
          `${rows.length} ${opts.failed ? 'failed' : 'waiting'} message${rows.length === 1 ? '' : 's'}:`,
        );
        for (const r of rows) {
          const status =
            r.state === 'pending'
              ? `next try ${when(app.config.LIANCHA_TZ, r.next_attempt_at)}`
              : `sending (claimed by ${r.claimed_by})`;
          print(
            io,
            `${r.id}  ${describeTarget(r)}  ${r.ref ?? '-'}  attempts ${r.attempts}  ${opts.failed ? `created ${when(app.config.LIANCHA_TZ, r.created_at)}` : status}`,
          );
          if (r.last_error) print(io, `    ${opts.failed ? 'reason' : 'last error'}: ${r.last_error}`);
        }
      });
    });

  outbox
    .command('flush')
    .description('send pending messages now from this process (needs FEISHU_APP_ID and FEISHU_APP_SECRET)')
    .option(
      '--max-wait <seconds>',
      'how long to keep retrying messages that failed for a passing reason',
      '60',
    )
    .option('--json', 'print the result as JSON')
    .action(async (_opts: unknown, cmd: Command) => {
      const { outboxCounts } = await import('../../storage/outbox.ts');
      // `--json` is also an option of `outbox`: whichever of the two commander gives it to, take it.
      const opts = cmd.optsWithGlobals<{ maxWait: string; json?: boolean }>();
      const maxWait = Number(opts.maxWait);
      if (!Number.isFinite(maxWait) || maxWait < 0)
        throw new UserError(
          'CLI.BAD_OPTION',
          `--max-wait must be a number of seconds, got "${opts.maxWait}"`,
        );
      await withApp(async (app) => {
        // Loaded on demand: the Feishu SDK is large, and every other command starts faster without it.
        const { classifyFeishuError, feishuFromConfig } = await import('../../bot/feishu/client.ts');
        const { createSender } = await import('../../bot/sender.ts');
        const feishu = feishuFromConfig(app.config, { log: app.log });
        // Fail fast on credentials Feishu refuses, rather than retrying every message until --max-wait.
        await feishu.warmUp().catch((err: unknown) => {
          throw new UserError(
            'FEISHU.UNREACHABLE',
            `cannot reach Feishu: ${classifyFeishuError(err).reason}`,
          );
        });
        const sender = createSender({
          store: app.store,
          feishu,
          clock: app.clock,
          log: app.log,
          instanceId: `cli:${process.pid}`,
        });
        const report = await sender.drainUntilIdle({ maxWaitMs: maxWait * 1000 });
        const left = await outboxCounts(app.store.db);
        if (opts.json) {
          printJson(io, { ...report, waiting: left.pending + left.sending, failedTotal: left.failed });
          return;
        }
        print(
          io,
          `sent ${report.sent}, failed ${report.failed}, still waiting ${left.pending + left.sending}` +
            (report.superseded ? `, ${report.superseded} updates superseded by newer ones` : ''),
        );
        if (left.failed > 0) print(io, `${left.failed} failed in all: see liancha outbox --failed`);
      });
    });
}

async function findRow(app: App, idOrPrefix: string): Promise<OutboxRow> {
  const { getOutboxRow, outboxIdsWithPrefix } = await import('../../storage/outbox.ts');
  const exact = await getOutboxRow(app.store.db, idOrPrefix);
  if (exact) return exact;
  if (idOrPrefix.length >= 4) {
    const matches = await outboxIdsWithPrefix(app.store.db, idOrPrefix, 2);
    if (matches.length === 1) return (await getOutboxRow(app.store.db, matches[0]!))!;
    if (matches.length > 1)
      throw new UserError(
        'OUTBOX.AMBIGUOUS',
        `"${idOrPrefix}" matches several messages: give more of the id`,
      );
  }
  throw new UserError('OUTBOX.NOT_FOUND', `no outbox message with id "${idOrPrefix}"`);
}

function describeTarget(r: OutboxRow): string {
  if (r.kind === 'send') return `send → ${r.receive_id_type} ${r.receive_id}`;
  if (r.kind === 'reply') return `reply → message ${r.target_message_id}`;
  return `update → ${r.target_message_id ? `message ${r.target_message_id}` : `the message of ${r.patch_of}`}`;
}

function toJson(r: OutboxRow) {
  return {
    id: r.id,
    kind: r.kind,
    receiveIdType: r.receive_id_type,
    receiveId: r.receive_id,
    targetMessageId: r.target_message_id,
    patchOf: r.patch_of,
    ref: r.ref,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    claimedBy: r.claimed_by,
    createdAt: r.created_at,
  };
}
