/**
 * A task's root, working directory and umask (fs/fs_struct.c): shared by CLONE_FS, copied by
 * fork otherwise, and dropped at exit.
 */
import { current } from '../kfunc';
import type { Task } from '../task';
import { fs_struct, type dentry } from './fs_types';
import { current_mnt_ns } from './namespace';

/** The fs_struct of the first task (init_fs): root and working directory at the guest's `/`. */
export function init_fs_struct(): fs_struct {
  const root = current_mnt_ns().root;
  return new fs_struct(root, root);
}

/** copy_fs_struct: fork without CLONE_FS gets its own copy. */
export function copy_fs_struct(old: fs_struct): fs_struct {
  const fs = new fs_struct(old.root, old.pwd);
  fs.umask = old.umask;
  return fs;
}

/** exit_fs: the task stops using its fs_struct (the last user frees it). */
export function exit_fs(tsk: Task): void {
  const fs = tsk.fs;
  if (fs === null) return;
  tsk.fs = null;
  fs.users--;
}

export function current_fs(): fs_struct {
  const fs = current().fs;
  if (fs === null) throw new Error('task has no fs_struct');
  return fs;
}

/** set_fs_pwd: chdir's last step. */
export function set_fs_pwd(fs: fs_struct, pwd: dentry): void {
  fs.pwd = pwd;
}

/** current_umask: the bits a new file's mode loses. */
export function current_umask(): number {
  return current().fs?.umask ?? 0o022;
}

/** umask(2) (kernel/sys.c): sets the permission bits new files lose; returns the old mask. */
export function ksys_umask(mask: number): number {
  const fs = current_fs();
  const old = fs.umask;
  fs.umask = mask & 0o777;
  return old;
}
