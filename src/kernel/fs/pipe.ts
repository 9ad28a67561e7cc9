/**
 * Pipes (fs/pipe.c): a ring of one-page buffers (16 by default, 64 KiB) between a read end and a
 * write end, kept the way Linux keeps it because the page slots are visible: a write's last
 * partial page merges into the newest buffer only if it fits there whole, and every further page
 * takes a slot of its own — so 1000-byte writes fill a pipe at 64000 bytes, and a write of at
 * most PIPE_BUF (one page) is never split between writers.
 *
 * A reader sleeps on `rd_wait` while the pipe is empty and a writer exists; once every writer is
 * gone, an empty pipe reads as end of file. A writer sleeps on `wr_wait` while every slot is
 * taken; once every reader is gone it gets EPIPE and SIGPIPE. O_NONBLOCK turns each sleep into
 * EAGAIN, and a signal ends a sleep with ERESTARTSYS (a partial write returns what it wrote).
 */
import { EAGAIN, EBUSY, EFAULT, EINVAL, ENOTTY, EPERM, EPIPE, ERESTARTSYS } from '../errno';
import { current, kernel, kfunc, klocals, type KGen } from '../kfunc';
import type { Kernel } from '../kernel';
import { put_user_u32 } from '../mm/uaccess';
import { wait_event_interruptible, wait_queue_head } from '../sched/wait';
import { send_sig } from '../signal';
import { SIGPIPE } from '../signal_types';
import { fd_install, fput, get_unused_fd_flags, put_unused_fd } from './file';
import { dentry, file, FMODE_READ, FMODE_WRITE, MKDEV, type file_operations, type inode, type kiocb } from './fs_types';
import type { iov_iter } from './iov_iter';
import { get_next_ino, new_simple_sb, simple_getattr, type simple_sb } from './libfs';
import { poll_wait, wake_up_interruptible_poll, type poll_table } from './poll';
import {
  EPOLLERR, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDNORM, EPOLLWRNORM, FIONREAD, O_CLOEXEC, O_NONBLOCK, O_RDONLY,
  O_WRONLY, S_IFIFO,
} from './uapi';

const PAGE_SIZE = 4096;
/** Slots of a new pipe (PIPE_DEF_BUFFERS). */
export const PIPE_DEF_BUFFERS = 16;
/** The largest size F_SETPIPE_SZ may ask for (pipe_max_size, for root too here). */
export const PIPE_MAX_SIZE = 1024 * 1024;

/** `struct pipe_buffer`: one page of the ring and the bytes of it that are data. */
interface pipe_buffer {
  readonly page: Uint8Array;
  offset: number;
  len: number;
}

/** `struct pipe_inode_info`: the ring and who uses it. `head` and `tail` only grow. */
export class pipe_inode_info {
  bufs: (pipe_buffer | null)[] = new Array<pipe_buffer | null>(PIPE_DEF_BUFFERS).fill(null);
  head = 0;
  tail = 0;
  readers = 0;
  writers = 0;
  readonly rd_wait = new wait_queue_head();
  readonly wr_wait = new wait_queue_head();

  get ring_size(): number {
    return this.bufs.length;
  }

  /** The capacity in bytes (F_GETPIPE_SZ). */
  get size(): number {
    return this.ring_size * PAGE_SIZE;
  }

  occupancy(): number {
    return this.head - this.tail;
  }

  empty(): boolean {
    return this.head === this.tail;
  }

  full(): boolean {
    return this.occupancy() >= this.ring_size;
  }

  slot(i: number): pipe_buffer {
    return this.bufs[i % this.ring_size]!;
  }

  /** The bytes waiting to be read (FIONREAD). */
  bytes(): number {
    let n = 0;
    for (let i = this.tail; i < this.head; i++) n += this.slot(i).len;
    return n;
  }

  /** pipe_resize_ring: a new number of slots, keeping the buffers (EBUSY if they do not fit). */
  resize_ring(nr_slots: number): number {
    if (nr_slots < this.occupancy()) return -EBUSY;
    const kept: pipe_buffer[] = [];
    for (let i = this.tail; i < this.head; i++) kept.push(this.slot(i));
    this.bufs = new Array<pipe_buffer | null>(nr_slots).fill(null);
    kept.forEach((b, i) => { this.bufs[i] = b; });
    this.tail = 0;
    this.head = kept.length;
    return 0;
  }
}

function pipe_of(f: file): pipe_inode_info {
  return f.f_inode.i_private as pipe_inode_info;
}

const pipe_read = kfunc('fs/pipe.c', function* pipe_read(iocb: kiocb, to: iov_iter): KGen<number> {
  const pipe = pipe_of(iocb.ki_filp);
  klocals({ want: to.count, slots_used: pipe.occupancy(), writers: pipe.writers });
  if (to.count === 0) return 0;
  let ret = 0;
  for (;;) {
    while (!pipe.empty() && to.count > 0) {
      const buf = pipe.slot(pipe.tail);
      const chars = Math.min(buf.len, to.count);
      const copied = yield* to.copy_to_iter(buf.page.subarray(buf.offset, buf.offset + chars));
      buf.offset += copied;
      buf.len -= copied;
      ret += copied;
      if (buf.len === 0) {
        pipe.bufs[pipe.tail % pipe.ring_size] = null;
        pipe.tail++;
        wake_up_interruptible_poll(pipe.wr_wait, EPOLLOUT | EPOLLWRNORM);
      }
      if (copied < chars) return ret > 0 ? ret : -EFAULT;
    }
    if (ret > 0) return ret;
    if (pipe.writers === 0) return 0;
    if ((iocb.ki_filp.f_flags & O_NONBLOCK) !== 0) return -EAGAIN;
    const r = yield* wait_event_interruptible(pipe.rd_wait, () => !pipe.empty() || pipe.writers === 0);
    if (r < 0) return -ERESTARTSYS;
  }
});

const pipe_write = kfunc('fs/pipe.c', function* pipe_write(iocb: kiocb, from: iov_iter): KGen<number> {
  const pipe = pipe_of(iocb.ki_filp);
  klocals({ count: from.count, slots_used: pipe.occupancy(), readers: pipe.readers });
  if (from.count === 0) return 0;
  if (pipe.readers === 0) {
    send_sig(SIGPIPE, current(), false);
    return -EPIPE;
  }
  let ret = 0;
  // The partial page at the end of the write merges into the newest buffer if it fits whole.
  const chars = from.count % PAGE_SIZE;
  if (chars > 0 && !pipe.empty()) {
    const last = pipe.slot(pipe.head - 1);
    const offset = last.offset + last.len;
    if (offset + chars <= PAGE_SIZE) {
      const data = yield* from.copy_from_iter(chars);
      if (data.length < chars) return -EFAULT;
      last.page.set(data, offset);
      last.len += chars;
      ret = chars;
      wake_up_interruptible_poll(pipe.rd_wait, EPOLLIN | EPOLLRDNORM);
      if (from.count === 0) return ret;
    }
  }
  for (;;) {
    if (pipe.readers === 0) {
      send_sig(SIGPIPE, current(), false);
      return ret > 0 ? ret : -EPIPE;
    }
    if (!pipe.full()) {
      const data = yield* from.copy_from_iter(PAGE_SIZE);
      const buf: pipe_buffer = { page: new Uint8Array(PAGE_SIZE), offset: 0, len: data.length };
      buf.page.set(data);
      pipe.bufs[pipe.head % pipe.ring_size] = buf;
      pipe.head++;
      ret += data.length;
      wake_up_interruptible_poll(pipe.rd_wait, EPOLLIN | EPOLLRDNORM);
      if (data.length < PAGE_SIZE && from.count > 0) return ret > 0 ? ret : -EFAULT;
      if (from.count === 0) return ret;
      continue;
    }
    if ((iocb.ki_filp.f_flags & O_NONBLOCK) !== 0) return ret > 0 ? ret : -EAGAIN;
    const r = yield* wait_event_interruptible(pipe.wr_wait, () => !pipe.full() || pipe.readers === 0);
    if (r < 0) return ret > 0 ? ret : -ERESTARTSYS;
  }
});

/** Wakes both sides, with no particular event: an end was opened or closed. */
function wake_up_partners(pipe: pipe_inode_info): void {
  wake_up_interruptible_poll(pipe.rd_wait, 0);
  wake_up_interruptible_poll(pipe.wr_wait, 0);
}

/** pipe_release: one end closed; the other side is woken to see EOF or EPIPE. */
function pipe_release(_ino: unknown, f: file): void {
  const pipe = pipe_of(f);
  if ((f.f_mode & FMODE_READ) !== 0) pipe.readers--;
  if ((f.f_mode & FMODE_WRITE) !== 0) pipe.writers--;
  wake_up_partners(pipe);
}

/**
 * pipe_poll: a read end is readable while data waits and hangs up (EPOLLHUP) once every writer
 * is gone; a write end is writable while a slot is free and fails (EPOLLERR) once every reader
 * is gone.
 */
function pipe_poll(f: file, wait: poll_table | null): number {
  const pipe = pipe_of(f);
  if ((f.f_mode & FMODE_READ) !== 0) poll_wait(f, pipe.rd_wait, wait);
  if ((f.f_mode & FMODE_WRITE) !== 0) poll_wait(f, pipe.wr_wait, wait);
  let mask = 0;
  if ((f.f_mode & FMODE_READ) !== 0) {
    if (!pipe.empty()) mask |= EPOLLIN | EPOLLRDNORM;
    if (pipe.writers === 0) mask |= EPOLLHUP;
  }
  if ((f.f_mode & FMODE_WRITE) !== 0) {
    if (!pipe.full()) mask |= EPOLLOUT | EPOLLWRNORM;
    if (pipe.readers === 0) mask |= EPOLLERR;
  }
  return mask;
}

/** pipe_ioctl: FIONREAD, the bytes waiting in the pipe. */
function* pipe_ioctl(f: file, cmd: number, arg: number): KGen<number> {
  if (cmd !== FIONREAD) return -ENOTTY;
  return yield* put_user_u32(arg, pipe_of(f).bytes());
}

/**
 * fifo_open: a pipe opened again by name — through a /proc/<pid>/fd link — gains a reader or a
 * writer (or both, for O_RDWR).
 */
function fifo_open(ino: inode, f: file): number {
  const pipe = ino.i_private as pipe_inode_info;
  if ((f.f_mode & FMODE_READ) !== 0) pipe.readers++;
  if ((f.f_mode & FMODE_WRITE) !== 0) pipe.writers++;
  wake_up_partners(pipe);
  return 0;
}

export const pipefifo_fops: file_operations = {
  open: fifo_open,
  read_iter: pipe_read,
  write_iter: pipe_write,
  poll: pipe_poll,
  unlocked_ioctl: pipe_ioctl,
  release: pipe_release,
};

/** pipefs: where a machine's pipe inodes live (an anonymous device, like Linux's 0:13). */
const pipefs = new WeakMap<Kernel, simple_sb>();

export function pipefs_sb(): simple_sb {
  const k = kernel();
  let sb = pipefs.get(k);
  if (sb === undefined) {
    sb = new_simple_sb('pipefs', MKDEV(0, 13), PAGE_SIZE);
    pipefs.set(k, sb);
  }
  return sb;
}

/** get_pipe_inode + create_pipe_files: the two ends of a new pipe. */
export function create_pipe_files(flags: number): [file, file] {
  const pipe = new pipe_inode_info();
  const sb = pipefs_sb();
  const ino = get_next_ino(sb);
  const inode: inode = {
    i_sb: sb, i_ino: ino, i_mode: S_IFIFO | 0o600, i_op: { getattr: simple_getattr },
    i_fop: pipefifo_fops, i_private: pipe,
  };
  const d = new dentry(`pipe:[${ino}]`, null, inode);
  const extra = flags & O_NONBLOCK;
  const r = new file(d, O_RDONLY | extra, FMODE_READ, pipefifo_fops);
  const w = new file(d, O_WRONLY | extra, FMODE_WRITE, pipefifo_fops);
  pipe.readers = 1;
  pipe.writers = 1;
  return [r, w];
}

/** A pipe whose descriptors are reserved but not yet visible (pipe2 publishes them last). */
export interface new_pipe {
  readonly fd: [number, number];
  readonly files: [file, file];
}

/** do_pipe2's first half: flags checked, two descriptors reserved, the pipe made. */
export function do_pipe_flags(flags: number): new_pipe | number {
  if ((flags & ~(O_CLOEXEC | O_NONBLOCK)) !== 0) return -EINVAL;
  const fd0 = get_unused_fd_flags(flags);
  if (fd0 < 0) return fd0;
  const fd1 = get_unused_fd_flags(flags);
  if (fd1 < 0) {
    put_unused_fd(fd0);
    return fd1;
  }
  return { fd: [fd0, fd1], files: create_pipe_files(flags) };
}

/** Makes both descriptors of a new pipe visible. */
export function pipe_install(p: new_pipe): void {
  fd_install(p.fd[0], p.files[0]);
  fd_install(p.fd[1], p.files[1]);
}

/** Gives back a new pipe whose descriptors could not be handed to the caller. */
export function pipe_abort(p: new_pipe): void {
  put_unused_fd(p.fd[0]);
  put_unused_fd(p.fd[1]);
  fput(p.files[0]);
  fput(p.files[1]);
}

/** get_pipe_info: the pipe behind a file, or null if it is not a pipe. */
export function get_pipe_info(f: file): pipe_inode_info | null {
  return f.f_op === pipefifo_fops ? pipe_of(f) : null;
}

/**
 * wait_for_space: what splicing into a pipe waits for — a free slot. With every reader gone it
 * is EPIPE (and SIGPIPE); with none free, EAGAIN if it may not sleep, ERESTARTSYS if a signal
 * ends the sleep. Returns the bytes the free slots hold.
 */
export function* wait_for_space(pipe: pipe_inode_info, nonblock: boolean): KGen<number> {
  for (;;) {
    if (pipe.readers === 0) {
      send_sig(SIGPIPE, current(), false);
      return -EPIPE;
    }
    if (!pipe.full()) return (pipe.ring_size - pipe.occupancy()) * PAGE_SIZE;
    if (nonblock) return -EAGAIN;
    const r = yield* wait_event_interruptible(pipe.wr_wait, () => !pipe.full() || pipe.readers === 0);
    if (r < 0) return -ERESTARTSYS;
  }
}

/** pipe_set_size (F_SETPIPE_SZ): a power-of-two number of pages; EBUSY if the buffers do not fit. */
export function pipe_set_size(pipe: pipe_inode_info, arg: number): number {
  if (arg < 0 || arg > 2 ** 31) return -EINVAL;
  let nr_slots = 1;
  while (nr_slots * PAGE_SIZE < arg) nr_slots *= 2;
  if (nr_slots * PAGE_SIZE > PIPE_MAX_SIZE) return -EPERM;
  const err = pipe.resize_ring(nr_slots);
  return err < 0 ? err : pipe.size;
}
