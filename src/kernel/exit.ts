/**
 * Ending tasks (kernel/exit.c): exit, exit_group, the zombie state, wait4/waitid, reparenting of
 * orphans and the final release of a task.
 *
 * `do_exit` gives back the task's resources in Linux's order (`exit_mm`, `exit_files`,
 * `exit_fs`), then `exit_notify` hands its children to a new reaper and tells the parent
 * (SIGCHLD): the task is now a zombie, holding only its pid and exit status, until the parent
 * collects it with `wait4`/`waitid` (`wait_task_zombie` → `release_task`) — or at once, if the
 * parent ignores SIGCHLD.
 */
import { ECHILD, EFAULT, EINVAL, ESRCH } from './errno';
import { pidfd_task } from './pidfd';
import { exit_files } from './fs/file';
import { exit_fs } from './fs/fs_struct';
import { current, kernel, kfunc, klocals, type KGen } from './kfunc';
import { complete_vfork_done } from './fork';
import { mmput } from './mm/fork';
import { put_user_u32, copy_to_user } from './mm/uaccess';
import { free_pid } from './pid';
import { printk } from './printk';
import { dequeue_dead, schedule, wake_up_process } from './sched/core';
import { wait_event_interruptible, __wake_up } from './sched/wait';
import { exit_robust_list, futex_wake_address } from './futex';
import { send_signal_locked, signal_wake_up } from './signal';
import {
  CLD_CONTINUED, CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_STOPPED, SA_NOCLDSTOP, SA_NOCLDWAIT, SIGCHLD,
  SIGCONT, SIGKILL, SIGNAL_GROUP_EXIT, SIGNAL_STOP_CONTINUED, SIGNAL_STOP_STOPPED, SIG_IGN, sigmask,
} from './signal_types';
import type { SyscallEntry } from './syscall';
import {
  EXIT_DEAD, EXIT_ZOMBIE, PF_EXITING, PF_SIGNALED, Task, TASK_DEAD, TASK_INTERRUPTIBLE,
} from './task';
import { trace } from './trace';

// wait options (include/uapi/linux/wait.h).
export const WNOHANG = 0x1;
export const WUNTRACED = 0x2;
export const WSTOPPED = WUNTRACED;
export const WEXITED = 0x4;
export const WCONTINUED = 0x8;
export const WNOWAIT = 0x01000000;
export const __WNOTHREAD = 0x20000000;
export const __WALL = 0x40000000;
export const __WCLONE = 0x80000000;
export const P_ALL = 0;
export const P_PID = 1;
export const P_PGID = 2;
export const P_PIDFD = 3;

/** mm_release: the task gives up its user address space (exit or exec). */
export const mm_release = kfunc('kernel/fork.c', function* mm_release(tsk: Task): KGen<void> {
  // futex_exit_release: robust mutexes the thread still holds are released for the others.
  if (tsk.robust_list !== 0) {
    yield* exit_robust_list(tsk, tsk.robust_list);
    tsk.robust_list = 0;
  }
  // CLONE_CHILD_CLEARTID: zero the tid word and wake a futex waiter (pthread_join), unless the
  // whole group is being killed anyway.
  if (tsk.clear_child_tid !== 0 && tsk.mm !== null) {
    const addr = tsk.clear_child_tid;
    tsk.clear_child_tid = 0;
    if ((yield* put_user_u32(addr, 0)) === 0) futex_wake_address(tsk.mm, addr, 1);
  }
  // A vfork parent sleeps until the child lets go of the mm it borrowed.
  if (tsk.vfork_done !== null) yield* complete_vfork_done(tsk);
});

/** exit_mm: drop the address space; the last user frees it (mmput → exit_mmap). */
const exit_mm = kfunc('kernel/exit.c', function* exit_mm(): KGen<void> {
  const t = current();
  const mm = t.mm;
  yield* mm_release(t);
  if (mm === null) return;
  t.mm = null;
  mmput(mm);
});

/** find_new_reaper: another live thread of the group, a subreaper ancestor, or init. */
const find_new_reaper = kfunc('kernel/exit.c', function* find_new_reaper(father: Task): KGen<Task> {
  const live = father.signal?.thread_head.find((th) => th !== father && (th.flags & PF_EXITING) === 0);
  if (live !== undefined) return live;
  if (father.signal?.has_child_subreaper) {
    for (let a = father.real_parent; a !== null && a.pid > 1; a = a.real_parent) {
      if (a.signal?.is_child_subreaper && (a.flags & PF_EXITING) === 0) return a;
    }
  }
  return kernel().init_pid_ns.child_reaper!;
});

/** forget_original_parent: every child gets a new parent; zombies are reported to it. */
const forget_original_parent = kfunc('kernel/exit.c', function* forget_original_parent(father: Task): KGen<void> {
  if (father.children.length === 0) return;
  const reaper = yield* find_new_reaper(father);
  klocals({ reaper: reaper.pid });
  for (const child of [...father.children]) {
    child.real_parent = reaper;
    child.parent = reaper;
    if (child.pdeath_signal !== 0) {
      send_signal_locked(child.pdeath_signal, { si_signo: child.pdeath_signal, si_errno: 0, si_code: 0 }, child, 'TGID');
    }
    reaper.children.push(child);
    // reparent_leader: a zombie child must be reported to its new parent.
    if (child.exit_state === EXIT_ZOMBIE && child.signal!.nr_threads <= 1) {
      child.exit_signal = SIGCHLD;
      if (yield* do_notify_parent(child, SIGCHLD)) {
        child.exit_state = EXIT_DEAD;
        yield* release_task(child);
      }
    }
    trace('sched_process_reparent', child, { pid: child.pid, new_parent: reaper.pid });
  }
  father.children.length = 0;
});

/**
 * do_notify_parent: queue SIGCHLD (or the thread's exit signal) for the parent and wake its
 * waiters. Returns true when the child should be reaped at once (parent ignores SIGCHLD or set
 * SA_NOCLDWAIT): the "autoreap" case.
 */
export const do_notify_parent = kfunc('kernel/signal.c', function* do_notify_parent(tsk: Task, sig: number): KGen<boolean> {
  const parent = tsk.parent!;
  const code = tsk.exit_code & 0x7f ? ((tsk.exit_code & 0x80) !== 0 ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED;
  const status = code === CLD_EXITED ? (tsk.exit_code >> 8) & 0xff : tsk.exit_code & 0x7f;
  let autoreap = false;
  const psig = parent.sighand;
  if (psig !== null && sig === SIGCHLD) {
    const act = psig.action[SIGCHLD - 1];
    if (act.sa_handler === SIG_IGN || (act.sa_flags & SA_NOCLDWAIT) !== 0) {
      autoreap = true;
      if (act.sa_handler === SIG_IGN) sig = 0;
    }
  }
  if (sig > 0) {
    send_signal_locked(sig, {
      si_signo: sig, si_errno: 0, si_code: code, si_pid: tsk.tgid, si_uid: 0, si_status: status,
      si_utime: tsk.utime, si_stime: tsk.stime,
    }, parent, 'TGID');
  }
  __wake_up_parent(tsk, parent);
  return autoreap;
});

/** do_notify_parent_cldstop: tell the parent a child stopped or continued (unless SA_NOCLDSTOP). */
export function do_notify_parent_cldstop(tsk: Task, stopped: boolean, sig: number): void {
  const leader = tsk.group_leader;
  const parent = leader.real_parent;
  if (parent === null) return;
  const act = parent.sighand?.action[SIGCHLD - 1];
  if (act !== undefined && act.sa_handler !== SIG_IGN && (act.sa_flags & SA_NOCLDSTOP) === 0) {
    send_signal_locked(SIGCHLD, { si_signo: SIGCHLD, si_errno: 0, si_code: stopped ? CLD_STOPPED : CLD_CONTINUED,
      si_pid: leader.tgid, si_uid: 0, si_status: stopped ? sig : SIGCONT }, parent, 'TGID');
  }
  __wake_up_parent(tsk, parent);
}

function __wake_up_parent(_p: Task, parent: Task): void {
  if (parent.signal !== null) __wake_up(parent.signal.wait_chldexit, TASK_INTERRUPTIBLE);
}

/** exit_notify: reparent the children, become a zombie, tell the parent. */
const exit_notify = kfunc('kernel/exit.c', function* exit_notify(tsk: Task, group_dead: boolean): KGen<void> {
  yield* forget_original_parent(tsk);
  let autoreap: boolean;
  if (tsk.group_leader === tsk && tsk.exit_signal !== -1) {
    // A leader reports only once its whole group is gone (thread_group_empty).
    autoreap = group_dead ? yield* do_notify_parent(tsk, tsk.exit_signal) : false;
  } else {
    autoreap = true; // threads are never waited for
  }
  tsk.exit_state = autoreap ? EXIT_DEAD : EXIT_ZOMBIE;
  klocals({ exit_state: autoreap ? 'EXIT_DEAD' : 'EXIT_ZOMBIE' });
  if (autoreap) yield* release_task(tsk);
});

/** The exit status as wait reports it: (code << 8) for exit, the signal (| 0x80 core) if killed. */
function exit_status_of(t: Task): number {
  const sig = t.signal!;
  return (sig.flags & SIGNAL_GROUP_EXIT) !== 0 ? sig.group_exit_code : t.exit_code;
}

/**
 * do_exit: the task's last kernel path. It never returns: after `do_task_dead` the task is never
 * scheduled again.
 */
export const do_exit = kfunc('kernel/exit.c', function* do_exit(code: number): KGen<never> {
  const tsk = current();
  klocals({ code });
  tsk.flags |= PF_EXITING;
  if ((code & 0x7f) !== 0) tsk.flags |= PF_SIGNALED;
  const sig = tsk.signal!;
  sig.live--;
  const group_dead = sig.live === 0;
  tsk.exit_code = code;
  if (group_dead && tsk.tgid === 1) printk(`Kernel panic - not syncing: Attempted to kill init! exitcode=0x${code.toString(16).padStart(8, '0')}`);
  yield* exit_mm();
  exit_files(tsk);
  exit_fs(tsk);
  trace('sched_process_exit', tsk, { comm: tsk.comm, pid: tsk.pid, prio: tsk.prio, group_dead,
    code: (code & 0x7f) !== 0 ? `signal ${code & 0x7f}${(code & 0x80) !== 0 ? ' (core dumped)' : ''}` : `exit ${(code >> 8) & 0xff}` });
  if (group_dead) tsk.exit_code = exit_status_of(tsk);
  yield* exit_notify(tsk, group_dead);
  // A thread exec'ing in de_thread waits for the others to be gone: tell it one more is.
  if (sig.group_exit_task !== null && sig.group_exit_task !== tsk) wake_up_process(sig.group_exit_task);
  // A leader that waited for its threads may now be reported (release_task handles it when the
  // last thread is released).
  yield* do_task_dead(tsk);
  throw new Error('a dead task ran again');
});

/** do_task_dead: TASK_DEAD, off the CPU for good. */
const do_task_dead = kfunc('kernel/sched/core.c', function* do_task_dead(tsk: Task): KGen<void> {
  tsk.__state = TASK_DEAD;
  dequeue_dead(tsk);
  yield* schedule();
});

/**
 * do_group_exit: end the whole thread group — mark the group exit, SIGKILL the other threads,
 * then exit this one.
 */
export const do_group_exit = kfunc('kernel/exit.c', function* do_group_exit(exit_code: number): KGen<never> {
  const t = current();
  const sig = t.signal!;
  if ((sig.flags & SIGNAL_GROUP_EXIT) !== 0) {
    exit_code = sig.group_exit_code;
  } else if (sig.nr_threads > 1) {
    sig.group_exit_code = exit_code;
    sig.flags = SIGNAL_GROUP_EXIT;
    // zap_other_threads
    for (const th of sig.thread_head) {
      if (th === t || th.exit_state !== 0) continue;
      th.pending.signal |= sigmask(SIGKILL);
      signal_wake_up(th, true);
    }
  }
  return yield* do_exit(exit_code);
});

/**
 * release_task: the task's last trace disappears — its pid is freed, it leaves the task lists and
 * its parent's children; a zombie leader whose last thread this was is reported or reaped now.
 */
export const release_task = kfunc('kernel/exit.c', function* release_task(p: Task): KGen<void> {
  const k = kernel();
  const sig = p.signal!;
  // __exit_signal: fold the thread's times into the process, unhash it.
  sig.utime += p.utime;
  sig.stime += p.stime;
  sig.min_flt += p.min_flt;
  sig.nr_threads--;
  const ti = sig.thread_head.indexOf(p);
  if (ti >= 0) sig.thread_head.splice(ti, 1);
  if (p.thread_pid !== null) free_pid(k.init_pid_ns, p.thread_pid);
  const i = k.tasks.indexOf(p);
  if (i >= 0) k.tasks.splice(i, 1);
  const parent = p.real_parent;
  if (parent !== null && p.group_leader === p) {
    const ci = parent.children.indexOf(p);
    if (ci >= 0) parent.children.splice(ci, 1);
  }
  p.exit_state = EXIT_DEAD;
  trace('sched_process_free', p, { comm: p.comm, pid: p.pid });
  const leader = p.group_leader;
  if (leader !== p && sig.nr_threads === 1 && leader.exit_state === EXIT_ZOMBIE) {
    if (yield* do_notify_parent(leader, leader.exit_signal)) {
      leader.exit_state = EXIT_DEAD;
      yield* release_task(leader);
    }
  }
});

/** Undo of copy_process's resource sharing when it fails midway (bad_fork_* in Linux). */
export function release_resources(p: Task, _clone_flags: number): void {
  if (p.mm !== null) mmput(p.mm);
  p.mm = null;
  exit_files(p);
  exit_fs(p);
  if (p.sighand !== null) p.sighand.count--;
}

/** `struct wait_opts`. */
interface wait_opts {
  wo_type: number;
  wo_pid: number;
  wo_flags: number;
  wo_stat: number;
  wo_infop: number;
  wo_rusage: number;
  notask_error: number;
}

function eligible_pid(wo: wait_opts, p: Task): boolean {
  if (wo.wo_type === P_ALL) return true;
  if (wo.wo_type === P_PID) return p.pid === wo.wo_pid;
  return p.signal!.pgrp === wo.wo_pid;
}

/** eligible_child: __WCLONE selects children with a non-SIGCHLD exit signal; __WALL selects all. */
function eligible_child(wo: wait_opts, ptrace: boolean, p: Task): boolean {
  if (!eligible_pid(wo, p)) return false;
  if (!ptrace && (wo.wo_flags & __WALL) === 0 && ((p.exit_signal !== SIGCHLD) !== ((wo.wo_flags & __WCLONE) !== 0))) return false;
  return true;
}

/** The result one eligible child gives: its pid, or 0 if nothing to report yet. */
type WaitResult = { pid: number; status: number; code: number; child: Task } | null;

function wait_consider_task(wo: wait_opts, p: Task): WaitResult {
  if (p.exit_state === EXIT_DEAD) return null;
  if (!eligible_child(wo, false, p)) return null;
  wo.notask_error = 0;
  if (p.exit_state === EXIT_ZOMBIE && p.signal!.nr_threads <= 1) {
    if ((wo.wo_flags & WEXITED) === 0) return null;
    const status = p.exit_code;
    const code = (status & 0x7f) === 0 ? CLD_EXITED : (status & 0x80) !== 0 ? CLD_DUMPED : CLD_KILLED;
    return { pid: p.pid, status, code, child: p };
  }
  const sig = p.signal!;
  if ((wo.wo_flags & WSTOPPED) !== 0 && (sig.flags & SIGNAL_STOP_STOPPED) !== 0 && sig.group_exit_code !== 0) {
    return { pid: p.pid, status: (sig.group_exit_code << 8) | 0x7f, code: CLD_STOPPED, child: p };
  }
  if ((wo.wo_flags & WCONTINUED) !== 0 && (sig.flags & SIGNAL_STOP_CONTINUED) !== 0) {
    return { pid: p.pid, status: 0xffff, code: CLD_CONTINUED, child: p };
  }
  return null;
}

/** do_wait_thread over every thread of the caller's group (children of any thread count). */
function __do_wait(wo: wait_opts): WaitResult {
  const t = current();
  wo.notask_error = -ECHILD;
  const threads = (wo.wo_flags & __WNOTHREAD) !== 0 ? [t] : t.signal!.thread_head;
  for (const th of threads) {
    for (const child of th.children) {
      const r = wait_consider_task(wo, child);
      if (r !== null) return r;
    }
  }
  return null;
}

/**
 * do_wait: look for an eligible child; sleep on wait_chldexit until one changes state. A zombie
 * found is collected (`wait_task_zombie`): EXIT_DEAD, its times added to ours, `release_task`.
 */
const do_wait = kfunc('kernel/exit.c', function* do_wait(wo: wait_opts): KGen<WaitResult | number> {
  const t = current();
  for (;;) {
    const r = __do_wait(wo);
    if (r !== null) {
      if ((wo.wo_flags & WNOWAIT) === 0) {
        const sig = r.child.signal!;
        if (r.code === CLD_STOPPED) sig.group_exit_code = 0;
        else if (r.code === CLD_CONTINUED) sig.flags &= ~SIGNAL_STOP_CONTINUED;
        else yield* wait_task_zombie(r.child);
      }
      return r;
    }
    if (wo.notask_error !== 0) return wo.notask_error;
    if ((wo.wo_flags & WNOHANG) !== 0) return 0;
    // Sleep until a child changes state — or until none is left to wait for (an auto-reaped
    // child disappears without ever being reportable: wait then fails with ECHILD).
    const ret = yield* wait_event_interruptible(t.signal!.wait_chldexit, () => {
      const probe = { ...wo };
      return __do_wait(probe) !== null || probe.notask_error !== 0;
    });
    if (ret !== 0) return ret;
  }
});

const wait_task_zombie = kfunc('kernel/exit.c', function* wait_task_zombie(p: Task): KGen<void> {
  const sig = current().signal!;
  sig.cutime += p.utime + p.signal!.utime + p.signal!.cutime;
  sig.cstime += p.stime + p.signal!.stime + p.signal!.cstime;
  sig.cmin_flt += p.min_flt + p.signal!.min_flt + p.signal!.cmin_flt;
  klocals({ pid: p.pid, exit_code: p.exit_code });
  p.exit_state = EXIT_DEAD;
  yield* release_task(p);
});

/** `struct rusage` (144 bytes): times in timeval pairs, then 14 longs (maxrss, minflt…). */
export function rusage_bytes(utime_ns: number, stime_ns: number, minflt = 0, maxrss_kb = 0): Uint8Array {
  const b = new Uint8Array(144);
  const v = new DataView(b.buffer);
  const tv = (o: number, ns: number) => {
    v.setBigInt64(o, BigInt(Math.floor(ns / 1e9)), true);
    v.setBigInt64(o + 8, BigInt(Math.floor((ns % 1e9) / 1000)), true);
  };
  tv(0, utime_ns);
  tv(16, stime_ns);
  v.setBigInt64(32, BigInt(maxrss_kb), true);
  v.setBigInt64(64, BigInt(minflt), true); // ru_minflt (after maxrss, ixrss, idrss, isrss)
  return b;
}

/** kernel_wait: wait4 for kernel callers (the built-in init): the child's pid and status, or -errno. */
export function* kernel_wait(pid: number): KGen<{ pid: number; status: number } | number> {
  const wo: wait_opts = {
    wo_type: pid === -1 ? P_ALL : P_PID, wo_pid: pid === -1 ? 0 : pid, wo_flags: WEXITED | __WALL,
    wo_stat: 0, wo_infop: 0, wo_rusage: 0, notask_error: 0,
  };
  const r = yield* do_wait(wo);
  if (typeof r === 'number') return r;
  if (r === null) return 0;
  return { pid: r.pid, status: r.status };
}

/** wait4(pid, wstatus, options, rusage). */
const sys_wait4 = kfunc('kernel/exit.c', function* sys_wait4(upid: number, stat_addr: number, options: number, ru: number): KGen<number> {
  if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) !== 0) return -EINVAL;
  upid = upid | 0;
  let type: number; let pid = 0;
  if (upid === -1) type = P_ALL;
  else if (upid < 0) { type = P_PGID; pid = -upid; }
  else if (upid === 0) { type = P_PGID; pid = current().signal!.pgrp; }
  else { type = P_PID; pid = upid; }
  const wo: wait_opts = { wo_type: type, wo_pid: pid, wo_flags: options | WEXITED, wo_stat: stat_addr, wo_infop: 0, wo_rusage: ru, notask_error: 0 };
  const r = yield* do_wait(wo);
  if (typeof r === 'number') return r;
  if (r === null) return 0;
  if (stat_addr !== 0 && (yield* put_user_u32(stat_addr, r.status)) !== 0) return -EFAULT;
  if (ru !== 0) {
    const c = r.child;
    if ((yield* copy_to_user(ru, rusage_bytes(c.utime + c.signal!.cutime, c.stime, c.min_flt + c.signal!.min_flt))) !== 0) return -EFAULT;
  }
  return r.pid;
});

/** waitid(idtype, id, infop, options, rusage). */
const sys_waitid = kfunc('kernel/exit.c', function* sys_waitid(which: number, upid: number, infop: number, options: number, ru: number): KGen<number> {
  if ((options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) !== 0) return -EINVAL;
  if ((options & (WEXITED | WSTOPPED | WCONTINUED)) === 0) return -EINVAL;
  const type = which;
  let pid = upid | 0;
  if (type === P_ALL) pid = 0;
  else if (type === P_PID) { if (pid <= 0) return -EINVAL; }
  else if (type === P_PGID) { if (pid < 0) return -EINVAL; if (pid === 0) pid = current().signal!.pgrp; }
  else if (type === P_PIDFD) {
    const t = pidfd_task(pid);
    if (typeof t === 'number') return t === -ESRCH ? -ECHILD : t;
    pid = t.pid;
  } else return -EINVAL;
  const wo: wait_opts = { wo_type: type === P_PIDFD ? P_PID : type, wo_pid: pid, wo_flags: options, wo_stat: 0, wo_infop: infop, wo_rusage: ru, notask_error: 0 };
  const r = yield* do_wait(wo);
  if (typeof r === 'number' && r < 0) return r;
  if (infop !== 0) {
    const b = new Uint8Array(128);
    if (r !== null && typeof r !== 'number') {
      const v = new DataView(b.buffer);
      v.setInt32(0, SIGCHLD, true);
      v.setInt32(8, r.code, true);
      v.setInt32(16, r.pid, true);
      v.setInt32(24, r.code === CLD_EXITED ? (r.status >> 8) & 0xff : r.code === CLD_STOPPED ? (r.status >> 8) & 0xff : r.code === CLD_CONTINUED ? 18 : r.status & 0x7f, true);
    }
    if ((yield* copy_to_user(infop, b)) !== 0) return -EFAULT;
  }
  if (ru !== 0 && r !== null && typeof r !== 'number') {
    if ((yield* copy_to_user(ru, rusage_bytes(r.child.utime, r.child.stime))) !== 0) return -EFAULT;
  }
  return 0;
});

const sys_exit = kfunc('kernel/exit.c', function* sys_exit(error_code: number): KGen<number> {
  return yield* do_exit((error_code & 0xff) << 8);
});

const sys_exit_group = kfunc('kernel/exit.c', function* sys_exit_group(error_code: number): KGen<number> {
  return yield* do_group_exit((error_code & 0xff) << 8);
});

export const exit_syscalls: SyscallEntry[] = [
  { nr: 93, name: 'exit', fn: sys_exit, args: [['error_code', 'int']] },
  { nr: 94, name: 'exit_group', fn: sys_exit_group, args: [['error_code', 'int']] },
  { nr: 95, name: 'waitid', fn: sys_waitid, args: [['which', 'int'], ['pid', 'int'], ['infop', 'ptr'], ['options', 'hex'], ['ru', 'ptr']] },
  { nr: 260, name: 'wait4', fn: sys_wait4, args: [['pid', 'int'], ['stat_addr', 'ptr'], ['options', 'hex'], ['ru', 'ptr']] },
];

