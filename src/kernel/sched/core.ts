/**
 * The scheduler (kernel/sched/core.c, kernel/sched/fair.c), reduced to one CPU and one policy.
 *
 * Runnable tasks wait on the run queue; the one with the smallest `se.vruntime` runs next (CFS's
 * rule — EEVDF's deadlines add nothing visible with equal weights). Time is virtual: a task's
 * runtime is the number of instructions it retired (design.md, decision 3), so scheduling is a
 * pure function of the machine state and every run is reproducible.
 */
import { capture_kernel_lines, current, kernel, kfunc, klocals, SCHEDULE, type KGen } from '../kfunc';
import { Task, TASK_NEW, TASK_RUNNING } from '../task';

/** Instructions between two timer ticks (one virtual millisecond at 1 ns per instruction). */
export const TICK_INSNS = 1_000_000;
/** A task runs at least this long before a tick preempts it (sysctl_sched_base_slice 3 ms). */
export const SCHED_SLICE_INSNS = 3_000_000;

/** `struct rq`: the run queue of the single CPU. */
export class rq {
  /** Runnable tasks other than `curr`, in enqueue order (the order breaks vruntime ties). */
  readonly queue: Task[] = [];
  /** The running task (may be the idle task, pid 0). */
  curr: Task | null = null;
  idle: Task | null = null;
  min_vruntime = 0;
  /** Context switches, for --stats. */
  nr_switches = 0;
}

/** The reschedule request of thread_info.flags (TIF_NEED_RESCHED). */
const needResched = new WeakSet<Task>();

export function set_tsk_need_resched(t: Task): void {
  needResched.add(t);
}

export function test_and_clear_need_resched(t: Task): boolean {
  return needResched.delete(t);
}

function enqueue_task(q: rq, t: Task): void {
  if (t !== q.curr && !q.queue.includes(t)) q.queue.push(t);
}

function dequeue_task(q: rq, t: Task): void {
  const i = q.queue.indexOf(t);
  if (i >= 0) q.queue.splice(i, 1);
}

/** pick_next_task_fair: the runnable task with the smallest vruntime (first enqueued on ties). */
export function pick_next_task(q: rq): Task | null {
  let best: Task | null = null;
  for (const t of q.queue) if (best === null || t.se.vruntime < best.se.vruntime) best = t;
  return best;
}

/** update_curr: charge the running task for the instructions it retired since last time. */
export function update_curr(q: rq, t: Task, insns: number): void {
  t.se.vruntime += insns;
  t.se.sum_exec_runtime += insns;
  let min = t.se.vruntime;
  for (const o of q.queue) if (o.se.vruntime < min) min = o.se.vruntime;
  if (min > q.min_vruntime) q.min_vruntime = min;
}

/**
 * __schedule's choice: takes `prev` off the CPU (off the queue too if it no longer runs) and
 * returns the next task, or null when nothing is runnable (the CPU idles).
 */
export function __schedule(q: rq, prev: Task | null): Task | null {
  if (prev !== null && prev.__state === TASK_RUNNING && prev !== q.idle) q.queue.push(prev);
  const next = pick_next_task(q);
  if (next !== null) dequeue_task(q, next);
  if (next !== prev) q.nr_switches++;
  q.curr = next;
  return next;
}

/** schedule(): gives up the CPU; the task sleeps if it set a sleeping `__state` first. */
export function* schedule(): KGen<void> {
  const k = kernel();
  if (k.captureKernelLines) capture_kernel_lines(current());
  yield SCHEDULE;
}

/** try_to_wake_up: makes a sleeping task in one of `state`'s states runnable again. */
export function try_to_wake_up(t: Task, state: number): boolean {
  if (t.__state === TASK_RUNNING || (t.__state & state) === 0) return false;
  t.__state = TASK_RUNNING;
  const q = kernel().rq;
  // place_entity: a sleeper does not bank unlimited credit while it sleeps.
  t.se.vruntime = Math.max(t.se.vruntime, q.min_vruntime - SCHED_SLICE_INSNS / 2);
  enqueue_task(q, t);
  if (q.curr !== null && t.se.vruntime < q.curr.se.vruntime) set_tsk_need_resched(q.curr);
  return true;
}

export function wake_up_process(t: Task): boolean {
  return try_to_wake_up(t, ~0);
}

/** sched_fork: the child starts as TASK_NEW with the parent's normal priority. */
export const sched_fork = kfunc('kernel/sched/core.c', function* sched_fork(p: Task): KGen<void> {
  p.__state = TASK_NEW;
  p.se.vruntime = 0;
  p.se.sum_exec_runtime = 0;
  p.prio = current().normal_prio;
});

/**
 * wake_up_new_task: the child becomes runnable, placed at the parent's vruntime
 * (task_fork_fair). At its entry the child is complete — it has its pid — but still TASK_NEW.
 */
export const wake_up_new_task = kfunc('kernel/sched/core.c', function* wake_up_new_task(p: Task): KGen<void> {
  const q = kernel().rq;
  klocals({ p });
  p.__state = TASK_RUNNING;
  p.se.vruntime = Math.max(q.min_vruntime, q.curr?.se.vruntime ?? 0);
  enqueue_task(q, p);
});

/** Removes a task that will never run again (do_task_dead) from the run queue. */
export function dequeue_dead(t: Task): void {
  dequeue_task(kernel().rq, t);
}
