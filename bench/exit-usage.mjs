// Preloaded (`node --import`) into a measured process: at exit, writes its peak RSS to BENCH_USAGE.
import { writeFileSync } from 'node:fs';
import process from 'node:process';

process.on('exit', () => {
  if (process.env.BENCH_USAGE)
    writeFileSync(
      process.env.BENCH_USAGE,
      JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024 }),
    );
});
