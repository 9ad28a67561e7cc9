/**
 * Descriptor tables (fs/file.c, fs/file_table.c): allocating the lowest free descriptor,
 * installing and closing files, taking references for a system call (fget/fput), and the
 * table-level steps of fork, exec and exit (dup_fd, unshare_files, do_close_on_exec,
 * exit_files).
 */
import { EBADF, EINVAL, EMFILE } from '../errno';
import { current } from '../kfunc';
import { RLIMIT_NOFILE } from '../signal_types';
import type { Task } from '../task';
import { eventpoll_release } from './eventpoll';
import { FMODE_PATH, files_struct, type file } from './fs_types';
import { locks_remove_file, locks_remove_posix } from './locks';
import { O_CLOEXEC } from './uapi';

/** RLIMIT_NOFILE's default soft limit (INR_OPEN_CUR), used when the process has no limits yet. */
export const INR_OPEN_CUR = 1024;
/** The most descriptors any table may have (sysctl fs.nr_open's default). */
export const NR_OPEN = 1024 * 1024;

/** rlimit(RLIMIT_NOFILE) of the current process: descriptors must be below it. */
export function nofile_limit(): number {
  const lim = current().signal?.rlim[RLIMIT_NOFILE]?.rlim_cur ?? INR_OPEN_CUR;
  return Math.min(lim, NR_OPEN);
}

function current_files(): files_struct {
  const files = current().files;
  if (files === null) throw new Error('task has no files_struct');
  return files;
}

/**
 * alloc_fd: the lowest descriptor ≥ `start` that is free, below `end`; it is reserved (open_fds)
 * until fd_install fills it. -EMFILE when there is none.
 */
export function alloc_fd(files: files_struct, start: number, end: number, flags: number): number {
  let fd = Math.max(start, files.next_fd);
  while (fd < end && files.open_fds[fd] === true) fd++;
  if (fd >= end) return -EMFILE;
  files.open_fds[fd] = true;
  files.close_on_exec[fd] = (flags & O_CLOEXEC) !== 0;
  if (start <= files.next_fd) files.next_fd = fd + 1;
  return fd;
}

/** get_unused_fd_flags: a descriptor for a file about to be opened, in the current table. */
export function get_unused_fd_flags(flags: number): number {
  return alloc_fd(current_files(), 0, nofile_limit(), flags);
}

function __put_unused_fd(files: files_struct, fd: number): void {
  files.open_fds[fd] = false;
  files.close_on_exec[fd] = false;
  if (fd < files.next_fd) files.next_fd = fd;
}

/** put_unused_fd: gives back a reserved descriptor when the open failed. */
export function put_unused_fd(fd: number): void {
  __put_unused_fd(current_files(), fd);
}

/** fd_install: makes the reserved `fd` refer to `f` (the caller's reference moves to the table). */
export function fd_install(fd: number, f: file): void {
  current_files().fd[fd] = f;
}

/**
 * fput: drops a reference; the last one releases the file (__fput) — after taking it out of
 * every epoll instance that watches it and dropping its flock and OFD locks.
 */
export function fput(f: file): void {
  if (--f.f_count > 0) return;
  eventpoll_release(f);
  locks_remove_file(f);
  f.f_op.release?.(f.f_inode, f);
}

/** get_file: takes another reference. */
export function get_file(f: file): file {
  f.f_count++;
  return f;
}

function lookup_fd(files: files_struct, fd: number): file | null {
  if (!Number.isInteger(fd) || fd < 0) return null;
  return files.fd[fd] ?? null;
}

/** fget_raw: a reference to the file behind `fd`, O_PATH descriptors included; null if none. */
export function fget_raw(fd: number): file | null {
  const f = lookup_fd(current_files(), fd);
  return f === null ? null : get_file(f);
}

/** fget: like fget_raw, but an O_PATH descriptor does not count (its contents are off limits). */
export function fget(fd: number): file | null {
  const f = lookup_fd(current_files(), fd);
  if (f === null || (f.f_mode & FMODE_PATH) !== 0) return null;
  return get_file(f);
}

/** Takes `fd` out of the table; returns the file it held (the table's reference), or null. */
function file_close_fd(files: files_struct, fd: number): file | null {
  const f = lookup_fd(files, fd);
  if (f === null) return null;
  files.fd[fd] = null;
  __put_unused_fd(files, fd);
  return f;
}

/**
 * filp_close: what closing one descriptor of table `id` does to its file — the POSIX locks the
 * table's process holds on the file go, whichever descriptor took them.
 */
export function filp_close(f: file, id: files_struct): number {
  if ((f.f_mode & FMODE_PATH) === 0) locks_remove_posix(f, id);
  fput(f);
  return 0;
}

/** close_fd: close(2). */
export function close_fd(fd: number): number {
  const files = current_files();
  const f = file_close_fd(files, fd);
  if (f === null) return -EBADF;
  return filp_close(f, files);
}

export function set_close_on_exec(fd: number, flag: boolean): void {
  current_files().close_on_exec[fd] = flag;
}

export function get_close_on_exec(fd: number): boolean {
  return current_files().close_on_exec[fd] === true;
}

/**
 * do_dup2 / replace_fd: makes `fd` refer to `f`, closing what it referred to before. The caller
 * holds a reference to `f` that moves to the table.
 */
export function do_dup2(files: files_struct, f: file, fd: number, flags: number): number {
  const old = files.fd[fd] ?? null;
  files.fd[fd] = f;
  files.open_fds[fd] = true;
  files.close_on_exec[fd] = (flags & O_CLOEXEC) !== 0;
  if (old !== null) filp_close(old, files);
  return fd;
}

/** ksys_dup3: dup3(2) (and dup2 semantics for flags 0). */
export function ksys_dup3(oldfd: number, newfd: number, flags: number): number {
  if ((flags & ~O_CLOEXEC) !== 0) return -EINVAL;
  if (oldfd === newfd) return -EINVAL;
  const files = current_files();
  if (!Number.isInteger(newfd) || newfd < 0 || newfd >= nofile_limit()) return -EBADF;
  const f = lookup_fd(files, oldfd);
  if (f === null) return -EBADF;
  return do_dup2(files, get_file(f), newfd, flags);
}

/** f_dupfd: a new descriptor ≥ `from` for the file (F_DUPFD, F_DUPFD_CLOEXEC, dup). */
export function f_dupfd(from: number, f: file, flags: number): number {
  const limit = nofile_limit();
  if (from < 0 || from >= limit) return -EINVAL;
  const files = current_files();
  const fd = alloc_fd(files, from, limit, flags);
  if (fd >= 0) files.fd[fd] = get_file(f);
  return fd;
}

/** ksys_dup: dup(2). */
export function ksys_dup(fildes: number): number {
  const f = lookup_fd(current_files(), fildes);
  return f === null ? -EBADF : f_dupfd(0, f, 0);
}

/** dup_fd: the copy of a table that fork makes without CLONE_FILES; every file gains a reference. */
export function dup_fd(oldf: files_struct): files_struct {
  const newf = new files_struct();
  oldf.fd.forEach((f, i) => {
    if (f === null) return;
    newf.fd[i] = get_file(f);
    newf.open_fds[i] = true;
    newf.close_on_exec[i] = oldf.close_on_exec[i] === true;
  });
  // A descriptor reserved but not yet installed in the parent is not inherited.
  newf.next_fd = 0;
  return newf;
}

/** get_files_struct: another user of the same table (CLONE_FILES). */
export function get_files_struct(files: files_struct): files_struct {
  files.count++;
  return files;
}

function close_files(files: files_struct): void {
  files.fd.forEach((f, i) => {
    if (f !== null) {
      files.fd[i] = null;
      filp_close(f, files);
    }
  });
}

/** put_files_struct: the last user of a table closes every file in it. */
export function put_files_struct(files: files_struct): void {
  if (--files.count === 0) close_files(files);
}

/** exit_files: do_exit's step; the task leaves its table. */
export function exit_files(tsk: Task): void {
  const files = tsk.files;
  if (files === null) return;
  tsk.files = null;
  put_files_struct(files);
}

/**
 * unshare_files: exec gives a task that shares its table (CLONE_FILES) a copy of its own, so that
 * closing the close-on-exec descriptors does not take them from the other sharers.
 */
export function unshare_files(): void {
  const t = current();
  const files = t.files;
  if (files === null || files.count === 1) return;
  t.files = dup_fd(files);
  put_files_struct(files);
}

/** do_close_on_exec: closes every descriptor marked FD_CLOEXEC. */
export function do_close_on_exec(files: files_struct): void {
  files.fd.forEach((f, i) => {
    if (f === null || files.close_on_exec[i] !== true) return;
    file_close_fd(files, i);
    filp_close(f, files);
  });
}
