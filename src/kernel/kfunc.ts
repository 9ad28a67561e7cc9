/**
 * How kernel code is written in Forkscope (design.md, decision 1).
 *
 * Linux gives every task a kernel stack; a task that sleeps inside a system call simply stops
 * with its call chain on that stack, and another task runs. We get the same thing from
 * JavaScript generators: every kernel function that may sleep — or in which a debugger may want
 * to stop — is a generator function, and callers compose them with `yield*`. The suspended
 * chain of generators of a task *is* its kernel stack.
 *
 * A kernel function yields to the machine loop (kernel/sched/core.ts) only to give up the CPU:
 *  - `SCHEDULE` — like Linux's `schedule()`: the task has set its `__state` (sleeping) or merely
 *    lets others run; the loop resumes it with `.next()` when the scheduler picks it again;
 *  - a `KernelStop` — a debugger breakpoint or step inside the kernel: the machine stops, and
 *    resuming continues exactly there.
 *
 * Each kernel function is wrapped by `kfunc`, which keeps a readable shadow of the call chain on
 * `task.kstack` (the Linux name, the Linux source file it models, our own TypeScript file, and the
 * function's interesting locals), because a suspended generator cannot be inspected from outside.
 * That shadow is what `--dump-state`, kernel breakpoints and the debugger's call stacks read.
 */
import type { Kernel } from './kernel';
import type { Task } from './task';

/** The task running on the (single) CPU — Linux's `current`. Set only by the scheduler. */
let currentTask: Task | null = null;

export function current(): Task {
  if (currentTask === null) throw new Error('no current task');
  return currentTask;
}

export function set_current(t: Task | null): void {
  currentTask = t;
}

export const SCHEDULE = { kind: 'schedule' } as const;

export interface KernelStop {
  readonly kind: 'stop';
  readonly reason: string;
}

export type KYield = typeof SCHEDULE | KernelStop;

/** The stop at a kernel function entry once a run's kernel-work budget is spent (Kernel.run). */
const SLICE_END: KernelStop = { kind: 'stop', reason: 'slice' };

/** A kernel function's generator: yields only to the machine loop, returns the function's value. */
export type KGen<T = void> = Generator<KYield, T, void>;

export interface KFrame {
  /** Linux's function name (`copy_process`). */
  readonly fn: string;
  /** The Linux source file it models (`kernel/fork.c`). */
  readonly linuxFile: string;
  /** Its interesting locals, set with `klocals` (e.g. clone_flags decoded); shown by debuggers. */
  locals: Record<string, unknown> | null;
  /**
   * Where in Forkscope's own source the function is now (`src/kernel/fork.ts`, line), known once
   * the task has stopped or gone to sleep there with line capture on (capture_kernel_lines).
   */
  file: string | null;
  line: number;
}

const JS_FRAME = /^\s*at (?:async )?([\w$.]+) \((.*):(\d+):\d+\)$/;

/**
 * Records, for each kernel frame of `task` (the current task, stopped or about to sleep), the
 * file and line of our TypeScript source where it is. A suspended generator cannot be asked
 * where it is, but while the task is still running, the JavaScript call stack holds every
 * generator of its kernel path, innermost first; they are matched to the frames by name.
 * This costs a stack capture, so the machine does it only when someone will look (a debugger,
 * --dump-state).
 */
export function capture_kernel_lines(task: Task): void {
  const lines = (new Error().stack ?? '').split('\n');
  let j = 0;
  for (let i = task.kstack.length - 1; i >= 0; i--) {
    const f = task.kstack[i];
    for (; j < lines.length; j++) {
      const m = JS_FRAME.exec(lines[j]);
      // The kfunc wrapper carries the Linux name too; its frames are not the function's own.
      if (m === null || m[1] !== f.fn || m[2].endsWith('kfunc.ts')) continue;
      f.file = sourcePath(m[2]);
      f.line = Number(m[3]);
      j++;
      break;
    }
  }
}

/** `src/kernel/fork.ts` from an absolute path of this project's sources. */
function sourcePath(path: string): string {
  const src = path.lastIndexOf('/src/');
  return src >= 0 ? path.slice(src + 1) : path;
}

/**
 * Where the code calling kfunc() is — the definition of the kernel function being wrapped — so
 * that a frame stopped at its entry (before its body runs) still points at its source.
 */
function definitionSite(): { file: string | null; line: number } {
  const lines = (new Error().stack ?? '').split('\n');
  for (const l of lines.slice(2)) {
    const m = /\(?([^()\s]+):(\d+):\d+\)?$/.exec(l.trim());
    if (m !== null && !m[1].endsWith('kfunc.ts')) return { file: sourcePath(m[1]), line: Number(m[2]) };
  }
  return { file: null, line: 0 };
}

/**
 * Kernel-entry hook used by kernel breakpoints and kernel stepping (debugger/). `null` when no
 * debugger asks, so an unused hook costs one comparison per kernel function call.
 */
export interface KernelProbe {
  /** Called on entry of every kernel function; return a stop to halt the machine there. */
  onEnter(task: Task, frame: KFrame): KernelStop | null;
}

let probe: KernelProbe | null = null;

export function set_kernel_probe(p: KernelProbe | null): void {
  probe = p;
}

/**
 * Wraps a generator function as a kernel function named after its Linux counterpart. The
 * generator's own name is the Linux name; `linuxFile` is the Linux source file it models.
 */
export function kfunc<A extends unknown[], R>(
  linuxFile: string,
  fn: (...args: A) => KGen<R>,
): (...args: A) => KGen<R> {
  const name = fn.name;
  const def = definitionSite();
  const wrapped = function* (...args: A): KGen<R> {
    const task = current();
    const frame: KFrame = { fn: name, linuxFile, locals: null, file: def.file, line: def.line };
    task.kstack.push(frame);
    const k = theKernel;
    if (k !== null) k.kcalls++;
    try {
      const stop = probe !== null ? probe.onEnter(task, frame) : null;
      if (stop !== null) {
        capture_kernel_lines(task);
        yield stop;
      } else if (k !== null && k.kcalls >= k.kcallHalt) {
        // The run has done its share of kernel work: back to the host (a debugger's pause must
        // be answered even while a kernel path runs long), resuming right here.
        k.kcallHalt = Infinity;
        capture_kernel_lines(task);
        yield SLICE_END;
      }
      return yield* fn(...args);
    } finally {
      task.kstack.pop();
    }
  };
  Object.defineProperty(wrapped, 'name', { value: name });
  return wrapped;
}

/** Records the interesting locals of the innermost kernel function of the current task. */
export function klocals(locals: Record<string, unknown>): void {
  const stack = current().kstack;
  const top = stack[stack.length - 1];
  if (top !== undefined) top.locals = { ...top.locals, ...locals };
}

/**
 * The machine whose kernel code is running. Linux keeps its state in globals; Forkscope can hold
 * several machines in one process (tests, the debugger's restart), so the machine loop sets this
 * before it runs any kernel code, exactly as it sets `current`.
 */
let theKernel: Kernel | null = null;

export function kernel(): Kernel {
  if (theKernel === null) throw new Error('no kernel is running');
  return theKernel;
}

export function set_kernel(k: Kernel | null): void {
  theKernel = k;
}
