import type { Command } from 'commander';
import type { ResultsImportSummary } from '../../import/results/run.ts';
import { print, printJson, warn } from '../io.ts';
import type { CommandContext } from '../main.ts';
import { registerResultsExport } from './results-export.ts';
import { collectGarbageEagerly } from '../heap.ts';

/** How many task ids the summary line names before it counts the rest. */
const NAMED_TASKS = 3;

/** `results.csv: 120 rows — 100 inserted, 20 replaced; 2 tasks: WH-2026-FOOD-01, WH-2026-HAZ-01` */
export function resultsSummaryLine(s: ResultsImportSummary): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const ids = s.tasks.map((t) => t.id);
  const named =
    ids.length > NAMED_TASKS
      ? `${ids.slice(0, NAMED_TASKS).join(', ')} and ${ids.length - NAMED_TASKS} more`
      : ids.join(', ');
  const tasks = ids.length === 0 ? '; no tasks' : `; ${plural(ids.length, 'task')}: ${named}`;
  const dry = s.dryRun ? ' (dry run: nothing was written)' : '';
  return `${s.file}: ${plural(s.rows, 'row')} — ${s.inserted} inserted, ${s.replaced} replaced${tasks}${dry}`;
}

/** `results import FILE`. */
function registerResultsImport(results: Command, { io, withApp }: CommandContext): void {
  results
    .command('import')
    .description(
      'enter results in bulk from a CSV (UTF-8 or GBK) or XLSX file: upsert by task, USCC and department, ' +
        'all or nothing; every bad row is reported as "row N, column C: reason"',
    )
    .argument(
      '<file>',
      'the CSV or XLSX file; header row in Chinese or English column names (README "Results")',
    )
    .option('--dry-run', 'check the file and count what would change, write nothing')
    .option('--json', 'print the summary (and problems) as JSON')
    .action(async (file: string, opts: { dryRun?: boolean; json?: boolean }) => {
      const { progressBar } = await import('../../import/progress.ts');
      const { runResultsImport } = await import('../../import/results/run.ts');
      collectGarbageEagerly();
      const { reportImportFailure } = await import('../import-failure.ts');
      await withApp(async (app) => {
        try {
          const summary = await runResultsImport(app, {
            path: file,
            dryRun: opts.dryRun ?? false,
            onWarning: (w) => warn(io, `warning: ${w}`),
            progress: (table) => progressBar(io.stderr, 'results import', table.size),
          });
          if (opts.json) printJson(io, { ok: true, ...summary });
          else print(io, resultsSummaryLine(summary));
        } catch (err) {
          reportImportFailure(io, err, { json: opts.json ?? false, file });
          throw err;
        }
      });
    });
}

/** The `results` group: `results import` (here) and `results export ID FILE.xlsx [--csv]` (the public notice). */
export function registerResults(program: Command, ctx: CommandContext): void {
  const results = program.command('results').description('inspection results (检查结果)');
  registerResultsImport(results, ctx);
  registerResultsExport(results, ctx);
}
