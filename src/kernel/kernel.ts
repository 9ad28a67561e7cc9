/**
 * The machine: physical memory, the CPU, and the emulated kernel's global state — and the loop
 * that runs it (what Linux's scheduler and trap entry do between them on one CPU).
 *
 * Each turn of the loop either resumes the current task's kernel path (its generator, see
 * kfunc.ts) or runs the task in user mode on the hart until it traps, a timer tick is due or the
 * caller's instruction budget is spent. Everything is a function of the machine state, so a run
 * is reproducible instruction for instruction (design.md, decision 3).
 */
import { Hart } from '../cpu/hart';
import { PhysMem } from '../cpu/physmem';
import type { MachineConsole } from './drivers/tty/console';
import { CAUSE_USER_ECALL, STOP_BREAKPOINT, STOP_BUDGET } from '../cpu/trap';
import { handle_exception } from './arch/riscv/traps';
import { set_current, set_kernel, type KernelStop } from './kfunc';
import type { mm_struct } from './mm/mm_types';
import { run_posix_cpu_timers } from './itimer';
import { kthread_state } from './kthread';
import { oom_state } from './mm/oom_kill';
import { pglist_data } from './mm/page_alloc';
import { pid_namespace, PID_MAX_DEFAULT } from './pid';
import type { LogRecord } from './printk';
import { __schedule, rq, SCHED_SLICE_INSNS, test_and_clear_need_resched, TICK_INSNS, update_curr } from './sched/core';
import { Task } from './task';
import { trace, type TraceSink } from './trace';

/** What the memory manager needs from the CPU's MMU (cpu/hart.ts provides it). */
export interface Mmu {
  setRootTable(pfn: number): void;
  flushTlb(): void;
  flushTlbPage(vpn: number): void;
}

export interface KernelOptions {
  /** Physical memory in bytes. */
  memBytes: number;
  /** Seed of every random source (AT_RANDOM, getrandom, ASLR). */
  seed: number;
  /** pid_max (default 32768). */
  pidMax?: number;
  /** The host directory that is the guest's `/` (fs/namespace.ts). Default: the current directory. */
  root?: string;
  /** Like qemu's -L: absolute guest paths missing under `root` are looked up here, read-only. */
  sysroot?: string;
  /** The terminal behind descriptors 0, 1, 2 and /dev/tty. Default: none (output dropped). */
  console?: MachineConsole;
  /** CLOCK_REALTIME at boot, in seconds since 1970 (default 2024-01-01T00:00:00Z). */
  epochSeconds?: number;
}

const DEFAULT_EPOCH = 1704067200;

/** Why `Kernel.run` returned. */
export type RunResult =
  | { kind: 'exited' }
  | { kind: 'budget' }
  | { kind: 'stop'; stop: KernelStop }
  /** The hart reached an instruction a debugger breakpoint marks (nothing of it executed). */
  | { kind: 'breakpoint' }
  /** The machine reached `stepHalt` (a debugger replaying to a recorded position). */
  | { kind: 'position' }
  | { kind: 'idle' };

/** A virtual-time timer (hrtimer): runs `fn` once the clock reaches `expires` ns. */
export interface ktimer {
  expires: number;
  fn: () => void;
  /** Creation order breaks ties, so expiry order is deterministic. */
  seq: number;
}

export class Kernel {
  readonly mem: PhysMem;
  /** The page allocator: who owns each frame (mm/page_alloc.ts). */
  readonly pages: pglist_data;
  readonly hart: Hart;
  readonly mmu: Mmu;
  readonly rq = new rq();
  readonly init_pid_ns: pid_namespace;
  /** Every task (init_task.tasks), in creation order; tasks leave it at release_task. */
  readonly tasks: Task[] = [];
  /** Trace sinks and the categories the user asked for (trace.ts). */
  readonly traceSinks: TraceSink[] = [];
  readonly traceEnabled = new Set<string>();
  /** The kernel log (printk.ts) and who is listening to it. */
  readonly log: LogRecord[] = [];
  readonly logSinks: ((r: LogRecord) => void)[] = [];
  /** Pending virtual-time timers, ordered by expiry. */
  private timers: ktimer[] = [];
  private timerSeq = 0;
  /** Virtual nanoseconds the CPU spent idle (no runnable task, waiting for a timer). */
  private idle_ns = 0;
  /** Instruction count at which the next scheduler tick is due. */
  private nextTick = TICK_INSNS;
  /** When the running task was picked (for its time slice). */
  private sliceStart = 0;
  /** The mm whose page tables the hart is using. */
  private loadedMm: mm_struct | null = null;
  /**
   * Where the run is, counted so that a replay from boot reaches the same state at the same
   * count whatever the slicing or the breakpoints (a debugger's record and replay, reverse
   * execution). `steps` counts what the machine loop did: every user instruction attempted
   * (retired, or faulted into the kernel), every kernel path resumed until it slept or ended,
   * every idle wait. `kcalls` counts kernel function entries (kfunc.ts), which tell apart the
   * places a debugger can stop inside one kernel path.
   */
  steps = 0;
  kcalls = 0;
  /** `run` returns `{ kind: 'position' }` once `steps` reaches this, where user code or idling is next. */
  stepHalt = Infinity;
  /** A kernel function entry at this count stops the run (`run`'s kernel-work budget; kfunc.ts). */
  kcallHalt = Infinity;
  /** Record our source line of every kernel frame when a task sleeps (kfunc.ts); for debuggers. */
  captureKernelLines = false;
  /** Set when init has no more children: the machine has finished. */
  halted = false;
  /** Source of mm_struct ids (for snapshots). */
  mm_ids = 0;
  /** Threads the machine may have (max_threads, from the memory size as fork_init computes it). */
  readonly max_threads: number;
  /** kthreadd's request queue. */
  readonly kthreads = new kthread_state();
  /** The OOM killer's reaper queue. */
  readonly oom = new oom_state();
  /** Why an exec was refused, in one sentence (for the CLI), per task. */
  readonly execErrors = new WeakMap<Task, { filename: string; message: string }>();
  /** CLOCK_REALTIME minus CLOCK_MONOTONIC, in ns: a fixed epoch keeps runs reproducible. */
  readonly realtime_offset_ns: number;

  constructor(readonly options: KernelOptions) {
    this.mem = new PhysMem(options.memBytes);
    this.pages = new pglist_data(this.mem);
    this.hart = new Hart(this.mem);
    this.mmu = this.hart;
    this.init_pid_ns = new pid_namespace(options.pidMax ?? PID_MAX_DEFAULT);
    // set_max_threads: one thread per 8 kernel stacks' worth of memory (16 KiB stacks on rv64).
    this.max_threads = Math.max(20, Math.floor(this.mem.nrFrames / 32));
    this.realtime_offset_ns = (options.epochSeconds ?? DEFAULT_EPOCH) * 1e9;
  }

  /** switch_mm: load `mm`'s page tables (exec_mmap's activate_mm). */
  switch_mm(mm: mm_struct): void {
    this.hart.setRootTable(mm.pgd);
    this.loadedMm = mm;
  }

  /**
   * Runs a kernel path to its end as `task`, outside the scheduler (boot code before the first
   * task switch). The path must not sleep.
   */
  run_kernel_path(task: Task, gen: Generator<unknown, void, void>): void {
    set_kernel(this);
    set_current(task);
    for (let r = gen.next(); r.done !== true; r = gen.next()) {
      if (r.value !== undefined && (r.value as { kind?: string }).kind === 'schedule') throw new Error('boot code tried to sleep');
    }
  }

  /** ktime_get: virtual nanoseconds since boot (1 ns per retired instruction, plus idle time). */
  ktime_get_ns(): number {
    return this.hart.instret + this.idle_ns;
  }

  /** Arms a timer at absolute virtual time `expires`; returns it so it can be cancelled. */
  add_timer(expires: number, fn: () => void): ktimer {
    const t: ktimer = { expires, fn, seq: this.timerSeq++ };
    this.timers.push(t);
    this.timers.sort((a, b) => a.expires - b.expires || a.seq - b.seq);
    return t;
  }

  del_timer(t: ktimer): void {
    const i = this.timers.indexOf(t);
    if (i >= 0) this.timers.splice(i, 1);
  }

  private run_timers(): void {
    const now = this.ktime_get_ns();
    while (this.timers.length > 0 && this.timers[0].expires <= now) this.timers.shift()!.fn();
  }

  /** Instructions until the next tick or timer, whichever is first. */
  private insnsToNextEvent(): number {
    let n = this.nextTick - this.hart.instret;
    if (this.timers.length > 0) n = Math.min(n, Math.max(1, this.timers[0].expires - this.ktime_get_ns()));
    return Math.max(1, n);
  }

  /** context_switch: load the next task's registers and address space. */
  private context_switch(prev: Task | null, next: Task): void {
    this.hart.ctx = next.regs;
    // A kernel thread has no mm of its own and borrows the previous one (active_mm).
    if (next.mm === null && next.active_mm === null && prev !== null) next.active_mm = prev.active_mm;
    const mm = next.mm ?? next.active_mm;
    if (mm !== null && mm !== this.loadedMm) {
      this.hart.setRootTable(mm.pgd);
      this.loadedMm = mm;
    }
    this.sliceStart = this.hart.instret;
    if (prev !== next) {
      // With no previous task the CPU was idle: the switch is the idle task's (swapper/0).
      const from = prev ?? this.rq.idle;
      trace('sched_switch', from, { prev_comm: from?.comm ?? 'swapper/0', prev_pid: from?.pid ?? 0,
        prev_state: prev === null ? 'R' : stateLetter(prev), next_comm: next.comm, next_pid: next.pid });
    }
    set_current(next);
  }

  /** Forgets the loaded address space (after its page tables were freed). */
  mm_unloaded(mm: mm_struct): void {
    if (this.loadedMm === mm) this.loadedMm = null;
  }

  private schedule(prev: Task | null): Task | null {
    const next = __schedule(this.rq, prev);
    if (next !== null) {
      if (prev !== null && prev !== next) {
        if (prev.__state === 0) prev.nivcsw++; else prev.nvcsw++;
      }
      this.context_switch(prev, next);
    }
    return next;
  }

  /** The timer tick (scheduler_tick): fire timers, and preempt a task whose slice is over. */
  private tick(t: Task): void {
    while (this.nextTick <= this.hart.instret) this.nextTick += TICK_INSNS;
    // The timer interrupt is a kernel entry: its return breaks the task's LR reservation.
    t.regs.reservation = -1;
    this.run_timers();
    run_posix_cpu_timers(t);
    if (this.hart.instret - this.sliceStart >= SCHED_SLICE_INSNS && this.rq.queue.length > 0) {
      this.schedule(t);
    } else if (test_and_clear_need_resched(t)) {
      this.schedule(t);
    }
  }

  /**
   * Runs the machine for at most `limit` retired instructions. Returns when the budget is spent,
   * a debugger stop is hit inside the kernel, every task is asleep with nothing to wake it, or
   * the machine has finished. Kernel work retires no instructions: with `kernelCalls`, the run
   * also stops (`{ kind: 'stop' }`, at a kernel function entry, where a replay can come back to)
   * after that many kernel function entries, so that a host slicing the run for responsiveness
   * gets control back even from long kernel paths (a thousand forks).
   */
  run(limit: number, kernelCalls = Infinity): RunResult {
    this.kcallHalt = this.kcalls + kernelCalls;
    try {
      return this.loop(limit);
    } finally {
      this.kcallHalt = Infinity;
    }
  }

  private loop(limit: number): RunResult {
    set_kernel(this);
    const hart = this.hart;
    const end = hart.instret + limit;
    for (;;) {
      if (this.halted) return { kind: 'exited' };
      let t = this.rq.curr;
      if (t === null) {
        t = this.schedule(null);
        if (t === null) {
          if (this.steps >= this.stepHalt) return { kind: 'position' };
          if (this.timers.length === 0) return { kind: 'idle' };
          // Nothing runnable: the CPU idles until the next timer (virtual time jumps there).
          this.idle_ns += Math.max(0, this.timers[0].expires - this.ktime_get_ns());
          this.run_timers();
          this.steps++;
          continue;
        }
      }
      set_current(t);
      if (t.kgen !== null) {
        const r = t.kgen.next();
        if (r.done === true) {
          t.kgen = null;
          this.steps++;
          if (test_and_clear_need_resched(t)) this.schedule(t);
        } else if (r.value.kind === 'stop') {
          // Not a step: the path goes on from here when resumed, as it would have without the stop.
          return { kind: 'stop', stop: r.value };
        } else {
          this.steps++;
          this.schedule(t);
        }
        continue;
      }
      if (hart.instret >= end) return { kind: 'budget' };
      if (this.steps >= this.stepHalt) return { kind: 'position' };
      const before = hart.instret;
      const cause = hart.run(Math.min(end - hart.instret, this.stepHalt - this.steps, this.insnsToNextEvent()));
      update_curr(this.rq, t, hart.instret - before);
      t.utime += hart.instret - before;
      // A faulting instruction is an attempt too (it runs again once the kernel has handled
      // it); an ecall is one already, as it counts as retired (cpu/hart.ts).
      const attempts = hart.instret - before + (cause >= 0 && cause !== CAUSE_USER_ECALL ? 1 : 0);
      this.steps += attempts;
      if (attempts > 0) t.lastUserStep = this.steps - 1;
      if (cause === STOP_BREAKPOINT) return { kind: 'breakpoint' };
      if (cause === STOP_BUDGET) {
        if (hart.instret >= this.nextTick || (this.timers.length > 0 && this.timers[0].expires <= this.ktime_get_ns())) this.tick(t);
        continue;
      }
      t.kgen = handle_exception(cause);
    }
  }
}

/** The letter /proc and ps show for a task's state (fs/proc/array.c: task_state_array). */
export function stateLetter(t: Task): string {
  if (t.exit_state === 0x20) return 'Z';
  if (t.exit_state === 0x10) return 'X';
  const s = t.__state;
  if (s === 0) return 'R';
  if (s & 0x1) return 'S';
  if (s & 0x4) return 'T';
  if (s & 0x8) return 't';
  if (s & 0x80) return 'X';
  if ((s & 0x402) === 0x402) return 'I';
  if (s & 0x2) return 'D';
  return 'R';
}
