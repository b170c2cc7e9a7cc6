/**
 * The import's sorting thread (sort-thread.ts): records in, sorted runs on disk, then the merge back out a batch
 * at a time, each when asked for.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TempFolder } from './record-file.ts';
import { SortedRuns } from './sorted-runs.ts';
import type { FromSortThread, SortThreadData, ToSortThread } from './sort-thread.ts';

const port = parentPort!;
const data = workerData as SortThreadData;
const runs = new SortedRuns(TempFolder.at(data.folder, 'sorted'), data.budget, { thread: false });
let merge: AsyncGenerator<string[]> | null = null;
// Merged batches are asked for one after another: each `next` waits for the one before it.
let asked: Promise<void> = Promise.resolve();

const answer = (message: FromSortThread) => port.postMessage(message);
// The error as this thread had it, with its system code (ENOSPC, ENOENT) for whoever handles it on the other side.
const failed = (err: unknown) =>
  answer({
    t: 'failed',
    message: err instanceof Error ? err.message : String(err),
    code: (err as NodeJS.ErrnoException).code,
  });

port.on('message', (m: ToSortThread) => {
  try {
    if (m.t === 'add') {
      for (let i = 0; i < m.keys.length; i++) runs.add(m.keys[i]!, m.payloads[i]!);
      answer({ t: 'added' });
    } else if (m.t === 'merge') {
      merge = runs.merged(m.size);
    } else {
      const from = merge!;
      asked = asked
        .then(async () => {
          const next = await from.next();
          answer(next.done ? { t: 'end' } : { t: 'batch', payloads: next.value });
        })
        .catch(failed);
    }
  } catch (err) {
    failed(err);
  }
});
