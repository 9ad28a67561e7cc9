/**
 * The signal system calls (kernel/signal.c): rt_sigaction, rt_sigprocmask, rt_sigpending,
 * rt_sigsuspend, rt_sigtimedwait, sigaltstack, kill, tkill, tgkill (and rt_sigreturn from the
 * architecture code). Signal sets cross the user boundary as 8-byte masks (sigsetsize 8).
 */
import { EAGAIN, EFAULT, EINTR, EINVAL, ENOMEM, EPERM, ERESTARTNOHAND, ESRCH } from './errno';
import { current, kernel, kfunc, type KGen } from './kfunc';
import { copy_from_user, copy_to_user } from './mm/uaccess';
import { find_task_by_vpid } from './pid';
import { schedule, try_to_wake_up } from './sched/core';
import { dequeue_signal, do_send_sig_info, group_send_sig_info, set_current_blocked, signal_pending } from './signal';
import { siginfo_bytes } from './arch/riscv/signal';
import {
  _NSIG, SIGKILL, SIGSTOP, SI_TKILL, SI_USER, SIG_DFL, SIG_IGN, SIG_KERNEL_IGNORE_MASK, SIG_KERNEL_ONLY_MASK, sigmask,
} from './signal_types';
import type { SyscallEntry } from './syscall';
import { get_timespec64 } from './time';
import { TASK_INTERRUPTIBLE, TASK_RUNNING, type Task } from './task';

const SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
const SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = 1 << 31;
const MINSIGSTKSZ = 2048;

function* read_sigset(uaddr: number): KGen<bigint | number> {
  const b = new Uint8Array(8);
  if ((yield* copy_from_user(b, uaddr)) !== 0) return -EFAULT;
  return new DataView(b.buffer).getBigUint64(0, true);
}

function sigset_bytes(set: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, set, true);
  return b;
}

/** rt_sigaction(sig, act, oact, sigsetsize): struct sigaction is {handler, flags, mask} on riscv. */
const sys_rt_sigaction = kfunc('kernel/signal.c', function* sys_rt_sigaction(sig: number, act: number, oact: number, sigsetsize: number): KGen<number> {
  if (sigsetsize !== 8) return -EINVAL;
  if (sig < 1 || sig > _NSIG) return -EINVAL;
  const t = current();
  const k = t.sighand!.action[sig - 1];
  let next: { sa_handler: number; sa_flags: number; sa_mask: bigint } | null = null;
  if (act !== 0) {
    // SIGKILL and SIGSTOP keep their default action.
    if (sig === SIGKILL || sig === SIGSTOP) return -EINVAL;
    const b = new Uint8Array(24);
    if ((yield* copy_from_user(b, act)) !== 0) return -EFAULT;
    const v = new DataView(b.buffer);
    next = { sa_handler: Number(v.getBigUint64(0, true)), sa_flags: Number(v.getBigUint64(8, true) & 0xffffffffn), sa_mask: v.getBigUint64(16, true) & ~SIG_KERNEL_ONLY_MASK };
  }
  if (oact !== 0) {
    const b = new Uint8Array(24);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, BigInt(k.sa_handler), true);
    v.setBigUint64(8, BigInt(k.sa_flags >>> 0), true);
    v.setBigUint64(16, k.sa_mask, true);
    if ((yield* copy_to_user(oact, b)) !== 0) return -EFAULT;
  }
  if (next !== null) {
    Object.assign(k, next);
    // Setting a signal to be ignored discards it if pending (POSIX), in every thread.
    if (next.sa_handler === SIG_IGN || (next.sa_handler === SIG_DFL && (SIG_KERNEL_IGNORE_MASK & sigmask(sig)) !== 0n)) {
      const m = sigmask(sig);
      const sigs = t.signal!;
      sigs.shared_pending.signal &= ~m;
      for (const th of sigs.thread_head) th.pending.signal &= ~m;
    }
  }
  return 0;
});

/** rt_sigprocmask(how, set, oset, sigsetsize). */
const sys_rt_sigprocmask = kfunc('kernel/signal.c', function* sys_rt_sigprocmask(how: number, nset: number, oset: number, sigsetsize: number): KGen<number> {
  if (sigsetsize !== 8) return -EINVAL;
  const t = current();
  const old = t.blocked;
  if (nset !== 0) {
    const s = yield* read_sigset(nset);
    if (typeof s === 'number') return s;
    if (how === SIG_BLOCK) set_current_blocked(old | s);
    else if (how === SIG_UNBLOCK) set_current_blocked(old & ~s);
    else if (how === SIG_SETMASK) set_current_blocked(s);
    else return -EINVAL;
  }
  if (oset !== 0 && (yield* copy_to_user(oset, sigset_bytes(old))) !== 0) return -EFAULT;
  return 0;
});

const sys_rt_sigpending = kfunc('kernel/signal.c', function* sys_rt_sigpending(uset: number, sigsetsize: number): KGen<number> {
  if (sigsetsize > 8) return -EINVAL;
  const t = current();
  const pending = (t.pending.signal | t.signal!.shared_pending.signal) & t.blocked;
  return (yield* copy_to_user(uset, sigset_bytes(pending).subarray(0, sigsetsize))) === 0 ? 0 : -EFAULT;
});

/** rt_sigsuspend: wait with a temporary mask until a signal is delivered; always -EINTR. */
const sys_rt_sigsuspend = kfunc('kernel/signal.c', function* sys_rt_sigsuspend(unewset: number, sigsetsize: number): KGen<number> {
  if (sigsetsize !== 8) return -EINVAL;
  const s = yield* read_sigset(unewset);
  if (typeof s === 'number') return s;
  const t = current();
  t.saved_sigmask = t.blocked;
  set_current_blocked(s);
  while (!signal_pending(t)) {
    t.__state = TASK_INTERRUPTIBLE;
    yield* schedule();
  }
  t.__state = TASK_RUNNING;
  return -ERESTARTNOHAND;
});

/** rt_sigtimedwait(set, info, timeout, sigsetsize): take a pending signal from `set` synchronously. */
const sys_rt_sigtimedwait = kfunc('kernel/signal.c', function* sys_rt_sigtimedwait(uthese: number, uinfo: number, uts: number, sigsetsize: number): KGen<number> {
  if (sigsetsize !== 8) return -EINVAL;
  const s = yield* read_sigset(uthese);
  if (typeof s === 'number') return s;
  const these = s & ~SIG_KERNEL_ONLY_MASK;
  const t = current();
  const k = kernel();
  let deadline = -1;
  if (uts !== 0) {
    const ns = yield* get_timespec64(uts);
    if (ns < 0) return ns;
    deadline = k.ktime_get_ns() + ns;
  }
  let timedOut = false;
  const timer = deadline >= 0 ? k.add_timer(deadline, () => { timedOut = true; try_to_wake_up(t, TASK_INTERRUPTIBLE); }) : null;
  try {
    for (;;) {
      const info = dequeue_signal(t, ~these);
      if (info !== null) {
        if (uinfo !== 0 && (yield* copy_to_user(uinfo, siginfo_bytes(info))) !== 0) return -EFAULT;
        return info.si_signo;
      }
      if (timedOut || deadline === k.ktime_get_ns()) return -EAGAIN;
      if (signal_pending(t)) return -EINTR;
      t.__state = TASK_INTERRUPTIBLE;
      yield* schedule();
      t.__state = TASK_RUNNING;
    }
  } finally {
    if (timer !== null) k.del_timer(timer);
  }
});

/** sigaltstack(ss, old_ss): `stack_t` is {sp, flags, size} (24 bytes). */
const sys_sigaltstack = kfunc('kernel/signal.c', function* sys_sigaltstack(uss: number, uoss: number): KGen<number> {
  const t = current();
  const sp = t.regs.getRegNum(2);
  const onstack = t.sas_ss_size !== 0 && sp > t.sas_ss_sp && sp - t.sas_ss_sp <= t.sas_ss_size;
  if (uoss !== 0) {
    const b = new Uint8Array(24);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, BigInt(t.sas_ss_sp), true);
    v.setInt32(8, t.sas_ss_size === 0 ? SS_DISABLE : onstack ? SS_ONSTACK : 0, true);
    v.setBigUint64(16, BigInt(t.sas_ss_size), true);
    if ((yield* copy_to_user(uoss, b)) !== 0) return -EFAULT;
  }
  if (uss !== 0) {
    const b = new Uint8Array(24);
    if ((yield* copy_from_user(b, uss)) !== 0) return -EFAULT;
    const v = new DataView(b.buffer);
    const ss_sp = Number(v.getBigUint64(0, true));
    const ss_flags = v.getInt32(8, true);
    const ss_size = Number(v.getBigUint64(16, true));
    if (onstack) return -EPERM;
    const mode = ss_flags & ~SS_AUTODISARM;
    if (mode !== SS_DISABLE && mode !== SS_ONSTACK && mode !== 0) return -EINVAL;
    if (mode === SS_DISABLE) {
      t.sas_ss_sp = t.sas_ss_size = 0;
    } else {
      if (ss_size < MINSIGSTKSZ) return -ENOMEM;
      t.sas_ss_sp = ss_sp;
      t.sas_ss_size = ss_size;
    }
    t.sas_ss_flags = ss_flags;
  }
  return 0;
});

/** kill(pid, sig): one process, a process group (pid < -1 or 0), or everyone (-1). */
const sys_kill = kfunc('kernel/signal.c', function* sys_kill(pid: number, sig: number): KGen<number> {
  pid = pid | 0;
  const cur = current();
  const info = { si_signo: sig, si_errno: 0, si_code: SI_USER, si_pid: cur.tgid, si_uid: 0 };
  if (sig < 0 || sig > _NSIG) return -EINVAL;
  if (pid > 0) {
    const p = find_task_by_vpid(pid);
    if (p === null || p.exit_state === 0x10) return -ESRCH;
    if (!kill_ok(p)) return -EPERM;
    return group_send_sig_info(sig, info, p.group_leader);
  }
  const k = kernel();
  const leaders = k.tasks.filter((t) => t.group_leader === t && t.pid > 0 && t.exit_state === 0 && (t.flags & 0x200000) === 0);
  let targets: Task[];
  if (pid === -1) targets = leaders.filter((t) => t.tgid !== 1 && t.tgid !== cur.tgid);
  else {
    const pgrp = pid === 0 ? cur.signal!.pgrp : -pid;
    targets = leaders.filter((t) => t.signal!.pgrp === pgrp);
  }
  if (targets.length === 0) return -ESRCH;
  // A group or broadcast kill succeeds if it reached anyone it was allowed to signal.
  const allowed = targets.filter(kill_ok);
  if (allowed.length === 0) return -EPERM;
  for (const t of allowed) group_send_sig_info(sig, info, t);
  return 0;
});

/**
 * check_kill_permission / kill_ok_by_cred: root may signal anyone; others only tasks whose real or
 * saved uid is their real or effective uid.
 */
function kill_ok(target: Task): boolean {
  const c = current().cred;
  const t = target.cred;
  return c.euid === 0 || c.euid === t.suid || c.euid === t.uid || c.uid === t.suid || c.uid === t.uid;
}

/** do_tkill: a signal to one thread (tgid 0 means any group). */
function do_tkill(tgid: number, pid: number, sig: number): number {
  if (pid <= 0 || sig < 0 || sig > _NSIG) return -EINVAL;
  const p = find_task_by_vpid(pid);
  if (p === null || (tgid > 0 && p.tgid !== tgid) || p.exit_state !== 0) return -ESRCH;
  if (!kill_ok(p)) return -EPERM;
  if (sig === 0) return 0;
  const cur = current();
  return do_send_sig_info(sig, { si_signo: sig, si_errno: 0, si_code: SI_TKILL, si_pid: cur.tgid, si_uid: 0 }, p, 'PID');
}

const sys_tkill = kfunc('kernel/signal.c', function* sys_tkill(pid: number, sig: number): KGen<number> {
  return do_tkill(0, pid | 0, sig);
});

const sys_tgkill = kfunc('kernel/signal.c', function* sys_tgkill(tgid: number, pid: number, sig: number): KGen<number> {
  if ((tgid | 0) <= 0) return -EINVAL;
  return do_tkill(tgid | 0, pid | 0, sig);
});

export const signal_syscalls: SyscallEntry[] = [
  { nr: 129, name: 'kill', fn: sys_kill, args: [['pid', 'int'], ['sig', 'int']] },
  { nr: 130, name: 'tkill', fn: sys_tkill, args: [['pid', 'int'], ['sig', 'int']] },
  { nr: 131, name: 'tgkill', fn: sys_tgkill, args: [['tgid', 'int'], ['pid', 'int'], ['sig', 'int']] },
  { nr: 132, name: 'sigaltstack', fn: sys_sigaltstack, args: [['uss', 'ptr'], ['uoss', 'ptr']] },
  { nr: 133, name: 'rt_sigsuspend', fn: sys_rt_sigsuspend, args: [['unewset', 'ptr'], ['sigsetsize', 'int']] },
  { nr: 134, name: 'rt_sigaction', fn: sys_rt_sigaction, args: [['sig', 'int'], ['act', 'ptr'], ['oact', 'ptr'], ['sigsetsize', 'int']] },
  { nr: 135, name: 'rt_sigprocmask', fn: sys_rt_sigprocmask, args: [['how', 'int'], ['nset', 'ptr'], ['oset', 'ptr'], ['sigsetsize', 'int']] },
  { nr: 136, name: 'rt_sigpending', fn: sys_rt_sigpending, args: [['uset', 'ptr'], ['sigsetsize', 'int']] },
  { nr: 137, name: 'rt_sigtimedwait', fn: sys_rt_sigtimedwait, args: [['uthese', 'ptr'], ['uinfo', 'ptr'], ['uts', 'ptr'], ['sigsetsize', 'int']] },
];
