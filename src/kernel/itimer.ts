/**
 * Interval timers (kernel/time/itimer.c): setitimer/getitimer, which alarm() is built on.
 *
 * ITIMER_REAL counts virtual wall-clock time and sends SIGALRM; ITIMER_VIRTUAL counts the
 * process's user time (SIGVTALRM) and ITIMER_PROF its user and system time (SIGPROF) — checked at
 * each scheduler tick, as Linux's CPU-time timers are. An interval re-arms the timer.
 */
import { EFAULT, EINVAL } from './errno';
import { current, kernel, kfunc, type KGen } from './kfunc';
import { copy_from_user, copy_to_user } from './mm/uaccess';
import { send_signal_locked } from './signal';
import { SIGALRM, SIGPROF, SIGVTALRM, SI_KERNEL, type signal_struct } from './signal_types';
import type { SyscallEntry } from './syscall';
import type { Task } from './task';

export const ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;

/** One interval timer of a process: when it next fires (ns on its clock; 0 = disarmed) and its period. */
export interface itimer {
  expires: number;
  interval: number;
  /** ITIMER_REAL only: the armed machine timer. */
  timer: ReturnType<ReturnType<typeof kernel>['add_timer']> | null;
}

const timers = new WeakMap<signal_struct, itimer[]>();

function itimers_of(sig: signal_struct): itimer[] {
  let t = timers.get(sig);
  if (t === undefined) {
    t = [0, 1, 2].map(() => ({ expires: 0, interval: 0, timer: null }));
    timers.set(sig, t);
  }
  return t;
}

/** The process's CPU time on the clock of ITIMER_VIRTUAL or ITIMER_PROF. */
function process_cputime(sig: signal_struct, which: number): number {
  const user = sig.utime + sig.thread_head.reduce((s, th) => s + th.utime, 0);
  return which === ITIMER_VIRTUAL ? user : user + sig.stime + sig.thread_head.reduce((s, th) => s + th.stime, 0);
}

function now(sig: signal_struct, which: number): number {
  return which === ITIMER_REAL ? kernel().ktime_get_ns() : process_cputime(sig, which);
}

function fire(leader: Task, sig: number): void {
  send_signal_locked(sig, { si_signo: sig, si_errno: 0, si_code: SI_KERNEL }, leader, 'TGID');
}

/** it_real_fn: ITIMER_REAL expired — SIGALRM, and re-arm if periodic. */
function arm_real(leader: Task, it: itimer): void {
  const k = kernel();
  if (it.timer !== null) k.del_timer(it.timer);
  it.timer = it.expires === 0 ? null : k.add_timer(it.expires, () => {
    fire(leader, SIGALRM);
    it.expires = it.interval === 0 ? 0 : it.expires + it.interval;
    arm_real(leader, it);
  });
}

/** Called at every scheduler tick for the running task's process: the CPU-time timers. */
export function run_posix_cpu_timers(t: Task): void {
  const sig = t.signal;
  if (sig === null || !timers.has(sig)) return;
  const its = itimers_of(sig);
  for (const [which, signo] of [[ITIMER_VIRTUAL, SIGVTALRM], [ITIMER_PROF, SIGPROF]] as const) {
    const it = its[which];
    if (it.expires === 0 || process_cputime(sig, which) < it.expires) continue;
    fire(t.group_leader, signo);
    it.expires = it.interval === 0 ? 0 : it.expires + it.interval;
  }
}

function itimerval_bytes(it: itimer, nowNs: number): Uint8Array {
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  const put = (o: number, ns: number) => {
    v.setBigInt64(o, BigInt(Math.floor(ns / 1e9)), true);
    v.setBigInt64(o + 8, BigInt(Math.floor((ns % 1e9) / 1000)), true);
  };
  put(0, it.interval);
  put(16, it.expires === 0 ? 0 : Math.max(1000, it.expires - nowNs));
  return b;
}

const sys_getitimer = kfunc('kernel/time/itimer.c', function* sys_getitimer(which: number, value: number): KGen<number> {
  if (which < 0 || which > 2) return -EINVAL;
  const sig = current().signal!;
  return (yield* copy_to_user(value, itimerval_bytes(itimers_of(sig)[which], now(sig, which)))) === 0 ? 0 : -EFAULT;
});

const sys_setitimer = kfunc('kernel/time/itimer.c', function* sys_setitimer(which: number, value: number, ovalue: number): KGen<number> {
  if (which < 0 || which > 2) return -EINVAL;
  const t = current();
  const sig = t.signal!;
  const it = itimers_of(sig)[which];
  const n = now(sig, which);
  if (ovalue !== 0 && (yield* copy_to_user(ovalue, itimerval_bytes(it, n))) !== 0) return -EFAULT;
  if (value === 0) return 0;
  const b = new Uint8Array(32);
  if ((yield* copy_from_user(b, value)) !== 0) return -EFAULT;
  const v = new DataView(b.buffer);
  const tv = (o: number): number => {
    const s = Number(v.getBigInt64(o, true));
    const us = Number(v.getBigInt64(o + 8, true));
    return s < 0 || us < 0 || us >= 1e6 ? -1 : s * 1e9 + us * 1000;
  };
  const interval = tv(0);
  const val = tv(16);
  if (interval < 0 || val < 0) return -EINVAL;
  it.interval = interval;
  it.expires = val === 0 ? 0 : n + val;
  if (which === ITIMER_REAL) arm_real(t.group_leader, it);
  return 0;
});

export const itimer_syscalls: SyscallEntry[] = [
  { nr: 102, name: 'getitimer', fn: sys_getitimer, args: [['which', 'int'], ['value', 'ptr']] },
  { nr: 103, name: 'setitimer', fn: sys_setitimer, args: [['which', 'int'], ['value', 'ptr'], ['ovalue', 'ptr']] },
];
