/**
 * Signal numbers, sets and the per-task/per-process signal objects of Linux
 * (include/uapi/asm-generic/signal.h, include/linux/sched/signal.h, include/linux/signal_types.h).
 * Signal sets are 64-bit masks kept as BigInt (bit sig-1 stands for signal sig); they are touched
 * on system calls and signal delivery only, never per instruction.
 */
import type { Task } from './task';
import type { wait_queue_head } from './sched/wait';

export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
  SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14,
  SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21,
  SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28,
  SIGIO = 29, SIGPWR = 30, SIGSYS = 31;
export const SIGRTMIN = 32;
export const _NSIG = 64;

export const SIG_NAMES = ['', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS',
  'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT',
  'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ',
  'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS'];

export function signame(sig: number): string {
  return SIG_NAMES[sig] ?? (sig >= SIGRTMIN && sig <= _NSIG ? `SIGRT${sig - SIGRTMIN}` : String(sig));
}

// sa_flags
export const SA_NOCLDSTOP = 0x1;
export const SA_NOCLDWAIT = 0x2;
export const SA_SIGINFO = 0x4;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTART = 0x10000000;
export const SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000;

export const SIG_DFL = 0;
export const SIG_IGN = 1;

// si_code values
export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SI_TKILL = -6;
export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
export const BUS_ADRALN = 1;
export const BUS_ADRERR = 2;
export const ILL_ILLOPC = 1;
export const TRAP_BRKPT = 1;
export const CLD_EXITED = 1;
export const CLD_KILLED = 2;
export const CLD_DUMPED = 3;
export const CLD_TRAPPED = 4;
export const CLD_STOPPED = 5;
export const CLD_CONTINUED = 6;

export function sigmask(sig: number): bigint {
  return 1n << BigInt(sig - 1);
}

/** The signals that can be neither caught, blocked nor ignored. */
export const SIG_KERNEL_ONLY_MASK = sigmask(SIGKILL) | sigmask(SIGSTOP);
export const SIG_KERNEL_STOP_MASK = sigmask(SIGSTOP) | sigmask(SIGTSTP) | sigmask(SIGTTIN) | sigmask(SIGTTOU);
export const SIG_KERNEL_COREDUMP_MASK = sigmask(SIGQUIT) | sigmask(SIGILL) | sigmask(SIGTRAP) |
  sigmask(SIGABRT) | sigmask(SIGFPE) | sigmask(SIGSEGV) | sigmask(SIGBUS) | sigmask(SIGSYS) |
  sigmask(SIGXCPU) | sigmask(SIGXFSZ);
export const SIG_KERNEL_IGNORE_MASK = sigmask(SIGCONT) | sigmask(SIGCHLD) | sigmask(SIGWINCH) | sigmask(SIGURG);
export const ALL_SIGNALS = (1n << 64n) - 1n;

/** `kernel_siginfo`: what a queued signal carries (the fields Forkscope fills). */
export interface kernel_siginfo {
  si_signo: number;
  si_errno: number;
  si_code: number;
  /** Sender (kill) or child (SIGCHLD). */
  si_pid?: number;
  si_uid?: number;
  /** SIGCHLD: exit status or signal. */
  si_status?: number;
  si_utime?: number;
  si_stime?: number;
  /** Faults: the address. */
  si_addr?: bigint;
}

/** `struct sigpending`: queued signals and the set of their numbers. */
export class sigpending {
  signal = 0n;
  readonly list: kernel_siginfo[] = [];
}

export interface k_sigaction {
  sa_handler: number;
  sa_flags: number;
  sa_mask: bigint;
}

/** `struct sighand_struct`: the handlers, shared by CLONE_SIGHAND. */
export class sighand_struct {
  count = 1;
  readonly action: k_sigaction[] = Array.from({ length: _NSIG }, () => ({ sa_handler: SIG_DFL, sa_flags: 0, sa_mask: 0n }));
}

// signal_struct.flags
export const SIGNAL_STOP_STOPPED = 0x1;
export const SIGNAL_STOP_CONTINUED = 0x2;
export const SIGNAL_GROUP_EXIT = 0x4;

/** `struct rlimit` values; RLIM_INFINITY is 2^64-1, kept as Infinity. */
export interface rlimit {
  rlim_cur: number;
  rlim_max: number;
}

export const RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
  RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9,
  RLIMIT_LOCKS = 10, RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14,
  RLIMIT_RTTIME = 15, RLIM_NLIMITS = 16;

/** `struct signal_struct`: the process (thread group) — shared by CLONE_THREAD. */
export class signal_struct {
  count = 1;
  /** Threads in the group, and how many have not exited yet. */
  nr_threads = 1;
  live = 1;
  /** signal->thread_head: every thread of the group, linked through thread_node. */
  readonly thread_head: Task[] = [];
  readonly shared_pending = new sigpending();
  group_exit_code = 0;
  flags = 0;
  /** Group stop: the signal that stopped it and how many threads still have to stop. */
  group_stop_count = 0;
  group_exit_task: Task | null = null;
  /** Where do_wait sleeps (wait_chldexit). */
  wait_chldexit!: wait_queue_head;
  is_child_subreaper = false;
  has_child_subreaper = false;
  oom_score_adj = 0;
  /** Process group and session ids. */
  pgrp = 0;
  session = 0;
  /** Accumulated times of waited-for children (ns) and own dead threads. */
  cutime = 0;
  cstime = 0;
  /** Minor faults of dead threads, and of waited-for children (for getrusage). */
  min_flt = 0;
  cmin_flt = 0;
  utime = 0;
  stime = 0;
  readonly rlim: rlimit[] = [];
}
