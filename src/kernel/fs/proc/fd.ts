/**
 * /proc/<pid>/fd (fs/proc/fd.c): one link per open descriptor, named by its number. Following a
 * link gives the open file's own object (a "magic" link — it works for pipes and for files no
 * longer reachable by name); readlink shows the file's path, or "pipe:[ino]".
 */
import type { Task } from '../../task';
import type { dentry, inode } from '../fs_types';
import { FMODE_READ, FMODE_WRITE } from '../fs_types';
import { simple_link_inode, type simple_dir, type simple_sb } from '../libfs';
import { ENOENT } from '../../errno';

/** The file open on `fd` in the task's table now, if any. */
function task_file(t: Task, fd: number) {
  return t.files?.fd[fd] ?? null;
}

/** proc_readfd: the descriptors in use, in ascending order. */
function fd_names(t: Task): string[] {
  const out: string[] = [];
  t.files?.fd.forEach((f, i) => {
    if (f !== null) out.push(String(i));
  });
  return out;
}

/** tid_fd_update_inode: the link's mode shows how the file is open (r-x, -wx, rwx for the owner). */
function fd_link_inode(sb: simple_sb, t: Task, fd: number): inode | null {
  const f = task_file(t, fd);
  if (f === null) return null;
  const mode = ((f.f_mode & FMODE_READ) !== 0 ? 0o500 : 0) | ((f.f_mode & FMODE_WRITE) !== 0 ? 0o300 : 0);
  return simple_link_inode(sb, `${t.pid}/fd/${fd}`, (): dentry | number => task_file(t, fd)?.f_path ?? -ENOENT, mode);
}

export function proc_fd_dir(sb: simple_sb, t: Task): simple_dir {
  return {
    names: () => fd_names(t),
    child: (_d, name) => (/^(0|[1-9]\d*)$/.test(name) ? fd_link_inode(sb, t, Number(name)) : null),
  };
}
