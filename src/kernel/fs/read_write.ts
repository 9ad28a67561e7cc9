/**
 * Reading, writing and seeking (fs/read_write.c): read, write, pread64, pwrite64, readv, writev,
 * lseek, sendfile, and kernel_read for the kernel's own use (exec).
 *
 * Checks come in Linux's order — a descriptor not open for reading is EBADF, a file that cannot
 * be read EINVAL, a buffer outside user space EFAULT, a negative position EINVAL — then the file's
 * read_iter/write_iter moves the data through an iov_iter. A buffer that is only partly mapped
 * gives a short count (or EFAULT if nothing could be moved), as on Linux.
 */
import { EBADF, EINVAL, ESPIPE } from '../errno';
import { kfunc, klocals, type KGen } from '../kfunc';
import { fget, fput } from './file';
import { FMODE_READ, FMODE_WRITE, type file, type kiocb } from './fs_types';
import { kvec_iter, type iov_iter } from './iov_iter';
import { get_pipe_info, wait_for_space } from './pipe';
import { O_APPEND, O_NONBLOCK, S_ISDIR, SEEK_HOLE } from './uapi';
import { import_iovec, import_ubuf } from './uio';

/** vfs_iter_read: the file's read_iter at `pos` (or at f_pos, which then moves). */
export function* vfs_iter_read(f: file, iter: iov_iter, pos: number | null): KGen<number> {
  const iocb: kiocb = { ki_filp: f, ki_pos: pos ?? f.f_pos };
  const n = yield* f.f_op.read_iter!(iocb, iter);
  if (pos === null) f.f_pos = iocb.ki_pos;
  return n;
}

/** vfs_iter_write: the file's write_iter at `pos` (or at f_pos, which then moves). */
export function* vfs_iter_write(f: file, iter: iov_iter, pos: number | null): KGen<number> {
  const iocb: kiocb = { ki_filp: f, ki_pos: pos ?? f.f_pos };
  const n = yield* f.f_op.write_iter!(iocb, iter);
  if (pos === null) f.f_pos = iocb.ki_pos;
  return n;
}

/** Why a file cannot be read (or written) at all, as vfs_read/vfs_write check first. */
function can_rw(f: file, write: boolean): number {
  if ((f.f_mode & (write ? FMODE_WRITE : FMODE_READ)) === 0) return -EBADF;
  if ((write ? f.f_op.write_iter : f.f_op.read_iter) === undefined) return -EINVAL;
  return 0;
}

/** vfs_read / vfs_write on a user buffer; `pos` null means the file position. */
function* vfs_rw(f: file, buf: number, count: number, pos: number | null, write: boolean): KGen<number> {
  const err = can_rw(f, write);
  if (err < 0) return err;
  const iter = import_ubuf(buf, count);
  if (typeof iter === 'number') return iter;
  if (pos !== null && pos < 0) return -EINVAL;
  return yield* (write ? vfs_iter_write(f, iter, pos) : vfs_iter_read(f, iter, pos));
}

/** Runs `fn` on the file behind `fd` (fdget … fdput). */
function* with_fd(fd: number, fn: (f: file) => KGen<number>): KGen<number> {
  const f = fget(fd);
  if (f === null) return -EBADF;
  try {
    return yield* fn(f);
  } finally {
    fput(f);
  }
}

/** read(2). */
export const ksys_read = kfunc('fs/read_write.c', function* ksys_read(fd: number, buf: number, count: number): KGen<number> {
  klocals({ fd, count });
  return yield* with_fd(fd, (f) => vfs_rw(f, buf, count, null, false));
});

/** write(2). */
export const ksys_write = kfunc('fs/read_write.c', function* ksys_write(fd: number, buf: number, count: number): KGen<number> {
  klocals({ fd, count });
  return yield* with_fd(fd, (f) => vfs_rw(f, buf, count, null, true));
});

/** pread64 / pwrite64: at a position, leaving f_pos alone; ESPIPE on pipes and terminals. */
function* prw(fd: number, buf: number, count: number, pos: number, write: boolean): KGen<number> {
  if (pos < 0) return -EINVAL;
  return yield* with_fd(fd, function* (f) {
    if (f.f_op.llseek === undefined) return -ESPIPE;
    return yield* vfs_rw(f, buf, count, pos, write);
  });
}

export const ksys_pread64 = kfunc('fs/read_write.c', function* ksys_pread64(fd: number, buf: number, count: number, pos: number): KGen<number> {
  klocals({ fd, count, pos });
  return yield* prw(fd, buf, count, pos, false);
});

export const ksys_pwrite64 = kfunc('fs/read_write.c', function* ksys_pwrite64(fd: number, buf: number, count: number, pos: number): KGen<number> {
  klocals({ fd, count, pos });
  return yield* prw(fd, buf, count, pos, true);
});

/** do_readv / do_writev: readv(2) and writev(2) over an iovec array. */
function* vfs_rwv(fd: number, vec: number, vlen: number, write: boolean): KGen<number> {
  return yield* with_fd(fd, function* (f) {
    const err = can_rw(f, write);
    if (err < 0) return err;
    const iter = yield* import_iovec(vec, vlen);
    if (typeof iter === 'number') return iter;
    return yield* (write ? vfs_iter_write(f, iter, null) : vfs_iter_read(f, iter, null));
  });
}

export const do_readv = kfunc('fs/read_write.c', function* do_readv(fd: number, vec: number, vlen: number): KGen<number> {
  klocals({ fd, vlen });
  return yield* vfs_rwv(fd, vec, vlen, false);
});

export const do_writev = kfunc('fs/read_write.c', function* do_writev(fd: number, vec: number, vlen: number): KGen<number> {
  klocals({ fd, vlen });
  return yield* vfs_rwv(fd, vec, vlen, true);
});

/** vfs_llseek: the file's own llseek; files without one (pipes, terminals) give ESPIPE. */
export function vfs_llseek(f: file, offset: number, whence: number): number {
  const llseek = f.f_op.llseek;
  if (llseek === undefined) return -ESPIPE;
  const pos = llseek(f, offset, whence);
  if (pos >= 0) f.f_pos = pos;
  return pos;
}

/** lseek(2). */
export const ksys_lseek = kfunc('fs/read_write.c', function* ksys_lseek(fd: number, offset: number, whence: number): KGen<number> {
  klocals({ fd, offset, whence });
  const f = fget(fd);
  if (f === null) return -EBADF;
  const r = whence < 0 || whence > SEEK_HOLE ? -EINVAL : vfs_llseek(f, offset, whence);
  fput(f);
  return r;
});

/** kernel_read: the kernel reading a file into its own buffer at `pos`. */
export function* kernel_read(f: file, buf: Uint8Array, pos: number): KGen<number> {
  const err = can_rw(f, false);
  if (err < 0) return err;
  return yield* vfs_iter_read(f, new kvec_iter(buf), pos);
}

/** MAX_RW_COUNT: the most one transfer moves (INT_MAX rounded down to a page). */
const MAX_RW_COUNT = 0x7ffff000;
/** How much sendfile moves through its kernel buffer at a time. */
const SENDFILE_CHUNK = 64 * 1024;

/**
 * Reads `len` bytes of `in` at `pos` and writes them to `out` at its position, chunk by chunk,
 * until a short read (the end of the input) or a short write. The bytes moved, or -errno.
 */
function* copy_file_chunks(in_: file, pos: number, out: file, len: number): KGen<number> {
  let total = 0;
  const buf = new Uint8Array(Math.min(len, SENDFILE_CHUNK));
  while (total < len) {
    const want = Math.min(buf.length, len - total);
    const n = yield* vfs_iter_read(in_, new kvec_iter(buf.subarray(0, want)), pos + total);
    if (n <= 0) return total > 0 ? total : n;
    const w = yield* vfs_iter_write(out, new kvec_iter(buf.subarray(0, n)), null);
    if (w <= 0) return total > 0 ? total : w;
    total += w;
    if (w < n || n < want) break;
  }
  return total;
}

/**
 * do_sendfile: copies up to `count` bytes of `in_fd`, from `ppos.pos` (or its file position) on,
 * to `out_fd`, inside the kernel. Into a pipe it moves what the pipe's free slots hold, waiting
 * only while it is full (splice_file_to_pipe); into anything else it goes on until `count` or the
 * end of the input (do_splice_direct). The input must be a file that can be read from a
 * position: a pipe or a directory gives EINVAL.
 */
export const do_sendfile = kfunc('fs/read_write.c', function* do_sendfile(
  out_fd: number, in_fd: number, ppos: { pos: number } | null, count: number,
): KGen<number> {
  klocals({ out_fd, in_fd, count });
  const in_ = fget(in_fd);
  if (in_ === null) return -EBADF;
  try {
    if ((in_.f_mode & FMODE_READ) === 0) return -EBADF;
    if (ppos !== null && in_.f_op.llseek === undefined) return -ESPIPE;
    const pos = ppos?.pos ?? in_.f_pos;
    if (pos < 0 || count < 0) return -EINVAL;
    count = Math.min(count, MAX_RW_COUNT);
    const out = fget(out_fd);
    if (out === null) return -EBADF;
    try {
      if ((out.f_mode & FMODE_WRITE) === 0) return -EBADF;
      if (in_.f_op.read_iter === undefined || get_pipe_info(in_) !== null || S_ISDIR(in_.f_inode.i_mode)) return -EINVAL;
      const opipe = get_pipe_info(out);
      let ret: number;
      if (opipe === null) {
        if ((out.f_flags & O_APPEND) !== 0 || out.f_op.write_iter === undefined) return -EINVAL;
        ret = yield* copy_file_chunks(in_, pos, out, count);
      } else {
        const space = yield* wait_for_space(opipe, (out.f_flags & O_NONBLOCK) !== 0);
        ret = space < 0 ? space : yield* copy_file_chunks(in_, pos, out, Math.min(count, space));
      }
      if (ret > 0) {
        if (ppos !== null) ppos.pos = pos + ret;
        else in_.f_pos = pos + ret;
      }
      return ret;
    } finally {
      fput(out);
    }
  } finally {
    fput(in_);
  }
});
