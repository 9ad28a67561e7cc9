/**
 * The out-of-memory killer (mm/oom_kill.c).
 *
 * `oom_init` starts the `oom_reaper` kernel thread at boot; the reaper sleeps until the OOM killer
 * queues a victim, then frees the victim's memory without waiting for it to exit.
 */
import { kernel, kfunc, type KGen } from '../kfunc';
import { kthread_run } from '../kthread';
import { wait_event_interruptible, wait_queue_head } from '../sched/wait';
import type { Task } from '../task';

/** The reaper's queue of victims (oom_reaper_list) and where it sleeps (oom_reaper_wait). */
export class oom_state {
  readonly oom_reaper_list: Task[] = [];
  readonly oom_reaper_wait = new wait_queue_head();
  oom_reaper_th: Task | null = null;
}

/** oom_reaper: the kernel thread's loop — reap each queued victim's memory. */
const oom_reaper = kfunc('mm/oom_kill.c', function* oom_reaper(): KGen<void> {
  const st = kernel().oom;
  for (;;) {
    yield* wait_event_interruptible(st.oom_reaper_wait, () => st.oom_reaper_list.length > 0);
    while (st.oom_reaper_list.length > 0) {
      const victim = st.oom_reaper_list.shift()!;
      yield* oom_reap_task(victim);
    }
  }
});

/** oom_reap_task: free what the victim holds (filled in by the OOM killer's implementation). */
const oom_reap_task = kfunc('mm/oom_kill.c', function* oom_reap_task(_victim: Task): KGen<void> {
});

/** oom_init (an initcall): start the reaper thread. */
export const oom_init = kfunc('mm/oom_kill.c', function* oom_init(): KGen<void> {
  const t = yield* kthread_run(oom_reaper, 'oom_reaper');
  if (typeof t !== 'number') kernel().oom.oom_reaper_th = t;
});
