/**
 * Generating and delivering signals (kernel/signal.c).
 *
 * A signal is queued on a thread (`task.pending`) or on the whole process
 * (`signal->shared_pending`), a thread that may take it is woken, and the signal is acted on when
 * that thread next returns to user mode (`get_signal`): ignored, a default action (terminate, dump
 * core, stop, continue) or a user handler, for which the architecture code builds a frame on the
 * user stack (arch/riscv/kernel/signal.ts).
 */
import { EINVAL, EAGAIN } from './errno';
import { current, kfunc, klocals, type KGen } from './kfunc';
import { schedule, try_to_wake_up } from './sched/core';
import { do_group_exit, do_notify_parent_cldstop } from './exit';
import {
  type kernel_siginfo, type k_sigaction, sigmask, sigpending, SIGKILL, SIGSTOP, SIGCONT, SIGCHLD,
  SIG_DFL, SIG_IGN, SIG_KERNEL_COREDUMP_MASK, SIG_KERNEL_IGNORE_MASK, SIG_KERNEL_ONLY_MASK,
  SIG_KERNEL_STOP_MASK, SIGNAL_GROUP_EXIT, SI_USER, SI_KERNEL, _NSIG, SIGRTMIN, SA_RESETHAND,
  SIGNAL_STOP_STOPPED, SIGNAL_STOP_CONTINUED, signame,
} from './signal_types';
import { PF_EXITING, Task, TASK_INTERRUPTIBLE, TASK_WAKEKILL, TASK_STOPPED, __TASK_STOPPED } from './task';
import { trace } from './trace';

export type PidType = 'PID' | 'TGID';

function has_pending(p: sigpending, blocked: bigint): boolean {
  return (p.signal & ~blocked) !== 0n;
}

/** signal_pending: is there a signal this task would act on when it returns to user mode? */
export function signal_pending(t: Task): boolean {
  if (t.signal === null) return false;
  return has_pending(t.pending, t.blocked) || has_pending(t.signal.shared_pending, t.blocked) ||
    (t.signal.flags & SIGNAL_GROUP_EXIT) !== 0;
}

export function fatal_signal_pending(t: Task): boolean {
  return (t.pending.signal & sigmask(SIGKILL)) !== 0n;
}

function sig_ignored_by_default(sig: number): boolean {
  return (SIG_KERNEL_IGNORE_MASK & sigmask(sig)) !== 0n;
}

/** sig_task_ignored: a signal whose handler is SIG_IGN (or default-ignore) is dropped at send time. */
function sig_ignored(t: Task, sig: number): boolean {
  if ((t.blocked & sigmask(sig)) !== 0n) return false;
  if (t.sighand === null) return true;
  const h = t.sighand.action[sig - 1].sa_handler;
  // init (pid 1) ignores every signal it has no handler for, even fatal ones (SIGNAL_UNKILLABLE).
  if (t.tgid === 1 && h === SIG_DFL && sig !== SIGCHLD) return true;
  return h === SIG_IGN || (h === SIG_DFL && sig_ignored_by_default(sig));
}

/** signal_wake_up_state: make a sleeping thread notice a new signal. */
export function signal_wake_up(t: Task, fatal: boolean): void {
  try_to_wake_up(t, TASK_INTERRUPTIBLE | (fatal ? TASK_WAKEKILL | __TASK_STOPPED : 0));
}

/** complete_signal: choose a thread of the group to handle a shared signal and wake it. */
function complete_signal(sig: number, p: Task, type: PidType): void {
  const sig_ = p.signal!;
  let t: Task | null = null;
  if (!((p.blocked & sigmask(sig)) !== 0n) && (p.flags & PF_EXITING) === 0) t = p;
  else if (type === 'TGID') {
    t = sig_.thread_head.find((x) => (x.blocked & sigmask(sig)) === 0n && (x.flags & PF_EXITING) === 0) ?? null;
  }
  if (t === null) return;
  // A fatal signal kills the whole group now (it cannot be handled): mark the group exit and
  // SIGKILL every thread, as complete_signal does for sig_fatal.
  const handler = p.sighand!.action[sig - 1].sa_handler;
  const fatal = sig === SIGKILL || (handler === SIG_DFL && !sig_ignored_by_default(sig) &&
    (SIG_KERNEL_STOP_MASK & sigmask(sig)) === 0n && (sig_.flags & SIGNAL_GROUP_EXIT) === 0);
  if (fatal && (sig_.flags & SIGNAL_GROUP_EXIT) === 0 && !(p.tgid === 1)) {
    sig_.flags = SIGNAL_GROUP_EXIT;
    sig_.group_exit_code = sig | ((SIG_KERNEL_COREDUMP_MASK & sigmask(sig)) !== 0n ? 0x80 : 0);
    for (const th of sig_.thread_head) {
      th.pending.signal |= sigmask(SIGKILL);
      signal_wake_up(th, true);
    }
    return;
  }
  signal_wake_up(t, sig === SIGKILL);
}

/** prepare_signal: SIGCONT resumes a stopped group and drops pending stops; stops drop SIGCONT. */
function prepare_signal(sig: number, p: Task): boolean {
  const sig_ = p.signal!;
  if ((sig_.flags & SIGNAL_GROUP_EXIT) !== 0) return sig === SIGKILL;
  if ((SIG_KERNEL_STOP_MASK & sigmask(sig)) !== 0n) {
    const m = sigmask(SIGCONT);
    sig_.shared_pending.signal &= ~m;
    for (const t of sig_.thread_head) t.pending.signal &= ~m;
  } else if (sig === SIGCONT) {
    const m = SIG_KERNEL_STOP_MASK;
    sig_.shared_pending.signal &= ~m;
    for (const t of sig_.thread_head) {
      t.pending.signal &= ~m;
      if ((t.__state & __TASK_STOPPED) !== 0) try_to_wake_up(t, __TASK_STOPPED);
    }
    if ((sig_.flags & SIGNAL_STOP_STOPPED) !== 0) sig_.flags = SIGNAL_STOP_CONTINUED;
    sig_.group_stop_count = 0;
  }
  return !sig_ignored(p, sig);
}

/** __send_signal_locked: queue `sig` on the thread or the process and wake someone to handle it. */
export function send_signal_locked(sig: number, info: kernel_siginfo, t: Task, type: PidType): number {
  if (t.signal === null || t.exit_state !== 0 && type === 'PID') return 0;
  if (!prepare_signal(sig, t)) return 0;
  const pending = type === 'PID' ? t.pending : t.signal.shared_pending;
  // Standard signals are not queued twice; real-time ones are (up to RLIMIT_SIGPENDING).
  if (sig < SIGRTMIN && (pending.signal & sigmask(sig)) !== 0n) return 0;
  if (sig >= SIGRTMIN && pending.list.length >= 4096) return -EAGAIN;
  pending.list.push({ ...info, si_signo: sig });
  pending.signal |= sigmask(sig);
  trace('signal_generate', t, { sig: signame(sig), code: info.si_code, group: type === 'TGID' });
  complete_signal(sig, t, type);
  return 0;
}

export function do_send_sig_info(sig: number, info: kernel_siginfo, p: Task, type: PidType): number {
  return send_signal_locked(sig, info, p, type);
}

/** send_sig: a signal from the kernel to one process (SIGPIPE, SIGCHLD, pdeath_signal…). */
export function send_sig(sig: number, p: Task, priv: boolean): number {
  const info: kernel_siginfo = { si_signo: sig, si_errno: 0, si_code: priv ? SI_KERNEL : SI_USER };
  return do_send_sig_info(sig, info, p, 'TGID');
}

/**
 * force_sig_info_to_task: a synchronous signal caused by the thread itself (a fault). If it is
 * blocked or ignored it cannot be allowed to loop forever, so the handler is reset to SIG_DFL
 * and the signal unblocked, as Linux does.
 */
export function force_sig_info(info: kernel_siginfo, t: Task = current()): number {
  const sig = info.si_signo;
  const action = t.sighand!.action[sig - 1];
  const blocked = (t.blocked & sigmask(sig)) !== 0n;
  if (action.sa_handler === SIG_IGN || blocked) {
    action.sa_handler = SIG_DFL;
    if (blocked) t.blocked &= ~sigmask(sig);
  }
  return send_signal_locked(sig, info, t, 'PID');
}

export function force_sig_fault(sig: number, code: number, addr: bigint, t: Task = current()): number {
  return force_sig_info({ si_signo: sig, si_errno: 0, si_code: code, si_addr: addr }, t);
}

/**
 * force_fatal_sig: a signal that must kill, whatever the task's handlers say (exec failing after
 * the point of no return): the handler is reset and the group exit starts at once.
 */
export function force_fatal_sig(sig: number, t: Task = current()): void {
  t.sighand!.action[sig - 1].sa_handler = SIG_DFL;
  t.blocked &= ~sigmask(sig);
  send_signal_locked(sig, { si_signo: sig, si_errno: 0, si_code: SI_KERNEL }, t, 'PID');
  t.pending.signal |= sigmask(SIGKILL);
  const sig_ = t.signal!;
  if ((sig_.flags & SIGNAL_GROUP_EXIT) === 0) {
    sig_.flags = SIGNAL_GROUP_EXIT;
    sig_.group_exit_code = sig | ((SIG_KERNEL_COREDUMP_MASK & sigmask(sig)) !== 0n ? 0x80 : 0);
  }
}

export function force_sig(sig: number, t: Task = current()): number {
  return force_sig_info({ si_signo: sig, si_errno: 0, si_code: SI_KERNEL }, t);
}

/** check_kill_permission: everyone runs as root in Forkscope, so only validity is checked. */
function valid_signal(sig: number): boolean {
  return sig >= 0 && sig <= _NSIG;
}

export function group_send_sig_info(sig: number, info: kernel_siginfo, p: Task): number {
  if (!valid_signal(sig)) return -EINVAL;
  if (sig === 0) return 0;
  return do_send_sig_info(sig, info, p, 'TGID');
}

/** A signal that get_signal decided to deliver to a user handler. */
export interface ksignal {
  sig: number;
  ka: k_sigaction;
  info: kernel_siginfo;
}

function next_signal(p: sigpending, blocked: bigint): number {
  const ready = p.signal & ~blocked;
  if (ready === 0n) return 0;
  // Synchronous (fault) signals first, as Linux's SYNCHRONOUS_MASK, then the lowest number.
  for (const s of [11, 7, 4, 5, 8, 31]) if ((ready & sigmask(s)) !== 0n) return s;
  for (let s = 1; s <= _NSIG; s++) if ((ready & sigmask(s)) !== 0n) return s;
  return 0;
}

function collect_signal(sig: number, p: sigpending): kernel_siginfo {
  const i = p.list.findIndex((q) => q.si_signo === sig);
  const info = i >= 0 ? p.list.splice(i, 1)[0] : { si_signo: sig, si_errno: 0, si_code: SI_USER };
  if (!p.list.some((q) => q.si_signo === sig)) p.signal &= ~sigmask(sig);
  return info;
}

/** dequeue_signal: the thread's own queue first, then the process's. */
export function dequeue_signal(t: Task, mask: bigint): kernel_siginfo | null {
  let sig = next_signal(t.pending, mask);
  if (sig !== 0) return collect_signal(sig, t.pending);
  sig = next_signal(t.signal!.shared_pending, mask);
  if (sig !== 0) return collect_signal(sig, t.signal!.shared_pending);
  return null;
}

/**
 * get_signal: called on the way back to user mode. Acts on pending signals until one needs a
 * user handler (returned) or none is left (null). Default actions: ignore, stop the group,
 * or end the whole process (`do_group_exit`), flagging a core dump in the exit status.
 */
export const get_signal = kfunc('kernel/signal.c', function* get_signal(): KGen<ksignal | null> {
  const t = current();
  const sig_ = t.signal!;
  for (;;) {
    if ((sig_.flags & SIGNAL_GROUP_EXIT) !== 0 || fatal_signal_pending(t)) {
      t.pending.signal &= ~sigmask(SIGKILL);
      const code = (sig_.flags & SIGNAL_GROUP_EXIT) !== 0 ? sig_.group_exit_code : SIGKILL;
      trace('signal_deliver', t, { sig: signame(code & 0x7f), action: 'exit' });
      yield* do_group_exit(code);
    }
    const info = dequeue_signal(t, t.blocked);
    if (info === null) return null;
    const sig = info.si_signo;
    const ka = t.sighand!.action[sig - 1];
    klocals({ sig: signame(sig), sa_handler: ka.sa_handler });
    if (ka.sa_handler === SIG_IGN) continue;
    if (ka.sa_handler !== SIG_DFL) {
      const delivered: ksignal = { sig, ka: { ...ka }, info };
      if ((ka.sa_flags & SA_RESETHAND) !== 0) ka.sa_handler = SIG_DFL;
      trace('signal_deliver', t, { sig: signame(sig), action: 'handler', handler: '0x' + ka.sa_handler.toString(16) });
      return delivered;
    }
    if (sig_ignored_by_default(sig)) continue;
    if (t.tgid === 1) continue; // init never dies of a signal it did not ask for
    if ((SIG_KERNEL_STOP_MASK & sigmask(sig)) !== 0n) {
      trace('signal_deliver', t, { sig: signame(sig), action: 'stop' });
      yield* do_signal_stop(sig);
      continue;
    }
    const core = (SIG_KERNEL_COREDUMP_MASK & sigmask(sig)) !== 0n;
    trace('signal_deliver', t, { sig: signame(sig), action: core ? 'core' : 'terminate' });
    yield* do_group_exit(sig | (core ? 0x80 : 0));
  }
});

/** do_signal_stop: every thread of the group stops; the parent is told with CLD_STOPPED. */
const do_signal_stop = kfunc('kernel/signal.c', function* do_signal_stop(sig: number): KGen<void> {
  const t = current();
  const sig_ = t.signal!;
  if ((sig_.flags & SIGNAL_STOP_STOPPED) === 0) {
    sig_.flags = SIGNAL_STOP_STOPPED;
    sig_.group_exit_code = sig;
    for (const th of sig_.thread_head) if (th !== t) th.pending.signal |= sigmask(SIGSTOP);
    do_notify_parent_cldstop(t, true, sig);
  }
  t.__state = TASK_STOPPED;
  yield* schedule();
});

/** sigprocmask semantics shared by rt_sigprocmask and sigreturn: SIGKILL/SIGSTOP never blocked. */
export function set_current_blocked(set: bigint): void {
  current().blocked = set & ~SIG_KERNEL_ONLY_MASK;
}

