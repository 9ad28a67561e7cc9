/**
 * Run control: the ways the debugger drives the machine, as generators that yield between
 * slices of work so the host stays responsive (a pause is noticed at the next yield).
 *
 *  - fast: `Kernel.run` in large slices; user breakpoints stop the hart (cpu/hart.ts), kernel
 *    ones stop the kernel at a function entry (probe.ts);
 *  - slow: one user instruction per step, for what the hart cannot watch itself (data
 *    watchpoints, "stop when this task is back in user mode"). The machine loop returns from
 *    `run(1)` with the next user instruction of whatever task is current not yet executed, so a
 *    task is caught exactly when it is about to run user code;
 *  - goals built on those: continue, step by instruction or line (over calls, into the kernel
 *    on an ecall), step out, and stepping from kernel function to kernel function.
 *
 * The machine is deterministic and these only choose where to stop, so a session replays
 * identically whatever the slicing.
 */
import { lookupPc } from '../dwarf';
import type { Kernel, RunResult } from '../kernel/kernel';
import type { KFrame } from '../kernel/kfunc';
import { tty_input_awaited } from '../kernel/drivers/tty/tty';
import type { mm_struct } from '../kernel/mm/mm_types';
import type { Task } from '../kernel/task';
import { REG_SP } from '../cpu/state';
import { Op } from '../isa/ops';
import type { BreakpointTable } from './breakpoints';
import type { ImageStore } from './images';
import { decodeAt, isCall, memoryAccess } from './insn';
import { readMemory } from './memory';
import type { ProbeHit, ProbeHub } from './probe';
import type { WatchHit, WatchSet } from './watchpoints';

/** Instructions per fast slice: a few milliseconds of emulation. */
const FAST_SLICE = 200_000;
/** Kernel function entries per fast slice, for slices of kernel work (forks): a few milliseconds too. */
const FAST_SLICE_KCALLS = 500;
/** Instructions per slow slice. */
const SLOW_SLICE = 5_000;

/** Kernel functions every return to user mode goes through (kernel/entry/common.ts). */
const EXIT_TO_USER = new Set(['syscall_exit_to_user_mode', 'irqentry_exit_to_user_mode']);

/** Why a run stopped, before the debugger decides whether that is a stop for the user. */
export type Halt =
  | { kind: 'breakpoint'; task: Task; pc: number }
  | { kind: 'probe'; hit: ProbeHit }
  | { kind: 'watch'; hit: WatchHit }
  | { kind: 'arrived'; task: Task }
  | { kind: 'exited' }
  | { kind: 'idle' }
  | { kind: 'event' }
  /** The position the debugger asked to halt at (a replay's end). */
  | { kind: 'position' };

export type Run<T> = Generator<void, T, void>;

/** A source line, and whether an address is where one of its statements starts. */
export interface SourcePlace {
  readonly file: string;
  readonly line: number;
  readonly isStatementStart: boolean;
}

export class RunControl {
  /** A user breakpoint the machine is stopped at: the slow path must not stop there again. */
  private resumeAt: { task: Task; pc: number } | null = null;
  /** Set by the debugger when a trace event asks for a stop (an exception filter). */
  eventPending = false;
  /**
   * The run waits for terminal input: the machine is idle, its tasks asleep in n_tty_read or a
   * poll of the terminal. The run has yielded and goes on only once the debugger, input having
   * arrived, resumes it — nothing to do meanwhile, so nobody should.
   */
  waitingForInput = false;
  /** The machine is stopped inside a kernel path (at a kernel function's entry), not where user code is next. */
  inKernel = false;

  constructor(
    private readonly k: Kernel,
    private readonly bps: BreakpointTable,
    private readonly probe: ProbeHub,
    private readonly watch: WatchSet,
    private readonly images: ImageStore,
    private readonly afterSlice: () => void,
    /** Whether a user breakpoint hit is a stop (its condition and hit count); false resumes. */
    private readonly accept: (h: { task: Task; pc: number }) => boolean,
    /** The same for a data breakpoint hit. */
    private readonly acceptWatch: (hit: WatchHit) => boolean,
    /**
     * The machine reached the position the debugger set (Kernel.stepHalt, or the probe rule
     * 'position' inside the kernel): true when that was to apply recorded inputs and the run
     * goes on, false when the run must halt there.
     */
    private readonly atPosition: (inKernel: boolean) => boolean,
  ) {}

  /**
   * `Kernel.run`, going on through the positions where recorded inputs are applied (a replay,
   * or running forward through a part of the history); they are not halts.
   */
  private runMachine(limit: number, kernelCalls = Infinity): RunResult['kind'] {
    for (;;) {
      const r = this.k.run(limit, kernelCalls);
      this.inKernel = r.kind === 'stop';
      if (r.kind === 'position' && this.atPosition(false)) continue;
      if (r.kind === 'stop' && this.probe.peek()?.rule === 'position') {
        this.probe.take();
        if (this.atPosition(true)) continue;
        return 'position';
      }
      return r.kind;
    }
  }

  /** The machine stopped at a user breakpoint of `task`: the next run starts by executing it. */
  stoppedAt(task: Task | null): void {
    this.resumeAt = task === null ? null : { task, pc: task.regs.pc };
  }

  /** Runs until something halts the machine. */
  *run(): Run<Halt> {
    for (;;) {
      const h = this.watch.active ? this.slowSlice(null) : this.fastSlice();
      this.afterSlice();
      if (h?.kind === 'idle' && (yield* this.awaitInput())) continue;
      if (h !== null && !this.passes(h)) return h;
      if (h === null && this.eventPending) return { kind: 'event' };
      if (h === null) yield;
    }
  }

  /**
   * The machine is idle. If tasks wait for terminal input, that is no deadlock: waits (yields
   * with `waitingForInput` set) until resumed, and says so; false when nobody waits for input.
   */
  private *awaitInput(): Run<boolean> {
    if (!tty_input_awaited(this.k)) return false;
    this.waitingForInput = true;
    try {
      yield;
    } finally {
      this.waitingForInput = false;
    }
    return true;
  }

  /** A breakpoint or watchpoint hit whose condition says go on: resume over it. */
  private passes(h: Halt): boolean {
    if (h.kind === 'watch') return !this.acceptWatch(h.hit);
    if (h.kind !== 'breakpoint' || this.bps.temporary.has(h.pc) || this.accept(h)) return false;
    this.stoppedAt(h.task);
    return true;
  }

  private fastSlice(): Halt | null {
    const kind = this.runMachine(FAST_SLICE, FAST_SLICE_KCALLS);
    this.resumeAt = null;
    return this.translate(kind);
  }

  private translate(kind: RunResult['kind']): Halt | null {
    switch (kind) {
      case 'budget': return null;
      case 'position': return { kind: 'position' };
      case 'exited': return { kind: 'exited' };
      case 'idle': return { kind: 'idle' };
      case 'stop': {
        const watched = this.watch.takeKernelHit();
        if (watched !== null) return { kind: 'watch', hit: watched };
        const hit = this.probe.take();
        return hit === null ? null : { kind: 'probe', hit };
      }
      case 'breakpoint': {
        const t = this.k.rq.curr as Task;
        return { kind: 'breakpoint', task: t, pc: t.regs.pc };
      }
    }
  }

  /**
   * Up to SLOW_SLICE user instructions, one at a time, checking breakpoints, watchpoints and
   * (when `until` is given) whether that task is about to run user code.
   */
  private slowSlice(until: ((t: Task) => boolean) | null): Halt | null {
    const k = this.k;
    // First finish pending kernel work: afterwards the current task is about to run user code.
    const first = this.translate(this.runMachine(0));
    if (first !== null) return first;
    for (let i = 0; i < SLOW_SLICE; i++) {
      const t = k.rq.curr;
      if (t === null) return this.translate(this.runMachine(1));
      if (until !== null && t.kgen === null && until(t)) return { kind: 'arrived', task: t };
      const pc = t.regs.pc;
      const resuming = this.resumeAt !== null && this.resumeAt.task === t && this.resumeAt.pc === pc;
      this.resumeAt = null;
      if (!resuming && this.bps.has(pc)) return { kind: 'breakpoint', task: t, pc };
      const watched = this.watch.active && t.mm !== null && this.watch.watches(t.mm) ? this.watchBefore(t) : null;
      const retired = k.hart.instret;
      const h = this.translate(this.runMachine(1));
      if (watched !== null && k.hart.instret > retired) return { kind: 'watch', hit: watched };
      if (h !== null) return h;
      if (this.eventPending) return null;
    }
    return null;
  }

  /** The watchpoint the instruction at `t`'s pc will trigger, with the bytes before it. */
  private watchBefore(t: Task): WatchHit | null {
    const inst = decodeAt(this.k, t, t.regs.pc);
    const access = inst === null ? null : memoryAccess(inst, t);
    if (access === null || t.mm === null) return null;
    const w = this.watch.matching(t.mm, access.address, access.size, access.read, access.write)[0];
    if (w === undefined) return null;
    return { watchpoint: w, task: t, pc: t.regs.pc, write: access.write, before: readMemory(this.k, t, w.address, w.size), inKernel: false };
  }

  /**
   * Runs until `t` is about to execute user code (back from the kernel, or scheduled again).
   * `rule` may stop earlier at a kernel function entry (kernel stepping). Any other halt
   * (a breakpoint, the end) is returned as is.
   */
  *untilUser(t: Task, rule?: (task: Task, frame: KFrame) => boolean): Run<Halt> {
    return yield* this.untilUserOf((x) => x === t, t, rule);
  }

  /**
   * Runs until a task `arrives` accepts is about to execute user code. `known`, when given and
   * inside the kernel, is watched on its way back to user mode at full speed first.
   */
  *untilUserOf(arrives: (t: Task) => boolean, known: Task | null, rule?: (task: Task, frame: KFrame) => boolean): Run<Halt> {
    if (rule !== undefined) this.probe.set('step', rule);
    try {
      const t = known;
      const inExitPath = t !== null && t.kstack.some((f) => f.fn === 'exit_to_user_mode_loop');
      if (t !== null && t.kstack.length > 0 && !inExitPath && !this.watch.active) {
        // Fast until the task starts its way back to user mode…
        this.probe.set('return', (task, frame) => task === t && EXIT_TO_USER.has(frame.fn));
        let h: Halt;
        try {
          h = yield* this.run();
        } finally {
          this.probe.clear('return');
        }
        if (h.kind !== 'probe' || h.hit.rule !== 'return') return h;
      }
      // …then instruction by instruction until it gets there.
      for (;;) {
        const h = this.slowSlice(arrives);
        this.afterSlice();
        if (h?.kind === 'idle' && (yield* this.awaitInput())) continue;
        if (h !== null && !this.passes(h)) return h;
        if (h === null && this.eventPending) return { kind: 'event' };
        if (h === null) yield;
      }
    } finally {
      if (rule !== undefined) this.probe.clear('step');
    }
  }

  /**
   * Runs one user instruction at a time until the debugger's halt, showing `see` every task
   * about to run user code: the record of the recent past a step backwards chooses from.
   */
  *record(see: (t: Task) => void): Run<Halt> {
    for (let n = 1; ; n++) {
      const h = this.translate(this.runMachine(0));
      if (h !== null) return h;
      const t = this.k.rq.curr;
      if (t !== null && t.kgen === null) see(t);
      const after = this.translate(this.runMachine(1));
      if (after !== null) return after;
      if (n % SLOW_SLICE === 0) yield;
    }
  }

  /** One user instruction of `t` (arriving first if needed); an ecall is followed into the kernel when `intoKernel`. */
  *instruction(t: Task, intoKernel: boolean): Run<Halt | null> {
    const arrived = yield* this.arrive(t);
    if (arrived !== null) return arrived;
    const inst = decodeAt(this.k, t, t.regs.pc);
    if (intoKernel && inst !== null && inst.op === Op.ECALL) this.probe.set('step', (task) => task === t);
    try {
      this.resumeAt = null;
      const watched = this.watch.active && t.mm !== null && this.watch.watches(t.mm) ? this.watchBefore(t) : null;
      const retired = this.k.hart.instret;
      const h = this.translate(this.runMachine(1));
      this.afterSlice();
      if (watched !== null && this.k.hart.instret > retired) return { kind: 'watch', hit: watched };
      // Idle because the instruction (an ecall) waits for terminal input: it has been executed.
      if (h?.kind === 'idle' && tty_input_awaited(this.k)) return null;
      if (h !== null) return h;
    } finally {
      this.probe.clear('step');
    }
    return null;
  }

  /**
   * An instruction step of `t`: `stepi` (`into`: a call enters its callee, an ecall the kernel)
   * or `nexti` (a call runs until it returns here, as gdb's nexti).
   */
  *nextInstruction(t: Task, into: boolean): Run<Halt | null> {
    const arrived = yield* this.arrive(t);
    if (arrived !== null) return arrived;
    const inst = decodeAt(this.k, t, t.regs.pc);
    if (into || inst === null || !isCall(inst)) return yield* this.instruction(t, into);
    const back = yield* this.runTo(t, t.regs.pc + inst.len, t.regs.getReg(REG_SP));
    return back.kind === 'arrived' ? null : back;
  }

  /** Brings `t` to the point where it runs user code; null when it is there. */
  *arrive(t: Task): Run<Halt | null> {
    if (this.k.rq.curr === t && t.kgen === null) return null;
    const h = yield* this.untilUser(t);
    return h.kind === 'arrived' && h.task === t ? null : h;
  }

  /**
   * Runs until `t` reaches `pc` with its stack pointer at or above `sp` (the return from a call,
   * or from the frame being stepped out of) — a temporary breakpoint.
   */
  *runTo(t: Task, pc: number, sp: bigint): Run<Halt> {
    this.bps.temporary.add(pc);
    this.k.hart.setBreakpoints(this.bps);
    try {
      for (;;) {
        const h = yield* this.run();
        if (h.kind === 'breakpoint' && h.pc === pc && h.task === t && t.regs.getReg(REG_SP) >= sp) return { kind: 'arrived', task: t };
        // Our address in another task or a deeper recursion, unless a user breakpoint there stops.
        if (h.kind === 'breakpoint' && h.pc === pc && (this.bps.atAddress(pc).length === 0 || !this.accept(h))) {
          this.stoppedAt(h.task);
          continue;
        }
        return h;
      }
    } finally {
      this.bps.temporary.delete(pc);
      this.k.hart.setBreakpoints(this.bps);
    }
  }

  /**
   * Source-line step of `t` (over calls when `over`). Stops at the first instruction of
   * another line; a call into code without line information is run through (or, for a step
   * in, followed until it enters the kernel).
   */
  *line(t: Task, over: boolean): Run<Halt | null> {
    const arrived = yield* this.arrive(t);
    if (arrived !== null) return arrived;
    const start = this.lineOf(t, t.regs.pc);
    const startSp = t.regs.getReg(REG_SP);
    for (let n = 0; ; n++) {
      if (n % SLOW_SLICE === SLOW_SLICE - 1) yield;
      const pc = t.regs.pc;
      const inst = decodeAt(this.k, t, pc);
      if (inst !== null && isCall(inst)) {
        const ret = pc + inst.len;
        const sp = t.regs.getReg(REG_SP);
        const h = yield* this.instruction(t, false);
        if (h !== null) return h;
        const callee = this.lineOf(t, t.regs.pc);
        if (over || callee === null) {
          if (!over && callee === null) {
            // Step into code without line information (the C library): follow it until it
            // enters the kernel, or return to the caller.
            const inner = yield* this.followUntilKernel(t, ret, sp);
            if (inner !== null) return inner;
          } else {
            const back = yield* this.runTo(t, ret, sp);
            if (back.kind !== 'arrived') return back;
          }
        } else {
          // Into a function with line information: stop after its prologue.
          const body = this.afterPrologue(t);
          if (body !== null && body !== t.regs.pc) {
            const there = yield* this.runTo(t, body, 0n);
            if (there.kind !== 'arrived') return there;
          }
          return null;
        }
      } else {
        const h = yield* this.instruction(t, !over);
        if (h !== null) return h;
        if (this.k.rq.curr !== t || t.kgen !== null) {
          const back = yield* this.arrive(t);
          if (back !== null) return back;
        }
      }
      const here = this.lineOf(t, t.regs.pc);
      if (here === null) {
        // Returned into code without line information (main returned to the C library).
        if (t.regs.getReg(REG_SP) > startSp) return yield* this.run();
        continue;
      }
      if (here.isStatementStart && (start === null || here.line !== start.line || here.file !== start.file)) return null;
    }
  }

  /** Single-steps `t` through code without line info until an ecall (into the kernel) or the return to `ret`. */
  private *followUntilKernel(t: Task, ret: number, sp: bigint): Run<Halt | null> {
    for (let n = 1; ; n++) {
      if (n % SLOW_SLICE === 0) yield;
      if (t.regs.pc === ret && t.regs.getReg(REG_SP) >= sp) return null;
      const h = yield* this.instruction(t, true);
      if (h !== null) return h;
      if (t.kstack.length > 0) return null;
    }
  }

  /** Step out of the user frame of `t`: to the caller, just after the call. */
  *out(t: Task, callerPc: number, cfa: bigint): Run<Halt> {
    const arrived = yield* this.arrive(t);
    if (arrived !== null) return arrived;
    return yield* this.runTo(t, callerPc, cfa);
  }

  /**
   * Kernel stepping for `t`, which is inside the kernel: 'in' stops at the next kernel function
   * it enters; 'over' at the next one entered at the same depth or shallower; 'out' once the
   * current function has returned. Leaving the kernel stops at the first user instruction.
   */
  *kernel(t: Task, mode: 'in' | 'over' | 'out'): Run<Halt> {
    const depth = t.kstack.length;
    const target = mode === 'in' ? Infinity : mode === 'over' ? depth : depth - 1;
    return yield* this.untilUser(t, (task) => task === t && task.kstack.length <= target);
  }

  /** Line location of `t`'s pc, and whether pc starts a statement of that line. */
  lineOf(t: Task, pc: number): SourcePlace | null {
    return t.mm === null ? null : this.lineIn(t.mm, pc);
  }

  /** The same in address space `mm` (which the task may since have left by exec). */
  lineIn(mm: mm_struct, pc: number): SourcePlace | null {
    const m = this.images.moduleAt(mm, pc);
    const loc = m?.image.dwarf?.lineAt(pc - (m?.bias ?? 0));
    if (m === undefined || loc === undefined || loc.line === 0) return null;
    return { file: loc.file, line: loc.line, isStatementStart: loc.address === pc - m.bias && loc.isStmt };
  }

  private afterPrologue(t: Task): number | null {
    if (t.mm === null) return null;
    const m = this.images.moduleAt(t.mm, t.regs.pc);
    const dwarf = m?.image.dwarf;
    const fn = dwarf?.functionAt(lookupPc({ pc: t.regs.pc - (m?.bias ?? 0), regs: [], returnAddress: false }));
    if (m === undefined || dwarf == null || fn === undefined) return null;
    return dwarf.functionBreakpointAddress(fn) + m.bias;
  }
}
