/**
 * The process's own system calls (kernel/sys.c, kernel/sched/syscalls.c, kernel/fork.c's
 * set_tid_address, kernel/futex/syscalls.c's robust lists, drivers/char/random.c's getrandom):
 * identities, process groups and sessions, limits, names, usage, the machine's description.
 */
import { E2BIG, EFAULT, EINVAL, EPERM, ESRCH } from './errno';
import { rusage_bytes } from './exit';
import { current, kernel, kfunc, type KGen } from './kfunc';
import { copy_from_user, copy_to_user, strncpy_from_user } from './mm/uaccess';
import { find_task_by_vpid } from './pid';
import { get_random_bytes } from './random';
import { schedule, set_tsk_need_resched } from './sched/core';
import { RLIM_NLIMITS, RLIMIT_NOFILE } from './signal_types';
import type { SyscallEntry } from './syscall';

const RLIM_INFINITY = 0xffffffffffffffffn;

function u64(x: number): bigint {
  return x === Infinity ? RLIM_INFINITY : BigInt(x);
}

function fromU64(x: bigint): number {
  return x >= 0x7fffffffffffffffn ? Infinity : Number(x);
}

/** `struct new_utsname`: six 65-byte strings. */
function utsname(): Uint8Array {
  const fields = ['Linux', 'forkscope', '6.12.0-forkscope', '#1 SMP PREEMPT Forkscope', 'riscv64', '(none)'];
  const b = new Uint8Array(65 * 6);
  const enc = new TextEncoder();
  fields.forEach((f, i) => b.set(enc.encode(f).subarray(0, 64), i * 65));
  return b;
}

function* sys_getpid(): KGen<number> { return current().tgid; }
function* sys_gettid(): KGen<number> { return current().pid; }
function* sys_getppid(): KGen<number> {
  return current().group_leader.real_parent?.tgid ?? 0;
}

function* sys_uname(name: number): KGen<number> {
  return (yield* copy_to_user(name, utsname())) === 0 ? 0 : -EFAULT;
}

/** set_tid_address: where to clear and futex-wake the tid at exit (pthread_join). */
function* sys_set_tid_address(tidptr: number): KGen<number> {
  const t = current();
  t.clear_child_tid = tidptr;
  return t.pid;
}

function* sys_set_robust_list(head: number, len: number): KGen<number> {
  if (len !== 24) return -EINVAL;
  current().robust_list = head;
  return 0;
}

function* sys_get_robust_list(pid: number, head_ptr: number, len_ptr: number): KGen<number> {
  const t = pid === 0 ? current() : find_task_by_vpid(pid);
  if (t === null) return -ESRCH;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(t.robust_list), true);
  if ((yield* copy_to_user(head_ptr, b)) !== 0) return -EFAULT;
  new DataView(b.buffer).setBigUint64(0, 24n, true);
  return (yield* copy_to_user(len_ptr, b)) === 0 ? 0 : -EFAULT;
}

/** prlimit64(pid, resource, new, old): read and/or set one limit. */
function* sys_prlimit64(pid: number, resource: number, new_rlim: number, old_rlim: number): KGen<number> {
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  const t = pid === 0 ? current() : find_task_by_vpid(pid);
  if (t === null) return -ESRCH;
  const rl = t.signal!.rlim[resource];
  let next: { rlim_cur: number; rlim_max: number } | null = null;
  if (new_rlim !== 0) {
    const b = new Uint8Array(16);
    if ((yield* copy_from_user(b, new_rlim)) !== 0) return -EFAULT;
    const v = new DataView(b.buffer);
    next = { rlim_cur: fromU64(v.getBigUint64(0, true)), rlim_max: fromU64(v.getBigUint64(8, true)) };
    if (next.rlim_cur > next.rlim_max) return -EINVAL;
    if (resource === RLIMIT_NOFILE && next.rlim_max > 1024 * 1024) return -EPERM;
  }
  if (old_rlim !== 0) {
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setBigUint64(0, u64(rl.rlim_cur), true);
    v.setBigUint64(8, u64(rl.rlim_max), true);
    if ((yield* copy_to_user(old_rlim, b)) !== 0) return -EFAULT;
  }
  if (next !== null) {
    rl.rlim_cur = next.rlim_cur;
    rl.rlim_max = next.rlim_max;
  }
  return 0;
}

function* sys_getrlimit(resource: number, rlim: number): KGen<number> {
  return yield* sys_prlimit64(0, resource, 0, rlim);
}

function* sys_setrlimit(resource: number, rlim: number): KGen<number> {
  return yield* sys_prlimit64(0, resource, rlim, 0);
}

/** getrusage(who, ru): RUSAGE_SELF 0, RUSAGE_CHILDREN -1, RUSAGE_THREAD 1. */
function* sys_getrusage(who: number, ru: number): KGen<number> {
  const t = current();
  const sig = t.signal!;
  let b: Uint8Array;
  if ((who | 0) === 0) b = rusage_bytes(sig.utime + sig.thread_head.reduce((s, th) => s + th.utime, 0), sig.stime, sig.min_flt + sig.thread_head.reduce((s, th) => s + th.min_flt, 0));
  else if ((who | 0) === -1) b = rusage_bytes(sig.cutime, sig.cstime, sig.cmin_flt);
  else if ((who | 0) === 1) b = rusage_bytes(t.utime, t.stime, t.min_flt);
  else return -EINVAL;
  return (yield* copy_to_user(ru, b)) === 0 ? 0 : -EFAULT;
}

/** times(buf): clock ticks at USER_HZ = 100; returns ticks since boot. */
function* sys_times(tbuf: number): KGen<number> {
  const t = current();
  const sig = t.signal!;
  const ticks = (ns: number) => BigInt(Math.floor(ns / 1e7));
  if (tbuf !== 0) {
    const b = new Uint8Array(32);
    const v = new DataView(b.buffer);
    v.setBigInt64(0, ticks(sig.utime + sig.thread_head.reduce((s, th) => s + th.utime, 0)), true);
    v.setBigInt64(8, ticks(sig.stime), true);
    v.setBigInt64(16, ticks(sig.cutime), true);
    v.setBigInt64(24, ticks(sig.cstime), true);
    if ((yield* copy_to_user(tbuf, b)) !== 0) return -EFAULT;
  }
  return Math.floor(kernel().ktime_get_ns() / 1e7);
}

// Process groups and sessions.
function* sys_setpgid(pid: number, pgid: number): KGen<number> {
  const cur = current();
  const p = pid === 0 ? cur.group_leader : find_task_by_vpid(pid);
  if (p === null) return -ESRCH;
  if ((pgid | 0) < 0) return -EINVAL;
  if (p !== cur.group_leader && p.real_parent?.tgid !== cur.tgid) return -ESRCH;
  if (p.signal!.session === p.tgid) return -EPERM;
  p.signal!.pgrp = pgid === 0 ? p.tgid : pgid;
  return 0;
}

function* sys_getpgid(pid: number): KGen<number> {
  const p = pid === 0 ? current() : find_task_by_vpid(pid);
  return p === null ? -ESRCH : p.signal!.pgrp;
}

function* sys_getsid(pid: number): KGen<number> {
  const p = pid === 0 ? current() : find_task_by_vpid(pid);
  return p === null ? -ESRCH : p.signal!.session;
}

function* sys_setsid(): KGen<number> {
  const t = current().group_leader;
  // A process-group leader cannot start a session (its group would span two sessions).
  if (kernel().tasks.some((o) => o.signal!.pgrp === t.tgid)) return -EPERM;
  t.signal!.session = t.signal!.pgrp = t.tgid;
  return t.tgid;
}

// prctl options.
const PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_SET_NAME = 15, PR_GET_NAME = 16,
  PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37;

function* sys_prctl(option: number, arg2: number): KGen<number> {
  const t = current();
  switch (option) {
    case PR_SET_PDEATHSIG:
      if (arg2 < 0 || arg2 > 64) return -EINVAL;
      t.pdeath_signal = arg2;
      return 0;
    case PR_GET_PDEATHSIG: {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, t.pdeath_signal, true);
      return (yield* copy_to_user(arg2, b)) === 0 ? 0 : -EFAULT;
    }
    case PR_SET_NAME: {
      const s = yield* strncpy_from_user(arg2, 16);
      if (typeof s === 'number' && s !== -E2BIG) return s;
      t.comm = (typeof s === 'string' ? s : '').slice(0, 15);
      return 0;
    }
    case PR_GET_NAME: {
      const b = new Uint8Array(16);
      b.set(new TextEncoder().encode(t.comm).subarray(0, 15));
      return (yield* copy_to_user(arg2, b)) === 0 ? 0 : -EFAULT;
    }
    case PR_SET_CHILD_SUBREAPER:
      t.signal!.is_child_subreaper = arg2 !== 0;
      if (arg2 !== 0) t.signal!.has_child_subreaper = true;
      return 0;
    case PR_GET_CHILD_SUBREAPER: {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setInt32(0, t.signal!.is_child_subreaper ? 1 : 0, true);
      return (yield* copy_to_user(arg2, b)) === 0 ? 0 : -EFAULT;
    }
    default:
      return -EINVAL;
  }
}

/** sysinfo(info): uptime, memory and process count (struct sysinfo, 112 bytes). */
function* sys_sysinfo(info: number): KGen<number> {
  const k = kernel();
  const b = new Uint8Array(112);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(Math.floor(k.ktime_get_ns() / 1e9)), true);
  v.setBigUint64(32, BigInt(k.mem.nrFrames), true);
  v.setBigUint64(40, BigInt(k.pages.nr_free_pages), true);
  v.setUint16(80, Math.min(k.tasks.length, 0xffff), true);
  v.setUint32(104, 4096, true);
  return (yield* copy_to_user(info, b)) === 0 ? 0 : -EFAULT;
}

/** getrandom(buf, count, flags): bytes from the machine's seeded generator. */
function* sys_getrandom(buf: number, count: number, flags: number): KGen<number> {
  if ((flags & ~0x7) !== 0) return -EINVAL;
  const n = Math.min(count, 33554431);
  const b = new Uint8Array(n);
  get_random_bytes(b);
  return (yield* copy_to_user(buf, b)) === 0 ? n : -EFAULT;
}

function* sys_sched_yield(): KGen<number> {
  set_tsk_need_resched(current());
  yield* schedule();
  return 0;
}

/** sched_getaffinity: one CPU, so the mask has bit 0; returns the size written. */
function* sys_sched_getaffinity(pid: number, len: number, user_mask_ptr: number): KGen<number> {
  if (pid !== 0 && find_task_by_vpid(pid) === null) return -ESRCH;
  if (len < 8 || (len & 7) !== 0) return -EINVAL;
  const b = new Uint8Array(8);
  b[0] = 1;
  return (yield* copy_to_user(user_mask_ptr, b)) === 0 ? 8 : -EFAULT;
}

function* sys_getcpu(cpu: number, node: number): KGen<number> {
  const zero = new Uint8Array(4);
  if (cpu !== 0 && (yield* copy_to_user(cpu, zero)) !== 0) return -EFAULT;
  if (node !== 0 && (yield* copy_to_user(node, zero)) !== 0) return -EFAULT;
  return 0;
}

const k_ = (nr: number, name: string, file: string, fn: (...a: number[]) => KGen<number>, args: SyscallEntry['args']): SyscallEntry =>
  ({ nr, name, fn: kfunc(file, Object.defineProperty(fn, 'name', { value: 'sys_' + name })) as SyscallEntry['fn'], args });

export const sys_syscalls: SyscallEntry[] = [
  k_(96, 'set_tid_address', 'kernel/fork.c', sys_set_tid_address, [['tidptr', 'ptr']]),
  k_(99, 'set_robust_list', 'kernel/futex/syscalls.c', sys_set_robust_list, [['head', 'ptr'], ['len', 'int']]),
  k_(100, 'get_robust_list', 'kernel/futex/syscalls.c', sys_get_robust_list, [['pid', 'int'], ['head_ptr', 'ptr'], ['len_ptr', 'ptr']]),
  k_(123, 'sched_getaffinity', 'kernel/sched/syscalls.c', sys_sched_getaffinity, [['pid', 'int'], ['len', 'int'], ['user_mask_ptr', 'ptr']]),
  k_(124, 'sched_yield', 'kernel/sched/syscalls.c', sys_sched_yield, []),
  k_(153, 'times', 'kernel/sys.c', sys_times, [['tbuf', 'ptr']]),
  k_(154, 'setpgid', 'kernel/sys.c', sys_setpgid, [['pid', 'int'], ['pgid', 'int']]),
  k_(155, 'getpgid', 'kernel/sys.c', sys_getpgid, [['pid', 'int']]),
  k_(156, 'getsid', 'kernel/sys.c', sys_getsid, [['pid', 'int']]),
  k_(157, 'setsid', 'kernel/sys.c', sys_setsid, []),
  k_(160, 'uname', 'kernel/sys.c', sys_uname, [['name', 'ptr']]),
  k_(163, 'getrlimit', 'kernel/sys.c', sys_getrlimit, [['resource', 'int'], ['rlim', 'ptr']]),
  k_(164, 'setrlimit', 'kernel/sys.c', sys_setrlimit, [['resource', 'int'], ['rlim', 'ptr']]),
  k_(165, 'getrusage', 'kernel/sys.c', sys_getrusage, [['who', 'int'], ['ru', 'ptr']]),
  k_(167, 'prctl', 'kernel/sys.c', sys_prctl, [['option', 'int'], ['arg2', 'hex']]),
  k_(168, 'getcpu', 'kernel/sys.c', sys_getcpu, [['cpu', 'ptr'], ['node', 'ptr']]),
  k_(172, 'getpid', 'kernel/sys.c', sys_getpid, []),
  k_(173, 'getppid', 'kernel/sys.c', sys_getppid, []),
  k_(178, 'gettid', 'kernel/sys.c', sys_gettid, []),
  k_(179, 'sysinfo', 'kernel/sys.c', sys_sysinfo, [['info', 'ptr']]),
  k_(261, 'prlimit64', 'kernel/sys.c', sys_prlimit64, [['pid', 'int'], ['resource', 'int'], ['new_rlim', 'ptr'], ['old_rlim', 'ptr']]),
  k_(278, 'getrandom', 'drivers/char/random.c', sys_getrandom, [['buf', 'ptr'], ['count', 'int'], ['flags', 'hex']]),
];
