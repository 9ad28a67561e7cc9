// Memory: the peak resident set of `forkscope run ./hello`, i.e. what the emulator itself costs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, timedRun } from './measure';
import type { BenchContext, Row, Section } from './section';

// Preloaded into the CLI's node process: at exit (process.exit included) it writes ru_maxrss
// (process.resourceUsage().maxRSS, in KiB: the kernel's high-water mark of the process's resident
// memory) to stderr on a line of its own, which this section then reads.
const PROBE = `process.on('exit', () => {
  require('fs').writeSync(2, '\\nbench-peak-rss-kib=' + process.resourceUsage().maxRSS + '\\n');
});
`;

export const memorySection: Section = {
  id: 'memory',
  title: 'Memory: peak RSS of `forkscope run ./hello`',
  run(context: BenchContext): Row[] {
    const dir = mkdtempSync(join(tmpdir(), 'forkscope-bench-'));
    try {
      const probe = join(dir, 'rss-probe.cjs');
      writeFileSync(probe, PROBE);
      const bin = join(context.root, 'examples', 'bin');
      const peaks: number[] = [];
      for (let i = 0; i < context.runs; i++) {
        const run = timedRun(context.node, ['--require', probe, context.cli, 'run', '--root', bin, './hello'], bin);
        const m = /^bench-peak-rss-kib=(\d+)$/m.exec(run.stderr);
        if (run.status !== 0 || m === null) throw new Error(`forkscope run ./hello failed (${run.status}):\n${run.stderr}`);
        peaks.push(Number(m[1]));
      }
      return [{
        label: 'peak RSS', value: `${(median(peaks) / 1024).toFixed(1)} MiB`,
        note: 'ru_maxrss of the node process running the CLI, read at its exit by a preloaded probe',
      }];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
