/**
 * The debugger: one emulated machine running one launched program, and everything a debugging
 * front end does with it — run, pause, step, breakpoints of every kind, stops with a reason —
 * independent of DAP, so the CLI, tests and the adapter share it.
 *
 * All-stop: the whole machine runs or is stopped. Runs are sliced (control.ts) with the host's
 * event loop turning between slices, so a pause request is answered within one slice.
 */
import { start_kernel, type init_result } from '../kernel/init/main';
import { Kernel } from '../kernel/kernel';
import { formatLogRecord } from '../kernel/printk';
import { formatTraceEvent, traceCategory, type TraceEvent } from '../kernel/trace';
import type { Task } from '../kernel/task';
import { is_async_console, type MachineConsole } from '../kernel/drivers/tty/console';
import { tty_insert_flip_string } from '../kernel/drivers/tty/tty_buffer';
import { tty_hangup } from '../kernel/drivers/tty/tty_io';
import { tty_input_waiters } from '../kernel/drivers/tty/tty';
import { set_initial_cwd } from '../kernel/debug_access';
import { BreakpointTable, hitConditionMet, type Breakpoint, type BreakpointOptions } from './breakpoints';
import type { LaunchPlan } from './config';
import { RunControl, type Halt, type Run } from './control';
import { ImageStore, type Image } from './images';
import type { mm_struct } from '../kernel/mm/mm_types';
import { ProbeHub } from './probe';
import { comparePositions, describePosition, positionOf, type Position } from './history';
import { Timeline } from './timeline';
import { replayConsole, type ReplayConsole } from './replay_console';
import { recordedConsole } from './recording';
import { previousEvent, previousLine, type PastEvent } from './reverse';
import { writeMemory } from './memory';
import { REG_SP } from '../cpu/state';
import { resolveFunction, resolveInstruction, resolveLine } from './resolve';
import { taskStack, type StackFrame } from './stack';
import { FrameScope } from './frame_scope';
import { WatchSet, type AccessType, type Watchpoint, type WatchHit } from './watchpoints';
import { ExceptionFilters, type ExceptionInfo } from './exceptions';
import { conditionHolds, interpolateLog } from './conditions';

export type StopReason = 'entry' | 'breakpoint' | 'function breakpoint' | 'data breakpoint' | 'instruction breakpoint' | 'step' | 'pause' | 'exception';

export interface StopEvent {
  readonly reason: StopReason;
  readonly task: Task;
  readonly description?: string;
  readonly text?: string;
  readonly hitBreakpointIds?: number[];
}

export type OutputCategory = 'stdout' | 'stderr' | 'console';

/** What the debugger tells its front end. */
export interface DebuggerListener {
  stopped(e: StopEvent): void;
  output(category: OutputCategory, text: string): void;
  /** A task appeared, changed its name (exec) or vanished. */
  task(kind: 'started' | 'changed' | 'exited', t: { pid: number; name: string }): void;
  /** A breakpoint's state changed (verified once an image that has its line was loaded). */
  breakpointChanged(bp: Breakpoint): void;
  /** The machine has finished: every task has exited (`status` is the program's wait status). */
  exited(exitCode: number, message?: string): void;
}

export type StepKind = 'in' | 'over' | 'out';
export type Granularity = 'line' | 'instruction';

export interface SourceBreakpointSpec extends BreakpointOptions {
  readonly line: number;
}

export interface DataBreakpointSpec {
  readonly address: number;
  readonly size: number;
  readonly access: AccessType;
  readonly description: string;
  /** The task whose address space the address belongs to. */
  readonly task: Task;
  readonly condition?: string;
  readonly hitCondition?: string;
}

/** Stop reasons by breakpoint kind. */
const REASON: Record<Breakpoint['kind'], StopReason> = {
  source: 'breakpoint', function: 'function breakpoint', instruction: 'instruction breakpoint', kernel: 'function breakpoint',
};

/** A replay of the run that did not come back to where the run had been. */
class ReplayDiverged extends Error {}

export class Debugger {
  readonly images: ImageStore;
  readonly breakpoints = new BreakpointTable();
  readonly watchpoints = new WatchSet();
  readonly exceptions = new ExceptionFilters();
  private readonly probe = new ProbeHub();
  /** The machine, and what booting it gave; both replaced when the debugger goes back in time. */
  private machine!: Kernel;
  private booted!: init_result;
  private control!: RunControl;
  /** The console as the machine sees it (replay_console.ts). */
  private readonly console: ReplayConsole;
  /** The inputs from outside, with where they came in, and where a replay halts (timeline.ts). */
  private readonly timeline = new Timeline(this.probe);
  /** Nothing reaches the user: a replay of a part of the run they have already seen. */
  private muted = false;
  /** Breakpoints, exception filters and new images are watched (false while replaying to a known position). */
  private observing = true;
  private state: 'stopped' | 'running' | 'exited' = 'stopped';
  private goal: Run<StopEvent | null> | null = null;
  private pauseRequested = false;
  /** A pump is scheduled on the event loop (at most one is). */
  private pumpScheduled = false;
  private events: TraceEvent[] = [];
  private known = new Map<number, string>();
  private watchIds = 1;
  /** The stop the machine is in (null while running). */
  lastStop: StopEvent | null = null;
  /** Why it stopped for an exception (exceptionInfo). */
  lastException: ExceptionInfo | null = null;

  constructor(readonly plan: LaunchPlan, private readonly listener: DebuggerListener, console: MachineConsole) {
    this.images = new ImageStore(plan.root, plan.sysroot);
    this.images.image(plan.guestProgram);
    // A recorded run's terminal answers from the recording (recording.ts).
    this.console = replayConsole(plan.replay === undefined ? console : recordedConsole(console, plan.replay.log, plan.replay.recording).console);
    // Kernel frames of sleeping tasks show where they sleep. They are read from JavaScript stack
    // traces, which must be deep enough to hold a whole kernel path.
    Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 200);
    this.boot();
    this.afterSlice();
    if (is_async_console(console)) console.listen((bytes) => this.consoleInput(bytes));
  }

  /**
   * Input from the guest's terminal enters the machine here, and only here (null: the terminal
   * closed); a run that waited for it goes on.
   */
  private consoleInput(bytes: Uint8Array | null): void {
    if (bytes === null) this.input('the terminal closing', (k) => tty_hangup(k));
    else this.input(`${bytes.length} bytes typed`, (k) => tty_insert_flip_string(k, bytes));
    if (this.control.waitingForInput) this.schedulePump();
  }

  /** Boots a new machine for the plan: at the start, and to replay the run. */
  private boot(): void {
    const plan = this.plan;
    const k = new Kernel({ memBytes: plan.memBytes, seed: plan.seed, root: plan.root, sysroot: plan.sysroot, console: this.console });
    k.captureKernelLines = true;
    for (const c of ['sched', 'exec', 'signal', 'oom', 'mm', ...plan.trace]) k.traceEnabled.add(c);
    k.traceSinks.push((e) => this.onTrace(e));
    k.logSinks.push((r) => {
      if (plan.trace.size > 0 && !this.muted) this.listener.output('console', formatLogRecord(r) + '\n');
    });
    this.machine = k;
    this.control = new RunControl(k, this.breakpoints, this.probe, this.watchpoints, this.images, () => this.afterSlice(),
      (h) => this.acceptBreakpoint(h.task, h.pc), (hit) => this.acceptWatch(hit), (inKernel) => this.timeline.reached(k, inKernel));
    // argv[0] is how the program is run: its guest path, or as a recorded run named it.
    this.booted = start_kernel(k, { filename: plan.argv[0], argv: plan.argv, envp: plan.envp });
    const cwdError = set_initial_cwd(k, plan.cwd);
    if (cwdError !== null) throw new Error(`"cwd": ${cwdError}`);
  }

  /** The machine (a new one after going back in time: look it up again after every stop). */
  get kernel(): Kernel {
    return this.machine;
  }

  /** What booting gave: the program's pid, and its end once it has finished. */
  get result(): init_result {
    return this.booted;
  }

  get running(): boolean {
    return this.state === 'running';
  }

  get finished(): boolean {
    return this.state === 'exited';
  }

  /** Every task, in creation order (DAP threads). */
  get tasks(): readonly Task[] {
    return this.kernel.tasks;
  }

  task(pid: number): Task | undefined {
    return this.kernel.tasks.find((t) => t.pid === pid);
  }

  static taskName(t: Task): string {
    return `${t.tgid}:${t.pid} ${t.comm}`;
  }

  // ---- run control ----

  /** Starts the program: to its first instruction when stopping on entry, else running. */
  start(): void {
    if (this.plan.stopOnEntry) {
      const result = this.result;
      this.begin(this.toEntry(result));
    } else {
      this.continue();
    }
  }

  private *toEntry(result: init_result): Run<StopEvent | null> {
    const h = yield* this.control.untilUserOf((t) => t.pid === result.pid && t.pid !== 0, null);
    if (h.kind === 'arrived') return { reason: 'entry', task: h.task, description: `${h.task.comm} is about to run its first instruction` };
    return this.halted(h);
  }

  continue(): void {
    this.begin(this.continueGoal());
  }

  private *continueGoal(): Run<StopEvent | null> {
    return this.halted(yield* this.control.run());
  }

  pause(): void {
    if (this.state !== 'running') return;
    this.pauseRequested = true;
    // A run waiting for terminal input has no pump going: one answers the pause.
    if (this.control.waitingForInput) this.schedulePump();
  }

  step(t: Task, kind: StepKind, granularity: Granularity): void {
    this.begin(this.stepGoal(t, kind, granularity));
  }

  private *stepGoal(t: Task, kind: StepKind, granularity: Granularity): Run<StopEvent | null> {
    const c = this.control;
    let h: Halt | null;
    if (t.kstack.length > 0 || (t.kgen !== null && this.kernel.rq.curr !== t)) {
      h = t.kstack.length > 0 ? yield* c.kernel(t, kind) : yield* c.untilUser(t);
    } else if (kind === 'out') {
      const frames = taskStack(this.kernel, this.images, t).filter((f) => f.kind === 'user' && f.user !== undefined);
      const caller = frames.find((f) => f.user !== undefined && f.user.index === 1);
      if (caller === undefined || caller.pc === undefined) return this.halted(yield* c.run());
      const cfa = caller.user?.frames[1]?.regs[2] ?? 0n;
      h = yield* c.out(t, caller.pc, cfa);
    } else if (granularity === 'instruction') {
      h = yield* c.nextInstruction(t, kind === 'in');
      // A system call stepped over that sleeps (a read of the terminal): on until it returns.
      if (h === null && (this.kernel.rq.curr !== t || t.kgen !== null)) h = yield* c.untilUser(t);
    } else {
      h = yield* c.line(t, kind === 'over');
    }
    if (h === null || (h.kind === 'arrived' && h.task === t)) return { reason: 'step', task: t };
    if (h.kind === 'probe' && h.hit.rule === 'step') return { reason: 'step', task: h.hit.task };
    return this.halted(h);
  }

  // ---- going back in time (history.ts) ----

  /** Where the machine is now. */
  position(): Position {
    return positionOf(this.kernel, this.control.inKernel);
  }

  /**
   * Runs backwards to the previous place where a breakpoint (with its condition), a data
   * breakpoint or an exception filter would have stopped; to the program's first instruction
   * when there is none.
   */
  reverseContinue(): void {
    this.begin(this.backwards(this.reverseContinueGoal()));
  }

  /**
   * One step backwards of `t`: its previous instruction, or the start of the previous line it
   * ran in this function (reverse `next`); inside the kernel, its previous kernel function entry.
   */
  stepBack(t: Task, granularity: Granularity): void {
    this.begin(this.backwards(this.stepBackGoal(t.pid, granularity)));
  }

  /** A goal going back in time; a replay that did not come back where it should stops, saying so. */
  private *backwards(goal: Run<StopEvent | null>): Run<StopEvent | null> {
    try {
      return yield* goal;
    } catch (e) {
      if (!(e instanceof ReplayDiverged)) throw e;
      this.lastException = { id: 'replay', description: e.message };
      return { reason: 'exception', task: this.kernel.rq.curr ?? this.kernel.tasks[0], description: 'the replay diverged', text: e.message };
    }
  }

  private *reverseContinueGoal(): Run<StopEvent | null> {
    const now = this.position();
    const earlier = yield* this.stopsBefore(now);
    const last = earlier[earlier.length - 1];
    if (last === undefined) return yield* this.toStart();
    yield* this.travel(last.at);
    return { ...last.stop, task: this.task(last.pid) ?? this.kernel.tasks[0] };
  }

  private *stepBackGoal(pid: number, granularity: Granularity): Run<StopEvent | null> {
    const t = this.task(pid);
    if (t === undefined) return null;
    const now = this.position();
    const inKernel = t.kstack.length > 0;
    let target: Position | null;
    if (granularity === 'instruction' && !inKernel) {
      // The task's last user instruction is known without a search: the machine counts it.
      target = t.lastUserStep >= 0 ? { steps: t.lastUserStep, kcalls: -1, inKernel: false } : null;
    } else {
      const here = { sp: t.regs.getReg(REG_SP), line: this.control.lineOf(t, t.regs.pc) };
      const lineAt = (e: PastEvent) => (e.mm === null ? null : this.control.lineIn(e.mm, e.pc));
      target = yield* this.searchBack(pid, now, (past, wholeRun) => inKernel ? previousEvent(past) : previousLine(past, here, wholeRun, lineAt));
    }
    if (target === null) {
      return { reason: 'step', task: t, description: `${Debugger.taskName(t)} has no earlier ${inKernel ? 'kernel function' : granularity} in this run` };
    }
    yield* this.travel(target);
    return { reason: 'step', task: this.task(pid) ?? this.kernel.tasks[0] };
  }

  /**
   * The places the run would have stopped before `now` (breakpoints with their conditions,
   * data breakpoints, exception filters), found by running it again from boot with everything
   * armed and nothing shown. Hit counts are left as they were.
   */
  private *stopsBefore(now: Position): Run<{ at: Position; pid: number; stop: Omit<StopEvent, 'task'> }[]> {
    const found: { at: Position; pid: number; stop: Omit<StopEvent, 'task'> }[] = [];
    const hits = this.breakpoints.all.map((b) => [b, b.hits] as const);
    const watchHits = this.watchpoints.all.map((w) => [w, w.hits] as const);
    this.muted = true;
    this.console.muted = true;
    try {
      this.reboot();
      this.placeImages();
      this.armBreakpoints();
      this.timeline.runTo(this.kernel, this.position(), now);
      for (;;) {
        const h = yield* this.control.run();
        if (h.kind === 'position' || h.kind === 'exited' || h.kind === 'idle') break;
        const at = this.position();
        if (comparePositions(at, now) >= 0) break;
        const stop = this.halted(h);
        if (stop === null) break;
        const { task, ...rest } = stop;
        found.push({ at, pid: task.pid, stop: rest });
        this.control.stoppedAt(this.kernel.rq.curr);
      }
      this.arrivedAt(now);
    } finally {
      this.timeline.runTo(this.kernel, this.position(), null);
      this.muted = false;
      this.console.muted = false;
      for (const [b, n] of hits) b.hits = n;
      for (const [w, n] of watchHits) w.hits = n;
    }
    return found;
  }

  /**
   * What task `pid` did in the recent past of `now`, one user instruction at a time (and its
   * kernel function entries), handed to `choose`; the window of the past looked at grows until
   * `choose` finds its place or the whole run has been seen.
   */
  private *searchBack(pid: number, now: Position, choose: (past: readonly PastEvent[], wholeRun: boolean) => Position | null): Run<Position | null> {
    for (let window = 1 << 16; ; window *= 8) {
      const from = Math.max(0, now.steps - window);
      const past: PastEvent[] = [];
      yield* this.unobserved(function* (this: Debugger) {
        const k = this.kernel;
        if (from > 0) {
          // To the window's start.
          this.timeline.runPast(k, from);
          yield* this.control.run();
        }
        this.timeline.runTo(k, this.position(), now);
        this.probe.set('history', (task, frame) => {
          if (task.pid === pid) past.push({ at: positionOf(k, true), kernel: frame.fn, pc: 0, sp: 0n, mm: null });
          return false;
        });
        yield* this.control.record((t) => {
          if (t.pid === pid) past.push({ at: positionOf(k, false), kernel: null, pc: t.regs.pc, sp: t.regs.getReg(REG_SP), mm: t.mm });
        });
        this.probe.clear('history');
        this.arrivedAt(now);
      }.call(this));
      const target = choose(past.filter((e) => comparePositions(e.at, now) < 0), from === 0);
      if (target !== null || from === 0) return target;
    }
  }

  /** Replays the run from boot to `target`, showing nothing, applying recorded inputs where they came. */
  private *travel(target: Position): Run<void> {
    yield* this.unobserved(function* (this: Debugger) {
      this.timeline.runTo(this.kernel, this.position(), target);
      yield* this.control.run();
      this.arrivedAt(target);
    }.call(this));
  }

  /** Throws ReplayDiverged unless the replay stands exactly where the run once stood. */
  private arrivedAt(target: Position): void {
    const k = this.kernel;
    if (k.steps === target.steps && (target.kcalls < 0 || k.kcalls === target.kcalls)) return;
    throw new ReplayDiverged(`the replay of the run did not come back to ${describePosition(target)} (it reached ${describePosition(positionOf(k, this.control.inKernel))}): ` +
      'something outside the machine changed it (a file under its root, or its memory changed behind the debugger\'s back)');
  }

  /** Boots again and stops at the program's first instruction (the beginning of its history). */
  private *toStart(): Run<StopEvent | null> {
    let stop: StopEvent | null = null;
    yield* this.unobserved(function* (this: Debugger) {
      stop = yield* this.toEntry(this.result);
    }.call(this));
    return stop;
  }

  /**
   * Boots a new machine and runs `body` on it unobserved (no breakpoints, no filters, nothing
   * shown); afterwards the machine is the debugger's, armed as the user left things.
   */
  private *unobserved(body: Generator<void, void, void>): Run<void> {
    const watched = [...this.watchpoints.all];
    this.muted = true;
    this.observing = false;
    this.console.muted = true;
    try {
      this.watchpoints.replace([]);
      this.reboot();
      yield* body;
    } finally {
      this.muted = false;
      this.observing = true;
      this.console.muted = false;
      this.probe.clearAll();
      this.watchpoints.replace(watched);
      this.placementKey = '';
      this.placeImages();
      this.armBreakpoints();
      this.timeline.runTo(this.kernel, this.position(), null);
      const t = this.kernel.rq.curr;
      // Arrived where user code is next, perhaps at a breakpoint: resuming goes over it.
      this.control.stoppedAt(t);
      if (t !== null && !this.control.inKernel) this.kernel.hart.passBreakpointOnce(t.regs);
    }
  }

  /** A new machine from boot, its console answering reads from the start again. */
  private reboot(): void {
    this.probe.clearAll();
    // An exception filter's event not yet stopped at belonged to the machine being dropped.
    this.exceptions.take();
    this.console.rewind();
    this.boot();
  }

  /**
   * Records an input from outside at the current position and applies it. Made in the past
   * (after going back), it changes what came next: the inputs recorded later are dropped, and
   * the user is told which.
   */
  private input(what: string, apply: (k: Kernel) => void): void {
    const dropped = this.timeline.input(this.kernel, this.position(), what, apply);
    if (dropped.length > 0) {
      this.say(`forkscope: ${what} changes the past: ${dropped.map((i) => i.what).join(', ')}, made later in the run, will not be made again\n`);
    }
  }

  /**
   * Writes guest memory for the user (recorded: a replay makes the same write at the same
   * place); throws a MemoryError naming the first byte it could not write.
   */
  writeMemory(t: Task, addr: number, bytes: Uint8Array): void {
    const pid = t.pid;
    const data = bytes.slice();
    let failed: unknown = null;
    this.input(`a write of ${data.length} bytes at 0x${addr.toString(16)} in task ${pid}`, (k) => {
      const task = k.tasks.find((x) => x.pid === pid);
      try {
        if (task !== undefined) writeMemory(k, task, addr, data, this.probe.installed);
      } catch (e) {
        failed = e;
      }
    });
    if (failed !== null) throw failed;
  }

  /** Sets a register of `t` for the user (DWARF numbering: x0–x31, then f0–f31 as raw bits); recorded like writeMemory. */
  writeRegister(t: Task, r: number, value: bigint): void {
    const pid = t.pid;
    this.input(`a write of register ${r} of task ${pid}`, (k) => {
      const regs = k.tasks.find((x) => x.pid === pid)?.regs;
      if (regs === undefined) return;
      if (r < 32) regs.setReg(r, value);
      else {
        regs.fbits[2 * (r - 32)] = Number(value & 0xffffffffn) | 0;
        regs.fbits[2 * (r - 32) + 1] = Number((value >> 32n) & 0xffffffffn) | 0;
      }
    });
  }

  /** Runs `goal` in slices until it stops, a pause arrives, or the machine ends. */
  private begin(goal: Run<StopEvent | null>): void {
    if (this.state === 'exited') return;
    this.goal = goal;
    this.state = 'running';
    this.lastStop = null;
    this.lastException = null;
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const goal = this.goal;
    if (goal === null || this.state !== 'running') return;
    const until = Date.now() + 15;
    let stop: StopEvent | null | undefined;
    try {
      for (;;) {
        const r = goal.next();
        if (r.done === true) {
          stop = r.value;
          break;
        }
        if (this.pauseRequested) {
          goal.return(null);
          // An idle machine pauses in a task waiting for terminal input, if there is one.
          const t = this.kernel.rq.curr ?? tty_input_waiters(this.kernel)[0] ?? this.kernel.tasks[0];
          stop = { reason: 'pause', task: t };
          break;
        }
        // Waiting for terminal input: consoleInput (or a pause) schedules the next pump.
        if (this.control.waitingForInput) return;
        if (Date.now() >= until) {
          this.schedulePump();
          return;
        }
      }
    } catch (e) {
      this.goal = null;
      this.finish(1, `the machine stopped with an internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return;
    }
    this.goal = null;
    this.pauseRequested = false;
    if (stop === null) {
      if (this.state === 'running') this.finish(this.exitCode(), this.result.exec_message ?? undefined);
      return;
    }
    this.stopWith(stop);
  }

  private stopWith(stop: StopEvent): void {
    this.state = 'stopped';
    this.lastStop = stop;
    this.control.stoppedAt(this.kernel.rq.curr);
    this.afterSlice();
    this.listener.stopped(stop);
  }

  private finish(code: number, message?: string): void {
    if (this.state === 'exited') return;
    this.state = 'exited';
    this.afterSlice();
    this.probe.dispose();
    this.watchpoints.dispose();
    this.listener.exited(code, message);
  }

  /** The program's exit status as a shell reports it (128+N when killed by signal N). */
  exitCode(): number {
    if (this.result.exec_errno !== 0) return this.result.exec_errno === 2 ? 127 : 126;
    const s = this.result.status ?? 0;
    return (s & 0x7f) !== 0 ? 128 + (s & 0x7f) : (s >> 8) & 0xff;
  }

  /** Ends the session: the machine is dropped. */
  terminate(): void {
    this.goal?.return(null);
    this.goal = null;
    this.finish(this.exitCode());
  }

  /** Turns a halt into the stop the user sees (null: the machine has finished). */
  private halted(h: Halt): StopEvent | null {
    switch (h.kind) {
      case 'exited':
        return null;
      case 'idle': {
        const t = this.kernel.tasks.find((x) => x.pid === this.result.pid) ?? this.kernel.tasks[0];
        this.lastException = { id: 'deadlock', description: 'Every task is asleep and nothing can wake them (a deadlock).' };
        return { reason: 'exception', task: t, description: 'deadlock', text: this.lastException.description };
      }
      case 'arrived':
        return { reason: 'step', task: h.task };
      case 'position':
        return { reason: 'step', task: this.kernel.rq.curr ?? this.kernel.tasks[0] };
      case 'breakpoint': {
        const bps = this.breakpointsAt(h.task, h.pc);
        const kind = bps[0]?.kind ?? 'source';
        return { reason: REASON[kind], task: h.task, hitBreakpointIds: bps.map((b) => b.id) };
      }
      case 'probe': {
        const { task, frame, rule } = h.hit;
        if (rule === 'exception') return this.exceptionStop(task);
        const bps = this.breakpoints.onKernelFunction(frame.fn);
        return { reason: 'function breakpoint', task, description: `kernel function ${frame.fn}`, hitBreakpointIds: bps.map((b) => b.id) };
      }
      case 'watch': {
        const { watchpoint: w, task } = h.hit;
        const by = h.hit.inKernel ? `the kernel (${task.kstack[task.kstack.length - 1]?.fn ?? 'a system call'}) for task ${task.pid}` : `task ${task.pid}`;
        return { reason: 'data breakpoint', task, description: `${w.description} ${h.hit.write ? 'written' : 'read'} by ${by}`, hitBreakpointIds: [w.id] };
      }
      case 'event':
        return this.exceptionStop(this.kernel.rq.curr ?? this.kernel.tasks[0]);
    }
  }

  private exceptionStop(fallback: Task): StopEvent {
    const ex = this.exceptions.take();
    this.control.eventPending = false;
    this.probe.clear('exception');
    const t = (ex?.pid !== undefined ? this.task(ex.pid) : undefined) ?? fallback;
    this.lastException = ex;
    return { reason: 'exception', task: t, description: ex?.description ?? 'event', text: ex?.description };
  }

  /** What frame `frame` of `t` sees: variables, registers, memory. */
  scope(t: Task, frame: StackFrame | undefined): FrameScope {
    return new FrameScope(this.kernel, this.images, t, frame, this);
  }

  /** A message of the debugger itself to the user. */
  say(text: string): void {
    this.listener.output('console', text);
  }

  // ---- breakpoints ----

  /** The user breakpoints at `pc` that belong to the image `t` runs there. */
  private breakpointsAt(t: Task, pc: number): Breakpoint[] {
    const mm = t.mm;
    if (mm === null) return [];
    const module = this.images.moduleAt(mm, pc);
    return this.breakpoints.atAddress(pc).filter((b) => b.image === null || b.image === module?.image);
  }

  /** Counts a user breakpoint hit; true when it stops (conditions met, not a logpoint). */
  private acceptBreakpoint(t: Task, pc: number): boolean {
    let stop = false;
    for (const bp of this.breakpointsAt(t, pc)) if (this.hitStops(bp, t)) stop = true;
    return stop;
  }

  /**
   * Counts a data breakpoint hit; true when it stops. Its condition is evaluated in the task's
   * innermost user frame, where the watched variable is in scope — even when the kernel wrote.
   */
  private acceptWatch(hit: WatchHit): boolean {
    const w = hit.watchpoint;
    if (w.condition !== undefined && w.condition.trim() !== '' && !conditionHolds(this, hit.task, w.condition, 'user')) return false;
    w.hits++;
    return hitConditionMet(w.hitCondition, w.hits);
  }

  private hitStops(bp: Breakpoint, t: Task): boolean {
    const o = bp.options;
    if (o.condition !== undefined && o.condition.trim() !== '' && !conditionHolds(this, t, o.condition)) return false;
    bp.hits++;
    if (!hitConditionMet(o.hitCondition, bp.hits)) return false;
    if (o.logMessage !== undefined && o.logMessage !== '') {
      this.listener.output('console', interpolateLog(this, t, o.logMessage) + '\n');
      return false;
    }
    return true;
  }

  setSourceBreakpoints(file: string, specs: readonly SourceBreakpointSpec[]): Breakpoint[] {
    const bps = specs.map((s) => this.breakpoints.create('source', s, { file, requestedLine: s.line }));
    for (const bp of bps) resolveLine(this.images, this.biases, bp);
    this.breakpoints.replaceSource(file, bps);
    this.armBreakpoints();
    return bps;
  }

  setFunctionBreakpoints(specs: readonly (BreakpointOptions & { name: string })[]): Breakpoint[] {
    const bps = specs.map((s) => {
      const bp = this.breakpoints.create('function', s, { name: s.name });
      resolveFunction(this.images, this.biases, bp);
      return bp;
    });
    this.breakpoints.replaceFunctions(bps);
    this.armBreakpoints();
    return bps;
  }

  setInstructionBreakpoints(specs: readonly (BreakpointOptions & { address: number })[]): Breakpoint[] {
    const bps = specs.map((s) => {
      const bp = this.breakpoints.create('instruction', s);
      resolveInstruction(bp, s.address);
      return bp;
    });
    this.breakpoints.replaceInstructions(bps);
    this.armBreakpoints();
    return bps;
  }

  setDataBreakpoints(specs: readonly DataBreakpointSpec[]): Watchpoint[] {
    const list = specs.map((s) => {
      if (s.task.mm === null) throw new Error(`task ${s.task.pid} has no user memory to watch`);
      // A malformed hit condition is refused now rather than when the watchpoint first fires.
      hitConditionMet(s.hitCondition, 0);
      return { id: 100000 + this.watchIds++, address: s.address, size: s.size, access: s.access, description: s.description,
        condition: s.condition, hitCondition: s.hitCondition, mms: new Set([s.task.mm.id]), hits: 0 };
    });
    this.watchpoints.replace(list);
    return list;
  }

  /** Tells the hart and the kernel probe about the current breakpoints. */
  private armBreakpoints(): void {
    this.breakpoints.reindex();
    // Breakpoints in images mapped later (libc by ld.so) are placed at the mmap's return, seen
    // through the system call trace: enabled only while such breakpoints exist.
    if (this.breakpoints.all.some((b) => b.kind === 'source' || b.kind === 'function')) this.kernel.traceEnabled.add('syscalls');
    else if (!this.plan.trace.has('syscalls')) this.kernel.traceEnabled.delete('syscalls');
    const anyUser = this.breakpoints.all.some((b) => b.kind !== 'kernel' && b.verified) || this.breakpoints.temporary.size > 0;
    this.kernel.hart.setBreakpoints(anyUser ? this.breakpoints : null);
    if (this.breakpoints.hasKernelBreakpoints) {
      this.probe.set('kbp', (task, frame) => {
        let stop = false;
        for (const bp of this.breakpoints.onKernelFunction(frame.fn)) if (this.hitStops(bp, task)) stop = true;
        return stop;
      });
    } else {
      this.probe.clear('kbp');
    }
  }

  /** Where each image is mapped in the live address spaces (placeImages keeps it current). */
  private placement = new Map<Image, number[]>();
  private placementKey = '';

  private readonly biases = (image: Image): readonly number[] => image.relocatable ? this.placement.get(image) ?? [] : [0];

  /**
   * Called when address spaces may have gained an image (an exec, an mmap): when some image is
   * now loaded at a bias it was not before, source and function breakpoints are placed again —
   * a PIE program's at exec, libc's once ld.so has mapped it, before any of its code runs.
   */
  private placeImages(): void {
    const at = new Map<Image, Set<number>>();
    const seen = new Set<mm_struct>();
    for (const t of this.kernel.tasks) {
      if (t.mm === null || seen.has(t.mm)) continue;
      seen.add(t.mm);
      for (const m of this.images.modules(t.mm)) {
        const biases = at.get(m.image) ?? new Set<number>();
        biases.add(m.bias);
        at.set(m.image, biases);
      }
    }
    const placement = new Map([...at].map(([image, b]) => [image, [...b].sort((x, y) => x - y)]));
    const key = [...placement].map(([image, b]) => `${image.hostPath}@${b.join(',')}`).sort().join(';');
    if (key === this.placementKey) return;
    this.placement = placement;
    this.placementKey = key;
    for (const bp of this.breakpoints.all) {
      if (bp.kind !== 'source' && bp.kind !== 'function') continue;
      const before = `${String(bp.verified)} ${bp.addresses.join()} ${bp.message ?? ''}`;
      if (bp.kind === 'source') resolveLine(this.images, this.biases, bp);
      else resolveFunction(this.images, this.biases, bp);
      if (`${String(bp.verified)} ${bp.addresses.join()} ${bp.message ?? ''}` !== before) this.listener.breakpointChanged(bp);
    }
    this.armBreakpoints();
  }

  // ---- events ----

  private onTrace(e: TraceEvent): void {
    if (!this.muted) this.events.push(e);
    // A replay to a known position watches nothing: watchpoints already hold the address spaces
    // forked from theirs (by id, and ids come back the same).
    if (!this.observing) return;
    const ex = this.exceptions.match(e);
    if (ex !== null) {
      // The kernel is in the middle of a path: stop at its next function entry, where the
      // state is consistent and the task's kernel stack shows how it got there.
      this.control.eventPending = true;
      this.probe.set('exception', () => true);
    }
    // Right away, inside the kernel: the new image must have its breakpoints before it runs.
    if (e.event === 'sched_process_exec' || (e.event === 'sys_exit' && e.fields.name === 'mmap' && typeof e.fields.ret === 'number')) this.placeImages();
    if (e.event === 'sched_process_fork') {
      const parent = this.task(Number(e.fields.pid));
      const child = this.task(Number(e.fields.child_pid));
      if (parent?.mm != null && child?.mm != null && parent.mm !== child.mm) this.watchpoints.forked(parent.mm, child.mm);
    }
  }

  /** After each slice: report new, renamed and vanished tasks, traced events, new images. */
  private afterSlice(): void {
    if (this.muted) return;
    const events = this.events;
    this.events = [];
    for (const e of events) {
      if (this.plan.trace.has(traceCategory(e.event))) this.listener.output('console', formatTraceEvent(e) + '\n');
    }
    // By pid: after going back in time the tasks are new objects, and only the difference is news.
    const now = new Map<number, string>();
    for (const t of this.kernel.tasks) {
      const name = Debugger.taskName(t);
      now.set(t.pid, name);
      const was = this.known.get(t.pid);
      if (was === undefined) this.listener.task('started', { pid: t.pid, name });
      else if (was !== name) this.listener.task('changed', { pid: t.pid, name });
    }
    for (const [pid, name] of this.known) if (!now.has(pid)) this.listener.task('exited', { pid, name });
    this.known = now;
  }
}
