/**
 * Opening files (fs/open.c, and fs/namei.c's path_openat): openat's flag checks, the walk to
 * the file (creating it for O_CREAT), the permission checks of may_open, and do_dentry_open,
 * which gives the new `struct file` its operations — refusing to open a running program for
 * writing (ETXTBSY). Also access(2), chdir, fchdir, truncate, ftruncate, fchmod, fchmodat,
 * fchown and fchownat.
 */
import { capable } from '../cred';
import {
  EACCES, EBADF, EEXIST, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, EOPNOTSUPP, EPERM, EROFS, ETXTBSY,
} from '../errno';
import { current, kernel, kfunc, klocals, type KGen } from '../kfunc';
import { fd_install, fget, fget_raw, fput, get_unused_fd_flags, put_unused_fd } from './file';
import { current_fs, current_umask, set_fs_pwd } from './fs_struct';
import { dentry, file, FMODE_PATH, FMODE_WRITE, type file_operations, type iattr } from './fs_types';
import {
  at_lookup_flags, filename_lookup, filename_parentat, follow_last_link, inode_permission, lookup_one,
  LOOKUP_DIRECTORY, LOOKUP_FOLLOW, may_create, type walk_result,
} from './namei';
import {
  AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, MAY_APPEND, MAY_EXEC, MAY_OPEN, MAY_READ,
  MAY_WRITE, O_ACCMODE, O_APPEND, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_LARGEFILE, O_NOCTTY,
  O_NOFOLLOW, O_PATH, O_TRUNC, S_IALLUGO, S_ISDIR, S_ISLNK, S_ISREG, __O_TMPFILE, VALID_OPEN_FLAGS,
} from './uapi';
import { vfs_getattr } from './stat';

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_IXGRP = 0o010;

/** What build_open_flags works out from open's flags and mode (Linux's `struct open_flags`). */
export interface open_flags {
  readonly open_flag: number;
  /** Permission bits for a file O_CREAT makes (before the umask). */
  readonly mode: number;
  /** MAY_* bits may_open checks. */
  readonly acc_mode: number;
  readonly lookup_flags: number;
}

/** build_open_flags: validates and normalizes openat's flags (unknown bits are dropped). */
export function build_open_flags(flags: number, mode: number): open_flags | number {
  // 64-bit kernels open every file as large (force_o_largefile), so F_GETFL shows it; O_CLOEXEC
  // belongs to the descriptor, not the file, and never shows.
  flags = (flags & VALID_OPEN_FLAGS & ~O_CLOEXEC) | O_LARGEFILE;
  if ((flags & __O_TMPFILE) !== 0) return -EOPNOTSUPP; // no file system here makes unnamed files
  if ((flags & O_CREAT) !== 0 && (flags & O_DIRECTORY) !== 0) return -EINVAL;
  if ((flags & O_PATH) !== 0) {
    flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH;
    return { open_flag: flags, mode: 0, acc_mode: 0, lookup_flags: lookup_flags_of(flags) };
  }
  const acc = flags & O_ACCMODE;
  let acc_mode = MAY_OPEN | (acc === 0 ? MAY_READ : acc === 1 ? MAY_WRITE : MAY_READ | MAY_WRITE);
  if ((flags & O_TRUNC) !== 0) acc_mode |= MAY_WRITE;
  if ((flags & O_APPEND) !== 0) acc_mode |= MAY_APPEND;
  return {
    open_flag: flags,
    mode: (flags & O_CREAT) !== 0 ? mode & S_IALLUGO : 0,
    acc_mode,
    lookup_flags: lookup_flags_of(flags),
  };
}

function lookup_flags_of(flags: number): number {
  return ((flags & O_NOFOLLOW) === 0 ? LOOKUP_FOLLOW : 0) | ((flags & O_DIRECTORY) !== 0 ? LOOKUP_DIRECTORY : 0);
}

/** OPEN_FMODE: FMODE_READ/FMODE_WRITE from the access mode (3 gives neither). */
export function open_fmode(flags: number): number {
  return (flags + 1) & O_ACCMODE;
}

/** may_open: may this object be opened with these access bits at all? */
function may_open(d: dentry, acc_mode: number): number {
  const mode = d.d_inode.i_mode;
  if (S_ISLNK(mode)) return -ELOOP;
  if (S_ISDIR(mode)) {
    if ((acc_mode & MAY_WRITE) !== 0) return -EISDIR;
    if ((acc_mode & MAY_EXEC) !== 0) return -EACCES;
  }
  return inode_permission(d, acc_mode);
}

/** An O_PATH file: it names an object; reading, writing and mapping it fail with EBADF. */
const path_file_ops: file_operations = {};

/**
 * Is `d` the program a process is running (its mm's exe_file)? Linux denies writes to it for as
 * long as it runs (deny_write_access), so writing cannot change the code under the process.
 */
function is_running_exe(d: dentry): boolean {
  const ino = d.d_inode.i_ino;
  const devs = kernel().tasks.flatMap((t) => (t.mm?.exe_file?.ino === ino ? [t.mm.exe_file.dev] : []));
  if (devs.length === 0) return false;
  const st = vfs_getattr(d);
  return typeof st !== 'number' && devs.includes(st.dev);
}

/** do_dentry_open / vfs_open: the file object, with the operations of the object's file system. */
export function vfs_open(d: dentry, flags: number): file | number {
  if ((flags & O_PATH) !== 0) return new file(d, flags, FMODE_PATH, path_file_ops);
  const f = new file(d, flags, open_fmode(flags), d.d_inode.i_fop);
  if ((f.f_mode & FMODE_WRITE) !== 0 && S_ISREG(d.d_inode.i_mode) && is_running_exe(d)) return -ETXTBSY;
  const err = f.f_op.open?.(d.d_inode, f) ?? 0;
  if (err < 0) return err;
  f.f_flags &= ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
  return f;
}

/** The last component of an O_CREAT open: the existing object, or a new regular file. */
function open_last_create(p: walk_result, op: open_flags): { d: dentry; created: boolean } | number {
  const total = { count: 0 };
  let w = p;
  for (;;) {
    if (w.last === '' || w.last === '.' || w.last === '..' || w.trailing) return -EISDIR;
    const child = lookup_one(w.dir, w.last);
    if (typeof child === 'number') {
      if (child !== -ENOENT) return child;
      const perm = may_create(w.dir);
      if (perm < 0) return perm;
      const create = w.dir.d_inode.i_op.create;
      if (create === undefined) return -EACCES;
      const d = create(w.dir, w.last, op.mode & ~current_umask(), op.open_flag);
      return typeof d === 'number' ? d : { d, created: true };
    }
    if ((op.open_flag & O_EXCL) !== 0) return -EEXIST;
    if (S_ISLNK(child.d_inode.i_mode)) {
      if ((op.open_flag & O_NOFOLLOW) !== 0) return -ELOOP;
      const next = follow_last_link(w, child, total);
      if (typeof next === 'number') return next;
      if (next instanceof dentry) {
        if (S_ISDIR(next.d_inode.i_mode)) return -EISDIR;
        return { d: next, created: false };
      }
      w = next;
      continue;
    }
    if (S_ISDIR(child.d_inode.i_mode)) return -EISDIR;
    return { d: child, created: false };
  }
}

/** do_filp_open (path_openat + do_open): the open file for `name`, or -errno. */
export function do_filp_open(dfd: number, name: string, op: open_flags): file | number {
  let d: dentry;
  let created = false;
  if ((op.open_flag & O_CREAT) !== 0 && (op.open_flag & O_PATH) === 0) {
    const p = filename_parentat(dfd, name);
    if (typeof p === 'number') return p;
    const r = open_last_create(p, op);
    if (typeof r === 'number') return r;
    ({ d, created } = r);
  } else {
    const r = filename_lookup(dfd, name, op.lookup_flags);
    if (typeof r === 'number') return r;
    d = r;
  }
  if ((op.open_flag & O_PATH) === 0 && !created) {
    const err = may_open(d, op.acc_mode);
    if (err < 0) return err;
  }
  return vfs_open(d, op.open_flag);
}

/** do_sys_openat2: openat(2) — a descriptor first (EMFILE before anything else), then the file. */
export const do_sys_openat2 = kfunc('fs/open.c', function* do_sys_openat2(
  dfd: number, filename: string, flags: number, mode: number,
): KGen<number> {
  klocals({ filename, flags: '0' + flags.toString(8), mode: '0' + mode.toString(8) });
  const op = build_open_flags(flags, mode);
  if (typeof op === 'number') return op;
  const fd = get_unused_fd_flags(flags);
  if (fd < 0) return fd;
  const f = do_filp_open(dfd, filename, op);
  if (typeof f === 'number') {
    put_unused_fd(fd);
    return f;
  }
  fd_install(fd, f);
  return fd;
});

/** filp_open: the kernel opening a file by name (relative to the caller's cwd). */
export function filp_open(name: string, flags: number, mode: number): file | number {
  const op = build_open_flags(flags, mode);
  if (typeof op === 'number') return op;
  return do_filp_open(AT_FDCWD, name, op);
}

/** do_faccessat: access(2), faccessat(2), faccessat2(2). */
export const do_faccessat = kfunc('fs/open.c', function* do_faccessat(
  dfd: number, filename: string, mode: number, flags: number,
): KGen<number> {
  klocals({ filename, mode });
  if ((mode & ~7) !== 0) return -EINVAL;
  if ((flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return -EINVAL;
  const d = filename_lookup(dfd, filename, at_lookup_flags(flags));
  if (typeof d === 'number') return d;
  if (mode === 0) return 0;
  const err = inode_permission(d, mode);
  if (err < 0) return err;
  return d.d_inode.i_op.permission?.(d, mode) ?? 0;
});

function set_pwd(d: dentry): number {
  if (!S_ISDIR(d.d_inode.i_mode)) return -ENOTDIR;
  const err = inode_permission(d, MAY_EXEC);
  if (err < 0) return err;
  set_fs_pwd(current_fs(), d);
  return 0;
}

/** chdir(2). */
export const ksys_chdir = kfunc('fs/open.c', function* ksys_chdir(filename: string): KGen<number> {
  klocals({ filename });
  const d = filename_lookup(AT_FDCWD, filename, LOOKUP_FOLLOW | LOOKUP_DIRECTORY);
  return typeof d === 'number' ? d : set_pwd(d);
});

/** fchdir(2): an O_PATH descriptor will do. */
export const ksys_fchdir = kfunc('fs/open.c', function* ksys_fchdir(fd: number): KGen<number> {
  const f = fget_raw(fd);
  if (f === null) return -EBADF;
  const r = set_pwd(f.f_path);
  fput(f);
  return r;
});

/** do_truncate: a regular file's new size through setattr. */
function do_truncate(d: dentry, length: number, f: file | null): number {
  const setattr = d.d_inode.i_op.setattr;
  return setattr === undefined ? -EPERM : setattr(d, { size: length }, f);
}

/** do_sys_truncate: truncate(2) — the file named by the path. */
export const do_sys_truncate = kfunc('fs/open.c', function* do_sys_truncate(pathname: string, length: number): KGen<number> {
  klocals({ pathname, length });
  yield* [];
  if (length < 0) return -EINVAL;
  const d = filename_lookup(AT_FDCWD, pathname, LOOKUP_FOLLOW);
  if (typeof d === 'number') return d;
  const mode = d.d_inode.i_mode;
  if (S_ISDIR(mode)) return -EISDIR;
  if (!S_ISREG(mode)) return -EINVAL;
  const err = inode_permission(d, MAY_WRITE);
  if (err < 0) return err;
  return is_running_exe(d) ? -ETXTBSY : do_truncate(d, length, null);
});

/** do_sys_ftruncate: ftruncate(2) — a regular file open for writing. */
export const do_sys_ftruncate = kfunc('fs/open.c', function* do_sys_ftruncate(fd: number, length: number): KGen<number> {
  klocals({ fd, length });
  yield* [];
  if (length < 0) return -EINVAL;
  const f = fget(fd);
  if (f === null) return -EBADF;
  const r = !S_ISREG(f.f_inode.i_mode) || (f.f_mode & FMODE_WRITE) === 0 ? -EINVAL : do_truncate(f.f_path, length, f);
  fput(f);
  return r;
});

/** chmod_common: new permission bits, the file type kept. */
function chmod_common(d: dentry, mode: number): number {
  if (d.d_inode.i_sb.s_readonly) return -EROFS;
  const setattr = d.d_inode.i_op.setattr;
  return setattr === undefined ? -EPERM : setattr(d, { mode: mode & S_IALLUGO }, null);
}

/** do_fchmodat: fchmodat(2) / fchmodat2(2); a link itself cannot change mode (EOPNOTSUPP). */
export const do_fchmodat = kfunc('fs/open.c', function* do_fchmodat(dfd: number, filename: string, mode: number, flags: number): KGen<number> {
  klocals({ filename, mode: '0' + mode.toString(8), flags });
  yield* [];
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return -EINVAL;
  const d = filename_lookup(dfd, filename, at_lookup_flags(flags));
  if (typeof d === 'number') return d;
  if (S_ISLNK(d.d_inode.i_mode)) return -EOPNOTSUPP;
  return chmod_common(d, mode);
});

/** fchmod(2). */
export const ksys_fchmod = kfunc('fs/open.c', function* ksys_fchmod(fd: number, mode: number): KGen<number> {
  klocals({ fd, mode: '0' + mode.toString(8) });
  yield* [];
  const f = fget(fd);
  if (f === null) return -EBADF;
  const r = chmod_common(f.f_path, mode);
  fput(f);
  return r;
});

/** in_group_p: is `gid` the caller's file-system group or one of its supplementary groups? */
function in_group_p(gid: number): boolean {
  const c = current().cred;
  return c.fsgid === gid || c.groups.includes(gid);
}

/**
 * chown_common: a new owner and/or group (-1 keeps one as it is). Root may give any; an owner may
 * only keep the owner and pick one of its own groups (EPERM otherwise). A non-directory loses its
 * set-user-ID bit, and its set-group-ID bit when group-executable (or when the caller is neither
 * root nor in the file's group).
 */
function chown_common(d: dentry, user: number, group: number, f: file | null): number {
  const setattr = d.d_inode.i_op.setattr;
  if (setattr === undefined) return -EPERM;
  const st = vfs_getattr(d);
  if (typeof st === 'number') return st;
  const uid = user === 0xffffffff ? undefined : user;
  const gid = group === 0xffffffff ? undefined : group;
  const c = current().cred;
  const owner = c.fsuid === st.uid;
  if (!capable()) {
    if (uid !== undefined && !(owner && uid === st.uid)) return -EPERM;
    if (gid !== undefined && !(owner && (gid === st.gid || in_group_p(gid)))) return -EPERM;
  }
  let mode = st.mode;
  if (!S_ISDIR(mode)) {
    mode &= ~S_ISUID;
    if ((mode & S_ISGID) !== 0 && ((mode & S_IXGRP) !== 0 || !(capable() || in_group_p(st.gid)))) mode &= ~S_ISGID;
  }
  const attr: iattr = { uid, gid, ...(mode !== st.mode ? { mode: mode & S_IALLUGO } : {}) };
  return setattr(d, attr, f);
}

/** do_fchownat: fchownat(2) (and glibc's chown and lchown). */
export const do_fchownat = kfunc('fs/open.c', function* do_fchownat(
  dfd: number, filename: string, user: number, group: number, flag: number,
): KGen<number> {
  klocals({ filename, user, group, flag });
  yield* [];
  if ((flag & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return -EINVAL;
  const d = filename_lookup(dfd, filename, at_lookup_flags(flag));
  if (typeof d === 'number') return d;
  if (d.d_inode.i_sb.s_readonly) return -EROFS;
  return chown_common(d, user, group, null);
});

/** ksys_fchown: fchown(2). */
export const ksys_fchown = kfunc('fs/open.c', function* ksys_fchown(fd: number, user: number, group: number): KGen<number> {
  klocals({ fd, user, group });
  yield* [];
  const f = fget(fd);
  if (f === null) return -EBADF;
  try {
    if (f.f_inode.i_sb.s_readonly) return -EROFS;
    return chown_common(f.f_path, user, group, f);
  } finally {
    fput(f);
  }
});
