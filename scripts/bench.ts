// `npm run bench`: how fast and how big forkscope is, measured against qemu-riscv64 in the same
// run on the same machine. Timings are printed, never asserted.
//
//   npm run bench [-- --runs N] [--scale X] [--only cpu,memory]
//
// Each section lives in scripts/bench/; add new ones to `sections` below.
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { cpuSection } from './bench/cpu';
import { debuggerSection } from './bench/debugger';
import { memorySection } from './bench/memory';
import { mmSection } from './bench/mm';
import { processSection } from './bench/process';
import type { BenchContext, Row, Section } from './bench/section';

const sections: Section[] = [cpuSection, memorySection, processSection, mmSection, debuggerSection];

function which(command: string): string | undefined {
  return (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, command)).find((p) => existsSync(p));
}

function parseArgs(argv: string[]): { runs: number; scale: number; only: string[] | undefined } {
  const options = { runs: 3, scale: 1, only: undefined as string[] | undefined };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--runs' && Number(value) >= 1) options.runs = Math.floor(Number(value));
    else if (argv[i] === '--scale' && Number(value) > 0) options.scale = Number(value);
    else if (argv[i] === '--only' && value) options.only = value.split(',');
    else throw new Error(`usage: bench [--runs N] [--scale X] [--only ${sections.map((s) => s.id).join(',')}]`);
    i++;
  }
  return options;
}

function printRows(rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.label.length));
  const valueWidth = Math.max(...rows.map((r) => r.value.length));
  for (const row of rows) {
    const line = `  ${row.label.padEnd(width)}  ${row.value.padEnd(valueWidth)}`;
    console.log(row.note ? `${line}  (${row.note})` : line.trimEnd());
  }
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  // Both scripts/bench.ts and its bundle dist/bench.js sit one folder below the repository.
  const root = resolve(__dirname, '..');
  const cli = join(root, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` first');
  if (!existsSync(join(root, 'examples', 'bin', 'bench'))) throw new Error('examples/bin/bench is missing: run `npm run build:guests`');
  const context: BenchContext = { root, node: process.execPath, cli, qemu: which('qemu-riscv64'), runs: options.runs, scale: options.scale };

  console.log(`Forkscope benchmarks: ${context.runs} run(s) of each measurement, median reported; workload scale ${context.scale}`);
  // Wall times mean little on a busy machine: say how busy it was.
  console.log(`${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)} at the start`);
  for (const section of sections.filter((s) => options.only === undefined || options.only.includes(s.id))) {
    console.log(`\n${section.title}`);
    printRows(section.run(context));
  }
}

try {
  main();
} catch (err) {
  console.error(`bench: ${(err as Error).message}`);
  process.exitCode = 1;
}
