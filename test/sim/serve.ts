/**
 * `liancha serve` in local mode as a child process, and what the tests of the chat page share: waiting, the
 * buttons of a card, the page's JSON shapes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../helpers/ports.ts';

export interface Served {
  child: ChildProcess;
  base: string;
  log: () => string;
  stop(): Promise<void>;
}

/** `liancha serve` on a free port; resolves once /healthz answers and the last start-up line is logged. */
export async function serve(env: NodeJS.ProcessEnv, ready: RegExp): Promise<Served> {
  const port = await freePort();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FEISHU_')));
  const child = spawn(process.execPath, ['bin/liancha.js', 'serve'], {
    env: { ...clean, PORT: String(port), LOG_LEVEL: 'info', JOINT_CHAT_ID: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; i < 300 && !ready.test(log); i++) {
    if (child.exitCode !== null) throw new Error(`liancha serve exited: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!ready.test(log)) throw new Error(`liancha serve did not get ready: ${log}`);
  return {
    child,
    base,
    log: () => log,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Person {
  openId: string;
  name: string;
  role: string;
  dept: { code: string; name: string };
}
export interface Message {
  messageId: string;
  chatId: string;
  sender: string;
  msgType: string;
  card: Record<string, unknown> | null;
  text: string | null;
}
export interface Chat {
  chatId: string;
  kind: 'p2p' | 'group';
  messages: Message[];
}

export { buttonValues } from '../bot/e2e/setup.ts';

export const title = (m: Message) =>
  ((m.card?.header as { title?: { content?: string } } | undefined)?.title?.content ?? '') as string;

export async function until<T>(
  what: string,
  f: () => Promise<T | null | undefined>,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}
