/**
 * Fast user-space mutexes (kernel/futex/): a thread that finds a lock word busy sleeps in the
 * kernel on that word's address until another thread wakes it. glibc's mutexes, condition
 * variables, pthread_join (through CLONE_CHILD_CLEARTID) and barriers are built on it.
 *
 * A futex is identified by its address space and user address (Linux's private key). Wait queues
 * are kept per key in creation order, so who is woken first is deterministic.
 */
import { EAGAIN, EFAULT, EINVAL, ENOSYS, ETIMEDOUT, EINTR } from './errno';
import { current, kernel, kfunc, klocals, type KGen } from './kfunc';
import type { mm_struct } from './mm/mm_types';
import { copy_from_user, get_user_u32, put_user_u32 } from './mm/uaccess';
import { schedule, try_to_wake_up } from './sched/core';
import { signal_pending } from './signal';
import type { SyscallEntry } from './syscall';
import { get_timespec64 } from './time';
import { Task, TASK_INTERRUPTIBLE, TASK_RUNNING } from './task';

export const FUTEX_WAIT = 0;
export const FUTEX_WAKE = 1;
export const FUTEX_REQUEUE = 3;
export const FUTEX_CMP_REQUEUE = 4;
export const FUTEX_WAKE_OP = 5;
export const FUTEX_WAIT_BITSET = 9;
export const FUTEX_WAKE_BITSET = 10;
export const FUTEX_PRIVATE_FLAG = 128;
export const FUTEX_CLOCK_REALTIME = 256;
export const FUTEX_BITSET_MATCH_ANY = 0xffffffff;

interface futex_q {
  task: Task;
  key: string;
  bitset: number;
  woken: boolean;
}

/** The futex hash table of one machine: key → waiters in arrival order. */
const queues = new WeakMap<object, Map<string, futex_q[]>>();

function hb(): Map<string, futex_q[]> {
  const k = kernel();
  let m = queues.get(k);
  if (m === undefined) {
    m = new Map();
    queues.set(k, m);
  }
  return m;
}

function futex_key(mm: mm_struct, uaddr: number): string {
  return `${mm.id}:${uaddr}`;
}

/** Wakes up to `nr` waiters on the word at `uaddr` of `mm` whose bitset matches. */
function wake_key(key: string, nr: number, bitset: number): number {
  const list = hb().get(key);
  if (list === undefined) return 0;
  let woken = 0;
  for (const q of [...list]) {
    if (woken >= nr) break;
    if ((q.bitset & bitset) === 0) continue;
    q.woken = true;
    list.splice(list.indexOf(q), 1);
    try_to_wake_up(q.task, TASK_INTERRUPTIBLE);
    woken++;
  }
  if (list.length === 0) hb().delete(key);
  return woken;
}

const FUTEX_WAITERS = 0x80000000;
const FUTEX_OWNER_DIED = 0x40000000;
const FUTEX_TID_MASK = 0x3fffffff;
/** ROBUST_LIST_LIMIT: a corrupt (circular) list cannot keep the exiting task busy forever. */
const ROBUST_LIST_LIMIT = 2048;

/**
 * handle_futex_death: a lock word still owned by the dying thread is marked OWNER_DIED (so the
 * next locker gets EOWNERDEAD) and one waiter is woken.
 */
function* handle_futex_death(mm: mm_struct, uaddr: number, tid: number): KGen<void> {
  const uval = yield* get_user_u32(uaddr);
  if (uval < 0 || ((uval >>> 0) & FUTEX_TID_MASK) !== tid) return;
  const nval = (((uval >>> 0) & FUTEX_WAITERS) | FUTEX_OWNER_DIED) >>> 0;
  if ((yield* put_user_u32(uaddr, nval)) !== 0) return;
  if (((uval >>> 0) & FUTEX_WAITERS) !== 0) futex_wake_address(mm, uaddr, 1);
}

/**
 * exit_robust_list: walk the robust-mutex list a thread registered with set_robust_list
 * (`struct robust_list_head`: next pointer, futex_offset, list_op_pending) and release every lock
 * the thread still holds, as the kernel does when a thread dies holding a robust mutex.
 */
export const exit_robust_list = kfunc('kernel/futex/core.c', function* exit_robust_list(tsk: Task, head: number): KGen<void> {
  const mm = tsk.mm;
  if (mm === null || head === 0) return;
  const b = new Uint8Array(24);
  if ((yield* copy_from_user(b, head)) !== 0) return;
  const v = new DataView(b.buffer);
  let entry = Number(v.getBigUint64(0, true));
  const futex_offset = Number(v.getBigInt64(8, true));
  const pending = Number(v.getBigUint64(16, true));
  const word = new Uint8Array(8);
  for (let n = 0; entry !== head && entry !== 0 && n < ROBUST_LIST_LIMIT; n++) {
    if ((yield* copy_from_user(word, entry)) !== 0) return;
    const next = Number(new DataView(word.buffer).getBigUint64(0, true));
    // The bit 0 of an entry marks a PI futex; the address is the rest.
    if (entry !== pending) yield* handle_futex_death(mm, (entry & ~1) + futex_offset, tsk.pid);
    entry = next;
  }
  if (pending !== 0) yield* handle_futex_death(mm, (pending & ~1) + futex_offset, tsk.pid);
});

/** Used by mm_release for CLONE_CHILD_CLEARTID (pthread_join's wakeup). */
export function futex_wake_address(mm: mm_struct, uaddr: number, nr: number): number {
  return wake_key(futex_key(mm, uaddr), nr, FUTEX_BITSET_MATCH_ANY);
}

/**
 * futex_wait: sleep if the word still holds `val` (checked atomically with queueing — one CPU and
 * no preemption inside the kernel make that automatic here), until woken, a signal, or the
 * absolute virtual-time deadline.
 */
const futex_wait = kfunc('kernel/futex/waitwake.c', function* futex_wait(uaddr: number, val: number, deadline: number, bitset: number): KGen<number> {
  const t = current();
  klocals({ uaddr: '0x' + uaddr.toString(16), val });
  if (bitset === 0) return -EINVAL;
  const cur = yield* get_user_u32(uaddr);
  if (cur < 0) return -EFAULT;
  if ((cur >>> 0) !== (val >>> 0)) return -EAGAIN;
  const key = futex_key(t.mm!, uaddr);
  const q: futex_q = { task: t, key, bitset, woken: false };
  const list = hb().get(key) ?? [];
  list.push(q);
  hb().set(key, list);
  const k = kernel();
  let timedOut = false;
  const timer = deadline >= 0 ? k.add_timer(deadline, () => { timedOut = true; try_to_wake_up(t, TASK_INTERRUPTIBLE); }) : null;
  while (!q.woken && !timedOut && !signal_pending(t)) {
    t.__state = TASK_INTERRUPTIBLE;
    yield* schedule();
  }
  t.__state = TASK_RUNNING;
  if (timer !== null) k.del_timer(timer);
  if (!q.woken) {
    const l = hb().get(key);
    if (l !== undefined) {
      const i = l.indexOf(q);
      if (i >= 0) l.splice(i, 1);
      if (l.length === 0) hb().delete(key);
    }
    return timedOut ? -ETIMEDOUT : -EINTR;
  }
  return 0;
});

/** futex(uaddr, op, val, timeout/val2, uaddr2, val3). */
const sys_futex = kfunc('kernel/futex/syscalls.c', function* sys_futex(uaddr: number, op: number, val: number, utime: number, uaddr2: number, val3: number): KGen<number> {
  const t = current();
  if (t.mm === null) return -EFAULT;
  const cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  if ((uaddr & 3) !== 0) return -EINVAL;
  const k = kernel();
  switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      let deadline = -1;
      if (utime !== 0) {
        const ns = yield* get_timespec64(utime);
        if (ns < 0) return ns;
        // FUTEX_WAIT's timeout is relative; WAIT_BITSET's is absolute on its clock.
        deadline = cmd === FUTEX_WAIT ? k.ktime_get_ns() + ns : (op & FUTEX_CLOCK_REALTIME) !== 0 ? ns - k.realtime_offset_ns : ns;
      }
      return yield* futex_wait(uaddr, val, deadline, cmd === FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3 >>> 0);
    }
    case FUTEX_WAKE:
      return wake_key(futex_key(t.mm, uaddr), val, FUTEX_BITSET_MATCH_ANY);
    case FUTEX_WAKE_BITSET:
      if (val3 === 0) return -EINVAL;
      return wake_key(futex_key(t.mm, uaddr), val, val3 >>> 0);
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      if (cmd === FUTEX_CMP_REQUEUE) {
        const cur = yield* get_user_u32(uaddr);
        if (cur < 0) return -EFAULT;
        if ((cur >>> 0) !== (val3 >>> 0)) return -EAGAIN;
      }
      const from = futex_key(t.mm, uaddr);
      const woken = wake_key(from, val, FUTEX_BITSET_MATCH_ANY);
      // Move up to val2 (passed in the timeout slot) of the remaining waiters to uaddr2.
      const list = hb().get(from) ?? [];
      const to = futex_key(t.mm, uaddr2);
      const moved = list.splice(0, Math.max(0, utime | 0));
      if (list.length === 0) hb().delete(from);
      if (moved.length > 0) hb().set(to, [...(hb().get(to) ?? []), ...moved.map((q) => { q.key = to; return q; })]);
      return woken + moved.length;
    }
    default:
      return -ENOSYS;
  }
});

export const futex_syscalls: SyscallEntry[] = [
  { nr: 98, name: 'futex', fn: sys_futex, args: [['uaddr', 'ptr'], ['op', 'int'], ['val', 'int'], ['utime', 'ptr'], ['uaddr2', 'ptr'], ['val3', 'int']] },
];
