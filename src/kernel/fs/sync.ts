/**
 * fsync(2) and fdatasync(2) (fs/sync.c): a host file is flushed to the host's disk; files with
 * nothing to flush (pipes, terminals, /dev nodes) refuse with EINVAL, as in Linux.
 */
import { EBADF, EINVAL } from '../errno';
import { kfunc, klocals, type KGen } from '../kfunc';
import { fget, fput } from './file';

export const do_fsync = kfunc('fs/sync.c', function* do_fsync(fd: number): KGen<number> {
  klocals({ fd });
  yield* [];
  const f = fget(fd);
  if (f === null) return -EBADF;
  const r = f.f_op.fsync?.(f) ?? -EINVAL;
  fput(f);
  return r;
});
