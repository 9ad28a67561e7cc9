/**
 * utimensat (fs/utimes.c): a file's access and modification times, each given exactly, set to
 * now (UTIME_NOW) or left as it is (UTIME_OMIT); no times at all means both now. A NULL name
 * with a descriptor changes the file open there (glibc's futimens). The change time becomes now.
 *
 * Exact times need the owner or root (EPERM otherwise); "now" is also allowed to whoever may
 * write the file; a read-only mount refuses both (EROFS). File systems without setattr (procfs,
 * /dev, pipes) refuse with EPERM.
 */
import { capable } from '../cred';
import { EBADF, EINVAL, EPERM, EROFS } from '../errno';
import { current, kfunc, klocals, type KGen } from '../kfunc';
import { fget, fput } from './file';
import type { dentry, file, iattr } from './fs_types';
import { at_lookup_flags, filename_lookup, inode_permission } from './namei';
import { vfs_getattr } from './stat';
import { AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW, MAY_WRITE } from './uapi';

export const UTIME_NOW = (1 << 30) - 1;
export const UTIME_OMIT = (1 << 30) - 2;

/** A `struct timespec` as utimensat reads it. */
export interface utimespec {
  readonly tv_sec: bigint;
  readonly tv_nsec: number;
}

function nsec_valid(nsec: number): boolean {
  return nsec === UTIME_OMIT || nsec === UTIME_NOW || (nsec >= 0 && nsec <= 999_999_999);
}

/** inode_owner_or_capable: the caller owns the file, or is root. */
function owner_or_capable(d: dentry): boolean {
  if (capable()) return true;
  const st = vfs_getattr(d);
  return typeof st !== 'number' && st.uid === current().cred.fsuid;
}

/** One time as setattr takes it: absent for UTIME_OMIT. */
function time_attr(ts: utimespec | null): bigint | 'now' | undefined {
  if (ts === null || ts.tv_nsec === UTIME_NOW) return 'now';
  if (ts.tv_nsec === UTIME_OMIT) return undefined;
  return ts.tv_sec * 1_000_000_000n + BigInt(ts.tv_nsec);
}

/** vfs_utimes: checks, then the file system's setattr. */
function vfs_utimes(d: dentry, times: [utimespec, utimespec] | null, f: file | null): number {
  if (times !== null && (!nsec_valid(times[0].tv_nsec) || !nsec_valid(times[1].tv_nsec))) return -EINVAL;
  if (d.d_inode.i_sb.s_readonly) return -EROFS;
  const attr: iattr = { atime: time_attr(times?.[0] ?? null), mtime: time_attr(times?.[1] ?? null) };
  const exact = typeof attr.atime === 'bigint' || typeof attr.mtime === 'bigint';
  if (!owner_or_capable(d)) {
    if (exact) return -EPERM;
    const err = inode_permission(d, MAY_WRITE);
    if (err < 0) return err;
  }
  const setattr = d.d_inode.i_op.setattr;
  return setattr === undefined ? -EPERM : setattr(d, attr, f);
}

/** do_utimes: by name (relative to `dfd`), or — with no name — the file open on `dfd`. */
export const do_utimes = kfunc('fs/utimes.c', function* do_utimes(
  dfd: number, filename: string | null, times: [utimespec, utimespec] | null, flags: number,
): KGen<number> {
  klocals({ dfd, filename, flags });
  yield* [];
  if (filename === null) {
    if (flags !== 0) return -EINVAL;
    const f = fget(dfd);
    if (f === null) return -EBADF;
    const r = vfs_utimes(f.f_path, times, f);
    fput(f);
    return r;
  }
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) !== 0) return -EINVAL;
  const d = filename_lookup(dfd, filename, at_lookup_flags(flags));
  return typeof d === 'number' ? d : vfs_utimes(d, times, null);
});
