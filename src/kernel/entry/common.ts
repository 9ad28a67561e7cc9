/**
 * The way back to user mode (kernel/entry/common.c): before a task returns from a system call or
 * an exception, pending work is done — a reschedule if one was requested, and the delivery of
 * pending signals (`arch_do_signal_or_restart`), which may run the default action (and never
 * return) or set up a handler frame.
 */
import { arch_do_signal_or_restart } from '../arch/riscv/signal';
import { current, kfunc, type KGen } from '../kfunc';
import { schedule, test_and_clear_need_resched } from '../sched/core';
import { signal_pending } from '../signal';

const exit_to_user_mode_loop = kfunc('kernel/entry/common.c', function* exit_to_user_mode_loop(inSyscall: boolean): KGen<void> {
  const t = current();
  for (;;) {
    if (test_and_clear_need_resched(t)) yield* schedule();
    if (!signal_pending(t) && t.saved_sigmask === null) break;
    const handled = yield* arch_do_signal_or_restart(inSyscall);
    if (!handled) break;
  }
});

export const syscall_exit_to_user_mode = kfunc('kernel/entry/common.c', function* syscall_exit_to_user_mode(): KGen<void> {
  yield* exit_to_user_mode_loop(true);
});

export const irqentry_exit_to_user_mode = kfunc('kernel/entry/common.c', function* irqentry_exit_to_user_mode(): KGen<void> {
  yield* exit_to_user_mode_loop(false);
});
