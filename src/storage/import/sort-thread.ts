/**
 * The sorting of a large import's records on the second core. A million-target import ran on one core of two,
 * one thing after another: checking rows, sorting the records into runs on disk, and — once every row was checked —
 * merging those runs while writing to SQLite (the sorting and merging about 4 of its 31 s, profiled 2026-12-03).
 * This thread takes the sorting and the merging (`SortedRuns` in it, with the same runs and the same order), so
 * that the main thread only checks and writes, and each side's work overlaps the other's.
 *
 * Records go over in chunks of `CHUNK`; at most `IN_FLIGHT` chunks are unsorted at once (`settle`), so a slow
 * disk under the thread holds the import back rather than filling memory. Merged batches come back one ahead of
 * the writer. A failure in the thread (a full disk) is thrown by the next call on this side.
 */
import { Worker } from 'node:worker_threads';

/** Records posted at a time: few messages, each a fraction of a run. */
const CHUNK = 2048;
/** Chunks posted and not yet sorted before `settle` waits: about 10 MB of a million-target import's records. */
const IN_FLIGHT = 8;

/** What this side sends the thread. */
export type ToSortThread =
  { t: 'add'; keys: string[]; payloads: string[] } | { t: 'merge'; size: number } | { t: 'more' };
/** What the thread answers: an `add` sorted, a merged batch, the end of the merge, or why it stopped. */
export type FromSortThread =
  | { t: 'added' }
  | { t: 'batch'; payloads: string[] }
  | { t: 'end' }
  | { t: 'failed'; message: string; code?: string };

export interface SortThreadData {
  folder: string;
  budget: number;
}

/**
 * The thread's young generation kept small: it holds one run's records at a time, and V8's default let a
 * million-target import peak at 275–320 MB of RSS where 8 MB gave 246–256 MB at the same speed (2026-12-03).
 */
const resourceLimits = { maxYoungGenerationSizeMb: 8 };

/**
 * A worker running the module beside this one: `.js` in the built package; from the sources (tests, benches),
 * the `.ts` file, loaded through tsx's API as the sources are (a worker's `--import tsx` does not reach its own
 * entry module on Node 20).
 */
function startWorker(data: SortThreadData): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./sort-thread-main.js', import.meta.url), {
      workerData: data,
      resourceLimits,
    });
  const entry = new URL('./sort-thread-main.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => api.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(boot, { eval: true, workerData: data, resourceLimits });
}

export class SortThread {
  private readonly worker: Worker;
  private keys: string[] = [];
  private payloads: string[] = [];
  private unsorted = 0;
  private failure: Error | null = null;
  private closed = false;
  /** Merged batches received and not yet taken; null marks the end. */
  private readonly inbox: (string[] | null)[] = [];
  /** Wakes whoever waits for the thread (`settle`, `merged`). */
  private wake: (() => void) | null = null;

  constructor(data: SortThreadData) {
    this.worker = startWorker(data);
    this.worker.on('message', (m: FromSortThread) => {
      if (m.t === 'added') this.unsorted--;
      else if (m.t === 'batch') this.inbox.push(m.payloads);
      else if (m.t === 'end') this.inbox.push(null);
      else this.fail(Object.assign(new Error(m.message), m.code ? { code: m.code } : {}));
      this.notify();
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`the import's sorting thread stopped (exit code ${code})`));
    });
  }

  add(key: string, payload: string): void {
    this.check();
    this.keys.push(key);
    this.payloads.push(payload);
    if (this.keys.length >= CHUNK) this.post();
  }

  /** Waits while too many records are still unsorted. */
  async settle(): Promise<void> {
    while (this.unsorted > IN_FLIGHT && !this.failure) await this.next();
    this.check();
  }

  /** Every payload in key order, `size` at a time. Call once, after the last `add`. */
  async *merged(size: number): AsyncGenerator<string[]> {
    this.check();
    if (this.keys.length > 0) this.post();
    this.send({ t: 'merge', size });
    // One batch asked ahead: the thread merges the next while this side writes the last.
    this.send({ t: 'more' });
    for (;;) {
      this.send({ t: 'more' });
      while (this.inbox.length === 0 && !this.failure) await this.next();
      this.check();
      const batch = this.inbox.shift()!;
      if (batch === null) return;
      yield batch;
    }
  }

  /** Stops the thread (at the end of the import, or on its way out after a failure). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
  }

  private post(): void {
    this.send({ t: 'add', keys: this.keys, payloads: this.payloads });
    this.unsorted++;
    this.keys = [];
    this.payloads = [];
  }

  private send(message: ToSortThread): void {
    this.worker.postMessage(message);
  }

  private next(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}
