/**
 * statfs and fstatfs (fs/statfs.c): what a file system says about itself, in riscv64's
 * `struct statfs` (asm-generic: eleven longs, f_fsid being two ints, then four spare longs —
 * 120 bytes, checked with riscv64-linux-gnu-gcc).
 *
 * A hostfs mount reports the host's statfs of the directory it mounts; the kernel's own file
 * systems report their magic number, a page as block size and NAME_MAX, as simple_statfs does.
 * f_flags is ST_VALID with the mount's flags: ST_RDONLY for the sysroot, ST_RELATIME for the
 * trees a program can name (Linux's default mount option; node does not tell the host's own).
 */
import { EBADF } from '../errno';
import { kfunc, klocals, type KGen } from '../kfunc';
import { fget_raw, fput } from './file';
import type { dentry, kstatfs } from './fs_types';
import { filename_lookup, LOOKUP_FOLLOW } from './namei';
import { AT_FDCWD, NAME_MAX } from './uapi';

const ST_RDONLY = 0x1;
const ST_VALID = 0x20;
const ST_RELATIME = 0x1000;
const STATFS_SIZE = 120;

/** The kernel's own file systems: magic number, and whether a path can reach them (a mount). */
const SIMPLE_FS: Readonly<Record<string, { magic: number; mounted: boolean }>> = {
  proc: { magic: 0x9fa0, mounted: true },
  devtmpfs: { magic: 0x01021994, mounted: true },
  pipefs: { magic: 0x50495045, mounted: false },
  anon_inodefs: { magic: 0x09041934, mounted: false },
};

/** simple_statfs: a file system with no blocks to count. */
function simple_statfs(magic: number): kstatfs {
  return {
    f_type: magic, f_bsize: 4096, f_blocks: 0, f_bfree: 0, f_bavail: 0, f_files: 0, f_ffree: 0, f_fsid: [0, 0],
    f_namelen: NAME_MAX, f_frsize: 4096,
  };
}

/** vfs_statfs: the file system's own answer, and the flags of the mount. */
function vfs_statfs(d: dentry): { st: kstatfs; flags: number } | number {
  const sb = d.d_inode.i_sb;
  const simple = SIMPLE_FS[sb.s_type];
  const st = sb.statfs?.(d) ?? simple_statfs(simple?.magic ?? 0);
  if (typeof st === 'number') return st;
  const mounted = sb.statfs !== undefined || simple?.mounted === true;
  return { st, flags: ST_VALID | (mounted ? ST_RELATIME : 0) | (sb.s_readonly ? ST_RDONLY : 0) };
}

/** do_statfs_native: the user-space structure. */
function do_statfs_native(r: { st: kstatfs; flags: number }): Uint8Array {
  const b = new Uint8Array(STATFS_SIZE);
  const v = new DataView(b.buffer);
  const { st } = r;
  [st.f_type, st.f_bsize, st.f_blocks, st.f_bfree, st.f_bavail, st.f_files, st.f_ffree].forEach((x, i) => {
    v.setBigInt64(8 * i, BigInt(x), true);
  });
  v.setInt32(56, st.f_fsid[0] | 0, true);
  v.setInt32(60, st.f_fsid[1] | 0, true);
  v.setBigInt64(64, BigInt(st.f_namelen), true);
  v.setBigInt64(72, BigInt(st.f_frsize), true);
  v.setBigInt64(80, BigInt(r.flags), true);
  return b;
}

/** user_statfs: statfs(2) of the file system holding `pathname`. */
export const user_statfs = kfunc('fs/statfs.c', function* user_statfs(pathname: string): KGen<Uint8Array | number> {
  klocals({ pathname });
  yield* [];
  const d = filename_lookup(AT_FDCWD, pathname, LOOKUP_FOLLOW);
  if (typeof d === 'number') return d;
  const r = vfs_statfs(d);
  return typeof r === 'number' ? r : do_statfs_native(r);
});

/** fd_statfs: fstatfs(2); an O_PATH descriptor will do. */
export const fd_statfs = kfunc('fs/statfs.c', function* fd_statfs(fd: number): KGen<Uint8Array | number> {
  klocals({ fd });
  yield* [];
  const f = fget_raw(fd);
  if (f === null) return -EBADF;
  const r = vfs_statfs(f.f_path);
  fput(f);
  return typeof r === 'number' ? r : do_statfs_native(r);
});
