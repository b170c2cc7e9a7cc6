import { UserError } from '../errors.ts';
import { ImportRefused } from '../import/run-import.ts';
import type { TableFormat } from '../import/read-table.ts';
import { printJson, warn, type CliIO } from './io.ts';

/** What every import's summary tells about the file, whatever it imports. */
interface FileFacts {
  file: string;
  format: TableFormat;
  sha256: string;
  dryRun: boolean;
  rows: number;
  warnings: string[];
}

/**
 * How a failed import is shown, the same for directories and results: a refused file as one line per problem (or,
 * with `--json`, the problems as data and no counts — nothing was imported), any other user error as JSON when
 * asked. The caller rethrows: the exit code and the one-line error come from the command runner.
 */
export function reportImportFailure(
  io: CliIO,
  err: unknown,
  opts: { json: boolean; file: string; kind?: string },
): void {
  const kind = opts.kind ? { kind: opts.kind } : {};
  if (err instanceof ImportRefused) {
    const problems = err.problems;
    if (!opts.json) {
      for (const line of problems.lines()) warn(io, line);
      return;
    }
    const { file, format, sha256, dryRun, rows, warnings } = err.summary as FileFacts;
    printJson(io, {
      ok: false,
      file,
      ...kind,
      format,
      sha256,
      dryRun,
      rows,
      warnings,
      problemCount: problems.count,
      problems: problems.sorted().map((p) => ({ ...p, message: problems.format(p) })),
    });
  } else if (err instanceof UserError && opts.json) {
    printJson(io, { ok: false, ...kind, file: opts.file, error: err.message });
  }
}
