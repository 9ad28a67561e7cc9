/**
 * poll and select (fs/select.c): ppoll and pselect6. riscv64 has no poll, select or pause system
 * calls; glibc builds them all on these two (pause is ppoll with no descriptors and no timeout).
 *
 * Both scan the descriptors with each file's poll op. The first scan also registers the caller
 * on every wait queue the files name; if nothing is ready, the caller sleeps until one of those
 * queues, a signal or the timeout (a timer on virtual time) wakes it, then scans again. A signal
 * ends the call with ERESTARTNOHAND: EINTR if a handler runs, a restart otherwise. A signal mask
 * given to the call replaces the blocked set while it runs and is restored on the way back to
 * user mode (t.saved_sigmask, as rt_sigsuspend does) — after the handler has run if a signal
 * interrupted the call. The time left is written back to the caller's timespec, as Linux does.
 */
import { EBADF, EFAULT, EINVAL, ERESTARTNOHAND, EINTR } from '../errno';
import { current, kernel, kfunc, klocals, type KGen } from '../kfunc';
import { copy_from_user, copy_to_user } from '../mm/uaccess';
import { set_current_blocked, signal_pending } from '../signal';
import { fget, fput, nofile_limit } from './file';
import type { files_struct } from './fs_types';
import { poll_schedule_timeout, poll_wqueues, vfs_poll } from './poll';
import {
  EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLNVAL, EPOLLOUT, EPOLLPRI, EPOLLRDBAND, EPOLLRDNORM, EPOLLWRBAND, EPOLLWRNORM,
} from './uapi';

const POLLIN_SET = EPOLLRDNORM | EPOLLRDBAND | EPOLLIN | EPOLLHUP | EPOLLERR;
const POLLOUT_SET = EPOLLWRBAND | EPOLLWRNORM | EPOLLOUT | EPOLLERR;
const POLLEX_SET = EPOLLPRI;
const NSEC_PER_SEC = 1e9;
/** The most seconds a remaining time can hold (time64_t). */
const TIME64_MAX = 2 ** 63 - 1;

/**
 * A timeout as Linux keeps it (`struct timespec64 *end_time`): null waits for ever, 0 does not
 * wait at all, anything else is the absolute monotonic time (ns) at which the wait ends.
 */
export type end_time = number | null;

/** get_timespec64: a user `struct __kernel_timespec` as [sec, nsec]; -EFAULT if unreadable. */
export function* get_timespec64(uts: number): KGen<[number, number] | number> {
  const b = new Uint8Array(16);
  if ((yield* copy_from_user(b, uts)) !== 0) return -EFAULT;
  const v = new DataView(b.buffer);
  return [Number(v.getBigInt64(0, true)), Number(v.getBigInt64(8, true))];
}

/** put_timespec64: `ns` nanoseconds as a user timespec; false if it could not be written. */
function* put_timespec64(uts: number, ns: number): KGen<boolean> {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigInt64(0, BigInt(Math.min(Math.floor(ns / NSEC_PER_SEC), TIME64_MAX)), true);
  v.setBigInt64(8, BigInt(ns % NSEC_PER_SEC), true);
  return (yield* copy_to_user(uts, b)) === 0;
}

/**
 * poll_select_set_timeout: the end of a wait of `sec` s + `nsec` ns from now; -EINVAL for a
 * negative or malformed time.
 */
export function poll_select_set_timeout(sec: number, nsec: number): end_time | number {
  if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC) return -EINVAL;
  if (sec === 0 && nsec === 0) return 0;
  return kernel().ktime_get_ns() + sec * NSEC_PER_SEC + nsec;
}

/**
 * set_user_sigmask: the mask the call runs with, from user memory (sigsetsize must be 8); the
 * current one is kept in saved_sigmask to be restored on the way out.
 */
export function* set_user_sigmask(umask: number, sigsetsize: number): KGen<number> {
  if (umask === 0) return 0;
  if (sigsetsize !== 8) return -EINVAL;
  const b = new Uint8Array(8);
  if ((yield* copy_from_user(b, umask)) !== 0) return -EFAULT;
  const t = current();
  t.saved_sigmask = t.blocked;
  set_current_blocked(new DataView(b.buffer).getBigUint64(0, true));
  return 0;
}

/**
 * restore_saved_sigmask_unless: back to the caller's own mask now — unless a signal interrupted
 * the call, when it must stay until that signal's handler frame is set up.
 */
export function restore_saved_sigmask_unless(interrupted: boolean): void {
  const t = current();
  if (interrupted || t.saved_sigmask === null) return;
  set_current_blocked(t.saved_sigmask);
  t.saved_sigmask = null;
}

/**
 * poll_select_finish: the caller's mask back, and the time left written to its timespec (not
 * for a zero timeout). If it cannot be written the call may not be restarted with it: EINTR.
 */
function* poll_select_finish(end: end_time, uts: number, ret: number): KGen<number> {
  restore_saved_sigmask_unless(ret === -ERESTARTNOHAND);
  if (uts === 0 || end === 0 || end === null) return ret;
  const left = Math.max(0, end - kernel().ktime_get_ns());
  if (yield* put_timespec64(uts, left)) return ret;
  return ret === -ERESTARTNOHAND ? -EINTR : ret;
}

/** One `struct pollfd`: int fd; short events; short revents. */
interface pollfd {
  readonly fd: number;
  readonly events: number;
  revents: number;
}

/** do_pollfd: one descriptor's events (EPOLLNVAL if it is not open; nothing for fd < 0). */
function do_pollfd(p: pollfd, pt: poll_wqueues | null): number {
  let mask = 0;
  if (p.fd >= 0) {
    const f = fget(p.fd);
    if (f === null) mask = EPOLLNVAL;
    else {
      const filter = p.events | EPOLLERR | EPOLLHUP;
      if (pt !== null) pt._key = filter;
      mask = vfs_poll(f, pt) & filter;
      fput(f);
    }
  }
  p.revents = mask;
  return mask;
}

/** do_poll: scan until something is ready, the time is up or a signal is pending. */
const do_poll = kfunc('fs/select.c', function* do_poll(fds: pollfd[], end: end_time): KGen<number> {
  const wait = new poll_wqueues(current());
  let pt: poll_wqueues | null = wait;
  let timed_out = end === 0;
  if (timed_out) pt = null;
  let count = 0;
  try {
    for (;;) {
      for (const p of fds) {
        if (do_pollfd(p, pt) !== 0) {
          count++;
          pt = null;
        }
      }
      // Every queue has been named once; later scans need none.
      pt = null;
      if (count === 0 && signal_pending(current())) count = -ERESTARTNOHAND;
      if (count !== 0 || timed_out) return count;
      if (!(yield* poll_schedule_timeout(end))) timed_out = true;
    }
  } finally {
    wait.free();
  }
});

/** do_sys_poll: the pollfd array in, the scan, the revents back out. */
export const do_sys_poll = kfunc('fs/select.c', function* do_sys_poll(ufds: number, nfds: number, end: end_time): KGen<number> {
  klocals({ nfds, timeout: end === null ? 'none' : end === 0 ? 'zero' : 'ns' });
  if (nfds > nofile_limit()) return -EINVAL;
  const b = new Uint8Array(nfds * 8);
  if ((yield* copy_from_user(b, ufds)) !== 0) return -EFAULT;
  const v = new DataView(b.buffer);
  const fds: pollfd[] = [];
  for (let i = 0; i < nfds; i++) fds.push({ fd: v.getInt32(8 * i, true), events: v.getUint16(8 * i + 4, true), revents: 0 });
  const count = yield* do_poll(fds, end);
  fds.forEach((p, i) => v.setUint16(8 * i + 6, p.revents, true));
  if ((yield* copy_to_user(ufds, b)) !== 0) return -EFAULT;
  return count;
});

/**
 * The size of the descriptor table (fdtable's max_fds): select looks no further. Linux starts
 * with 64 slots and grows the table in powers of two of 128 slots, never shrinking it.
 */
function max_fds(files: files_struct): number {
  const used = Math.max(files.fd.length, files.open_fds.length);
  if (used <= 64) return 64;
  let slots = 1;
  while (slots < Math.floor((used - 1) / 128) + 1) slots *= 2;
  return slots * 128;
}

/** The bytes of an fd_set for `n` descriptors (whole 64-bit words). */
function FDS_BYTES(n: number): number {
  return Math.ceil(n / 64) * 8;
}

function fd_isset(set: Uint8Array, fd: number): boolean {
  return (set[fd >> 3] & (1 << (fd & 7))) !== 0;
}

/** max_select_fd: one past the highest descriptor asked about; EBADF if one of them is not open. */
function max_select_fd(n: number, sets: Uint8Array[], files: files_struct): number {
  let max = 0;
  for (let fd = 0; fd < n; fd++) {
    if (!sets.some((s) => fd_isset(s, fd))) continue;
    if (files.open_fds[fd] !== true) return -EBADF;
    max = fd + 1;
  }
  return max;
}

/** do_select: scan the three sets until something is ready, the time is up or a signal comes. */
const do_select = kfunc('fs/select.c', function* do_select(n: number, sets: Uint8Array[], res: Uint8Array[], end: end_time): KGen<number> {
  const t = current();
  const max = max_select_fd(n, sets, t.files!);
  if (max < 0) return max;
  const [inp, outp, exp] = sets;
  const wait = new poll_wqueues(t);
  let pt: poll_wqueues | null = end === 0 ? null : wait;
  let timed_out = end === 0;
  let retval = 0;
  try {
    for (;;) {
      for (let fd = 0; fd < max; fd++) {
        const want = [fd_isset(inp, fd), fd_isset(outp, fd), fd_isset(exp, fd)];
        if (!want.includes(true)) continue;
        let mask = EPOLLNVAL;
        const f = fget(fd);
        if (f !== null) {
          if (pt !== null) pt._key = (want[0] ? POLLIN_SET : 0) | (want[1] ? POLLOUT_SET : 0) | POLLEX_SET;
          mask = vfs_poll(f, pt);
          fput(f);
        }
        [POLLIN_SET, POLLOUT_SET, POLLEX_SET].forEach((bits, i) => {
          if ((mask & bits) === 0 || !want[i]) return;
          res[i][fd >> 3] |= 1 << (fd & 7);
          retval++;
          pt = null;
        });
      }
      pt = null;
      if (retval !== 0 || timed_out || signal_pending(t)) return retval;
      if (!(yield* poll_schedule_timeout(end))) timed_out = true;
    }
  } finally {
    wait.free();
  }
});

/** get_fd_set: a user fd_set of `bytes` bytes (all clear when the pointer is NULL). */
function* get_fd_set(ufdset: number, bytes: number): KGen<Uint8Array | number> {
  const set = new Uint8Array(bytes);
  if (ufdset !== 0 && (yield* copy_from_user(set, ufdset)) !== 0) return -EFAULT;
  return set;
}

/**
 * core_sys_select: the sets in, the scan, the results out. Interrupted with nothing ready, the
 * caller's sets are left as they were.
 */
export const core_sys_select = kfunc('fs/select.c', function* core_sys_select(
  n: number, inp: number, outp: number, exp: number, end: end_time,
): KGen<number> {
  klocals({ n });
  if (n < 0) return -EINVAL;
  n = Math.min(n, max_fds(current().files!));
  const bytes = FDS_BYTES(n);
  const users = [inp, outp, exp];
  const sets: Uint8Array[] = [];
  for (const u of users) {
    const s = yield* get_fd_set(u, bytes);
    if (typeof s === 'number') return s;
    sets.push(s);
  }
  const res = users.map(() => new Uint8Array(bytes));
  let ret = yield* do_select(n, sets, res, end);
  if (ret < 0) return ret;
  if (ret === 0 && signal_pending(current())) return -ERESTARTNOHAND;
  for (let i = 0; i < 3; i++) {
    if (users[i] !== 0 && (yield* copy_to_user(users[i], res[i])) !== 0) ret = -EFAULT;
  }
  return ret;
});

/** The timeout argument of ppoll and pselect6: its end time, or -errno. */
function* timeout_arg(tsp: number): KGen<end_time | number> {
  if (tsp === 0) return null;
  const ts = yield* get_timespec64(tsp);
  if (typeof ts === 'number') return ts;
  return poll_select_set_timeout(ts[0], ts[1]);
}

/** ppoll(ufds, nfds, tsp, sigmask, sigsetsize). */
export function* sys_ppoll(ufds: number, nfds: number, tsp: number, sigmask: number, sigsetsize: number): KGen<number> {
  const end = yield* timeout_arg(tsp);
  if (end !== null && end < 0) return end;
  const err = yield* set_user_sigmask(sigmask, sigsetsize);
  if (err < 0) return err;
  const ret = yield* do_sys_poll(ufds, nfds >>> 0, end);
  return yield* poll_select_finish(end, tsp, ret);
}

/**
 * pselect6(n, inp, outp, exp, tsp, sig): `sig` points at { const sigset_t *ss; size_t ss_len },
 * since a system call has only six arguments.
 */
export function* sys_pselect6(n: number, inp: number, outp: number, exp: number, tsp: number, sig: number): KGen<number> {
  let ss = 0;
  let ss_len = 0;
  if (sig !== 0) {
    const b = new Uint8Array(16);
    if ((yield* copy_from_user(b, sig)) !== 0) return -EFAULT;
    const v = new DataView(b.buffer);
    ss = Number(v.getBigUint64(0, true));
    ss_len = Number(v.getBigUint64(8, true));
  }
  const end = yield* timeout_arg(tsp);
  if (end !== null && end < 0) return end;
  const err = yield* set_user_sigmask(ss, ss_len);
  if (err < 0) return err;
  const ret = yield* core_sys_select(n | 0, inp, outp, exp, end);
  return yield* poll_select_finish(end, tsp, ret);
}
