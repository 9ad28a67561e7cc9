/**
 * `struct task_struct` (include/linux/sched.h): one schedulable thread of execution.
 *
 * Field names are Linux's. The user register state Linux saves in `pt_regs` at the top of the
 * kernel stack is `regs` (a CpuState, which the CPU runs directly while the task is current);
 * the task's kernel stack is the suspended generator chain `kgen` with its readable shadow
 * `kstack` (kernel/kfunc.ts).
 */
import { CpuState } from '../cpu/state';
import { cred } from './cred';
import type { KFrame, KGen } from './kfunc';
import type { mm_struct } from './mm/mm_types';
import type { files_struct, fs_struct } from './fs/fs_types';
import type { pid } from './pid';
import type { completion } from './sched/wait';
import { sigpending, type sighand_struct, type signal_struct } from './signal_types';

// __state values (include/linux/sched.h).
export const TASK_RUNNING = 0x0;
export const TASK_INTERRUPTIBLE = 0x1;
export const TASK_UNINTERRUPTIBLE = 0x2;
export const __TASK_STOPPED = 0x4;
export const __TASK_TRACED = 0x8;
export const TASK_PARKED = 0x40;
export const TASK_DEAD = 0x80;
export const TASK_WAKEKILL = 0x100;
export const TASK_WAKING = 0x200;
export const TASK_NOLOAD = 0x400;
export const TASK_NEW = 0x800;
export const TASK_FREEZABLE = 0x2000;
export const TASK_KILLABLE = TASK_WAKEKILL | TASK_UNINTERRUPTIBLE;
export const TASK_STOPPED = TASK_WAKEKILL | __TASK_STOPPED;
export const TASK_IDLE = TASK_UNINTERRUPTIBLE | TASK_NOLOAD;

// exit_state values.
export const EXIT_DEAD = 0x10;
export const EXIT_ZOMBIE = 0x20;

// PF_* flags.
export const PF_IDLE = 0x2;
export const PF_EXITING = 0x4;
export const PF_FORKNOEXEC = 0x40;
export const PF_SIGNALED = 0x400;
export const PF_NPROC_EXCEEDED = 0x1000;
export const PF_NOFREEZE = 0x8000;
export const PF_KTHREAD = 0x200000;
export const PF_RANDOMIZE = 0x400000;

/** Nice 0 (include/linux/sched/prio.h: MAX_RT_PRIO + NICE_WIDTH / 2). */
export const DEFAULT_PRIO = 120;
export const SCHED_NORMAL = 0;

/** `struct sched_entity`: the CFS/EEVDF bookkeeping shown per task. */
export interface sched_entity {
  vruntime: number;
  sum_exec_runtime: number;
}

export class Task {
  __state = TASK_RUNNING;
  exit_state = 0;
  flags = 0;
  pid = 0;
  tgid = 0;
  /** Executable name, at most 15 characters (TASK_COMM_LEN 16). */
  comm = '';
  real_parent: Task | null = null;
  parent: Task | null = null;
  /** Children (Linux links them through `sibling`; an array keeps the same order). */
  readonly children: Task[] = [];
  group_leader: Task = this;
  mm: mm_struct | null = null;
  active_mm: mm_struct | null = null;
  files: files_struct | null = null;
  fs: fs_struct | null = null;
  prio = DEFAULT_PRIO;
  static_prio = DEFAULT_PRIO;
  normal_prio = DEFAULT_PRIO;
  policy = SCHED_NORMAL;
  readonly se: sched_entity = { vruntime: 0, sum_exec_runtime: 0 };
  exit_code = 0;
  exit_signal = 0;
  pdeath_signal = 0;
  /** User addresses for CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID / set_tid_address. */
  set_child_tid = 0;
  clear_child_tid = 0;
  /** Who the task acts as (real_cred and cred are one object here: no overrides). */
  cred = new cred();
  /** set_robust_list: the user address of the thread's robust-mutex list head (0: none). */
  robust_list = 0;

  /** The process (thread group) this thread belongs to, and the handlers it uses. */
  signal: signal_struct | null = null;
  sighand: sighand_struct | null = null;
  /** Signals queued for this thread only, and the thread's blocked mask. */
  readonly pending = new sigpending();
  blocked = 0n;
  /** The mask to restore after a handler that sigsuspend/pselect installed temporarily. */
  saved_sigmask: bigint | null = null;
  /** sigaltstack. */
  sas_ss_sp = 0;
  sas_ss_size = 0;
  sas_ss_flags = 0;
  /** The `struct pid` of this thread (thread_pid). */
  thread_pid: pid | null = null;
  /** vfork: the completion the parent sleeps on in wait_for_vfork_done. */
  vfork_done: completion | null = null;
  /** Virtual nanoseconds at fork (start_time) and CPU time in user and system mode. */
  start_time = 0;
  utime = 0;
  stime = 0;
  /** Voluntary and involuntary context switches. */
  nvcsw = 0;
  nivcsw = 0;
  /** Minor page faults (for getrusage). */
  min_flt = 0;
  /** The program's argv/envp as strings, kept for /proc and the debugger's process tree. */
  cmdline: string[] = [];

  /** The saved user registers (pt_regs) and FP state. */
  readonly regs = new CpuState();
  /** The suspended kernel path of this task, when it is inside the kernel. */
  kgen: KGen<void> | null = null;
  /** Readable shadow of the kernel call chain (kernel/kfunc.ts). */
  readonly kstack: KFrame[] = [];
  /** The machine step (Kernel.steps) of this task's last user instruction, -1 before any: where a debugger steps back to. */
  lastUserStep = -1;
}
