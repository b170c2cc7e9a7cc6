import cliProgress from 'cli-progress';

/**
 * Progress of a long import: bytes of the file consumed and rows read so far; then, after `phase`, records
 * written out of a new total.
 */
export interface Progress {
  update(done: number, rows: number): void;
  /** Ends the current bar and measures what follows against `total` under `label`. */
  phase(label: string, total: number): void;
  stop(): void;
}

export const noProgress: Progress = { update() {}, phase() {}, stop() {} };

/**
 * A progress bar on `stream` (stderr) that appears only when the stream is a terminal and the work has
 * already taken more than `delayMs` — quick imports print nothing extra.
 */
export function progressBar(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  label: string,
  totalBytes: number,
  delayMs = 1000,
): Progress {
  if (!stream.isTTY) return noProgress;
  let total = totalBytes;
  const started = performance.now();
  let bar: cliProgress.SingleBar | null = null;
  let last = { bytes: 0, rows: 0 };
  return {
    update(bytes, rows) {
      last = { bytes, rows };
      if (!bar) {
        if (performance.now() - started < delayMs) return;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${label} [{bar}] {percentage}% | {rows} rows | {duration_formatted} | ETA {eta_formatted}`,
            hideCursor: true,
            etaBuffer: 50,
            fps: 5,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(total, 1), bytes, { rows });
        return;
      }
      bar.update(bytes, { rows });
    },
    stop() {
      if (!bar) return;
      bar.update(Math.max(total, last.bytes), { rows: last.rows });
      bar.stop();
      bar = null;
    },
    phase(next, nextTotal) {
      this.stop();
      label = next;
      total = nextTotal;
      last = { bytes: 0, rows: 0 };
    },
  };
}
