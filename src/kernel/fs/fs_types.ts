/**
 * The objects of Linux's virtual file system (include/linux/fs.h, dcache.h, fdtable.h,
 * fs_struct.h), reduced to what Forkscope's guests need:
 *
 *  - `super_block`: one mounted file system (the host-backed root, the read-only sysroot, proc,
 *    the /dev nodes, pipes);
 *  - `inode` + `dentry`: a named object in the guest's tree. Forkscope keeps no dentry cache: a
 *    lookup builds a fresh dentry (holding its guest path, d_path) each time;
 *  - `file`: an open file description, shared by dup and fork, reference-counted;
 *  - `files_struct` (the descriptor table) and `fs_struct` (root, cwd, umask), shared or copied
 *    by clone's CLONE_FILES / CLONE_FS exactly as in Linux (kernel/fork.c: copy_files, copy_fs).
 *
 * Operations return a value or a negative errno, as the kernel does; those that may sleep (reads
 * and writes of pipes and terminals, ioctls that touch user memory) are generators (kfunc.ts).
 */
import type { KGen } from '../kfunc';
import type { MappedFile } from '../mm/mm_types';
import type { iov_iter } from './iov_iter';
import type { poll_table } from './poll';

/** Attributes as `getattr` reports them (include/linux/stat.h `struct kstat`). */
export interface kstat {
  /** Device numbers in Linux's encoding (major << 8 | minor for small numbers; see MKDEV). */
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  /** Times in nanoseconds since the epoch. */
  atime: bigint;
  mtime: bigint;
  ctime: bigint;
  btime: bigint;
}

/** new_encode_dev (include/linux/kdev_t.h): the dev_t user space sees. */
export function MKDEV(major: number, minor: number): number {
  return ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0;
}
export function MAJOR(dev: number): number {
  return (dev >>> 8) & 0xfff;
}
export function MINOR(dev: number): number {
  return (dev & 0xff) | ((dev >>> 12) & 0xfff00);
}

/** What statfs reports of a file system (include/linux/statfs.h `struct kstatfs`). */
export interface kstatfs {
  /** The file system's magic number (EXT4_SUPER_MAGIC, PROC_SUPER_MAGIC…). */
  f_type: number;
  f_bsize: number;
  f_blocks: number;
  f_bfree: number;
  f_bavail: number;
  f_files: number;
  f_ffree: number;
  f_fsid: [number, number];
  f_namelen: number;
  f_frsize: number;
}

/** One mounted file system. */
export interface super_block {
  /** The file system type, as /proc/mounts would name it ("hostfs", "proc", "devtmpfs", "pipefs"). */
  readonly s_type: string;
  /** Its device number (st_dev of synthesized files; host files report their own). */
  readonly s_dev: number;
  /** SB_RDONLY: every change fails with EROFS (the sysroot). */
  readonly s_readonly: boolean;
  /** super_operations.statfs; absent for the kernel's own file systems (simple_statfs). */
  statfs?(d: dentry): kstatfs | number;
}

/** The directory-level operations of an inode (Linux's `struct inode_operations`). */
export interface inode_operations {
  /** The child called `name` of the directory `dir`, or -ENOENT (or another -errno). */
  lookup?(dir: dentry, name: string): dentry | number;
  /**
   * Where a symbolic link leads: a path to walk, or — for procfs's "magic" links such as
   * /proc/<pid>/fd/N and cwd — the object itself (Linux's nd_jump_link).
   */
  get_link?(d: dentry): string | dentry | number;
  /** The link's text for readlink(2), when it is not what get_link returns. */
  readlink?(d: dentry): string | number;
  getattr(d: dentry): kstat | number;
  /** What the backing store itself allows (hostfs asks the host); access(2) consults it. */
  permission?(d: dentry, mask: number): number;
  /**
   * Creates a regular file `name` in `dir` with exactly `mode` (umask already applied), for an
   * open with `flags` that follows at once (the creator may write even a read-only new file).
   */
  create?(dir: dentry, name: string, mode: number, flags: number): dentry | number;
  mkdir?(dir: dentry, name: string, mode: number): number;
  /** A new special file (or an empty regular one) `name` in `dir` with exactly `mode`. */
  mknod?(dir: dentry, name: string, mode: number, dev: number): number;
  unlink?(dir: dentry, victim: dentry): number;
  rmdir?(dir: dentry, victim: dentry): number;
  rename?(old: dentry, newDir: dentry, newName: string, flags: number): number;
  /** A new hard link `name` in `dir` to `old`. */
  link?(old: dentry, dir: dentry, name: string): number;
  /** A new symbolic link `name` in `dir` holding `target`. */
  symlink?(dir: dentry, name: string, target: string): number;
  /** Changes size and/or permission bits (notify_change); through `f` when it is open. */
  setattr?(d: dentry, attr: iattr, f: file | null): number;
}

/** The attributes setattr changes (Linux's `struct iattr`): only the fields present. */
export interface iattr {
  readonly size?: number;
  /** Permission bits (S_IALLUGO); the file type never changes. */
  readonly mode?: number;
  /** New owner and group (chown). */
  readonly uid?: number;
  readonly gid?: number;
  /** New access and modification times in ns since the epoch, or the file system's clock now. */
  readonly atime?: bigint | 'now';
  readonly mtime?: bigint | 'now';
}

export interface inode {
  readonly i_sb: super_block;
  readonly i_ino: number;
  /** File type and permission bits as found by the lookup. */
  readonly i_mode: number;
  /** The device a device node stands for. */
  readonly i_rdev?: number;
  readonly i_op: inode_operations;
  readonly i_fop: file_operations;
  /** What the file system needs to find the object again (a host path, a task…). */
  readonly i_private: unknown;
}

/**
 * A name in the guest's tree bound to its inode. A dentry without a parent is the top of a tree
 * (named "/"), or an object that is in no directory at all — a pipe, named "pipe:[ino]" as
 * Linux's d_dname names it.
 */
export class dentry {
  /** The absolute guest path of this name (what d_path prints). */
  readonly d_path: string;

  constructor(
    readonly d_name: string,
    /** The directory `..` leads to; null at the top of the guest's tree. */
    readonly d_parent: dentry | null,
    readonly d_inode: inode,
  ) {
    this.d_path = d_parent === null ? d_name : d_parent.d_path === '/' ? `/${d_name}` : `${d_parent.d_path}/${d_name}`;
  }
}

/** An I/O request's position (Linux's `struct kiocb`): read/write ops move ki_pos. */
export interface kiocb {
  readonly ki_filp: file;
  ki_pos: number;
}

/** Where readdir emits entries (Linux's `struct dir_context`); `actor` returns false when full. */
export interface dir_context {
  pos: number;
  actor(name: string, ino: number, d_type: number): boolean;
}

/** The operations a kind of open file provides (Linux's `struct file_operations`). */
export interface file_operations {
  /** Sets up `file.private_data` when the file is opened (f_flags still hold O_TRUNC); 0 or -errno. */
  open?(ino: inode, file: file): number;
  /** Reads into `to` at iocb.ki_pos and moves it; may sleep. Bytes or -errno. */
  read_iter?(iocb: kiocb, to: iov_iter): KGen<number>;
  /** Writes from `from` at iocb.ki_pos and moves it; may sleep. Bytes or -errno. */
  write_iter?(iocb: kiocb, from: iov_iter): KGen<number>;
  /** New position or -errno; absent means the file cannot seek (ESPIPE). */
  llseek?(file: file, offset: number, whence: number): number;
  /** Emits directory entries from ctx.pos on; 0 or -errno. */
  iterate_shared?(file: file, ctx: dir_context): number;
  /**
   * What can be done now without blocking (EPOLL* bits); with a poll table, it also names (poll_wait)
   * the wait queues a change will be announced on. Absent means always ready (DEFAULT_POLLMASK).
   */
  poll?(file: file, wait: poll_table | null): number;
  /** Device-specific ioctl; -ENOTTY when the command is not for this file. */
  unlocked_ioctl?(file: file, cmd: number, arg: number): KGen<number>;
  /** What a mapping of this file reads its pages from (for mm/mmap.ts); -ENODEV if unmappable. */
  mmap?(file: file): MappedFile | number;
  /** Writes the file's data to stable storage (fsync, fdatasync); absent means EINVAL. */
  fsync?(file: file): number;
  /** Called when the last reference goes away. */
  release?(ino: inode, file: file): void;
}

// f_mode bits (include/linux/fs.h).
export const FMODE_READ = 0x1;
export const FMODE_WRITE = 0x2;
/** An O_PATH descriptor: names a file without giving access to its contents. */
export const FMODE_PATH = 0x4000;

export class file {
  /** Open flags (O_ACCMODE, O_APPEND, O_NONBLOCK…), as F_GETFL reports them. */
  f_flags: number;
  /** FMODE_* derived from the flags at open. */
  f_mode: number;
  f_pos = 0;
  /** References: descriptor-table slots and in-flight system calls (fget/fput). */
  f_count = 1;
  /** File operations (the empty set for O_PATH). */
  readonly f_op: file_operations;
  /** The name it was opened by (Linux's f_path); /proc/<pid>/fd prints its d_path. */
  readonly f_path: dentry;
  /** Kind-specific state (the host fd, the pipe, the directory listing…). */
  private_data: unknown = null;

  constructor(path: dentry, flags: number, mode: number, op: file_operations) {
    this.f_path = path;
    this.f_flags = flags;
    this.f_mode = mode;
    this.f_op = op;
  }

  get f_inode(): inode {
    return this.f_path.d_inode;
  }
}

/** The descriptor table (include/linux/fdtable.h). */
export class files_struct {
  /** Tasks sharing this table (CLONE_FILES). */
  count = 1;
  /** fd → open file. */
  readonly fd: (file | null)[] = [];
  /** fd → in use: installed, or reserved by an open that has not installed its file yet. */
  readonly open_fds: boolean[] = [];
  /** fd → FD_CLOEXEC. */
  readonly close_on_exec: boolean[] = [];
  /** Hint: no free descriptor below this one (Linux's next_fd). */
  next_fd = 0;
}

/** A task's root and working directory and its umask (include/linux/fs_struct.h). */
export class fs_struct {
  /** Tasks sharing this (CLONE_FS). */
  users = 1;
  umask = 0o022;

  constructor(public root: dentry, public pwd: dentry) {}
}
