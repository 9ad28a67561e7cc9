/**
 * Process file descriptors (kernel/pid.c: pidfd_create, pidfd_open; kernel/signal.c:
 * pidfd_send_signal; fs/anon_inodes.c): a descriptor that names a process and cannot be fooled by
 * pid reuse — when the process is gone, the descriptor answers ESRCH instead of reaching whoever
 * got the number next. clone(CLONE_PIDFD) hands one to the parent; waitid(P_PIDFD) waits on it.
 */
import { EBADF, EFAULT, EINVAL, EPERM, ESRCH } from './errno';
import { fd_install, fget, fput, get_unused_fd_flags } from './fs/file';
import { dentry, file, FMODE_READ, FMODE_WRITE, MKDEV, type file_operations, type inode } from './fs/fs_types';
import { get_next_ino, new_simple_sb, simple_getattr, type simple_sb } from './fs/libfs';
import { poll_wait, type poll_table } from './fs/poll';
import { EPOLLHUP, EPOLLIN, EPOLLRDNORM, O_CLOEXEC, O_NONBLOCK, O_RDWR } from './fs/uapi';
import { current, kernel, kfunc, type KGen } from './kfunc';
import type { Kernel } from './kernel';
import { copy_from_user } from './mm/uaccess';
import { find_task_by_vpid, type pid } from './pid';
import { group_send_sig_info } from './signal';
import { SI_USER, _NSIG } from './signal_types';
import type { SyscallEntry } from './syscall';
import { EXIT_DEAD, type Task } from './task';

/** The anonymous-inode file system pidfds live on (Linux's anon_inodefs). */
const anon_inodefs = new WeakMap<Kernel, simple_sb>();

function anon_sb(): simple_sb {
  const k = kernel();
  let sb = anon_inodefs.get(k);
  if (sb === undefined) {
    sb = new_simple_sb('anon_inodefs', MKDEV(0, 14), 4096);
    anon_inodefs.set(k, sb);
  }
  return sb;
}

/**
 * pidfd_poll: readable once the process has exited (a zombie whose threads are all gone), and
 * also hung up once it has been reaped. Linux wakes pollers through the pid's own wait_pidfd
 * queue; here exit_notify wakes the parent's wait_chldexit, so that is the queue named — a poller
 * asleep while the process is reparented is not woken by its exit.
 */
function pidfd_poll(f: file, pts: poll_table | null): number {
  const task = (f.private_data as pid).task;
  if (task === null || task.exit_state === EXIT_DEAD) return EPOLLIN | EPOLLRDNORM | EPOLLHUP;
  const wq = task.parent?.signal?.wait_chldexit;
  if (wq !== undefined) poll_wait(f, wq, pts);
  return task.exit_state !== 0 && task.signal!.nr_threads <= 1 ? EPOLLIN | EPOLLRDNORM : 0;
}

/** A pidfd is not read or written; closing the last descriptor drops its reference on the pid. */
const pidfd_fops: file_operations = {
  poll: pidfd_poll,
  release(_ino, f) {
    (f.private_data as pid).count--;
  },
};

/** pidfd_pid: the struct pid behind a pidfd, or null when `f` is some other file. */
export function pidfd_pid(f: file): pid | null {
  return f.f_op === pidfd_fops ? (f.private_data as pid) : null;
}

/** pidfd_create: a new descriptor for process `p` (always close-on-exec). Returns fd or -errno. */
export function pidfd_create(p: pid, flags: number): number {
  const fd = get_unused_fd_flags(O_CLOEXEC | (flags & O_NONBLOCK));
  if (fd < 0) return fd;
  const sb = anon_sb();
  const ino: inode = { i_sb: sb, i_ino: get_next_ino(sb), i_mode: 0o600, i_op: { getattr: simple_getattr }, i_fop: pidfd_fops, i_private: null };
  const f = new file(new dentry('anon_inode:[pidfd]', null, ino), O_RDWR | (flags & O_NONBLOCK), FMODE_READ | FMODE_WRITE, pidfd_fops);
  f.private_data = p;
  p.count++;
  fd_install(fd, f);
  return fd;
}

/** The live thread-group leader a pidfd names, or -errno. */
export function pidfd_task(fd: number): Task | number {
  const f = fget(fd);
  if (f === null) return -EBADF;
  try {
    const p = pidfd_pid(f);
    if (p === null) return -EBADF;
    const t = p.task;
    if (t === null || t.exit_state === 0x10) return -ESRCH;
    return t;
  } finally {
    fput(f);
  }
}

const sys_pidfd_open = kfunc('kernel/pid.c', function* sys_pidfd_open(upid: number, flags: number): KGen<number> {
  if ((flags & ~O_NONBLOCK) !== 0 || (upid | 0) <= 0) return -EINVAL;
  const t = find_task_by_vpid(upid | 0);
  if (t === null || t.exit_state === 0x10) return -ESRCH;
  // Only processes (thread-group leaders) have pidfds.
  if (t.group_leader !== t) return -EINVAL;
  return pidfd_create(t.thread_pid!, flags);
});

/** pidfd_send_signal(pidfd, sig, info, flags): like kill(), but to exactly that process. */
const sys_pidfd_send_signal = kfunc('kernel/signal.c', function* sys_pidfd_send_signal(pidfd: number, sig: number, uinfo: number, flags: number): KGen<number> {
  if (flags !== 0) return -EINVAL;
  if (sig < 0 || sig > _NSIG) return -EINVAL;
  const t = pidfd_task(pidfd | 0);
  if (typeof t === 'number') return t;
  const cur = current();
  let code = SI_USER;
  if (uinfo !== 0) {
    const b = new Uint8Array(128);
    if ((yield* copy_from_user(b, uinfo)) !== 0) return -EFAULT;
    const v = new DataView(b.buffer);
    if (v.getInt32(0, true) !== sig) return -EINVAL;
    code = v.getInt32(8, true);
    // Only the kernel may claim a kernel-generated or positive si_code for another process.
    if ((code >= 0 || code === -6) && t.tgid !== cur.tgid) return -EPERM;
  }
  return group_send_sig_info(sig, { si_signo: sig, si_errno: 0, si_code: code, si_pid: cur.tgid, si_uid: cur.cred.uid }, t);
});

export const pidfd_syscalls: SyscallEntry[] = [
  { nr: 424, name: 'pidfd_send_signal', fn: sys_pidfd_send_signal, args: [['pidfd', 'int'], ['sig', 'int'], ['info', 'ptr'], ['flags', 'hex']] },
  { nr: 434, name: 'pidfd_open', fn: sys_pidfd_open, args: [['pid', 'int'], ['flags', 'hex']] },
];
