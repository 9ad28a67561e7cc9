/**
 * Pipes (fs/pipe.c): a 64 KiB ring buffer between a read end and a write end.
 *
 * A reader sleeps on `rd_wait` while the pipe is empty and a writer exists; once every writer is
 * gone, an empty pipe reads as end of file. A writer sleeps on `wr_wait` while there is no room;
 * once every reader is gone it gets EPIPE and SIGPIPE. A write of at most PIPE_BUF bytes is never
 * split: it waits until it fits as a whole (Linux gets this from its one-page buffer slots).
 * O_NONBLOCK turns each sleep into EAGAIN, and a signal ends a sleep with ERESTARTSYS.
 */
import { EAGAIN, EBUSY, EFAULT, EINVAL, ENOTTY, EPERM, EPIPE, ERESTARTSYS } from '../errno';
import { current, kernel, kfunc, klocals, type KGen } from '../kfunc';
import type { Kernel } from '../kernel';
import { wait_event_interruptible, wait_queue_head, wake_up_interruptible } from '../sched/wait';
import { send_sig } from '../signal';
import { SIGPIPE } from '../signal_types';
import { fd_install, get_unused_fd_flags, put_unused_fd, fput } from './file';
import { dentry, file, FMODE_READ, FMODE_WRITE, MKDEV, type file_operations, type inode, type kiocb } from './fs_types';
import type { iov_iter } from './iov_iter';
import { put_user_u32 } from '../mm/uaccess';
import { get_next_ino, new_simple_sb, simple_getattr, type simple_sb } from './libfs';
import { FIONREAD, O_CLOEXEC, O_NONBLOCK, O_RDONLY, O_WRONLY, PIPE_BUF, S_IFIFO } from './uapi';

/** The default capacity: 16 pages (PIPE_DEF_BUFFERS). */
export const PIPE_DEF_SIZE = 16 * 4096;
/** The largest size F_SETPIPE_SZ may ask for (pipe_max_size, for root too here). */
export const PIPE_MAX_SIZE = 1024 * 1024;

/** `struct pipe_inode_info`: the buffer and who uses it. */
export class pipe_inode_info {
  buf = new Uint8Array(PIPE_DEF_SIZE);
  /** Index of the oldest byte, and how many bytes are in the pipe. */
  tail = 0;
  len = 0;
  readers = 0;
  writers = 0;
  readonly rd_wait = new wait_queue_head();
  readonly wr_wait = new wait_queue_head();

  get size(): number {
    return this.buf.length;
  }

  /** Copies up to `max` buffered bytes out (oldest first) without consuming them. */
  peek(max: number): Uint8Array {
    const n = Math.min(max, this.len);
    const out = new Uint8Array(n);
    const first = Math.min(n, this.size - this.tail);
    out.set(this.buf.subarray(this.tail, this.tail + first));
    out.set(this.buf.subarray(0, n - first), first);
    return out;
  }

  consume(n: number): void {
    this.tail = (this.tail + n) % this.size;
    this.len -= n;
  }

  push(data: Uint8Array): void {
    const head = (this.tail + this.len) % this.size;
    const first = Math.min(data.length, this.size - head);
    this.buf.set(data.subarray(0, first), head);
    this.buf.set(data.subarray(first), 0);
    this.len += data.length;
  }

  /** Changes the capacity, keeping the contents (F_SETPIPE_SZ). */
  resize(size: number): void {
    const data = this.peek(this.len);
    this.buf = new Uint8Array(size);
    this.tail = 0;
    this.len = 0;
    this.push(data);
  }
}

function pipe_of(f: file): pipe_inode_info {
  return f.f_inode.i_private as pipe_inode_info;
}

const pipe_read = kfunc('fs/pipe.c', function* pipe_read(iocb: kiocb, to: iov_iter): KGen<number> {
  const pipe = pipe_of(iocb.ki_filp);
  klocals({ want: to.count, buffered: pipe.len, writers: pipe.writers });
  if (to.count === 0) return 0;
  let ret = 0;
  for (;;) {
    if (pipe.len > 0) {
      const chunk = pipe.peek(to.count);
      const copied = yield* to.copy_to_iter(chunk);
      pipe.consume(copied);
      ret += copied;
      wake_up_interruptible(pipe.wr_wait);
      if (copied < chunk.length) return ret > 0 ? ret : -EFAULT;
    }
    if (ret > 0) return ret;
    if (pipe.writers === 0) return 0;
    if ((iocb.ki_filp.f_flags & O_NONBLOCK) !== 0) return -EAGAIN;
    const r = yield* wait_event_interruptible(pipe.rd_wait, () => pipe.len > 0 || pipe.writers === 0);
    if (r < 0) return -ERESTARTSYS;
  }
});

const pipe_write = kfunc('fs/pipe.c', function* pipe_write(iocb: kiocb, from: iov_iter): KGen<number> {
  const pipe = pipe_of(iocb.ki_filp);
  klocals({ count: from.count, buffered: pipe.len, readers: pipe.readers });
  if (from.count === 0) return 0;
  const atomic = from.count <= PIPE_BUF;
  let ret = 0;
  for (;;) {
    if (pipe.readers === 0) {
      send_sig(SIGPIPE, current(), false);
      return ret > 0 ? ret : -EPIPE;
    }
    const free = pipe.size - pipe.len;
    if (free > 0 && (!atomic || free >= from.count)) {
      const want = Math.min(free, from.count);
      const data = yield* from.copy_from_iter(want);
      pipe.push(data);
      ret += data.length;
      wake_up_interruptible(pipe.rd_wait);
      if (data.length < want) return ret > 0 ? ret : -EFAULT;
      if (from.count === 0) return ret;
      continue;
    }
    if ((iocb.ki_filp.f_flags & O_NONBLOCK) !== 0) return ret > 0 ? ret : -EAGAIN;
    const need = atomic ? from.count : 1;
    const r = yield* wait_event_interruptible(pipe.wr_wait, () => pipe.readers === 0 || pipe.size - pipe.len >= need);
    if (r < 0) return ret > 0 ? ret : -ERESTARTSYS;
  }
});

/** pipe_release: one end closed; the other side is woken to see EOF or EPIPE. */
function pipe_release(_ino: unknown, f: file): void {
  const pipe = pipe_of(f);
  if ((f.f_mode & FMODE_READ) !== 0) pipe.readers--;
  if ((f.f_mode & FMODE_WRITE) !== 0) pipe.writers--;
  wake_up_interruptible(pipe.rd_wait);
  wake_up_interruptible(pipe.wr_wait);
}

/** pipe_ioctl: FIONREAD, the bytes waiting in the pipe. */
function* pipe_ioctl(f: file, cmd: number, arg: number): KGen<number> {
  if (cmd !== FIONREAD) return -ENOTTY;
  return yield* put_user_u32(arg, pipe_of(f).len);
}

/**
 * fifo_open: a pipe opened again by name — through a /proc/<pid>/fd link — gains a reader or a
 * writer (or both, for O_RDWR).
 */
function fifo_open(ino: inode, f: file): number {
  const pipe = ino.i_private as pipe_inode_info;
  if ((f.f_mode & FMODE_READ) !== 0) pipe.readers++;
  if ((f.f_mode & FMODE_WRITE) !== 0) pipe.writers++;
  wake_up_interruptible(pipe.rd_wait);
  wake_up_interruptible(pipe.wr_wait);
  return 0;
}

export const pipefifo_fops: file_operations = {
  open: fifo_open,
  read_iter: pipe_read,
  write_iter: pipe_write,
  unlocked_ioctl: pipe_ioctl,
  release: pipe_release,
};

/** pipefs: where a machine's pipe inodes live (an anonymous device, like Linux's 0:13). */
const pipefs = new WeakMap<Kernel, simple_sb>();

function pipefs_sb(): simple_sb {
  const k = kernel();
  let sb = pipefs.get(k);
  if (sb === undefined) {
    sb = new_simple_sb('pipefs', MKDEV(0, 13));
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

/** pipe_set_size (F_SETPIPE_SZ): a power-of-two number of pages, never below what is buffered. */
export function pipe_set_size(pipe: pipe_inode_info, arg: number): number {
  if (arg < 0 || arg > 2 ** 31) return -EINVAL;
  let size = 4096;
  while (size < arg) size *= 2;
  if (size > PIPE_MAX_SIZE) return -EPERM;
  if (size < pipe.len) return -EBUSY;
  pipe.resize(size);
  return size;
}
