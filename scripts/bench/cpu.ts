// CPU speed: examples/bin/bench (SHA-256, a sieve and a Mandelbrot set, built -O2) under forkscope
// and under qemu-riscv64 in the same run, so the ratio compares like with like on this machine.
import { join } from 'node:path';
import { formatMips, formatSeconds, median, parseStats, timedRun, TimedRun } from './measure';
import type { BenchContext, Row, Section } from './section';

function checked(run: TimedRun, who: string): TimedRun {
  if (run.status !== 0) throw new Error(`${who} exited with ${run.status}:\n${run.stderr}`);
  return run;
}

export const cpuSection: Section = {
  id: 'cpu',
  title: 'CPU: examples/bin/bench (SHA-256, sieve, Mandelbrot; gcc -O2)',
  run(context: BenchContext): Row[] {
    const bin = join(context.root, 'examples', 'bin');
    const args = ['./bench', String(context.scale)];

    const forkscope: TimedRun[] = [];
    for (let i = 0; i < context.runs; i++)
      forkscope.push(checked(timedRun(context.node, [context.cli, 'run', '--stats', '--root', bin, ...args], bin), 'forkscope'));
    const stats = forkscope.map((r) => parseStats(r.stderr));
    const instructions = stats[0].instructions;
    if (stats.some((s) => s.instructions !== instructions)) throw new Error('forkscope retired a different number of instructions in two runs');
    // The wall time forkscope reports covers the guest's run; the process's own wall time adds
    // node's startup and loading the kernel. Both are shown.
    const guestWall = median(stats.map((s) => s.wallSeconds));
    const processWall = median(forkscope.map((r) => r.wallSeconds));

    const rows: Row[] = [
      { label: 'guest instructions', value: instructions.toLocaleString('en-US'), note: 'retired, from forkscope --stats' },
      { label: 'forkscope', value: `${formatSeconds(guestWall)}  ${formatMips(instructions, guestWall)}`, note: 'wall time of the run, from --stats' },
      { label: 'forkscope process', value: `${formatSeconds(processWall)}  ${formatMips(instructions, processWall)}`, note: 'spawn to exit, node startup included' },
    ];
    if (context.qemu === undefined) {
      rows.push({ label: 'qemu-riscv64', value: 'not installed: no comparison' });
      return rows;
    }

    const qemu: TimedRun[] = [];
    for (let i = 0; i < context.runs; i++) qemu.push(checked(timedRun(context.qemu, args, bin), 'qemu-riscv64'));
    const qemuWall = median(qemu.map((r) => r.wallSeconds));
    rows.push(
      {
        label: 'qemu-riscv64', value: `${formatSeconds(qemuWall)}  ${formatMips(instructions, qemuWall)}`,
        note: 'spawn to exit; MIPS = forkscope\'s count / qemu\'s wall time: the same program retires the same user instructions under both',
      },
      { label: 'ratio', value: `forkscope takes ${(guestWall / qemuWall).toFixed(1)}x qemu's time`, note: 'forkscope run wall / qemu wall' },
      { label: 'same output', value: forkscope[0].stdout === qemu[0].stdout ? 'yes' : 'NO: the checksums differ' },
    );
    return rows;
  },
};
