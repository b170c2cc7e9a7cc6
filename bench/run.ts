/**
 * `npm run bench [-- --only NAME] [-- --rows N]`: runs the registered benchmarks and prints their Markdown
 * sections for BENCHMARKS.md. Register a new benchmark in BENCHMARKS below.
 */
import { machine } from './measure.ts';
import { benchImport, importReport } from './import.ts';
import { benchDraw, drawReport } from './draw.ts';
import { benchSend, sendReport } from './feishu-send.ts';
import { benchSendMulti, sendMultiReport } from './feishu-send-multi.ts';
import { benchCallbacks, callbackReport } from './feishu-callback.ts';
import { benchResultsImport, resultsImportReport } from './results-import.ts';
import { benchDigest, digestReport } from './digest.ts';
import { benchStartup, startupReport } from './startup.ts';

interface BenchArgs {
  /** Size override (`--rows N`); each benchmark has its own default. */
  rows?: number;
}

interface Benchmark {
  title: (args: BenchArgs) => string;
  run: (args: BenchArgs) => Promise<string>;
}

const BENCHMARKS: Record<string, Benchmark> = {
  startup: {
    title: () => 'Start-up and idle memory (the built package)',
    run: async () => startupReport(await benchStartup()),
  },
  import: {
    title: (a) => `Directory import (${(a.rows ?? 1_000_000).toLocaleString('en')} targets)`,
    run: async (a) => importReport(await benchImport({ rows: a.rows })),
  },
  results: {
    title: (a) => `Results import (${(a.rows ?? 100_000).toLocaleString('en')} result parts)`,
    run: async (a) => resultsImportReport(await benchResultsImport({ rows: a.rows })),
  },
  digest: {
    title: () => 'Weekly digest and reminder tick (200 tasks, 100,000 result parts)',
    run: async () => digestReport(await benchDigest()),
  },
  draw: {
    title: (a) => `Draw (${(a.rows ?? 1_000_000).toLocaleString('en')} targets)`,
    run: async (a) => drawReport(await benchDraw({ targets: a.rows })),
  },
  send: {
    title: () => 'Assignment cards through the fake Feishu (1,000 cards to 1,000 users)',
    run: async () => sendReport(await benchSend({ cards: 1000 })),
  },
  'send-multi': {
    title: () => 'Assignment cards from three instances on one PostgreSQL (1,000 cards; one instance killed)',
    run: async () => sendMultiReport(await benchSendMulti({ cards: 1000, instances: 3 })),
  },
  callback: {
    title: () => 'Card-callback latency at 200 req/s (verification and decryption on)',
    run: async () => callbackReport(await benchCallbacks({ rate: 200, seconds: 10 })),
  },
};

function parseArgs(argv: string[]): { only: string[]; args: BenchArgs } {
  const only: string[] = [];
  const args: BenchArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--only') only.push(...value().split(','));
    else if (a === '--rows') {
      const n = Number(value().replace(/[_,]/g, ''));
      if (!Number.isInteger(n) || n < 1) throw new Error('--rows needs a positive whole number');
      args.rows = n;
    } else
      throw new Error(`unknown argument ${a} (use --only ${Object.keys(BENCHMARKS).join('|')} and --rows N)`);
  }
  for (const name of only)
    if (!BENCHMARKS[name])
      throw new Error(`no benchmark "${name}" (have: ${Object.keys(BENCHMARKS).join(', ')})`);
  return { only: only.length > 0 ? only : Object.keys(BENCHMARKS), args };
}

const { only, args } = parseArgs(process.argv.slice(2));
console.log(`Machine: ${machine()}; ${new Date().toISOString().slice(0, 10)}\n`);
for (const name of only) {
  const bench = BENCHMARKS[name]!;
  console.log(`## ${bench.title(args)}\n\n${await bench.run(args)}\n`);
}
