/**
 * File attributes (fs/stat.c): newfstatat, fstat, statx and readlinkat, and the user-space
 * layouts they fill — riscv64's `struct stat` (asm-generic, 128 bytes) and `struct statx`
 * (256 bytes), whose offsets were checked with riscv64-linux-gnu-gcc.
 */
import { EBADF, EINVAL, ENOENT } from '../errno';
import { kfunc, klocals, type KGen } from '../kfunc';
import { fget_raw, fput } from './file';
import { MAJOR, MINOR, type dentry, type kstat } from './fs_types';
import { at_lookup_flags, filename_lookup, LOOKUP_EMPTY } from './namei';
import {
  AT_EMPTY_PATH, AT_NO_AUTOMOUNT, AT_STATX_SYNC_TYPE, AT_SYMLINK_NOFOLLOW, S_ISLNK, STATX__RESERVED,
  STATX_BASIC_STATS, STATX_BTIME,
} from './uapi';

export const STAT_SIZE = 128;
export const STATX_SIZE = 256;

/** vfs_getattr: the object's attributes from its file system. */
export function vfs_getattr(d: dentry): kstat | number {
  return d.d_inode.i_op.getattr(d);
}

/** vfs_fstat: the attributes of an open file (an O_PATH descriptor will do). */
export function vfs_fstat(fd: number): kstat | number {
  const f = fget_raw(fd);
  if (f === null) return -EBADF;
  const st = vfs_getattr(f.f_path);
  fput(f);
  return st;
}

/** vfs_fstatat: newfstatat(2)'s lookup and attributes. */
export const vfs_fstatat = kfunc('fs/stat.c', function* vfs_fstatat(dfd: number, filename: string, flags: number): KGen<kstat | number> {
  klocals({ filename, flags });
  yield* [];
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) !== 0) return -EINVAL;
  const d = filename_lookup(dfd, filename, at_lookup_flags(flags));
  return typeof d === 'number' ? d : vfs_getattr(d);
});

/** do_statx's checks and lookup; the mask only says what the caller wants, all is filled. */
export const do_statx = kfunc('fs/stat.c', function* do_statx(dfd: number, filename: string, flags: number, mask: number): KGen<kstat | number> {
  klocals({ filename, flags, mask });
  yield* [];
  if ((mask & STATX__RESERVED) !== 0) return -EINVAL;
  if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) !== 0) return -EINVAL;
  if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return -EINVAL;
  const d = filename_lookup(dfd, filename, at_lookup_flags(flags));
  return typeof d === 'number' ? d : vfs_getattr(d);
});

/**
 * do_readlinkat: a link's target. An empty name means the link open on `dfd` (O_PATH|O_NOFOLLOW);
 * anything that is not a link is EINVAL — ENOENT when it was named by an empty path.
 */
export const do_readlinkat = kfunc('fs/stat.c', function* do_readlinkat(dfd: number, pathname: string): KGen<string | number> {
  klocals({ pathname });
  yield* [];
  const d = filename_lookup(dfd, pathname, LOOKUP_EMPTY);
  if (typeof d === 'number') return d;
  const { readlink, get_link } = d.d_inode.i_op;
  if (!S_ISLNK(d.d_inode.i_mode)) return pathname === '' ? -ENOENT : -EINVAL;
  const target = readlink?.(d) ?? get_link?.(d) ?? -EINVAL;
  return typeof target === 'object' ? target.d_path : target;
});

function split_ns(ns: bigint): [bigint, number] {
  let sec = ns / 1_000_000_000n;
  let nsec = ns % 1_000_000_000n;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += 1_000_000_000n;
  }
  return [sec, Number(nsec)];
}

/** cp_new_stat: riscv64's `struct stat`. */
export function cp_new_stat(st: kstat): Uint8Array {
  const out = new Uint8Array(STAT_SIZE);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt(st.dev), true);
  v.setBigUint64(8, BigInt(st.ino), true);
  v.setUint32(16, st.mode, true);
  v.setUint32(20, st.nlink, true);
  v.setUint32(24, st.uid, true);
  v.setUint32(28, st.gid, true);
  v.setBigUint64(32, BigInt(st.rdev), true);
  v.setBigInt64(48, BigInt(st.size), true);
  v.setInt32(56, st.blksize, true);
  v.setBigInt64(64, BigInt(st.blocks), true);
  [st.atime, st.mtime, st.ctime].forEach((t, i) => {
    const [sec, nsec] = split_ns(t);
    v.setBigInt64(72 + 16 * i, sec, true);
    v.setBigUint64(80 + 16 * i, BigInt(nsec), true);
  });
  return out;
}

/** cp_statx: `struct statx`, with every basic field and the birth time. */
export function cp_statx(st: kstat): Uint8Array {
  const out = new Uint8Array(STATX_SIZE);
  const v = new DataView(out.buffer);
  v.setUint32(0, STATX_BASIC_STATS | STATX_BTIME, true);
  v.setUint32(4, st.blksize, true);
  v.setUint32(16, st.nlink, true);
  v.setUint32(20, st.uid, true);
  v.setUint32(24, st.gid, true);
  v.setUint16(28, st.mode, true);
  v.setBigUint64(32, BigInt(st.ino), true);
  v.setBigUint64(40, BigInt(st.size), true);
  v.setBigUint64(48, BigInt(st.blocks), true);
  // stx_atime, stx_btime, stx_ctime, stx_mtime: struct statx_timestamp { s64 sec; u32 nsec; }.
  [st.atime, st.btime, st.ctime, st.mtime].forEach((t, i) => {
    const [sec, nsec] = split_ns(t);
    v.setBigInt64(64 + 16 * i, sec, true);
    v.setUint32(72 + 16 * i, nsec, true);
  });
  v.setUint32(128, MAJOR(st.rdev), true);
  v.setUint32(132, MINOR(st.rdev), true);
  v.setUint32(136, MAJOR(st.dev), true);
  v.setUint32(140, MINOR(st.dev), true);
  return out;
}
