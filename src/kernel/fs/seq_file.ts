/**
 * Files whose contents the kernel generates (fs/seq_file.c, the single_open flavour): `show`
 * produces the whole text when a read starts at position 0, and reads walk through it. procfs
 * files are made this way; some also accept a write (oom_score_adj, comm).
 */
import { EFAULT, EINVAL } from '../errno';
import type { KGen } from '../kfunc';
import type { file, file_operations, kiocb } from './fs_types';
import type { iov_iter } from './iov_iter';
import { SEEK_CUR, SEEK_SET } from './uapi';

/** Produces a file's text (a byte string, or bytes), or -errno (ESRCH: the process is gone). */
export type show_fn = (f: file) => KGen<string | Uint8Array | number>;
/** Takes the bytes written; returns how many it consumed, or -errno. */
export type store_fn = (f: file, data: Uint8Array) => number;

interface seq_file {
  buf: Uint8Array | null;
}

function seq_lseek(f: file, offset: number, whence: number): number {
  const pos = whence === SEEK_SET ? offset : whence === SEEK_CUR ? f.f_pos + offset : -1;
  return pos < 0 ? -EINVAL : pos;
}

/** single_open: the file operations of a generated file. */
export function single_fops(show: show_fn, store?: store_fn): file_operations {
  function* seq_read_iter(iocb: kiocb, to: iov_iter): KGen<number> {
    const f = iocb.ki_filp;
    const m = f.private_data as seq_file;
    if (m.buf === null || iocb.ki_pos === 0) {
      const r = yield* show(f);
      if (typeof r === 'number') return r;
      m.buf = typeof r === 'string' ? Buffer.from(r, 'latin1') : r;
    }
    if (iocb.ki_pos >= m.buf.length || to.count === 0) return 0;
    const n = yield* to.copy_to_iter(m.buf.subarray(iocb.ki_pos));
    if (n === 0) return -EFAULT;
    iocb.ki_pos += n;
    return n;
  }
  const fops: file_operations = {
    open: (_ino, f) => {
      f.private_data = { buf: null } satisfies seq_file;
      return 0;
    },
    read_iter: seq_read_iter,
    llseek: seq_lseek,
  };
  if (store !== undefined) {
    fops.write_iter = function* (iocb: kiocb, from: iov_iter): KGen<number> {
      const data = yield* from.copy_from_iter(from.count);
      if (data.length === 0 && from.count > 0) return -EFAULT;
      return store(iocb.ki_filp, data);
    };
  }
  return fops;
}
