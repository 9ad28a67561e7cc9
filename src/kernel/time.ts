/**
 * Clocks and sleeping (kernel/time/posix-timers.c, hrtimer.c, time.c) on virtual time.
 *
 * CLOCK_MONOTONIC counts virtual nanoseconds since boot: one per retired instruction, plus the
 * time the CPU idled waiting for a sleeper's timer (design.md, decision 3). CLOCK_REALTIME is that
 * plus a fixed epoch, so a program sees the same times on every run.
 */
import { EFAULT, EINVAL, ERESTART_RESTARTBLOCK } from './errno';
import { current, kernel, kfunc, klocals, type KGen } from './kfunc';
import { copy_from_user, copy_to_user } from './mm/uaccess';
import { schedule, try_to_wake_up } from './sched/core';
import { signal_pending } from './signal';
import type { SyscallEntry } from './syscall';
import { TASK_INTERRUPTIBLE, TASK_RUNNING } from './task';

export const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
  CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;
const TIMER_ABSTIME = 1;

/** The value of a clock now, in ns, or -EINVAL for an unknown clock. */
function clock_now(which: number): number {
  const k = kernel();
  const t = current();
  switch (which) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
      return k.ktime_get_ns() + k.realtime_offset_ns;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
      return k.ktime_get_ns();
    case CLOCK_PROCESS_CPUTIME_ID:
      return t.signal!.thread_head.reduce((s, th) => s + th.utime + th.stime, 0) + t.signal!.utime + t.signal!.stime;
    case CLOCK_THREAD_CPUTIME_ID:
      return t.utime + t.stime;
    default:
      return -EINVAL;
  }
}

function timespec_bytes(ns: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(Math.floor(ns / 1e9)), true);
  v.setBigInt64(8, BigInt(ns % 1e9), true);
  return b;
}

/** get_timespec64: a user `struct timespec` in nanoseconds, or -EFAULT / -EINVAL. */
export function* get_timespec64(addr: number): KGen<number> {
  const b = new Uint8Array(16);
  if ((yield* copy_from_user(b, addr)) !== 0) return -EFAULT;
  const v = new DataView(b.buffer);
  const sec = Number(v.getBigInt64(0, true));
  const nsec = Number(v.getBigInt64(8, true));
  if (sec < 0 || nsec < 0 || nsec >= 1e9) return -EINVAL;
  return sec * 1e9 + nsec;
}

const sys_clock_gettime = kfunc('kernel/time/posix-timers.c', function* sys_clock_gettime(which: number, tp: number): KGen<number> {
  const ns = clock_now(which | 0);
  if (ns < 0) return ns;
  return (yield* copy_to_user(tp, timespec_bytes(ns))) === 0 ? 0 : -EFAULT;
});

const sys_clock_getres = kfunc('kernel/time/posix-timers.c', function* sys_clock_getres(which: number, tp: number): KGen<number> {
  if (clock_now(which | 0) < 0) return -EINVAL;
  if (tp === 0) return 0;
  return (yield* copy_to_user(tp, timespec_bytes(1))) === 0 ? 0 : -EFAULT;
});

const sys_gettimeofday = kfunc('kernel/time/time.c', function* sys_gettimeofday(tv: number, tz: number): KGen<number> {
  const ns = clock_now(CLOCK_REALTIME);
  if (tv !== 0) {
    const b = new Uint8Array(16);
    const v = new DataView(b.buffer);
    v.setBigInt64(0, BigInt(Math.floor(ns / 1e9)), true);
    v.setBigInt64(8, BigInt(Math.floor((ns % 1e9) / 1000)), true);
    if ((yield* copy_to_user(tv, b)) !== 0) return -EFAULT;
  }
  if (tz !== 0 && (yield* copy_to_user(tz, new Uint8Array(8))) !== 0) return -EFAULT;
  return 0;
});

/**
 * hrtimer_nanosleep / do_nanosleep: sleep until the absolute monotonic `expires`. Interrupted by
 * a signal, the remaining time is reported and the call ends with ERESTART_RESTARTBLOCK (which
 * becomes EINTR if a handler ran).
 */
const do_nanosleep = kfunc('kernel/time/hrtimer.c', function* do_nanosleep(expires: number, rmtp: number): KGen<number> {
  const t = current();
  const k = kernel();
  klocals({ expires });
  let fired = k.ktime_get_ns() >= expires;
  const timer = fired ? null : k.add_timer(expires, () => { fired = true; try_to_wake_up(t, TASK_INTERRUPTIBLE); });
  while (!fired && !signal_pending(t)) {
    t.__state = TASK_INTERRUPTIBLE;
    yield* schedule();
  }
  t.__state = TASK_RUNNING;
  if (timer !== null) k.del_timer(timer);
  if (fired) return 0;
  if (rmtp !== 0 && (yield* copy_to_user(rmtp, timespec_bytes(Math.max(0, expires - k.ktime_get_ns())))) !== 0) return -EFAULT;
  return -ERESTART_RESTARTBLOCK;
});

const sys_nanosleep = kfunc('kernel/time/hrtimer.c', function* sys_nanosleep(rqtp: number, rmtp: number): KGen<number> {
  const ns = yield* get_timespec64(rqtp);
  if (ns < 0) return ns;
  return yield* do_nanosleep(kernel().ktime_get_ns() + ns, rmtp);
});

const sys_clock_nanosleep = kfunc('kernel/time/posix-timers.c', function* sys_clock_nanosleep(which: number, flags: number, rqtp: number, rmtp: number): KGen<number> {
  which = which | 0;
  if (which !== CLOCK_REALTIME && which !== CLOCK_MONOTONIC && which !== CLOCK_BOOTTIME) return -EINVAL;
  const ns = yield* get_timespec64(rqtp);
  if (ns < 0) return ns;
  const k = kernel();
  const offset = which === CLOCK_REALTIME ? k.realtime_offset_ns : 0;
  const expires = (flags & TIMER_ABSTIME) !== 0 ? ns - offset : k.ktime_get_ns() + ns;
  return yield* do_nanosleep(expires, (flags & TIMER_ABSTIME) !== 0 ? 0 : rmtp);
});

export const time_syscalls: SyscallEntry[] = [
  { nr: 101, name: 'nanosleep', fn: sys_nanosleep, args: [['rqtp', 'ptr'], ['rmtp', 'ptr']] },
  { nr: 113, name: 'clock_gettime', fn: sys_clock_gettime, args: [['which_clock', 'int'], ['tp', 'ptr']] },
  { nr: 114, name: 'clock_getres', fn: sys_clock_getres, args: [['which_clock', 'int'], ['tp', 'ptr']] },
  { nr: 115, name: 'clock_nanosleep', fn: sys_clock_nanosleep, args: [['which_clock', 'int'], ['flags', 'int'], ['rqtp', 'ptr'], ['rmtp', 'ptr']] },
  { nr: 169, name: 'gettimeofday', fn: sys_gettimeofday, args: [['tv', 'ptr'], ['tz', 'ptr']] },
];
