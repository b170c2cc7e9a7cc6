/**
 * An import's records put in natural-key order whatever order the file had, in bounded memory: an external
 * merge sort. Records are buffered up to a budget, sorted and written out as a run; at the end the runs are
 * merged into one stream. A file that fits in one buffer never touches the disk.
 *
 * Key order is what makes the writes cheap: written in key order, each short transaction touches a few
 * neighbouring pages of the key indexes, where in file (random) order every one of them rewrote pages all over
 * them (measured on SQLite: a million targets took six times as long). The lookups of a re-import, done in the
 * same order, hit neighbouring pages too.
 *
 * Records that outgrow one buffer are sorted, spilled and merged on a thread of their own (sort-thread.ts), the same
 * way: the import's own thread meanwhile checks the rows and later writes them.
 */
import type { LineFile, TempFolder } from './record-file.ts';
import { SortThread } from './sort-thread.ts';

/**
 * Characters buffered before a run is written out: about 16 MB as JavaScript strings of mostly Chinese text,
 * some 45,000 targets. Larger runs cost memory (garbage collection lets a buffer of 32 M characters take a
 * million-target import to 580 MB); smaller ones only more files to merge.
 */
export const RUN_CHARS = 8 * 1024 * 1024;

interface Entry {
  key: string;
  payload: string;
}

const byKey = (a: Entry, b: Entry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** A line of a run: the key's length, a space, the key, then the payload — any characters in either. */
const runLine = (e: Entry) => `${e.key.length} ${e.key}${e.payload}`;

function parseRunLine(line: string): Entry {
  const space = line.indexOf(' ');
  const end = space + 1 + Number(line.slice(0, space));
  return { key: line.slice(space + 1, end), payload: line.slice(end) };
}

export interface SortedRunsOptions {
  /**
   * Once the records outgrow one run, hand them and the rest to a thread of their own (sort-thread.ts) to sort
   * and later merge while this one goes on (default true). Records that fit in one run are sorted here: a small
   * file never starts a thread.
   */
  thread?: boolean;
}

export class SortedRuns {
  private buffer: Entry[] = [];
  private bufferedChars = 0;
  private readonly runs: LineFile[] = [];
  private thread: SortThread | null = null;
  private readonly useThread: boolean;
  /** Entries added. */
  count = 0;

  constructor(
    private readonly folder: TempFolder,
    private readonly budget = RUN_CHARS,
    options: SortedRunsOptions = {},
  ) {
    this.useThread = options.thread ?? true;
  }

  /** Adds one payload under its key; keys must be distinct (the import refuses duplicate rows first). */
  add(key: string, payload: string): void {
    this.count++;
    if (this.thread) return this.thread.add(key, payload);
    this.buffer.push({ key, payload });
    this.bufferedChars += key.length + payload.length;
    if (this.bufferedChars >= this.budget) {
      if (this.useThread) this.handOver();
      else this.spill();
    }
  }

  /** Waits while the sorting thread is behind (call between batches of `add`); at once without one. */
  async settle(): Promise<void> {
    await this.thread?.settle();
  }

  /** Stops the sorting thread, if one was started. */
  async close(): Promise<void> {
    await this.thread?.close();
  }

  private handOver(): void {
    this.thread = new SortThread({ folder: this.folder.path, budget: this.budget });
    for (const e of this.buffer) this.thread.add(e.key, e.payload);
    this.buffer = [];
    this.bufferedChars = 0;
  }

  private spill(): void {
    if (this.buffer.length === 0) return;
    this.buffer.sort(byKey);
    const file = this.folder.file('run');
    for (const e of this.buffer) file.append(runLine(e));
    file.finish();
    this.runs.push(file);
    this.buffer = [];
    this.bufferedChars = 0;
  }

  /** Every payload in key order, `size` at a time. Call once, after the last `add`. */
  async *merged(size: number): AsyncGenerator<string[]> {
    if (this.thread) {
      yield* this.thread.merged(size);
      return;
    }
    if (this.runs.length === 0) {
      const sorted = this.buffer.sort(byKey);
      this.buffer = [];
      for (let i = 0; i < sorted.length; i += size) yield sorted.slice(i, i + size).map((e) => e.payload);
      return;
    }
    this.spill();
    const heads = await Promise.all(this.runs.map((run) => RunCursor.open(run)));
    let live = heads.filter((h) => h.current !== null);
    let out: string[] = [];
    while (live.length > 0) {
      // A handful of runs: a linear scan for the smallest head is as fast as a heap and simpler.
      let min = live[0]!;
      for (let i = 1; i < live.length; i++) if (live[i]!.current!.key < min.current!.key) min = live[i]!;
      out.push(min.current!.payload);
      if (!(await min.advance())) live = live.filter((h) => h !== min);
      if (out.length === size) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  }
}

/** Reads one run a chunk at a time; `current` is its next entry, null once it is used up. */
class RunCursor {
  current: Entry | null = null;
  private lines: string[] = [];
  private at = 0;

  private constructor(private readonly chunks: AsyncGenerator<string[]>) {}

  static async open(run: LineFile): Promise<RunCursor> {
    const cursor = new RunCursor(run.lines());
    await cursor.advance();
    return cursor;
  }

  async advance(): Promise<boolean> {
    while (this.at >= this.lines.length) {
      const next = await this.chunks.next();
      if (next.done) {
        this.current = null;
        return false;
      }
      this.lines = next.value;
      this.at = 0;
    }
    this.current = parseRunLine(this.lines[this.at++]!);
    return true;
  }
}
