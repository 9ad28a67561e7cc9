/**
 * Creating tasks (kernel/fork.c): clone, clone3, kernel threads.
 *
 * `kernel_clone` → `copy_process` builds the child step by step in Linux's order — duplicate the
 * task_struct, credentials, limits, scheduler state, then share or copy each resource as the
 * CLONE_* flags ask (files, fs, signal handlers, the signal struct, the address space), set up
 * the child's registers, give it a pid and publish it in the task lists — and only then
 * `wake_up_new_task` lets it run. A vfork parent then sleeps in `wait_for_vfork_done` until the
 * child execs or exits.
 */
import { REG_A0, REG_SP, REG_TP } from '../cpu/state';
import { EAGAIN, EFAULT, EINVAL, ENOMEM, E2BIG, EPERM, ERESTARTNOINTR } from './errno';
import { dup_fd } from './fs/file';
import { copy_fs_struct } from './fs/fs_struct';
import { current, kernel, kfunc, klocals, type KGen } from './kfunc';
import { dup_mm, mmget } from './mm/fork';
import { copy_from_user, get_user_u32, put_user_u32 } from './mm/uaccess';
import { alloc_pid, free_pid, type pid } from './pid';
import { pidfd_create } from './pidfd';
import { close_fd } from './fs/file';
import { sched_fork, wake_up_new_task } from './sched/core';
import { completion, wait_for_completion_state, wake_up } from './sched/wait';
import { release_resources } from './exit';
import { syscall_exit_to_user_mode } from './entry/common';
import { signal_pending } from './signal';
import {
  RLIMIT_NPROC, sighand_struct, signal_struct, SIGCHLD, _NSIG,
} from './signal_types';
import { wait_queue_head } from './sched/wait';
import { PF_FORKNOEXEC, PF_KTHREAD, Task, TASK_KILLABLE, PF_IDLE, PF_NPROC_EXCEEDED } from './task';
import { trace } from './trace';
import type { SyscallEntry } from './syscall';

// clone flags (include/uapi/linux/sched.h).
export const CSIGNAL = 0x000000ff;
export const CLONE_VM = 0x00000100;
export const CLONE_FS = 0x00000200;
export const CLONE_FILES = 0x00000400;
export const CLONE_SIGHAND = 0x00000800;
export const CLONE_PIDFD = 0x00001000;
export const CLONE_PTRACE = 0x00002000;
export const CLONE_VFORK = 0x00004000;
export const CLONE_PARENT = 0x00008000;
export const CLONE_THREAD = 0x00010000;
export const CLONE_NEWNS = 0x00020000;
export const CLONE_SYSVSEM = 0x00040000;
export const CLONE_SETTLS = 0x00080000;
export const CLONE_PARENT_SETTID = 0x00100000;
export const CLONE_CHILD_CLEARTID = 0x00200000;
export const CLONE_DETACHED = 0x00400000;
export const CLONE_UNTRACED = 0x00800000;
export const CLONE_CHILD_SETTID = 0x01000000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_IO = 0x80000000;
/** clone3 only (64-bit flags). */
export const CLONE_CLEAR_SIGHAND = 0x100000000;
export const CLONE_INTO_CGROUP = 0x200000000;
export const CLONE_NEWTIME = 0x00000080;

const FLAG_NAMES: [number, string][] = [
  [CLONE_VM, 'CLONE_VM'], [CLONE_FS, 'CLONE_FS'], [CLONE_FILES, 'CLONE_FILES'], [CLONE_SIGHAND, 'CLONE_SIGHAND'],
  [CLONE_PIDFD, 'CLONE_PIDFD'], [CLONE_PTRACE, 'CLONE_PTRACE'], [CLONE_VFORK, 'CLONE_VFORK'], [CLONE_PARENT, 'CLONE_PARENT'],
  [CLONE_THREAD, 'CLONE_THREAD'], [CLONE_NEWNS, 'CLONE_NEWNS'], [CLONE_SYSVSEM, 'CLONE_SYSVSEM'], [CLONE_SETTLS, 'CLONE_SETTLS'],
  [CLONE_PARENT_SETTID, 'CLONE_PARENT_SETTID'], [CLONE_CHILD_CLEARTID, 'CLONE_CHILD_CLEARTID'], [CLONE_DETACHED, 'CLONE_DETACHED'],
  [CLONE_UNTRACED, 'CLONE_UNTRACED'], [CLONE_CHILD_SETTID, 'CLONE_CHILD_SETTID'], [CLONE_NEWCGROUP, 'CLONE_NEWCGROUP'],
  [CLONE_NEWUTS, 'CLONE_NEWUTS'], [CLONE_NEWIPC, 'CLONE_NEWIPC'], [CLONE_NEWUSER, 'CLONE_NEWUSER'], [CLONE_NEWPID, 'CLONE_NEWPID'],
  [CLONE_NEWNET, 'CLONE_NEWNET'], [CLONE_IO, 'CLONE_IO'], [CLONE_CLEAR_SIGHAND, 'CLONE_CLEAR_SIGHAND'], [CLONE_INTO_CGROUP, 'CLONE_INTO_CGROUP'],
];

/** `CLONE_VM|CLONE_VFORK|SIGCHLD` — how the trace and the debugger show clone flags. */
export function decodeCloneFlags(flags: number, exitSignal: number): string {
  const names = FLAG_NAMES.filter(([bit]) => Math.floor(flags / bit) % 2 === 1).map(([, n]) => n);
  if (exitSignal !== 0) names.push(exitSignal === SIGCHLD ? 'SIGCHLD' : `signal ${exitSignal}`);
  return names.length === 0 ? '0' : names.join('|');
}

function has(flags: number, bit: number): boolean {
  return Math.floor(flags / bit) % 2 === 1;
}

/** `struct kernel_clone_args`. */
export interface kernel_clone_args {
  flags: number;
  pidfd: number;
  child_tid: number;
  parent_tid: number;
  exit_signal: number;
  stack: number;
  stack_size: number;
  tls: number;
  /** Kernel threads: the function the new task runs instead of returning to user mode. */
  fn?: () => KGen<void>;
  kthread?: boolean;
  /** A task with no mm creating a user task (init's first fork): the child returns to this. */
  idle?: boolean;
  /** clone3's set_tid: the exact pid the child must have (0: the next free one). */
  set_tid?: number;
}

/** dup_task_struct: the child starts as a copy of the parent (arch_dup_task_struct). */
const dup_task_struct = kfunc('kernel/fork.c', function* dup_task_struct(orig: Task): KGen<Task> {
  const p = new Task();
  p.comm = orig.comm;
  p.flags = orig.flags;
  p.prio = orig.prio;
  p.static_prio = orig.static_prio;
  p.normal_prio = orig.normal_prio;
  p.policy = orig.policy;
  p.blocked = orig.blocked;
  p.sas_ss_sp = orig.sas_ss_sp;
  p.sas_ss_size = orig.sas_ss_size;
  p.sas_ss_flags = orig.sas_ss_flags;
  p.cmdline = orig.cmdline;
  p.regs.copyFrom(orig.regs);
  return p;
});

/** copy_files: share the descriptor table (CLONE_FILES) or copy it (dup_fd). */
const copy_files = kfunc('kernel/fork.c', function* copy_files(clone_flags: number, tsk: Task): KGen<void> {
  const old = current().files;
  if (old === null) return;
  if (has(clone_flags, CLONE_FILES)) {
    old.count++;
    tsk.files = old;
  } else {
    tsk.files = dup_fd(old);
  }
});

/** copy_fs: share root/cwd (CLONE_FS) or copy them. */
const copy_fs = kfunc('kernel/fork.c', function* copy_fs(clone_flags: number, tsk: Task): KGen<void> {
  const fs = current().fs;
  if (fs === null) return;
  if (has(clone_flags, CLONE_FS)) {
    fs.users++;
    tsk.fs = fs;
  } else {
    tsk.fs = copy_fs_struct(fs);
  }
});

/** copy_sighand: share the handler table (CLONE_SIGHAND) or copy its actions. */
const copy_sighand = kfunc('kernel/fork.c', function* copy_sighand(clone_flags: number, tsk: Task): KGen<void> {
  const cur = current().sighand!;
  if (has(clone_flags, CLONE_SIGHAND)) {
    cur.count++;
    tsk.sighand = cur;
    return;
  }
  const sig = new sighand_struct();
  for (let i = 0; i < _NSIG; i++) sig.action[i] = { ...cur.action[i] };
  // CLONE_CLEAR_SIGHAND resets every handled signal to its default (ignored stay ignored).
  if (has(clone_flags, CLONE_CLEAR_SIGHAND)) {
    for (const a of sig.action) if (a.sa_handler > 1) { a.sa_handler = 0; a.sa_flags = 0; a.sa_mask = 0n; }
  }
  tsk.sighand = sig;
});

/** copy_signal: a new process gets its own signal_struct; a thread shares the group's. */
const copy_signal = kfunc('kernel/fork.c', function* copy_signal(clone_flags: number, tsk: Task): KGen<void> {
  const cur = current().signal!;
  if (has(clone_flags, CLONE_THREAD)) {
    tsk.signal = cur;
    return;
  }
  const sig = new signal_struct();
  sig.wait_chldexit = new wait_queue_head();
  for (const r of cur.rlim) sig.rlim.push({ ...r });
  sig.oom_score_adj = cur.oom_score_adj;
  sig.has_child_subreaper = cur.has_child_subreaper || cur.is_child_subreaper;
  sig.pgrp = cur.pgrp;
  sig.session = cur.session;
  tsk.signal = sig;
});

/** copy_mm: share the address space (CLONE_VM: mmget) or duplicate it copy-on-write (dup_mm). */
const copy_mm = kfunc('kernel/fork.c', function* copy_mm(clone_flags: number, tsk: Task): KGen<number> {
  tsk.mm = null;
  tsk.active_mm = null;
  const oldmm = current().mm;
  if (oldmm === null) return 0; // a kernel thread (or init before its first exec) has none
  if (has(clone_flags, CLONE_VM)) {
    mmget(oldmm);
    tsk.mm = oldmm;
  } else {
    const mm = yield* dup_mm(tsk, oldmm);
    if (mm === null) return -ENOMEM;
    tsk.mm = mm;
  }
  tsk.active_mm = tsk.mm;
  return 0;
});

/** copy_thread: the child's registers — a copy of ours, with a0 = 0 so fork returns 0 in it. */
const copy_thread = kfunc('arch/riscv/kernel/process.c', function* copy_thread(p: Task, args: kernel_clone_args): KGen<void> {
  if (args.fn !== undefined) {
    // A kernel thread has no user registers; it runs `fn` from ret_from_fork.
    p.regs.x.fill(0);
    return;
  }
  if (args.stack !== 0) p.regs.setRegNum(REG_SP, args.stack);
  if (has(args.flags, CLONE_SETTLS)) p.regs.setRegNum(REG_TP, args.tls);
  p.regs.setRegNum(REG_A0, 0);
});

/**
 * copy_process: build the new task. Returns it, or -errno (nothing of it is left behind on
 * failure, as Linux's bad_fork_* unwinding guarantees).
 */
export const copy_process = kfunc('kernel/fork.c', function* copy_process(args: kernel_clone_args): KGen<Task | number> {
  const clone_flags = args.flags;
  const k = kernel();
  const cur = current();
  klocals({ clone_flags: decodeCloneFlags(clone_flags, args.exit_signal) });
  // 1. The combinations Linux refuses (§1.5).
  if (has(clone_flags, CLONE_NEWNS) && has(clone_flags, CLONE_FS)) return -EINVAL;
  if (has(clone_flags, CLONE_NEWUSER) && has(clone_flags, CLONE_FS)) return -EINVAL;
  if (has(clone_flags, CLONE_THREAD) && !has(clone_flags, CLONE_SIGHAND)) return -EINVAL;
  if (has(clone_flags, CLONE_SIGHAND) && !has(clone_flags, CLONE_VM)) return -EINVAL;
  if (has(clone_flags, CLONE_PARENT) && cur.tgid === 1) return -EINVAL;
  if (has(clone_flags, CLONE_THREAD) && (has(clone_flags, CLONE_NEWUSER) || has(clone_flags, CLONE_NEWPID))) return -EINVAL;
  if (has(clone_flags, CLONE_PIDFD) && has(clone_flags, CLONE_DETACHED)) return -EINVAL;
  // Namespaces need CAP_SYS_ADMIN in a real kernel; Forkscope has one of each and refuses them.
  if (clone_flags & (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)) return -EPERM;
  // 2. A signal that arrived before the fork restarts it, so the child cannot miss a group signal.
  if (signal_pending(cur) && args.fn === undefined && args.idle !== true) return -ERESTARTNOINTR;
  // 3. dup_task_struct.
  const p = yield* dup_task_struct(cur);
  klocals({ p });
  // 4. flags and tids.
  p.flags &= ~(PF_KTHREAD | PF_IDLE);
  if (args.kthread === true) p.flags |= PF_KTHREAD;
  p.set_child_tid = has(clone_flags, CLONE_CHILD_SETTID) ? args.child_tid : 0;
  p.clear_child_tid = has(clone_flags, CLONE_CHILD_CLEARTID) ? args.child_tid : 0;
  // 5. copy_creds: threads share the credentials, processes get a copy.
  p.cred = has(clone_flags, CLONE_THREAD) ? cur.cred : cur.cred.clone();
  // 6. limits: RLIMIT_NPROC counts the user's tasks; root (the init user) is exempt.
  const uid = p.cred.uid;
  if (uid !== 0) {
    const nproc = k.tasks.filter((t) => (t.flags & PF_KTHREAD) === 0 && t.pid > 0 && t.cred.uid === uid && t.exit_state !== 0x10).length;
    const limit = cur.signal!.rlim[RLIMIT_NPROC]?.rlim_cur ?? Infinity;
    if (nproc >= limit) return -EAGAIN;
  }
  if (k.tasks.length >= k.max_threads) return -EAGAIN;
  // 7. resets.
  p.flags = (p.flags | PF_FORKNOEXEC) & ~PF_NPROC_EXCEEDED;
  p.vfork_done = null;
  p.start_time = k.ktime_get_ns();
  // 8. scheduler.
  yield* sched_fork(p);
  // 10–14. share or copy each resource.
  yield* copy_files(clone_flags, p);
  yield* copy_fs(clone_flags, p);
  yield* copy_sighand(clone_flags, p);
  yield* copy_signal(clone_flags, p);
  const mmret = yield* copy_mm(clone_flags, p);
  if (mmret < 0) {
    undo_copy(p, clone_flags);
    return mmret;
  }
  // 17. registers.
  yield* copy_thread(p, args);
  // 18. the pid.
  const pidOrErr = yield* alloc_pid(k.init_pid_ns, p, args.set_tid ?? 0);
  if (typeof pidOrErr === 'number') {
    undo_copy(p, clone_flags);
    return pidOrErr;
  }
  const pidStruct: pid = pidOrErr;
  p.thread_pid = pidStruct;
  // 19. CLONE_PIDFD: the parent gets a descriptor for the child, written before the child runs.
  if (has(clone_flags, CLONE_PIDFD)) {
    const fd = pidfd_create(pidStruct, 0);
    if (fd < 0 || (yield* put_user_u32(args.pidfd, fd)) !== 0) {
      if (fd >= 0) close_fd(fd);
      free_pid(k.init_pid_ns, pidStruct);
      undo_copy(p, clone_flags);
      return fd < 0 ? fd : -EFAULT;
    }
  }
  // 20. ids.
  p.pid = pidStruct.nr;
  if (has(clone_flags, CLONE_THREAD)) {
    p.tgid = cur.tgid;
    p.group_leader = cur.group_leader;
  } else {
    p.tgid = p.pid;
    p.group_leader = p;
  }
  p.pdeath_signal = 0;
  // 22. publish: parents, sibling lists, the thread list.
  if (has(clone_flags, CLONE_PARENT) || has(clone_flags, CLONE_THREAD)) {
    p.real_parent = cur.real_parent;
    p.exit_signal = has(clone_flags, CLONE_THREAD) ? -1 : cur.group_leader.exit_signal;
  } else {
    p.real_parent = cur;
    p.exit_signal = args.exit_signal;
  }
  p.parent = p.real_parent;
  if (has(clone_flags, CLONE_THREAD)) {
    const sig = p.signal!;
    sig.nr_threads++;
    sig.live++;
    sig.thread_head.push(p);
  } else {
    p.real_parent!.children.push(p);
    p.signal!.thread_head.push(p);
  }
  k.tasks.push(p);
  if (args.fn !== undefined) p.kgen = ret_from_kernel_thread(args.fn);
  else p.kgen = ret_from_fork();
  trace('sched_process_fork', cur, { comm: cur.comm, pid: cur.pid, child_comm: p.comm, child_pid: p.pid,
    clone_flags: decodeCloneFlags(clone_flags, args.exit_signal) });
  return p;
});

/** Gives back what copy_process took before it failed (the bad_fork_* labels). */
function undo_copy(p: Task, clone_flags: number): void {
  release_resources(p, clone_flags);
}

/** kernel_clone: the common path of clone, clone3, vfork-like clones and kernel threads. */
export const kernel_clone = kfunc('kernel/fork.c', function* kernel_clone(args: kernel_clone_args): KGen<number> {
  const clone_flags = args.flags;
  klocals({ clone_flags: decodeCloneFlags(clone_flags, args.exit_signal) });
  if (has(clone_flags, CLONE_PIDFD) && has(clone_flags, CLONE_PARENT_SETTID) && args.pidfd === args.parent_tid) return -EINVAL;
  const r = yield* copy_process(args);
  if (typeof r === 'number') return r;
  const p = r;
  const nr = p.pid;
  if (has(clone_flags, CLONE_PARENT_SETTID)) {
    if ((yield* put_user_u32(args.parent_tid, nr)) !== 0) {
      // Linux ignores a fault here too: the child exists already.
    }
  }
  let vfork: completion | null = null;
  if (has(clone_flags, CLONE_VFORK)) {
    vfork = new completion();
    p.vfork_done = vfork;
  }
  klocals({ p, nr });
  yield* wake_up_new_task(p);
  if (vfork !== null) yield* wait_for_vfork_done(p, vfork);
  return nr;
});

/**
 * wait_for_vfork_done: the vfork parent sleeps (TASK_KILLABLE) until the child releases the
 * shared mm by exec or exit (mm_release → complete_vfork_done).
 */
export const wait_for_vfork_done = kfunc('kernel/fork.c', function* wait_for_vfork_done(child: Task, vfork: completion): KGen<number> {
  klocals({ child: child.pid });
  const killed = yield* wait_for_completion_state(vfork, TASK_KILLABLE);
  if (killed !== 0) child.vfork_done = null;
  return killed;
});

/** complete_vfork_done: wake the vfork parent (called from mm_release). */
export const complete_vfork_done = kfunc('kernel/fork.c', function* complete_vfork_done(tsk: Task): KGen<void> {
  const vfork = tsk.vfork_done;
  if (vfork !== null) {
    tsk.vfork_done = null;
    vfork.done++;
    wake_up(vfork.wait);
  }
});

/**
 * ret_from_fork / schedule_tail: the child's first kernel path — publish its tid if asked
 * (CLONE_CHILD_SETTID), then return to user mode with a0 = 0.
 */
const ret_from_fork = kfunc('arch/riscv/kernel/entry.S', function* ret_from_fork(): KGen<void> {
  const t = current();
  if (t.set_child_tid !== 0) yield* put_user_u32(t.set_child_tid, t.pid);
  yield* syscall_exit_to_user_mode();
});

const ret_from_kernel_thread = kfunc('arch/riscv/kernel/entry.S', function* ret_from_kernel_thread(fn: () => KGen<void>): KGen<void> {
  yield* fn();
});

/** clone(flags, newsp, parent_tid, tls, child_tid): riscv's CLONE_BACKWARDS argument order. */
const sys_clone = kfunc('kernel/fork.c', function* sys_clone(flags: number, newsp: number, parent_tid: number, tls: number, child_tid: number): KGen<number> {
  const lo = flags >>> 0;
  return yield* kernel_clone({
    flags: lo & ~CSIGNAL, pidfd: parent_tid, child_tid, parent_tid, exit_signal: lo & CSIGNAL,
    stack: newsp, stack_size: 0, tls,
  });
});

/** clone3(struct clone_args *uargs, size_t size). */
const sys_clone3 = kfunc('kernel/fork.c', function* sys_clone3(uargs: number, size: number): KGen<number> {
  if (size < 64) return -EINVAL;
  if (size > 4096) return -E2BIG;
  const buf = new Uint8Array(Math.min(size, 88));
  if ((yield* copy_from_user(buf, uargs)) !== 0) return -EFAULT;
  const v = new DataView(buf.buffer);
  const u64 = (o: number) => (o + 8 <= buf.length ? Number(v.getBigUint64(o, true)) : 0);
  const flags = u64(0);
  const exit_signal = u64(32);
  const stack = u64(40);
  const stack_size = u64(48);
  const set_tid = u64(64);
  const set_tid_size = u64(72);
  // clone3_args_valid.
  if (flags >= 0x400000000 || has(flags, CLONE_DETACHED) || (flags & CSIGNAL & ~CLONE_NEWTIME) !== 0) return -EINVAL;
  if (has(flags, CLONE_SIGHAND) && has(flags, CLONE_CLEAR_SIGHAND)) return -EINVAL;
  if ((has(flags, CLONE_THREAD) || has(flags, CLONE_PARENT)) && exit_signal !== 0) return -EINVAL;
  if (exit_signal > _NSIG) return -EINVAL;
  if ((stack === 0) !== (stack_size === 0)) return -EINVAL;
  // set_tid: the pid the child must get, one per pid-namespace level (Forkscope has one level).
  if ((set_tid !== 0) !== (set_tid_size !== 0) || set_tid_size > 32) return -EINVAL;
  if (set_tid_size > 1) return -EINVAL;
  let want = 0;
  if (set_tid_size === 1) {
    const t = yield* get_user_u32(set_tid);
    if (t < 0) return -EFAULT;
    want = t | 0;
  }
  return yield* kernel_clone({
    flags, pidfd: u64(8), child_tid: u64(16), parent_tid: u64(24), exit_signal,
    stack: stack === 0 ? 0 : stack + stack_size, stack_size, tls: u64(56), set_tid: want,
  });
});

export const fork_syscalls: SyscallEntry[] = [
  { nr: 220, name: 'clone', fn: sys_clone, args: [['flags', 'hex'], ['newsp', 'ptr'], ['parent_tid', 'ptr'], ['tls', 'ptr'], ['child_tid', 'ptr']] },
  { nr: 435, name: 'clone3', fn: sys_clone3, args: [['uargs', 'ptr'], ['size', 'int']] },
];

