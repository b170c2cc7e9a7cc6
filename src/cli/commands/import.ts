import { Argument, type Command } from 'commander';
import { IMPORT_KINDS, type ImportKind } from '../../import/kinds/names.ts';
import type { ImportSummary } from '../../import/run-import.ts';
import { print, printJson, warn } from '../io.ts';
import type { CommandContext } from '../main.ts';
import { collectGarbageEagerly } from '../heap.ts';

/** `targets.csv: 2000 rows — 2000 added, 0 changed, 0 unchanged` */
export function summaryLine(s: ImportSummary): string {
  const counts = `${s.rows} row${s.rows === 1 ? '' : 's'} — ${s.added} added, ${s.changed} changed, ${s.unchanged} unchanged`;
  const nothing = s.added + s.changed === 0 ? '; nothing changed' : '';
  const dry = s.dryRun ? ' (dry run: nothing was written)' : '';
  return `${s.file}: ${counts}${nothing}${dry}`;
}

export function registerImport(program: Command, { io, withApp }: CommandContext): void {
  program
    .command('import')
    .description(
      'import a directory file (CSV in UTF-8 or GBK, or XLSX): upsert by natural key, all or nothing; ' +
        'every bad row is reported as "row N, column C: reason"',
    )
    .addArgument(new Argument('<kind>', 'what the file holds').choices(IMPORT_KINDS))
    .argument('<file>', 'the CSV or XLSX file; header row in Chinese or English column names')
    .option('--dry-run', 'check the file and count what would change, write nothing')
    .option('--json', 'print the summary (and problems) as JSON')
    .action(async (kind: ImportKind, file: string, opts: { dryRun?: boolean; json?: boolean }) => {
      const { progressBar } = await import('../../import/progress.ts');
      const { runImport } = await import('../../import/run-import.ts');
      collectGarbageEagerly();
      const { reportImportFailure } = await import('../import-failure.ts');
      await withApp(async (app) => {
        try {
          const summary = await runImport(app, {
            kind,
            path: file,
            dryRun: opts.dryRun ?? false,
            onWarning: (w) => warn(io, `warning: ${w}`),
            progress: (table) => progressBar(io.stderr, `import ${kind}`, table.size),
          });
          if (opts.json)
            printJson(io, { ok: true, ...summary, nothingChanged: summary.added + summary.changed === 0 });
          else print(io, summaryLine(summary));
        } catch (err) {
          reportImportFailure(io, err, { json: opts.json ?? false, file, kind });
          throw err;
        }
      });
    });
}
