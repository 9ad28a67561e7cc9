/**
 * Path name lookup (fs/namei.c) in the sandboxed tree, and the system calls that change names:
 * mkdirat, mknodat, unlinkat (and rmdir), renameat2, symlinkat, linkat.
 *
 * A path is walked one component at a time from the task's root (absolute) or the starting
 * directory (relative), as Linux's link_path_walk does: `.` stays, `..` goes to the parent and
 * never above the guest's `/`, every other name is looked up in its directory's file system, and
 * a symbolic link met on the way is read and its target walked in its place — an absolute target
 * from the guest's `/` again, never the host's. After 40 links (MAXSYMLINKS) the lookup fails
 * with ELOOP. The host is asked only about one name in an already-resolved directory at a
 * time (hostfs), so no path the guest writes can reach outside its root.
 *
 * With a sysroot (qemu's -L), an absolute path that does not exist under the root is looked up
 * again under the sysroot, whose files are read-only (EROFS).
 *
 * Forkscope's guests run as root (uid 0, the only user), so permission checks follow root's
 * rules (CAP_DAC_OVERRIDE): reading and writing are allowed, executing a file needs one x bit;
 * the host still refuses what the host user may not do, and that error is passed on.
 */
import {
  EACCES, EBADF, EBUSY, EEXIST, EINVAL, EISDIR, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, ENOTEMPTY, EPERM, EROFS,
  EXDEV,
} from '../errno';
import { kfunc, klocals, type KGen } from '../kfunc';
import { fget_raw, fput } from './file';
import { current_fs, current_umask } from './fs_struct';
import type { dentry } from './fs_types';
import { current_mnt_ns, lookup_mnt } from './namespace';
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, MAXSYMLINKS, MAY_EXEC, MAY_WRITE, NAME_MAX, PATH_MAX, RENAME_EXCHANGE, RENAME_NOREPLACE,
  RENAME_WHITEOUT, S_IFBLK, S_IFCHR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK, S_IRWXUGO, S_ISDIR, S_ISLNK, S_ISREG,
  S_ISVTX,
} from './uapi';

// Lookup flags (include/linux/namei.h).
export const LOOKUP_FOLLOW = 0x0001;
export const LOOKUP_DIRECTORY = 0x0002;
export const LOOKUP_EMPTY = 0x4000;

/** The lookup flags an *at() call's AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH ask for. */
export function at_lookup_flags(flags: number): number {
  return ((flags & AT_SYMLINK_NOFOLLOW) === 0 ? LOOKUP_FOLLOW : 0) | ((flags & AT_EMPTY_PATH) !== 0 ? LOOKUP_EMPTY : 0);
}

/** The state of one lookup (Linux's `struct nameidata`). */
interface nameidata {
  /** Where `/` and absolute link targets lead: the guest's root, or the sysroot's. */
  readonly root: dentry;
  total_link_count: number;
}

/** A path walked up to its last component. `last` is '' when the path was only slashes. */
export interface walk_result {
  /** The tree it was walked in (the guest's root, or the sysroot's). */
  readonly root: dentry;
  readonly dir: dentry;
  readonly last: string;
  /** The path ended with '/': the last component must be a directory (links are followed). */
  readonly trailing: boolean;
}

/**
 * inode_permission: may the caller access `d` as `mask` (MAY_READ|MAY_WRITE|MAY_EXEC) asks?
 * Writing to a read-only file system fails with EROFS; otherwise root's rules apply: only
 * executing a non-directory needs an x bit.
 */
export function inode_permission(d: dentry, mask: number): number {
  const mode = d.d_inode.i_mode;
  if ((mask & MAY_WRITE) !== 0 && d.d_inode.i_sb.s_readonly && (S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode))) {
    return -EROFS;
  }
  if ((mask & MAY_EXEC) !== 0 && !S_ISDIR(mode) && (mode & 0o111) === 0) return -EACCES;
  return 0;
}

/** may_lookup: `dir` must be a directory we may search. */
function may_lookup(dir: dentry): number {
  if (!S_ISDIR(dir.d_inode.i_mode)) return -ENOTDIR;
  return inode_permission(dir, MAY_EXEC);
}

/** lookup_one: the child `name` of `dir` — a file system mounted there first (follow_mount). */
export function lookup_one(dir: dentry, name: string): dentry | number {
  if (name.length > NAME_MAX) return -ENAMETOOLONG;
  const mnt = lookup_mnt(dir, name);
  if (mnt !== null) return mnt;
  const lookup = dir.d_inode.i_op.lookup;
  return lookup === undefined ? -ENOTDIR : lookup(dir, name);
}

/** follow_dotdot: the parent, except at the top of the tree, where `..` stays put. */
function follow_dotdot(d: dentry): dentry {
  return d.d_parent ?? d;
}

/** pick_link: reads a link's target, counting links against MAXSYMLINKS. */
function pick_link(nd: nameidata, link: dentry): string | dentry | number {
  if (++nd.total_link_count > MAXSYMLINKS) return -ELOOP;
  const get_link = link.d_inode.i_op.get_link;
  const body = get_link === undefined ? -EINVAL : get_link(link);
  if (body === '') return -ENOENT;
  return body;
}

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '');
}

/**
 * link_path_walk: resolves every component of `path` but the last, starting at `start` (or at
 * the root for an absolute path), following links met on the way.
 */
function link_path_walk(nd: nameidata, start: dentry, path: string): walk_result | number {
  let cur = path.startsWith('/') ? nd.root : start;
  let pending = components(path);
  const trailing = path.endsWith('/') && pending.length > 0;
  while (pending.length > 1) {
    const name = pending.shift()!;
    const err = may_lookup(cur);
    if (err < 0) return err;
    if (name === '.') continue;
    if (name === '..') {
      cur = follow_dotdot(cur);
      continue;
    }
    const child = lookup_one(cur, name);
    if (typeof child === 'number') return child;
    if (S_ISLNK(child.d_inode.i_mode)) {
      const body = pick_link(nd, child);
      if (typeof body === 'number') return body;
      if (typeof body !== 'string') {
        cur = body;
        continue;
      }
      if (body.startsWith('/')) cur = nd.root;
      pending = components(body).concat(pending);
      continue;
    }
    cur = child;
  }
  return { root: nd.root, dir: cur, last: pending[0] ?? '', trailing };
}

/** The object the last component names, following a final link if `flags` asks (lookup_last). */
function walk_last(nd: nameidata, w: walk_result, flags: number): dentry | number {
  for (;;) {
    if (w.last === '') return w.dir;
    const err = may_lookup(w.dir);
    if (err < 0) return err;
    let d: dentry | number;
    if (w.last === '.') d = w.dir;
    else if (w.last === '..') d = follow_dotdot(w.dir);
    else d = lookup_one(w.dir, w.last);
    if (typeof d === 'number') return d;
    if (S_ISLNK(d.d_inode.i_mode) && ((flags & LOOKUP_FOLLOW) !== 0 || w.trailing)) {
      const body = pick_link(nd, d);
      if (typeof body === 'number') return body;
      if (typeof body !== 'string') return check_last(body, flags, w.trailing);
      const next = link_path_walk(nd, w.dir, body);
      if (typeof next === 'number') return next;
      w = { ...next, trailing: w.trailing || next.trailing };
      continue;
    }
    return check_last(d, flags, w.trailing);
  }
}

/** The last object must be a directory if LOOKUP_DIRECTORY or a trailing slash says so. */
function check_last(d: dentry, flags: number, trailing: boolean): dentry | number {
  if (((flags & LOOKUP_DIRECTORY) !== 0 || trailing) && !S_ISDIR(d.d_inode.i_mode)) return -ENOTDIR;
  return d;
}

/**
 * path_init: where a lookup of `name` relative to `dfd` starts — the cwd for AT_FDCWD, the
 * directory open on `dfd` otherwise (which must be a directory unless the name is empty).
 */
export function path_init(dfd: number, name: string): dentry | number {
  const fs = current_fs();
  if (name.startsWith('/')) return fs.root;
  if (dfd === AT_FDCWD) return fs.pwd;
  const f = fget_raw(dfd);
  if (f === null) return -EBADF;
  const d = f.f_path;
  fput(f);
  if (name !== '' && !S_ISDIR(d.d_inode.i_mode)) return -ENOTDIR;
  return d;
}

function check_name(name: string): number {
  return name.length >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/**
 * Runs `walk` under the guest's root and, if an absolute path is missing there, under the
 * sysroot: the sysroot's answer is used only when it finds something.
 */
function with_sysroot<T>(name: string, walk: (nd: nameidata) => T | number, found: (r: T) => boolean): T | number {
  const fs = current_fs();
  const r = walk({ root: fs.root, total_link_count: 0 });
  const sysroot = current_mnt_ns().sysroot;
  if (r !== -ENOENT || !name.startsWith('/') || sysroot === null) return r;
  const s = walk({ root: sysroot, total_link_count: 0 });
  return typeof s !== 'number' && found(s) ? s : r;
}

/**
 * filename_lookup (user_path_at): the object `name` names relative to `dfd`. LOOKUP_FOLLOW
 * follows a final link; LOOKUP_EMPTY lets an empty name mean `dfd` itself (AT_EMPTY_PATH).
 */
export function filename_lookup(dfd: number, name: string, flags: number): dentry | number {
  const bad = check_name(name);
  if (bad < 0) return bad;
  if (name === '') return (flags & LOOKUP_EMPTY) !== 0 ? path_init(dfd, name) : -ENOENT;
  const start = path_init(dfd, name);
  if (typeof start === 'number') return start;
  return with_sysroot(name, (nd) => {
    const w = link_path_walk(nd, start, name);
    return typeof w === 'number' ? w : walk_last(nd, w, flags);
  }, () => true);
}

/**
 * filename_parentat: walks to the directory that holds the last component (for calls that
 * create, remove or rename it). A parent missing under the root but present in the sysroot is
 * the sysroot's, so that changing anything there fails with EROFS.
 */
export function filename_parentat(dfd: number, name: string): walk_result | number {
  const bad = check_name(name);
  if (bad < 0) return bad;
  if (name === '') return -ENOENT;
  const start = path_init(dfd, name);
  if (typeof start === 'number') return start;
  return with_sysroot(name, (nd) => {
    const w = link_path_walk(nd, start, name);
    if (typeof w === 'number' || w.last === '' || w.last === '.' || w.last === '..') return w;
    // The missing last component is the sysroot fallback's business, not an error here.
    const err = may_lookup(w.dir);
    if (err < 0) return err;
    const child = lookup_one(w.dir, w.last);
    return typeof child === 'number' && child !== -ENOENT ? child : w;
  }, () => true);
}

/**
 * A continuation of an open's walk through a link in its last component (for O_CREAT): the rest
 * of the walk, or the object a magic link jumps to.
 */
export function follow_last_link(w: walk_result, link: dentry, total: { count: number }): walk_result | dentry | number {
  const nd: nameidata = { root: w.root, total_link_count: total.count };
  const body = pick_link(nd, link);
  total.count = nd.total_link_count;
  if (typeof body !== 'string') return body;
  const next = link_path_walk(nd, w.dir, body);
  total.count = nd.total_link_count;
  if (typeof next === 'number') return next;
  return { ...next, trailing: w.trailing || next.trailing };
}

/** may_create: the directory must be searchable and writable (and not read-only). */
export function may_create(dir: dentry): number {
  const err = may_lookup(dir);
  if (err < 0) return err;
  return inode_permission(dir, MAY_WRITE | MAY_EXEC);
}

/** do_mkdirat: mkdirat(2). */
export const do_mkdirat = kfunc('fs/namei.c', function* do_mkdirat(dfd: number, name: string, mode: number): KGen<number> {
  klocals({ name, mode: '0' + mode.toString(8) });
  const p = filename_parentat(dfd, name);
  if (typeof p === 'number') return p;
  if (p.last === '' || p.last === '.' || p.last === '..') return -EEXIST;
  const err = may_lookup(p.dir);
  if (err < 0) return err;
  const existing = lookup_one(p.dir, p.last);
  if (typeof existing !== 'number') return -EEXIST;
  if (existing !== -ENOENT) return existing;
  const perm = may_create(p.dir);
  if (perm < 0) return perm;
  const mkdir = p.dir.d_inode.i_op.mkdir;
  if (mkdir === undefined) return -EPERM;
  return mkdir(p.dir, p.last, mode & (S_IRWXUGO | S_ISVTX) & ~current_umask());
});

/** The victim of unlink/rmdir/rename: it must exist, and not be a mount point. */
function lookup_victim(dir: dentry, name: string): dentry | number {
  const err = may_lookup(dir);
  if (err < 0) return err;
  if (lookup_mnt(dir, name) !== null) return -EBUSY;
  return lookup_one(dir, name);
}

/** do_rmdir: rmdir(2), and unlinkat with AT_REMOVEDIR. */
export const do_rmdir = kfunc('fs/namei.c', function* do_rmdir(dfd: number, name: string): KGen<number> {
  klocals({ name });
  const p = filename_parentat(dfd, name);
  if (typeof p === 'number') return p;
  if (p.last === '') return -EBUSY;
  if (p.last === '.') return -EINVAL;
  if (p.last === '..') return -ENOTEMPTY;
  const victim = lookup_victim(p.dir, p.last);
  if (typeof victim === 'number') return victim;
  if (!S_ISDIR(victim.d_inode.i_mode)) return -ENOTDIR;
  const perm = inode_permission(p.dir, MAY_WRITE | MAY_EXEC);
  if (perm < 0) return perm;
  const rmdir = p.dir.d_inode.i_op.rmdir;
  if (rmdir === undefined) return -EPERM;
  return rmdir(p.dir, victim);
});

/** do_unlinkat: unlinkat(2) without AT_REMOVEDIR. */
export const do_unlinkat = kfunc('fs/namei.c', function* do_unlinkat(dfd: number, name: string): KGen<number> {
  klocals({ name });
  const p = filename_parentat(dfd, name);
  if (typeof p === 'number') return p;
  if (p.last === '' || p.last === '.' || p.last === '..') return -EISDIR;
  const victim = lookup_victim(p.dir, p.last);
  if (typeof victim === 'number') return victim;
  if (S_ISDIR(victim.d_inode.i_mode)) return -EISDIR;
  if (p.trailing) return -ENOTDIR;
  const perm = inode_permission(p.dir, MAY_WRITE | MAY_EXEC);
  if (perm < 0) return perm;
  const unlink = p.dir.d_inode.i_op.unlink;
  if (unlink === undefined) return -EPERM;
  return unlink(p.dir, victim);
});

/** do_renameat2: renameat2(2) (renameat is flags 0). */
export const do_renameat2 = kfunc('fs/namei.c', function* do_renameat2(
  olddfd: number, oldname: string, newdfd: number, newname: string, flags: number,
): KGen<number> {
  klocals({ oldname, newname, flags });
  if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) !== 0) return -EINVAL;
  if ((flags & RENAME_NOREPLACE) !== 0 && (flags & RENAME_EXCHANGE) !== 0) return -EINVAL;
  if ((flags & RENAME_WHITEOUT) !== 0) return -EINVAL; // no overlay file systems here
  const o = filename_parentat(olddfd, oldname);
  if (typeof o === 'number') return o;
  const n = filename_parentat(newdfd, newname);
  if (typeof n === 'number') return n;
  const special = (s: string): boolean => s === '' || s === '.' || s === '..';
  if (special(o.last)) return -EBUSY;
  if (special(n.last)) return (flags & RENAME_NOREPLACE) !== 0 ? -EEXIST : -EBUSY;
  if (o.dir.d_inode.i_sb !== n.dir.d_inode.i_sb) return -EXDEV;
  const old = lookup_victim(o.dir, o.last);
  if (typeof old === 'number') return old;
  const oldIsDir = S_ISDIR(old.d_inode.i_mode);
  const target = lookup_victim(n.dir, n.last);
  if (typeof target === 'number') {
    if (target !== -ENOENT) return target;
    if ((flags & RENAME_EXCHANGE) !== 0) return -ENOENT;
  } else {
    if ((flags & RENAME_NOREPLACE) !== 0) return -EEXIST;
    const targetIsDir = S_ISDIR(target.d_inode.i_mode);
    if ((flags & RENAME_EXCHANGE) === 0) {
      if (oldIsDir && !targetIsDir) return -ENOTDIR;
      if (!oldIsDir && targetIsDir) return -EISDIR;
    }
  }
  if (!oldIsDir && (o.trailing || n.trailing)) return -ENOTDIR;
  for (const dir of [o.dir, n.dir]) {
    const perm = inode_permission(dir, MAY_WRITE | MAY_EXEC);
    if (perm < 0) return perm;
  }
  const rename = o.dir.d_inode.i_op.rename;
  if (rename === undefined) return -EPERM;
  return rename(old, n.dir, n.last, flags);
});

/**
 * filename_create: the parent directory and last name of a path at which a new non-directory is
 * to be made — refused with EEXIST for `.`, `..` or a name that exists, ENOENT for a trailing
 * slash (when asked), or the parent's permission error.
 */
function filename_create(dfd: number, name: string, trailing_is_error: boolean): walk_result | number {
  const p = filename_parentat(dfd, name);
  if (typeof p === 'number') return p;
  if (p.last === '' || p.last === '.' || p.last === '..') return -EEXIST;
  if (trailing_is_error && p.trailing) return -ENOENT;
  const err = may_create(p.dir);
  if (err < 0) return err;
  const existing = lookup_one(p.dir, p.last);
  if (typeof existing !== 'number') return -EEXIST;
  if (existing !== -ENOENT) return existing;
  return p;
}

/** do_symlinkat: symlinkat(2) — a new link holding `target`, which is not looked at now. */
export const do_symlinkat = kfunc('fs/namei.c', function* do_symlinkat(target: string, newdfd: number, newname: string): KGen<number> {
  klocals({ target, newname });
  yield* [];
  if (target === '') return -ENOENT;
  const p = filename_create(newdfd, newname, false);
  if (typeof p === 'number') return p;
  const symlink = p.dir.d_inode.i_op.symlink;
  return symlink === undefined ? -EPERM : symlink(p.dir, p.last, target);
});

/** do_linkat: linkat(2) — a second name for an existing non-directory, on the same file system. */
export const do_linkat = kfunc('fs/namei.c', function* do_linkat(
  olddfd: number, oldname: string, newdfd: number, newname: string, flags: number,
): KGen<number> {
  klocals({ oldname, newname, flags });
  yield* [];
  if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) !== 0) return -EINVAL;
  const lookup = ((flags & AT_SYMLINK_FOLLOW) !== 0 ? LOOKUP_FOLLOW : 0) | ((flags & AT_EMPTY_PATH) !== 0 ? LOOKUP_EMPTY : 0);
  const old = filename_lookup(olddfd, oldname, lookup);
  if (typeof old === 'number') return old;
  const p = filename_create(newdfd, newname, true);
  if (typeof p === 'number') return p;
  if (old.d_inode.i_sb !== p.dir.d_inode.i_sb) return -EXDEV;
  if (S_ISDIR(old.d_inode.i_mode)) return -EPERM;
  const link = p.dir.d_inode.i_op.link;
  return link === undefined ? -EPERM : link(old, p.dir, p.last);
});

/** do_mknodat: mknodat(2) — a regular file, FIFO, socket or device node; never a directory. */
export const do_mknodat = kfunc('fs/namei.c', function* do_mknodat(dfd: number, name: string, mode: number, dev: number): KGen<number> {
  klocals({ name, mode: '0' + mode.toString(8), dev });
  yield* [];
  const type = mode & S_IFMT;
  if (type === 0) mode |= S_IFREG;
  else if (type !== S_IFREG && type !== S_IFIFO && type !== S_IFSOCK && type !== S_IFCHR && type !== S_IFBLK) return -EINVAL;
  const p = filename_create(dfd, name, false);
  if (typeof p === 'number') return p;
  const mknod = p.dir.d_inode.i_op.mknod;
  return mknod === undefined ? -EPERM : mknod(p.dir, p.last, (mode & S_IFMT) | (mode & 0o7777 & ~current_umask()), dev);
});
