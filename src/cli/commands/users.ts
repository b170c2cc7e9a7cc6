import type { Command } from 'commander';
import { UserError } from '../../errors.ts';
import type { ResolveReport } from '../../services/identities.ts';
import { print, printJson } from '../io.ts';
import type { CommandContext } from '../main.ts';

export function registerUsers(program: Command, { io, withApp }: CommandContext): void {
  const users = program.command('users').description("the directories' Feishu identities");
  users
    .command('check')
    .description(
      'resolve mobile numbers and e-mails to Feishu open_ids (with Feishu credentials) and list the people whose identity is not resolved',
    )
    .option('--all', 'ask Feishu again about identifiers that were already resolved')
    .option('--json', 'print as JSON')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const { resolveIdentities, unresolvedPeople } = await import('../../services/identities.ts');
      await withApp(async (app) => {
        let report: ResolveReport | null = null;
        if (!app.config.localMode) {
          // Loaded on demand: the Feishu SDK is large, and every other command starts faster without it.
          const { FeishuCallError, feishuFromConfig } = await import('../../bot/feishu/client.ts');
          try {
            report = await resolveIdentities(app, feishuFromConfig(app.config, { log: app.log }), {
              all: opts.all ?? false,
            });
          } catch (err) {
            if (err instanceof FeishuCallError)
              throw new UserError(
                'FEISHU.CALL_FAILED',
                `could not resolve identities with Feishu: ${err.message}`,
              );
            throw err;
          }
        }
        const people = await unresolvedPeople(app.store.db, { localMode: app.config.localMode });
        if (opts.json) {
          printJson(io, { checked: report, unresolved: people });
          return;
        }
        if (report)
          print(
            io,
            `asked Feishu about ${report.checked} mobile numbers and e-mails in ${report.calls} calls: ${report.resolved} resolved, ${report.unresolved} not found`,
          );
        else print(io, 'local mode (no Feishu credentials): listing what is stored, nothing was resolved');
        if (people.length === 0) {
          print(io, 'everyone has a resolved Feishu identity');
          return;
        }
        print(
          io,
          `${people.length} ${people.length === 1 ? 'person has' : 'people have'} no resolved Feishu identity:`,
        );
        for (const p of people) {
          const where = p.fields.length ? p.fields.map((f, i) => `${f} ${p.values[i]}`).join(', ') : '-';
          const who = p.certNo ? `${p.name} (${p.certNo})` : p.name;
          print(io, `  ${p.department} ${p.departmentName}  ${who}  ${where}  — ${p.reason}`);
        }
      });
    });
}
