import type { Command } from 'commander';
import { MIN_HEAD_PREFIX } from '../../domain/audit.ts';
import { UserError } from '../../errors.ts';
import { print, printJson, when } from '../io.ts';
import type { CommandContext } from '../main.ts';

const HEAD = new RegExp(`^[0-9a-fA-F]{${MIN_HEAD_PREFIX},64}$`);

export function registerAudit(program: Command, { io, withApp }: CommandContext): void {
  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description(
      "check the audit log's hash chain and report the first entry that was altered or removed; with --head, " +
        'also that a head hash published earlier (on a card or in a draw export) is still in it',
    )
    .option(
      '--head <hash>',
      `a published audit head (the full hash, or at least ${MIN_HEAD_PREFIX} hex digits)`,
    )
    .option('--json', 'print the result as JSON')
    .action(async (opts: { head?: string; json?: boolean }) => {
      const { verifyAuditChain } = await import('../../storage/audit.ts');
      const head = opts.head?.trim();
      if (head !== undefined && !HEAD.test(head))
        throw new UserError(
          'AUDIT.BAD_HEAD',
          `--head takes a hash: ${MIN_HEAD_PREFIX} to 64 hex digits, as shown on a card (审计链头) or in a draw export (auditHead)`,
        );
      await withApp(async (app) => {
        const verdict = await verifyAuditChain(app.store.db, head === undefined ? {} : { head });
        if (opts.json) printJson(io, verdict);
        if (!verdict.ok) {
          if ('seq' in verdict)
            throw new UserError(
              'AUDIT.BROKEN_CHAIN',
              `audit log broken at entry ${verdict.seq}: ${verdict.problem}`,
            );
          throw new UserError('AUDIT.HEAD_NOT_FOUND', verdict.problem);
        }
        if (opts.json) return;
        if (verdict.head) {
          const h = verdict.head;
          print(
            io,
            `audit log intact: ${verdict.entries} entries; head ${h.hash} is entry ${h.seq} (${h.action} ${h.subject}, ${when(app.config.LIANCHA_TZ, h.at)}), still in the chain`,
          );
        } else print(io, `audit log intact: ${verdict.entries} entries`);
      });
    });
}
