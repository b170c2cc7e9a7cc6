import type { Command } from 'commander';
import { UserError } from '../../errors.ts';
import { verifyAuditChain } from '../../storage/audit.ts';
import { print, printJson } from '../io.ts';
import type { CommandContext } from '../main.ts';

export function registerAudit(program: Command, { io, withApp }: CommandContext): void {
  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description("check the audit log's hash chain and report the first entry that was altered or removed")
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      await withApp(async (app) => {
        const verdict = await verifyAuditChain(app.store.db);
        if (opts.json) printJson(io, verdict);
        if (!verdict.ok)
          throw new UserError(
            'AUDIT.BROKEN_CHAIN',
            `audit log broken at entry ${verdict.seq}: ${verdict.problem}`,
          );
        if (!opts.json) print(io, `audit log intact: ${verdict.entries} entries`);
      });
    });
}
