/**
 * Kernel threads (kernel/kthread.c).
 *
 * Anyone who wants a kernel thread asks `kthreadd` (pid 2): `kthread_create_on_node` queues a
 * request, wakes kthreadd and waits. kthreadd forks the thread with `kernel_thread(kthread, …)`,
 * so every kernel thread is kthreadd's child. The new thread runs `kthread()`, which reports
 * back and sleeps until someone `wake_up_process`es it; then it runs its function. Kernel
 * threads have PF_KTHREAD and no mm of their own (they borrow `active_mm`).
 */
import { EINTR } from './errno';
import { CLONE_FILES, CLONE_FS, CLONE_UNTRACED, CLONE_VM, kernel_clone } from './fork';
import { current, kernel, kfunc, klocals, type KGen } from './kfunc';
import { schedule, wake_up_process } from './sched/core';
import { completion, complete, wait_for_completion_state, wait_event_interruptible, wait_queue_head } from './sched/wait';
import { SIGCHLD } from './signal_types';
import { Task, TASK_KILLABLE, TASK_UNINTERRUPTIBLE } from './task';
import { do_exit } from './exit';

/** `struct kthread_create_info`: one request to kthreadd. */
interface kthread_create_info {
  threadfn: () => KGen<void>;
  name: string;
  result: Task | number | null;
  done: completion;
}

/** kthreadd's queue of requests (kthread_create_list) and its wait queue. */
export class kthread_state {
  readonly create_list: kthread_create_info[] = [];
  readonly wait = new wait_queue_head();
  kthreadd_task: Task | null = null;
}

/** kernel_thread: fork a kernel thread running `fn` (kernel/fork.c). */
export function kernel_thread(fn: () => KGen<void>, flags: number): KGen<number> {
  return kernel_clone({
    flags: (flags | CLONE_VM | CLONE_UNTRACED) & ~0xff, exit_signal: flags & 0xff, pidfd: 0, child_tid: 0,
    parent_tid: 0, stack: 0, stack_size: 0, tls: 0, fn, kthread: true,
  });
}

/** kthread: the body every kernel thread starts in — report, sleep until woken, run. */
function kthread(create: kthread_create_info): () => KGen<void> {
  return kfunc('kernel/kthread.c', function* kthread(): KGen<void> {
    const self = current();
    self.comm = create.name.slice(0, 15);
    create.result = self;
    self.__state = TASK_UNINTERRUPTIBLE;
    complete(create.done);
    yield* schedule();
    yield* create.threadfn();
    yield* do_exit(0);
  });
}

/** kthreadd: create the kernel threads others asked for, forever. */
export const kthreadd = kfunc('kernel/kthread.c', function* kthreadd(): KGen<void> {
  const st = kernel().kthreads;
  current().comm = 'kthreadd';
  for (;;) {
    yield* wait_event_interruptible(st.wait, () => st.create_list.length > 0);
    while (st.create_list.length > 0) {
      const create = st.create_list.shift()!;
      klocals({ creating: create.name });
      yield* create_kthread(create);
    }
  }
});

const create_kthread = kfunc('kernel/kthread.c', function* create_kthread(create: kthread_create_info): KGen<void> {
  const pid = yield* kernel_thread(kthread(create), CLONE_FS | CLONE_FILES | SIGCHLD);
  if (pid < 0) {
    create.result = pid;
    complete(create.done);
  }
});

/** kthread_create_on_node: ask kthreadd for a thread and wait until it exists (asleep). */
export const kthread_create_on_node = kfunc('kernel/kthread.c', function* kthread_create_on_node(
  threadfn: () => KGen<void>, name: string,
): KGen<Task | number> {
  const st = kernel().kthreads;
  const create: kthread_create_info = { threadfn, name, result: null, done: new completion() };
  st.create_list.push(create);
  wake_up_process(st.kthreadd_task!);
  const r = yield* wait_for_completion_state(create.done, TASK_KILLABLE);
  if (r !== 0) return -EINTR;
  return create.result ?? -EINTR;
});

/** kthread_run: create and start. */
export function* kthread_run(threadfn: () => KGen<void>, name: string): KGen<Task | number> {
  const t = yield* kthread_create_on_node(threadfn, name);
  if (typeof t !== 'number') wake_up_process(t);
  return t;
}
