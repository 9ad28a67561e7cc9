/**
 * Readiness of open files (include/linux/poll.h, include/uapi/linux/eventpoll.h): the event
 * bits, the helpers of the `poll` file operation, and how sleepers hear that readiness changed.
 *
 * A file's `poll` op says what could be done now without blocking, as EPOLL* bits, and — given a
 * poll_table — names with poll_wait() each wait queue on which a change will be announced.
 * poll and select put the calling task on those queues and sleep. epoll instead hangs a
 * callback on them (Linux's wait_queue_entry with a `func`), so it hears of every event even when
 * nobody is waiting, which edge-triggered epoll depends on. Forkscope's wait queues hold tasks
 * only (sched/wait.ts), so the callbacks live here beside them and are run by
 * wake_up_interruptible_poll(), the wake-up that wakers who know their event use (pipes, epoll).
 */
import { current, kernel, type KGen } from '../kfunc';
import { schedule, try_to_wake_up } from '../sched/core';
import { wake_up_interruptible, type wait_queue_head } from '../sched/wait';
import { TASK_INTERRUPTIBLE, TASK_RUNNING, type Task } from '../task';
import type { file } from './fs_types';
import { EPOLLIN, EPOLLOUT, EPOLLRDNORM, EPOLLWRNORM } from './uapi';

/** What a file without a poll op reports (regular files, directories, /dev/null): always ready. */
export const DEFAULT_POLLMASK = EPOLLIN | EPOLLOUT | EPOLLRDNORM | EPOLLWRNORM;

/** `struct poll_table_struct`: how a poll op registers the queues it will announce changes on. */
export interface poll_table {
  /** Called by poll_wait for each queue; null when the caller needs no more queues. */
  _qproc: ((f: file, wq: wait_queue_head, pt: poll_table) => void) | null;
  /** The events the caller cares about. */
  _key: number;
}

/** poll_wait: a poll op names a queue on which a change of readiness will be announced. */
export function poll_wait(f: file, wq: wait_queue_head, p: poll_table | null): void {
  if (p !== null && p._qproc !== null) p._qproc(f, wq, p);
}

/** file_can_poll: does the file say when it is ready? (epoll accepts only such files.) */
export function file_can_poll(f: file): boolean {
  return f.f_op.poll !== undefined;
}

/** vfs_poll: the file's readiness; files without a poll op are always ready. */
export function vfs_poll(f: file, pt: poll_table | null): number {
  return f.f_op.poll === undefined ? DEFAULT_POLLMASK : f.f_op.poll(f, pt) >>> 0;
}

/** A callback on a wait queue (wait_queue_entry.func), told the events of each wake-up (0: any). */
export type wait_queue_func = (key: number) => void;

const queue_funcs = new WeakMap<wait_queue_head, Set<wait_queue_func>>();

export function add_wait_queue_func(wq: wait_queue_head, fn: wait_queue_func): void {
  let fns = queue_funcs.get(wq);
  if (fns === undefined) {
    fns = new Set();
    queue_funcs.set(wq, fns);
  }
  fns.add(fn);
}

export function remove_wait_queue_func(wq: wait_queue_head, fn: wait_queue_func): void {
  queue_funcs.get(wq)?.delete(fn);
}

/** waitqueue_active: is anyone on `wq` — a sleeping task or a callback? */
export function waitqueue_active(wq: wait_queue_head): boolean {
  return wq.head.length > 0 || (queue_funcs.get(wq)?.size ?? 0) > 0;
}

/**
 * wake_up_interruptible_poll: wakes the tasks sleeping on `wq` and tells its callbacks which
 * events happened (`key`, EPOLL* bits; 0 when any may have).
 */
export function wake_up_interruptible_poll(wq: wait_queue_head, key: number): void {
  wake_up_interruptible(wq);
  const fns = queue_funcs.get(wq);
  if (fns !== undefined) for (const fn of [...fns]) fn(key);
}

/**
 * `struct poll_wqueues`: the queues one poll, select or epoll_wait sleeps on. The task joins each
 * queue as it is named (__pollwait) and leaves them all at the end (poll_freewait).
 */
export class poll_wqueues implements poll_table {
  _qproc: poll_table['_qproc'] = (_f, wq) => this.add(wq);
  _key = 0;
  private readonly queues: wait_queue_head[] = [];

  constructor(readonly polling_task: Task) {}

  add(wq: wait_queue_head): void {
    if (this.queues.includes(wq)) return;
    this.queues.push(wq);
    if (!wq.head.includes(this.polling_task)) wq.head.push(this.polling_task);
  }

  /** poll_freewait: off every queue. */
  free(): void {
    for (const wq of this.queues) {
      const i = wq.head.indexOf(this.polling_task);
      if (i >= 0) wq.head.splice(i, 1);
    }
    this.queues.length = 0;
  }
}

/**
 * poll_schedule_timeout: sleeps (interruptibly) until a queue wakes the task, a signal comes, or
 * virtual time reaches `expires` (absolute ns; null: no limit). False when the time ran out.
 */
export function* poll_schedule_timeout(expires: number | null): KGen<boolean> {
  const t = current();
  const k = kernel();
  if (expires !== null && k.ktime_get_ns() >= expires) return false;
  let fired = false;
  const timer = expires === null ? null : k.add_timer(expires, () => {
    fired = true;
    try_to_wake_up(t, TASK_INTERRUPTIBLE);
  });
  t.__state = TASK_INTERRUPTIBLE;
  yield* schedule();
  t.__state = TASK_RUNNING;
  if (timer !== null) k.del_timer(timer);
  return !fired;
}
