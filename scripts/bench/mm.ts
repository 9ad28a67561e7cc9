// Memory (issue 4): the cost of fork as the parent's touched memory grows (it should stay flat),
// page faults per second, and the host memory each guest task costs.
//
// forkscope runs in this process, so the host's clock and memory can be read at exact points of
// the guest's run: the syscall trace's sys_enter/sys_exit of fork's clone give fork's host time,
// and getppid(), which glibc never calls by itself, marks the phases in the guests
// (scripts/bench/guests/forkmem.c and sleepers.c). Under qemu-riscv64 the guest times itself with
// CLOCK_MONOTONIC, which is the host's clock there.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { DEFAULT_ENV } from '../../src/debugger/config';
import { PAGE_SIZE } from '../../src/cpu/physmem';
import { start_kernel } from '../../src/kernel/init/main';
import { Kernel } from '../../src/kernel/kernel';
import { current, kernel } from '../../src/kernel/kfunc';
import type { TraceEvent } from '../../src/kernel/trace';
import { buildBenchGuests, CROSS_CC } from './guests';
import { median, timedRun } from './measure';
import type { BenchContext, Row, Section } from './section';

/** The machine's memory: the CLI's default, room for 256 MiB touched twice over. */
const MEM_BYTES = 512 * 1024 * 1024;
/**
 * The two sizes of touched memory, and forks per run of forkmem at each: the run's median counts,
 * and the first forks of a run are slow while V8 compiles the kernel's fork path.
 */
const SMALL = { mib: 1, forks: 200 };
const LARGE = { mib: 256, forks: 30 };
/** Sleeping tasks for the bytes-per-task figure, at scale 1. */
const SLEEPERS = 1000;

function nowSeconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/**
 * Boots a machine whose root is `dir`, runs `argv` there with the syscall trace going to
 * `onSyscall`, and returns the program's wait status.
 */
function runInProcess(dir: string, argv: string[], onSyscall: (e: TraceEvent) => void): number {
  const k = new Kernel({ memBytes: MEM_BYTES, seed: 0, root: dir });
  k.traceEnabled.add('syscalls');
  k.traceSinks.push(onSyscall);
  const result = start_kernel(k, { filename: argv[0], argv, envp: DEFAULT_ENV });
  for (;;) {
    const r = k.run(50_000_000);
    if (r.kind === 'exited') break;
    if (r.kind === 'idle') throw new Error(`${argv.join(' ')}: every task is asleep under forkscope`);
  }
  if (result.exec_errno !== 0) throw new Error(`${argv[0]}: exec failed with errno ${result.exec_errno}`);
  return result.status ?? -1;
}

interface ForkmemFigures {
  /** Median host seconds of the clone syscalls of fork. */
  fork: number;
  /** Host seconds of the writing loop and the page faults taken in it. */
  touch: number;
  faults: number;
}

/** forkmem under forkscope, timed from the syscall trace. */
function forkmemForkscope(dir: string, { mib, forks: n }: typeof SMALL): ForkmemFigures {
  const forks: number[] = [];
  const marks: { at: number; minflt: number }[] = [];
  let cloneStart = 0;
  const status = runInProcess(dir, ['./forkmem', String(mib), String(n)], (e) => {
    if (e.fields.name === 'clone') {
      if (e.event === 'sys_enter') cloneStart = nowSeconds();
      else forks.push(nowSeconds() - cloneStart);
    } else if (e.fields.name === 'getppid' && e.event === 'sys_enter') {
      marks.push({ at: nowSeconds(), minflt: current().min_flt });
    }
  });
  if (status !== 0 || forks.length !== n || marks.length !== 2) throw new Error(`forkmem ${mib} failed under forkscope (status ${status})`);
  return { fork: median(forks), touch: marks[1].at - marks[0].at, faults: marks[1].minflt - marks[0].minflt };
}

/** forkmem under qemu-riscv64, timed by itself. */
function forkmemQemu(qemu: string, dir: string, { mib, forks }: typeof SMALL): ForkmemFigures {
  const run = timedRun(qemu, ['./forkmem', String(mib), String(forks)], dir);
  const touch = /^touch_ns=(\d+) faults=(\d+)$/m.exec(run.stdout);
  const fork = /^fork_ns=(\d+)$/m.exec(run.stdout);
  if (run.status !== 0 || touch === null || fork === null) throw new Error(`forkmem ${mib} failed under qemu-riscv64 (${run.status}):\n${run.stderr}`);
  return { fork: Number(fork[1]) / 1e9, touch: Number(touch[1]) / 1e9, faults: Number(touch[2]) };
}

/** Medians over `runs` runs. */
function medianFigures(runs: number, measure: () => ForkmemFigures): ForkmemFigures {
  const all = Array.from({ length: runs }, measure);
  return {
    fork: median(all.map((f) => f.fork)),
    touch: median(all.map((f) => f.touch)),
    faults: median(all.map((f) => f.faults)),
  };
}

function ms(seconds: number): string {
  return `${(seconds * 1e3).toFixed(3)} ms`;
}

function faultRate(f: ForkmemFigures): string {
  return `${Math.round(f.faults / f.touch).toLocaleString('en-US')} /s`;
}

/** The figures read at each getppid() of sleepers. */
interface MemoryMark {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  freeFrames: number;
}

/**
 * Host bytes per sleeping guest task: the growth of the resident set, and the part of it that
 * is guest frames (page tables and pages copied on write, in the machine's memory) and JS heap
 * (task_struct, mm_struct, VMAs, kernel stacks as suspended generators), used and committed
 * (V8 keeps free space in the pages it has taken).
 */
function bytesPerTask(dir: string, n: number): Row {
  // A full collection before each reading, so that garbage does not count as growth.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const marks: MemoryMark[] = [];
  const status = runInProcess(dir, ['./sleepers', String(n)], (e) => {
    if (e.fields.name !== 'getppid' || e.event !== 'sys_enter') return;
    gc();
    const usage = process.memoryUsage();
    marks.push({ rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, freeFrames: kernel().pages.nr_free_pages });
  });
  if (status !== 0 || marks.length !== 2) throw new Error(`sleepers ${n} failed under forkscope (status ${status})`);
  const [before, after] = marks;
  const kib = (bytes: number) => `${(bytes / n / 1024).toFixed(1)} KiB`;
  return {
    label: 'host bytes per task', value: kib(after.rss - before.rss),
    note: `RSS growth with ${n} tasks asleep in read(); of which guest frames ${kib((before.freeFrames - after.freeFrames) * PAGE_SIZE)}, ` +
      `JS heap ${kib(after.heapUsed - before.heapUsed)} used, ${kib(after.heapTotal - before.heapTotal)} committed`,
  };
}

export const mmSection: Section = {
  id: 'mm',
  title: 'Memory manager: fork vs touched memory, page faults, host bytes per task (scripts/bench/guests/)',
  run(context: BenchContext): Row[] {
    const guests = buildBenchGuests(context, ['forkmem', 'sleepers']);
    if (guests === undefined) return [{ label: 'skipped', value: `${CROSS_CC} is not installed (apt-get install gcc-riscv64-linux-gnu)` }];
    try {
      // Bytes per task first: V8 frees the memory of a finished machine in the background,
      // which would show as a shrinking resident set in a later measurement.
      const rows: Row[] = [bytesPerTask(guests.dir, Math.max(1, Math.round(SLEEPERS * context.scale)))];
      const small = medianFigures(context.runs, () => forkmemForkscope(guests.dir, SMALL));
      const large = medianFigures(context.runs, () => forkmemForkscope(guests.dir, LARGE));
      rows.push(
        { label: `fork, ${SMALL.mib} MiB touched`, value: ms(small.fork), note: 'host time of the clone syscall, from the syscall trace' },
        { label: `fork, ${LARGE.mib} MiB touched`, value: ms(large.fork) },
        { label: 'fork, ratio', value: `${(large.fork / small.fork).toFixed(1)}x`, note: `${LARGE.mib} MiB / ${SMALL.mib} MiB; flat is 1x` },
        {
          label: 'page faults', value: faultRate(large),
          note: `${large.faults.toLocaleString('en-US')} first writes to ${LARGE.mib} MiB of fresh anonymous memory, from the CPU's fault to the PTE`,
        },
      );
      const qemu = context.qemu;
      if (qemu === undefined) {
        rows.push({ label: 'qemu-riscv64', value: 'not installed: no comparison' });
      } else {
        const qSmall = medianFigures(context.runs, () => forkmemQemu(qemu, guests.dir, SMALL));
        const qLarge = medianFigures(context.runs, () => forkmemQemu(qemu, guests.dir, LARGE));
        rows.push(
          { label: `qemu-riscv64 fork, ${SMALL.mib} MiB`, value: ms(qSmall.fork), note: 'the host kernel forking qemu, timed by the guest' },
          { label: `qemu-riscv64 fork, ${LARGE.mib} MiB`, value: ms(qLarge.fork) },
          { label: 'qemu-riscv64 fork, ratio', value: `${(qLarge.fork / qSmall.fork).toFixed(1)}x` },
          { label: 'qemu-riscv64 page faults', value: faultRate(qLarge), note: 'host page faults of qemu, counted by getrusage' },
          { label: 'page faults, ratio', value: `forkscope takes ${(large.touch / large.faults / (qLarge.touch / qLarge.faults)).toFixed(1)}x qemu's time per fault` },
        );
      }
      return rows;
    } finally {
      guests.remove();
    }
  },
};
