import { extname, join, parse } from 'node:path';
import type { Command } from 'commander';
import { print, warn } from '../io.ts';
import type { CommandContext } from '../main.ts';
import type { OutputFile } from '../output-file.ts';

/**
 * Where `--csv` writes the second sheet (the targets without a complete result): beside FILE, its extension
 * replaced — `公示.csv` → `公示.missing.csv`. A CSV holds one table, and the notice itself must stay one clean file
 * to publish; the chase list is the office's own.
 */
export function missingCsvPath(file: string): string {
  const p = parse(file);
  return join(p.dir, `${p.name}.missing.csv`);
}

/** `results export ID FILE.xlsx [--csv] [--force]` — wired into the `results` group by `commands/results.ts`. */
export function registerResultsExport(group: Command, { io, withApp }: CommandContext): void {
  group
    .command('export')
    .argument('<id>', 'task id')
    .argument('<file>', 'where to write the export (.xlsx, or .csv with --csv)')
    .description(
      'the results for the public notice (公示): one row per target and department (sheet 抽查结果), and the targets still without results (sheet 未录入); no risk class, phone or ID numbers',
    )
    .option(
      '--csv',
      'write the notice as CSV (UTF-8 with BOM) instead, and the targets without results to <name>.missing.csv',
    )
    .option('--force', 'overwrite the file(s) if they exist (never the database itself)')
    .action(async (id: string, file: string, opts: { csv?: boolean; force?: boolean }) => {
      const { csvText, xlsxBuffer } = await import('../../export/table-file.ts');
      const { resultsExport } = await import('../../services/results-export.ts');
      const { writeOutputFiles } = await import('../output-file.ts');
      await withApp(async (app) => {
        const data = await resultsExport(app, id);
        const wanted = opts.csv ? '.csv' : '.xlsx';
        const ext = extname(file).toLowerCase();
        if (ext !== wanted && (ext === '.csv' || ext === '.xlsx'))
          warn(io, `warning: writing ${opts.csv ? 'CSV' : 'XLSX'} to ${file}, whose name ends in ${ext}`);
        const files: OutputFile[] = opts.csv
          ? [
              { path: file, data: csvText(data.results) },
              { path: missingCsvPath(file), data: csvText(data.missing) },
            ]
          : [{ path: file, data: await xlsxBuffer([data.results, data.missing]) }];
        writeOutputFiles(app, files, { force: opts.force, code: 'RESULTS', what: 'the export' });
        const n = data.results.rows.length;
        const m = data.missing.rows.length;
        print(
          io,
          `wrote ${files.map((f) => f.path).join(' and ')}: ${n} result row${n === 1 ? '' : 's'}, ${m} target${m === 1 ? '' : 's'} without a complete result`,
        );
      });
    });
}
