/**
 * Names of objects (fs/d_path.c): getcwd returns the working directory's path from the guest's
 * root; a working directory that has been removed gives ENOENT, as Linux does.
 */
import { ENOENT } from '../errno';
import { kfunc, type KGen } from '../kfunc';
import { current_fs } from './fs_struct';

/** getcwd's path (the caller copies it out with its NUL). */
export const do_getcwd = kfunc('fs/d_path.c', function* do_getcwd(): KGen<string | number> {
  yield* [];
  const pwd = current_fs().pwd;
  // d_unlinked: the directory is gone if its attributes can no longer be found.
  if (typeof pwd.d_inode.i_op.getattr(pwd) === 'number') return -ENOENT;
  return pwd.d_path;
});
