// Process creation (issue 3): fork+exit+wait and fork+exec+wait per second of host time, under
// forkscope and under qemu-riscv64 (where the host's Linux kernel does the work) in the same run.
//
// Each program runs with N iterations and with 0; the difference divided by N is the cost of one
// iteration, so node's and qemu's start-up cancel out. Both the wall time and the CPU time (user +
// system, of the process and the children it waited for) are shown: on a shared machine the wall
// time includes waiting for a core.
import { cpuTimedRun, type CpuTimedRun } from './cpu-time';
import { buildBenchGuests, CROSS_CC } from './guests';
import { median } from './measure';
import type { BenchContext, Row, Section } from './section';

interface Loop {
  name: string;
  /** Iterations at scale 1: about a second of forkscope's time each on a quiet machine. */
  iterations: number;
  /** procs's arguments for `n` iterations; `qemu` is set when the guest runs under qemu-riscv64. */
  args(n: number, qemu: string | undefined): string[];
}

const LOOPS: Loop[] = [
  { name: 'fork+exit+wait', iterations: 300, args: (n) => ['./procs', 'fork', String(n)] },
  {
    name: 'fork+exec+wait', iterations: 50,
    // Without binfmt_misc the host cannot exec a RISC-V ELF, so under qemu the guest execs
    // qemu-riscv64 on it — what binfmt_misc would do: a host exec of qemu, which loads the guest.
    args: (n, qemu) => ['./procs', 'exec', String(n), ...(qemu === undefined ? [] : [qemu]), './procs', 'true'],
  },
];

interface PerIteration {
  wall: number;
  cpu: number;
}

/** Seconds per iteration, by wall and by CPU time: medians of `runs` runs with n and with 0. */
function perIteration(runs: number, n: number, run: (n: number) => CpuTimedRun): PerIteration {
  const full: CpuTimedRun[] = [];
  const empty: CpuTimedRun[] = [];
  // Alternate the two, so that a change in the machine's load hits both alike.
  for (let i = 0; i < runs; i++) {
    full.push(run(n));
    empty.push(run(0));
  }
  const per = (pick: (r: CpuTimedRun) => number) => (median(full.map(pick)) - median(empty.map(pick))) / n;
  return { wall: per((r) => r.wallSeconds), cpu: per((r) => r.cpuSeconds) };
}

function checked(run: CpuTimedRun, who: string): CpuTimedRun {
  if (run.status !== 0) throw new Error(`${who} exited with ${run.status}:\n${run.stderr}`);
  return run;
}

function rate(seconds: number): string {
  return seconds > 0 ? `${Math.round(1 / seconds).toLocaleString('en-US')} /s` : 'too fast to measure';
}

function describe(p: PerIteration): Pick<Row, 'value' | 'note'> {
  return { value: `${rate(p.wall)}  (${(p.wall * 1e3).toFixed(2)} ms each)`, note: `per CPU second: ${rate(p.cpu)}` };
}

export const processSection: Section = {
  id: 'process',
  title: 'Processes: fork+exit+wait and fork+exec+wait (scripts/bench/guests/procs.c, gcc -O2)',
  run(context: BenchContext): Row[] {
    const guests = buildBenchGuests(context, ['procs']);
    if (guests === undefined) return [{ label: 'skipped', value: `${CROSS_CC} is not installed (apt-get install gcc-riscv64-linux-gnu)` }];
    try {
      const rows: Row[] = [];
      for (const loop of LOOPS) {
        const n = Math.max(1, Math.round(loop.iterations * context.scale));
        const forkscope = perIteration(context.runs, n, (i) => checked(
          cpuTimedRun(context.node, [context.cli, 'run', '--root', guests.dir, ...loop.args(i, undefined)], guests.dir), 'forkscope'));
        rows.push({ label: `${loop.name}, forkscope`, ...describe(forkscope) });
        const qemu = context.qemu;
        if (qemu === undefined) {
          rows.push({ label: `${loop.name}, qemu-riscv64`, value: 'not installed: no comparison' });
          continue;
        }
        const reference = perIteration(context.runs, n, (i) => checked(cpuTimedRun(qemu, loop.args(i, qemu), guests.dir), 'qemu-riscv64'));
        rows.push(
          { label: `${loop.name}, qemu-riscv64`, ...describe(reference) },
          {
            label: `${loop.name}, ratio`, value: `forkscope makes ${(reference.wall / forkscope.wall).toFixed(2)}x qemu's rate`,
            note: `per CPU second: ${(reference.cpu / forkscope.cpu).toFixed(2)}x; ${n} iterations a run`,
          },
        );
      }
      return rows;
    } finally {
      guests.remove();
    }
  },
};
