/** Problems found in an import file, each tied to a row and a column as the user sees them in Excel. */

export interface Problem {
  /** Row number as Excel shows it: the header is row 1. */
  row: number;
  /** The header text as written in the file, or null for a row-level problem. */
  column: string | null;
  reason: string;
}

/** Keeps the first `keep` problems in full and counts all of them. */
export class Problems {
  readonly kept: Problem[] = [];
  count = 0;

  constructor(
    readonly file: string,
    readonly keep = 200,
  ) {}

  add(row: number, column: string | null, reason: string): void {
    this.count++;
    if (this.kept.length < this.keep) this.kept.push({ row, column, reason });
  }

  /** The kept problems in row order (stable), as they are shown. */
  sorted(): Problem[] {
    return [...this.kept].sort((a, b) => a.row - b.row);
  }

  /** `targets.csv: row 7, column 统一社会信用代码: check character should be 'X', found 'Q'` */
  format(p: Problem): string {
    return `${this.file}: row ${p.row}${p.column === null ? '' : `, column ${p.column}`}: ${p.reason}`;
  }

  /** Every kept problem as a line, and "… and N more" when some were not kept. */
  lines(): string[] {
    const lines = this.sorted().map((p) => this.format(p));
    if (this.count > this.kept.length)
      lines.push(`${this.file}: … and ${this.count - this.kept.length} more`);
    return lines;
  }
}
