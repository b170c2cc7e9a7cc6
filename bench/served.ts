/**
 * A server in a process of its own, for the benches that measure what serving costs: started, waited for until it
 * answers, its CPU read from outside, stopped as an operator stops it. The card-callback bench runs `liancha serve`
 * (as `npm start` does) and its floor this way, so neither shares a process — its heap, timers or compiled code —
 * with the bench runner that built the city and ran the other benches.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface ServedProcess {
  pid: number;
  port: number;
  /**
   * User + system CPU so far, ms: of the whole process (every thread: V8's compiler and GC helpers too) and of its
   * main thread alone.
   */
  cpuMs(): { total: number; mainThread: number };
  /**
   * SIGTERM, then waits for the exit (a server that stops cleanly writes its `--cpu-prof` profile then). Stopping
   * again waits for the same exit.
   */
  stop(): Promise<void>;
}

/**
 * Starts `node ARGS` with `env` and its stderr appended to `logFile` (as `liancha serve 2>bot.log`: a file, so its
 * log lines are written synchronously), and resolves once `GET http://127.0.0.1:PORT{readyPath}` answers 200.
 */
export async function startServed(options: {
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
  logFile: string;
  readyPath: string;
  timeoutMs?: number;
}): Promise<ServedProcess> {
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'ignore', log],
    });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const url = `http://127.0.0.1:${options.port}${options.readyPath}`;
  for (;;) {
    const gone = await Promise.race([
      exited,
      new Promise<'running'>((r) => setTimeout(() => r('running'), 100)),
    ]);
    if (gone !== 'running')
      throw new Error(`${options.args.join(' ')} exited with ${gone}: ${tail(options.logFile)}`);
    const ok = await fetch(url).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.args.join(' ')} did not answer ${url} in time: ${tail(options.logFile)}`);
    }
  }
  const pid = child.pid!;
  let stopped: Promise<void> | null = null;
  return {
    pid,
    port: options.port,
    cpuMs: () => ({
      total: statCpuMs(`/proc/${pid}/stat`),
      mainThread: statCpuMs(`/proc/${pid}/task/${pid}/stat`),
    }),
    stop: () =>
      (stopped ??= (async () => {
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(kill);
      })()),
  };
}

let clockTicks: number | null = null;

/**
 * User + system CPU so far, ms, from a `stat` file of /proc: `/proc/PID/stat` for the whole thread group,
 * `/proc/PID/task/TID/stat` for one thread. Linux only, as the benches are run; its unit is a clock tick (10 ms at
 * the usual 100 Hz), so a load should cost a few seconds of CPU for a figure good to a percent.
 */
function statCpuMs(path: string): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  const stat = readFileSync(path, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n') || '(nothing logged)';
  } catch {
    return '(no log)';
  }
}
