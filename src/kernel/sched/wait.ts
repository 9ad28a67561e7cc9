/**
 * Wait queues (include/linux/wait.h, kernel/sched/wait.c): where a task sleeps until something
 * it waits for happens — a child exits (wait4), a pipe gets data, a vfork child releases the mm.
 */
import { ERESTARTSYS } from '../errno';
import { current, kfunc, type KGen } from '../kfunc';
import { fatal_signal_pending, signal_pending } from '../signal';
import { Task, TASK_INTERRUPTIBLE, TASK_KILLABLE, TASK_RUNNING, TASK_UNINTERRUPTIBLE } from '../task';
import { schedule, try_to_wake_up } from './core';

export class wait_queue_head {
  readonly head: Task[] = [];
}

function add_wait_queue(wq: wait_queue_head, t: Task): void {
  if (!wq.head.includes(t)) wq.head.push(t);
}

function remove_wait_queue(wq: wait_queue_head, t: Task): void {
  const i = wq.head.indexOf(t);
  if (i >= 0) wq.head.splice(i, 1);
}

/** Would a signal interrupt a sleep in `state` now? (signal_pending_state) */
export function signal_pending_state(state: number, t: Task): boolean {
  if ((state & TASK_INTERRUPTIBLE) !== 0) return signal_pending(t);
  if ((state & TASK_KILLABLE) === TASK_KILLABLE) return fatal_signal_pending(t);
  return false;
}

/**
 * ___wait_event: sleep in `state` on `wq` until `condition()` holds. Returns 0, or -ERESTARTSYS
 * when a signal the state allows interrupts the wait (the syscall then restarts or fails EINTR).
 */
export const ___wait_event = kfunc('include/linux/wait.h', function* ___wait_event(
  wq: wait_queue_head, condition: () => boolean, state: number,
): KGen<number> {
  const t = current();
  for (;;) {
    if (condition()) break;
    if (signal_pending_state(state, t)) {
      remove_wait_queue(wq, t);
      t.__state = TASK_RUNNING;
      return -ERESTARTSYS;
    }
    add_wait_queue(wq, t);
    t.__state = state;
    yield* schedule();
  }
  remove_wait_queue(wq, t);
  t.__state = TASK_RUNNING;
  return 0;
});

export function wait_event_interruptible(wq: wait_queue_head, condition: () => boolean): KGen<number> {
  return ___wait_event(wq, condition, TASK_INTERRUPTIBLE);
}

export function wait_event_killable(wq: wait_queue_head, condition: () => boolean): KGen<number> {
  return ___wait_event(wq, condition, TASK_KILLABLE);
}

export function wait_event(wq: wait_queue_head, condition: () => boolean): KGen<number> {
  return ___wait_event(wq, condition, TASK_UNINTERRUPTIBLE);
}

/** __wake_up: wakes every task sleeping on `wq` in one of the states in `mode`. */
export function __wake_up(wq: wait_queue_head, mode: number): void {
  for (const t of [...wq.head]) try_to_wake_up(t, mode);
}

export function wake_up(wq: wait_queue_head): void {
  __wake_up(wq, TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE);
}

export function wake_up_interruptible(wq: wait_queue_head): void {
  __wake_up(wq, TASK_INTERRUPTIBLE);
}

/** `struct completion` (kernel/sched/completion.c), used by vfork and kthread creation. */
export class completion {
  done = 0;
  readonly wait = new wait_queue_head();
}

export function complete(x: completion): void {
  x.done++;
  wake_up(x.wait);
}

/** wait_for_completion_state: sleeps until completed; -ERESTARTSYS if a signal ends the wait. */
export const wait_for_completion_state = kfunc('kernel/sched/completion.c', function* wait_for_completion_state(
  x: completion, state: number,
): KGen<number> {
  const r = yield* ___wait_event(x.wait, () => x.done > 0, state);
  if (r === 0) x.done--;
  return r;
});

