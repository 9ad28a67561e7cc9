/**
 * Process identifiers (kernel/pid.c, include/linux/pid.h).
 *
 * A `struct pid` names a thread; its number comes from the namespace's idr, allocated cyclically
 * (`idr_alloc_cyclic`): after the highest number handed out so far, wrapping at `pid_max` back to
 * RESERVED_PIDS, so numbers are reused only after a whole cycle. Forkscope has one pid namespace.
 */
import { EAGAIN, EEXIST, EINVAL } from './errno';
import { kernel, kfunc, type KGen } from './kfunc';
import type { Task } from './task';

/** Default pid_max (include/linux/threads.h: PID_MAX_DEFAULT). */
export const PID_MAX_DEFAULT = 32768;
/** After wrapping, numbers below this are skipped (they belong to daemons started at boot). */
export const RESERVED_PIDS = 300;

export class pid {
  /** References (the task, wait queues, pidfds). */
  count = 1;
  readonly level = 0;
  constructor(readonly nr: number, public task: Task | null) {}
}

export class pid_namespace {
  /** nr → struct pid; the idr. */
  readonly idr = new Map<number, pid>();
  /** The last number handed out (idr_alloc_cyclic's cursor). */
  last_pid = 0;
  pid_allocated = 0;
  child_reaper: Task | null = null;
  constructor(public pid_max: number = PID_MAX_DEFAULT) {}
}

/**
 * alloc_pid: the next free number after `last_pid`, wrapping to RESERVED_PIDS; -EAGAIN when every
 * number below pid_max is taken. Pid 0 is never allocated here (it is the idle task's, set at boot).
 * With `set_tid` (clone3), exactly that number: -EINVAL outside [1, pid_max), -EEXIST if taken.
 */
export const alloc_pid = kfunc('kernel/pid.c', function* alloc_pid(ns: pid_namespace, task: Task, set_tid: number): KGen<pid | number> {
  if (set_tid !== 0) {
    // clone3's set_tid asks for that exact number (idr_alloc of one slot; the cursor stays).
    if (set_tid < 1 || set_tid >= ns.pid_max) return -EINVAL;
    if (ns.idr.has(set_tid)) return -EEXIST;
    const p = new pid(set_tid, task);
    ns.idr.set(set_tid, p);
    ns.pid_allocated++;
    return p;
  }
  const span = ns.pid_max - 1;
  let nr = ns.last_pid;
  for (let i = 0; i < span; i++) {
    nr = nr + 1 >= ns.pid_max ? (ns.last_pid === 0 ? 1 : RESERVED_PIDS) : nr + 1;
    if (!ns.idr.has(nr)) {
      const p = new pid(nr, task);
      ns.idr.set(nr, p);
      ns.last_pid = nr;
      ns.pid_allocated++;
      return p;
    }
  }
  return -EAGAIN;
});

/** free_pid: the number becomes available again (at release_task). */
export function free_pid(ns: pid_namespace, p: pid): void {
  if (ns.idr.get(p.nr) === p) {
    ns.idr.delete(p.nr);
    ns.pid_allocated--;
  }
  p.task = null;
}

/** find_task_by_vpid: the task with thread id `nr`, or null. */
export function find_task_by_vpid(nr: number): Task | null {
  return kernel().init_pid_ns.idr.get(nr)?.task ?? null;
}
