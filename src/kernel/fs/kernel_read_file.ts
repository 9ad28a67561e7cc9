/**
 * Opening and reading a program for exec (fs/exec.c: do_open_execat; fs/kernel_read_file.c):
 * the file must be a regular file with an x bit (EACCES otherwise), and it is read whole into
 * the kernel; its mapping is what binfmt_elf maps segments from.
 */
import type { exec_file } from '../binfmts';
import { EACCES, EINVAL } from '../errno';
import { kfunc, klocals, type KGen } from '../kfunc';
import { fput } from './file';
import type { file } from './fs_types';
import { LOOKUP_EMPTY, LOOKUP_FOLLOW } from './namei';
import { do_filp_open } from './open';
import { kernel_read } from './read_write';
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, MAY_EXEC, MAY_OPEN, O_LARGEFILE, O_NOFOLLOW, O_RDONLY, S_ISREG } from './uapi';

/** do_open_execat: opens `name` (relative to `dfd`) for executing. */
export function do_open_execat(dfd: number, name: string, flags: number): file | number {
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return -EINVAL;
  const nofollow = (flags & AT_SYMLINK_NOFOLLOW) !== 0;
  const f = do_filp_open(dfd, name, {
    open_flag: O_RDONLY | O_LARGEFILE | (nofollow ? O_NOFOLLOW : 0),
    mode: 0,
    acc_mode: MAY_EXEC | MAY_OPEN,
    lookup_flags: (nofollow ? 0 : LOOKUP_FOLLOW) | ((flags & AT_EMPTY_PATH) !== 0 ? LOOKUP_EMPTY : 0),
  });
  if (typeof f === 'number') return f;
  if (!S_ISREG(f.f_inode.i_mode)) {
    fput(f);
    return -EACCES;
  }
  return f;
}

/** kernel_read_file: the whole file, read from offset 0 until end of file. */
export function* kernel_read_file(f: file): KGen<Uint8Array | number> {
  const chunks: Uint8Array[] = [];
  let pos = 0;
  for (;;) {
    const buf = new Uint8Array(256 * 1024);
    const n = yield* kernel_read(f, buf, pos);
    if (n < 0) return n;
    if (n === 0) break;
    chunks.push(buf.subarray(0, n));
    pos += n;
  }
  return Buffer.concat(chunks);
}

/**
 * The program execveat(dfd, name, flags) names: its bytes and its mapping. The file itself is
 * closed again; the mapping keeps what it needs open.
 */
export const open_execat = kfunc('fs/exec.c', function* open_execat(dfd: number, name: string, flags: number): KGen<exec_file | number> {
  klocals({ dfd, name, flags });
  const f = do_open_execat(dfd, name, flags);
  if (typeof f === 'number') return f;
  try {
    const mapped = f.f_op.mmap?.(f) ?? -EACCES;
    if (typeof mapped === 'number') return -EACCES;
    const bytes = yield* kernel_read_file(f);
    if (typeof bytes === 'number') return bytes;
    return { path: name, bytes, mapped };
  } finally {
    fput(f);
  }
});

/** open_exec: the program (or interpreter) at `name`, relative to the cwd. */
export function open_exec(name: string): KGen<exec_file | number> {
  return open_execat(AT_FDCWD, name, 0);
}
