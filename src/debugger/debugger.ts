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
import { resolveFunction, resolveInstruction, resolveLine } from './resolve';
import { taskStack, type StackFrame } from './stack';
import { FrameScope } from './frame_scope';
import type { KernelProbe } from '../kernel/kfunc';
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

export class Debugger {
  readonly kernel: Kernel;
  readonly images: ImageStore;
  readonly breakpoints = new BreakpointTable();
  readonly watchpoints = new WatchSet();
  readonly exceptions = new ExceptionFilters();
  readonly result: init_result;
  private readonly probe = new ProbeHub();
  private readonly control: RunControl;
  private state: 'stopped' | 'running' | 'exited' = 'stopped';
  private goal: Run<StopEvent | null> | null = null;
  private pauseRequested = false;
  /** A pump is scheduled on the event loop (at most one is). */
  private pumpScheduled = false;
  private events: TraceEvent[] = [];
  private known = new Map<Task, string>();
  private watchIds = 1;
  /** The stop the machine is in (null while running). */
  lastStop: StopEvent | null = null;
  /** Why it stopped for an exception (exceptionInfo). */
  lastException: ExceptionInfo | null = null;

  constructor(readonly plan: LaunchPlan, private readonly listener: DebuggerListener, console: MachineConsole) {
    this.kernel = new Kernel({ memBytes: plan.memBytes, seed: plan.seed, root: plan.root, sysroot: plan.sysroot, console });
    this.images = new ImageStore(plan.root, plan.sysroot);
    this.images.image(plan.guestProgram);
    const k = this.kernel;
    // Kernel frames of sleeping tasks show where they sleep. They are read from JavaScript stack
    // traces, which must be deep enough to hold a whole kernel path.
    k.captureKernelLines = true;
    Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 200);
    for (const c of ['sched', 'exec', 'signal', 'oom', 'mm', ...plan.trace]) k.traceEnabled.add(c);
    k.traceSinks.push((e) => this.onTrace(e));
    k.logSinks.push((r) => {
      if (plan.trace.size > 0) listener.output('console', formatLogRecord(r) + '\n');
    });
    this.control = new RunControl(k, this.breakpoints, this.probe, this.watchpoints, this.images, () => this.afterSlice(),
      (h) => this.acceptBreakpoint(h.task, h.pc), (hit) => this.acceptWatch(hit));
    this.result = start_kernel(k, { filename: plan.guestProgram, argv: plan.argv, envp: plan.envp });
    const cwdError = set_initial_cwd(k, plan.cwd);
    if (cwdError !== null) throw new Error(`"cwd": ${cwdError}`);
    this.afterSlice();
    if (is_async_console(console)) console.listen((bytes) => this.consoleInput(bytes));
  }

  /**
   * Input from the guest's terminal enters the machine here, and only here (null: the terminal
   * closed); a run that waited for it goes on.
   */
  private consoleInput(bytes: Uint8Array | null): void {
    if (bytes === null) tty_hangup(this.kernel);
    else tty_insert_flip_string(this.kernel, bytes);
    if (this.control.waitingForInput) this.schedulePump();
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
      h = yield* c.instruction(t, kind === 'in');
      if (h === null && (this.kernel.rq.curr !== t || t.kgen !== null) && t.kstack.length === 0) h = yield* c.untilUser(t);
    } else {
      h = yield* c.line(t, kind === 'over');
    }
    if (h === null || (h.kind === 'arrived' && h.task === t)) return { reason: 'step', task: t };
    if (h.kind === 'probe' && h.hit.rule === 'step') return { reason: 'step', task: h.hit.task };
    return this.halted(h);
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
    return new FrameScope(this.kernel, this.images, t, frame, this.probe);
  }

  /** The kernel probe currently installed (suspended during the debugger's own memory writes). */
  get installedProbe(): KernelProbe | null {
    return this.probe.installed;
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
        condition: s.condition, hitCondition: s.hitCondition, mms: new Set([s.task.mm]), hits: 0 };
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
    this.events.push(e);
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
    const events = this.events;
    this.events = [];
    for (const e of events) {
      if (this.plan.trace.has(traceCategory(e.event))) this.listener.output('console', formatTraceEvent(e) + '\n');
    }
    const now = new Map<Task, string>();
    for (const t of this.kernel.tasks) {
      const name = Debugger.taskName(t);
      now.set(t, name);
      const was = this.known.get(t);
      if (was === undefined) this.listener.task('started', { pid: t.pid, name });
      else if (was !== name) this.listener.task('changed', { pid: t.pid, name });
    }
    for (const [t, name] of this.known) if (!now.has(t)) this.listener.task('exited', { pid: t.pid, name });
    this.known = now;
  }
}
