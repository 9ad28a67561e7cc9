/**
 * The terminal driver (drivers/tty/tty_io.c) for Forkscope's one terminal, the host console:
 * reads and writes of descriptors 0, 1, 2, /dev/tty and /dev/console go to the host descriptor
 * the file stands for. `console_on_rootfs` (init/main.c) gives the first task its three
 * standard descriptors.
 *
 * Reads depend on the console's kind (console.ts): a synchronous console is read on demand, the
 * host blocking until input comes; an asynchronous one fills the line discipline's buffer as
 * input arrives (tty_buffer.ts) and readers sleep in n_tty_read until it does.
 */
import { EFAULT, EIO, ENOTTY, ENXIO, EPIPE } from '../../errno';
import type { Kernel } from '../../kernel';
import { kernel, current, kfunc, set_kernel, type KGen } from '../../kfunc';
import { dentry, file, FMODE_READ, FMODE_WRITE, type file_operations, type inode, type kiocb } from '../../fs/fs_types';
import type { iov_iter } from '../../fs/iov_iter';
import { get_next_ino, simple_getattr } from '../../fs/libfs';
import { current_mnt_ns } from '../../fs/namespace';
import { pipefs_sb } from '../../fs/pipe';
import { wake_up_interruptible_poll, type poll_table } from '../../fs/poll';
import {
  EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDNORM, EPOLLWRNORM, FIONREAD, O_LARGEFILE, O_RDONLY, O_RDWR, O_WRONLY, S_IFIFO, TCGETS,
  TCSETS, TCSETSF, TCSETSW, TIOCGPGRP, TIOCGWINSZ, TIOCSPGRP, TIOCSWINSZ,
} from '../../fs/uapi';
import { copy_from_user, copy_to_user, put_user_u32 } from '../../mm/uaccess';
import { send_sig } from '../../signal';
import { SIGPIPE } from '../../signal_types';
import { is_async_console, null_console, type MachineConsole } from './console';
import { inq_canon, n_tty_poll, n_tty_read } from './n_tty';
import { console_tty, type tty_struct } from './tty';

export const TTYAUX_MAJOR = 5;
export const TTY_MINOR = 0;
export const CONSOLE_MINOR = 1;

/** What a terminal file reads and writes: one of the host's descriptors 0, 1, 2. */
export interface tty_file {
  readonly hostFd: number;
}

/** The running machine's console. */
export function tty_console(): MachineConsole {
  return kernel().options.console ?? null_console;
}

export function tty_host_fd(f: file): number {
  return (f.private_data as tty_file).hostFd;
}

/** The tty of an asynchronous console; null for a synchronous one, which has no buffer. */
function async_tty(): tty_struct | null {
  return is_async_console(tty_console()) ? console_tty(kernel()) : null;
}

const tty_read = kfunc('drivers/tty/tty_io.c', function* tty_read(iocb: kiocb, to: iov_iter): KGen<number> {
  if (to.count === 0) return 0;
  const con = tty_console();
  if (is_async_console(con)) return yield* n_tty_read(iocb.ki_filp, to);
  const buf = new Uint8Array(Math.min(to.count, 4096));
  const n = con.read(tty_host_fd(iocb.ki_filp), buf);
  if (n <= 0) return n;
  const copied = yield* to.copy_to_iter(buf.subarray(0, n));
  return copied > 0 ? copied : -EFAULT;
});

function* tty_write(iocb: kiocb, from: iov_iter): KGen<number> {
  // A hung-up terminal takes no more output (hung_up_tty_write).
  if (async_tty()?.hung_up === true) return -EIO;
  const con = tty_console();
  const fd = tty_host_fd(iocb.ki_filp);
  let total = 0;
  while (from.count > 0) {
    const chunk = yield* from.copy_from_iter(Math.min(from.count, 4096));
    if (chunk.length === 0) return total > 0 ? total : -EFAULT;
    const n = con.write(fd, chunk);
    if (n < 0) {
      // The host's reader is gone (a closed pipe): the guest sees what a pipe writer would.
      if (n === -EPIPE && total === 0) send_sig(SIGPIPE, current(), false);
      return total > 0 ? total : n;
    }
    total += n;
    if (n < chunk.length) break;
  }
  return total;
}

/** What a hung-up terminal reports to poll (hung_up_tty_poll): everything, with EPOLLHUP. */
const HUNG_UP_POLLMASK = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDNORM | EPOLLWRNORM;

/**
 * tty_poll: output is taken at once, so a terminal is always writable. Input is readable while
 * n_tty holds some (pollers sleep on its read_wait) — or, on a synchronous console, always: a
 * read blocks on the host until input arrives, the machine having no other events meanwhile.
 */
function tty_poll(f: file, wait: poll_table | null): number {
  const tty = async_tty();
  if (tty?.hung_up === true) return HUNG_UP_POLLMASK;
  let mask = (f.f_mode & FMODE_WRITE) !== 0 ? EPOLLOUT | EPOLLWRNORM : 0;
  if ((f.f_mode & FMODE_READ) !== 0) mask |= tty === null ? EPOLLIN | EPOLLRDNORM : n_tty_poll(tty, f, wait);
  return mask;
}

/**
 * tty_hangup (__tty_hangup): the terminal has closed. Its pending input is dropped and every
 * reader and poller woken; from now on reads return 0 (hung_up_tty_read), writes fail with EIO
 * (hung_up_tty_write), poll reports HUNG_UP_POLLMASK and ioctls fail (hung_up_tty_ioctl). Linux
 * also sends SIGHUP to the session the terminal controls; Forkscope models no controlling
 * terminals, so no signal is sent. Like tty_insert_flip_string, called from outside the machine.
 */
export function tty_hangup(k: Kernel): void {
  const tty = console_tty(k);
  if (tty.hung_up) return;
  set_kernel(k);
  tty.hung_up = true;
  tty.read_buf = new Uint8Array(0);
  wake_up_interruptible_poll(tty.read_wait, HUNG_UP_POLLMASK);
}

/** tty_open for /dev/tty and /dev/console: the first of the host's descriptors that is a terminal. */
function tty_open(_ino: inode, f: file): number {
  const con = tty_console();
  for (const fd of [0, 1, 2]) {
    if (con.isatty(fd)) {
      f.private_data = { hostFd: fd } satisfies tty_file;
      return 0;
    }
  }
  return -ENXIO;
}

/**
 * The settings TCGETS reports (the kernel's 36-byte `struct termios`): a fresh terminal's
 * defaults — ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD, ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|
 * ECHOKE|IEXTEN, and the usual control characters (^C, ^\, DEL, ^U, ^D, VMIN 1, ^Q, ^S, ^Z, ^R, ^O, ^W, ^V).
 */
function default_termios(): Uint8Array {
  const t = new Uint8Array(36);
  const v = new DataView(t.buffer);
  v.setUint32(0, 0x500, true);
  v.setUint32(4, 0x5, true);
  v.setUint32(8, 0xbf, true);
  v.setUint32(12, 0x8a3b, true);
  t.set([3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0], 17);
  return t;
}

/** tty_ioctl: the terminal requests glibc and shells make; ENOTTY when the host side is no terminal. */
function* tty_ioctl(f: file, cmd: number, arg: number): KGen<number> {
  const con = tty_console();
  const fd = tty_host_fd(f);
  if (!con.isatty(fd)) return -ENOTTY;
  const tty = async_tty();
  if (tty?.hung_up === true) return cmd === TIOCSPGRP ? -ENOTTY : -EIO;
  switch (cmd) {
    case TCGETS:
      return (yield* copy_to_user(arg, default_termios())) === 0 ? 0 : -EFAULT;
    case TCSETS:
    case TCSETSW:
    case TCSETSF: {
      // The host terminal's settings stay as they are; the request is checked and accepted.
      const t = new Uint8Array(36);
      return (yield* copy_from_user(t, arg)) === 0 ? 0 : -EFAULT;
    }
    case TIOCGWINSZ: {
      const ws = con.winsize(fd) ?? { rows: 24, cols: 80 };
      const b = new Uint8Array(8);
      const v = new DataView(b.buffer);
      v.setUint16(0, ws.rows, true);
      v.setUint16(2, ws.cols, true);
      return (yield* copy_to_user(arg, b)) === 0 ? 0 : -EFAULT;
    }
    case TIOCSWINSZ:
    case TIOCSPGRP:
      return 0;
    case TIOCGPGRP:
      return yield* put_user_u32(arg, current().signal?.pgrp ?? current().tgid);
    case FIONREAD:
      return yield* put_user_u32(arg, tty === null ? 0 : inq_canon(tty));
    default:
      return -ENOTTY;
  }
}

export const tty_fops: file_operations = {
  open: tty_open,
  read_iter: tty_read,
  write_iter: tty_write,
  poll: tty_poll,
  unlocked_ioctl: tty_ioctl,
};

/**
 * What a host descriptor that is not a terminal looks like to the guest: a pipe of its own
 * (S_IFIFO, a page-sized st_blksize, "pipe:[ino]" in /proc/<pid>/fd) — which is what a
 * program's stdio is when it runs in a pipeline or under a test harness — so glibc buffers
 * stdout as it would on Linux.
 */
function console_fifo(hostFd: number): dentry {
  const sb = pipefs_sb();
  const ino = get_next_ino(sb);
  return new dentry(`pipe:[${ino}]`, null, {
    i_sb: sb, i_ino: ino, i_mode: S_IFIFO | 0o600, i_op: { getattr: simple_getattr }, i_fop: console_fifo_fops,
    i_private: { hostFd } satisfies tty_file,
  });
}

/** Opened again by name (/dev/stdout, /proc/<pid>/fd/1), such a pipe still leads to its host descriptor. */
const console_fifo_fops: file_operations = {
  ...tty_fops,
  open(ino: inode, f: file): number {
    f.private_data = ino.i_private;
    return 0;
  },
};

/**
 * console_on_rootfs (init/main.c): the current task's descriptors 0, 1 and 2, bound to the
 * host's stdin, stdout and stderr — open read-write on /dev/console when the host descriptor is
 * a terminal, as the read or write end of a pipe otherwise.
 */
export function console_on_rootfs(): void {
  const files = current().files;
  const dev = current_mnt_ns().mounts.get('dev');
  const console = dev?.d_inode.i_op.lookup?.(dev, 'console');
  if (files === null || console === undefined || typeof console === 'number') throw new Error('no /dev/console');
  for (const fd of [0, 1, 2]) {
    // A terminal is open read-write; a pipe only the way its end goes.
    const tty = tty_console().isatty(fd);
    const f = tty ? new file(console, O_RDWR | O_LARGEFILE, FMODE_READ | FMODE_WRITE, tty_fops)
      : new file(console_fifo(fd), fd === 0 ? O_RDONLY : O_WRONLY, fd === 0 ? FMODE_READ : FMODE_WRITE, tty_fops);
    f.private_data = { hostFd: fd } satisfies tty_file;
    files.fd[fd] = f;
    files.open_fds[fd] = true;
    files.close_on_exec[fd] = false;
  }
}
