/**
 * hostfs (arch/um's fs/hostfs/hostfs_kern.c): a file system whose files are a host directory's.
 * The guest's root and the read-only sysroot are hostfs mounts.
 *
 * Sandboxing rests on one invariant: an inode's host path is its mount's host root followed by
 * names that the VFS looked up one by one (fs/namei.ts), each found by lstat to be a real
 * directory — never a symbolic link, never `..`. The host therefore never resolves a link on
 * our behalf; opening adds O_NOFOLLOW for the last component, and links are read with readlink
 * and followed by the VFS inside the guest's tree.
 *
 * Regular files are read and written through a host descriptor at the file's position — after
 * the pages a shared mapping dirtied are written to it, and with the cached pages of a written range
 * read again, so read(), write() and MAP_SHARED mappings see each other's data as in Linux;
 * directories are listed with `.` and `..` first and the names sorted, so listings are the same
 * on every host (the root also lists the mount points the VFS puts on it). Other host objects (FIFOs, sockets, devices) are shown but cannot be opened.
 *
 * What the guest sets that the host file cannot hold is kept by the mount, by device and inode
 * number (Forkscope has no inode cache to keep it in): an owner the host process may not give
 * (chown needs privileges the emulator may lack; the host file keeps its owner), and times finer
 * than the microseconds the host call sets (valid while the host still shows what was set).
 */
import { realpathSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { constants as fsc } from 'node:fs';
import { EEXIST, EFAULT, EINVAL, ENOTDIR, ENXIO, EPERM } from '../../errno';
import type { KGen } from '../../kfunc';
import { filemap_flush_file, filemap_refresh_file } from '../../mm/filemap';
import type { MappedFile } from '../../mm/mm_types';
import {
  dentry, file, FMODE_WRITE, MKDEV, type dir_context, type iattr, type file_operations, type inode,
  type inode_operations, type kiocb, type kstat, type kstatfs, type super_block,
} from '../fs_types';
import type { iov_iter } from '../iov_iter';
import { dir_llseek, generic_read_dir } from '../libfs';
import {
  fs_umode_to_dtype, NAME_MAX, O_ACCMODE, O_APPEND, O_TRUNC, RENAME_EXCHANGE, RENAME_NOREPLACE, S_IFMT,
  S_ISDIR, S_ISLNK, S_ISREG, SEEK_CUR, SEEK_DATA, SEEK_END, SEEK_HOLE, SEEK_SET,
} from '../uapi';
import {
  host_access, host_chmod, host_close, host_errno, host_fchown, host_fsync, host_futimes, host_lchown, host_link,
  host_lutimes, host_now_ns, host_statfs, host_symlink, host_fchmod, host_fstat, host_ftruncate, host_lstat,
  host_mkdir, host_open, host_path_bytes, host_pread, host_pwrite, host_readdir, host_readlink, host_rename,
  host_rmdir, host_unlink,
} from './hostfs_user';

/** One directory entry as getdents64 reports it. */
export interface dirent {
  readonly name: string;
  readonly ino: number;
  readonly type: number;
}

/** A time the guest set: the exact value, and what the host showed once it was set. */
interface kept_time {
  readonly exact: bigint;
  readonly host: bigint;
}

/** What the guest set on a file that the host file does not hold (see the top of this file). */
interface kept_attrs {
  uid?: number;
  gid?: number;
  atime?: kept_time;
  mtime?: kept_time;
}

/** A hostfs mount: its root directory also lists the mount points under it (/proc, /dev). */
interface hostfs_sb_info extends super_block {
  readonly mountpoints: readonly dirent[];
  /** The mounted host directory. */
  readonly hostRoot: string;
  /** Attributes kept for the host files, by "dev:ino". */
  readonly kept: Map<string, kept_attrs>;
}

/** What hostfs keeps in an inode: where the object is on the host. */
interface hostfs_inode_info {
  readonly host: string;
  /** The host file's device, as the guest sees device numbers (with i_ino, its page-cache name). */
  readonly dev: number;
  /** A host descriptor opened by `create` for the open that follows it (then owned by the file). */
  createdFd: number;
}

/** An open host descriptor, shared by the file and the mappings made from it. */
interface host_file {
  readonly fd: number;
  /** The file as the page cache names it. */
  readonly id: { readonly dev: number; readonly ino: number };
  refs: number;
  mapping: MappedFile | null;
}

/** Host reads and writes move at most this much per call, so a huge count never allocates huge. */
const CHUNK = 64 * 1024;

function info(d: dentry): hostfs_inode_info {
  return d.d_inode.i_private as hostfs_inode_info;
}

function join(dir: dentry, name: string): string {
  const h = info(dir).host;
  return h.endsWith('/') ? h + name : `${h}/${name}`;
}

/** The host's dev_t (glibc's makedev layout) as Linux's new_encode_dev. */
function encode_host_dev(dev: bigint): number {
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return MKDEV(major, minor);
}

export function hostfs_kstat(st: BigIntStats): kstat {
  return {
    dev: encode_host_dev(st.dev), ino: Number(st.ino), mode: Number(st.mode), nlink: Number(st.nlink),
    uid: Number(st.uid), gid: Number(st.gid), rdev: encode_host_dev(st.rdev), size: Number(st.size),
    blksize: Number(st.blksize), blocks: Number(st.blocks),
    atime: st.atimeNs, mtime: st.mtimeNs, ctime: st.ctimeNs, btime: st.birthtimeNs,
  };
}

function hostfs_iget(sb: super_block, host: string, st: BigIntStats, createdFd = -1): inode {
  const mode = Number(st.mode);
  const dir = S_ISDIR(mode);
  return {
    i_sb: sb, i_ino: Number(st.ino), i_mode: mode,
    i_op: dir ? hostfs_dir_iops : S_ISLNK(mode) ? hostfs_link_iops : hostfs_iops,
    i_fop: dir ? hostfs_dir_fops : S_ISREG(mode) ? hostfs_file_fops : hostfs_special_fops,
    i_private: { host, dev: encode_host_dev(st.dev), createdFd } satisfies hostfs_inode_info,
  };
}

/**
 * hostfs_fill_super: mounts the host directory `hostRoot` (a UTF-8 host path chosen by the user,
 * so resolving it with the host's realpath is safe: it is not guest input). Returns the root
 * dentry, or -errno if it is not a directory.
 */
export function hostfs_fill_super(hostRoot: string, readonly: boolean, mountpoints: readonly dirent[] = []): dentry | number {
  let real: string;
  try {
    real = host_path_bytes(realpathSync(hostRoot));
  } catch (e) {
    return host_errno(e);
  }
  const st = host_lstat(real);
  if (typeof st === 'number') return st;
  if (!S_ISDIR(Number(st.mode))) return -ENOTDIR;
  const sb: hostfs_sb_info = {
    s_type: 'hostfs', s_dev: encode_host_dev(st.dev), s_readonly: readonly, mountpoints, hostRoot: real, kept: new Map(),
    statfs: hostfs_statfs,
  };
  return new dentry('/', null, hostfs_iget(sb, real, st));
}

function sb_info(d: dentry): hostfs_sb_info {
  return d.d_inode.i_sb as hostfs_sb_info;
}

/** The host's attributes, with what the mount kept for the file put over them. */
function kept_kstat(sb: hostfs_sb_info, st: kstat): kstat {
  const kept = sb.kept.get(`${st.dev}:${st.ino}`);
  if (kept === undefined) return st;
  if (kept.uid !== undefined) st.uid = kept.uid;
  if (kept.gid !== undefined) st.gid = kept.gid;
  if (kept.atime?.host === st.atime) st.atime = kept.atime.exact;
  if (kept.mtime?.host === st.mtime) st.mtime = kept.mtime.exact;
  return st;
}

function hostfs_getattr(d: dentry): kstat | number {
  const st = host_lstat(info(d).host);
  return typeof st === 'number' ? st : kept_kstat(sb_info(d), hostfs_kstat(st));
}

/** hostfs_statfs: the host's statfs of the mounted directory. */
function hostfs_statfs(d: dentry): kstatfs | number {
  const sb = sb_info(d);
  const st = host_statfs(sb.hostRoot);
  if (typeof st === 'number') return st;
  return {
    f_type: Number(st.type), f_bsize: Number(st.bsize), f_blocks: Number(st.blocks), f_bfree: Number(st.bfree),
    f_bavail: Number(st.bavail), f_files: Number(st.files), f_ffree: Number(st.ffree), f_fsid: [sb.s_dev, 0],
    f_namelen: NAME_MAX, f_frsize: Number(st.bsize),
  };
}

function hostfs_lookup(dir: dentry, name: string): dentry | number {
  const host = join(dir, name);
  const st = host_lstat(host);
  if (typeof st === 'number') return st;
  return new dentry(name, dir, hostfs_iget(dir.d_inode.i_sb, host, st));
}

/** hostfs_create: makes the file with exactly `mode` and keeps the descriptor for the open. */
function hostfs_create(dir: dentry, name: string, mode: number, flags: number): dentry | number {
  const host = join(dir, name);
  const fd = host_open(host, fsc.O_CREAT | fsc.O_EXCL | (flags & O_ACCMODE), mode);
  if (fd < 0) return fd;
  const st = host_fchmod(fd, mode) === 0 ? host_fstat(fd) : -EFAULT;
  if (typeof st === 'number') {
    host_close(fd);
    return st;
  }
  return new dentry(name, dir, hostfs_iget(dir.d_inode.i_sb, host, st, fd));
}

/**
 * hostfs_mknod: only an empty regular file can be made — the host API Forkscope uses has no
 * mknod, so FIFOs, sockets and devices are refused as a file system without them does (EPERM).
 */
function hostfs_mknod(dir: dentry, name: string, mode: number): number {
  if (!S_ISREG(mode)) return -EPERM;
  const fd = host_open(join(dir, name), fsc.O_CREAT | fsc.O_EXCL | fsc.O_WRONLY, mode & 0o7777);
  if (fd < 0) return fd;
  const r = host_fchmod(fd, mode & 0o7777);
  host_close(fd);
  return r;
}

function hostfs_rename(old: dentry, newDir: dentry, newName: string, flags: number): number {
  if ((flags & RENAME_EXCHANGE) !== 0) return -EINVAL; // the host offers no atomic exchange
  const to = join(newDir, newName);
  if ((flags & RENAME_NOREPLACE) !== 0 && typeof host_lstat(to) !== 'number') return -EEXIST;
  return host_rename(info(old).host, to);
}

/** hostfs_permission: may the host process read or write it? (Executing is the guest's rule.) */
function hostfs_permission(d: dentry, mask: number): number {
  const m = mask & (fsc.R_OK | fsc.W_OK);
  return m === 0 ? 0 : host_access(info(d).host, m);
}

/** The record of what the mount keeps for the object `d` names, made if missing. */
function kept_of(d: dentry, st: kstat): kept_attrs {
  const sb = sb_info(d);
  const key = `${st.dev}:${st.ino}`;
  let kept = sb.kept.get(key);
  if (kept === undefined) {
    kept = {};
    sb.kept.set(key, kept);
  }
  return kept;
}

/**
 * A new owner and/or group: given to the host file if the host allows; when it refuses for lack
 * of privilege (EPERM), kept by the mount instead. Through the open descriptor, or on the object
 * itself (never following a link).
 */
function hostfs_chown(d: dentry, attr: iattr, f: file | null): number {
  const uid = attr.uid ?? -1;
  const gid = attr.gid ?? -1;
  const fd = host_fd_of(f);
  const r = fd !== null ? host_fchown(fd, uid, gid) : host_lchown(info(d).host, uid, gid);
  if (r < 0 && r !== -EPERM) return r;
  const st = hostfs_getattr(d);
  if (typeof st === 'number') return st;
  const kept = kept_of(d, st);
  if (r === 0) {
    delete kept.uid;
    delete kept.gid;
    return 0;
  }
  if (attr.uid !== undefined) kept.uid = attr.uid;
  if (attr.gid !== undefined) kept.gid = attr.gid;
  return 0;
}

/**
 * New access and/or modification times ('now' is the host's clock, as for the host's own
 * writes). The host keeps microseconds; the mount keeps the exact values beside them.
 */
function hostfs_utimes(d: dentry, attr: iattr, f: file | null): number {
  const cur = hostfs_getattr(d);
  if (typeof cur === 'number') return cur;
  const now = host_now_ns();
  const pick = (t: bigint | 'now' | undefined, old: bigint): bigint => (t === undefined ? old : t === 'now' ? now : t);
  const atime = pick(attr.atime, cur.atime);
  const mtime = pick(attr.mtime, cur.mtime);
  const fd = host_fd_of(f);
  const r = fd !== null ? host_futimes(fd, atime, mtime) : host_lutimes(info(d).host, atime, mtime);
  if (r < 0) return r;
  const st = host_lstat(info(d).host);
  if (typeof st === 'number') return st;
  const kept = kept_of(d, cur);
  kept.atime = { exact: atime, host: st.atimeNs };
  kept.mtime = { exact: mtime, host: st.mtimeNs };
  return 0;
}

/**
 * hostfs_setattr: a new size through the open descriptor (or one opened for it, never following
 * a link), an owner, times, new permission bits with chmod.
 */
function hostfs_setattr(d: dentry, attr: iattr, f: file | null): number {
  const host = info(d).host;
  if (attr.size !== undefined) {
    const fd = f !== null ? hf(f).fd : host_open(host, fsc.O_WRONLY);
    if (fd < 0) return fd;
    const r = host_ftruncate(fd, attr.size);
    if (f === null) host_close(fd);
    if (r < 0) return r;
  }
  if (attr.uid !== undefined || attr.gid !== undefined) {
    const r = hostfs_chown(d, attr, f);
    if (r < 0) return r;
  }
  if (attr.atime !== undefined || attr.mtime !== undefined) {
    const r = hostfs_utimes(d, attr, f);
    if (r < 0) return r;
  }
  return attr.mode === undefined ? 0 : host_chmod(host, attr.mode);
}

const hostfs_iops: inode_operations = { getattr: hostfs_getattr, permission: hostfs_permission, setattr: hostfs_setattr };

const hostfs_link_iops: inode_operations = {
  getattr: hostfs_getattr,
  get_link: (d) => host_readlink(info(d).host),
  setattr: hostfs_setattr,
};

const hostfs_dir_iops: inode_operations = {
  getattr: hostfs_getattr,
  permission: hostfs_permission,
  lookup: hostfs_lookup,
  create: hostfs_create,
  mkdir: (dir, name, mode) => host_mkdir(join(dir, name), mode),
  mknod: hostfs_mknod,
  unlink: (_dir, victim) => host_unlink(info(victim).host),
  rmdir: (_dir, victim) => host_rmdir(info(victim).host),
  rename: hostfs_rename,
  link: (old, dir, name) => host_link(info(old).host, join(dir, name)),
  symlink: (dir, name, target) => host_symlink(target, join(dir, name)),
  setattr: hostfs_setattr,
};

function hf(f: file): host_file {
  return f.private_data as host_file;
}

/** The host descriptor behind an open regular file (directories have none). */
function host_fd_of(f: file | null): number | null {
  return f !== null && f.f_op === hostfs_file_fops ? hf(f).fd : null;
}

function put_host_file(h: host_file): void {
  if (--h.refs === 0) host_close(h.fd);
}

/** A mapping's pages come from the same host descriptor; it is closed when the last user goes. */
const mappingsAlive = new FinalizationRegistry<host_file>(put_host_file);

function hostfs_open(ino: inode, f: file): number {
  const i = ino.i_private as hostfs_inode_info;
  let fd = i.createdFd;
  i.createdFd = -1;
  if (fd < 0) {
    fd = host_open(i.host, f.f_flags & O_ACCMODE);
    if (fd < 0) return fd;
  }
  if ((f.f_flags & O_TRUNC) !== 0 && (f.f_mode & FMODE_WRITE) !== 0) {
    const r = host_ftruncate(fd, 0);
    if (r < 0) {
      host_close(fd);
      return r;
    }
  }
  f.private_data = { fd, id: { dev: i.dev, ino: ino.i_ino }, refs: 1, mapping: null } satisfies host_file;
  return 0;
}

function* hostfs_read_iter(iocb: kiocb, to: iov_iter): KGen<number> {
  const h = hf(iocb.ki_filp);
  filemap_flush_file(h.id);
  const buf = new Uint8Array(Math.min(CHUNK, to.count));
  let total = 0;
  while (to.count > 0) {
    const n = host_pread(h.fd, buf.subarray(0, Math.min(buf.length, to.count)), iocb.ki_pos);
    if (n < 0) return total > 0 ? total : n;
    if (n === 0) break;
    const copied = yield* to.copy_to_iter(buf.subarray(0, n));
    iocb.ki_pos += copied;
    total += copied;
    if (copied < n) return total > 0 ? total : -EFAULT;
  }
  return total;
}

function* hostfs_write_iter(iocb: kiocb, from: iov_iter): KGen<number> {
  const f = iocb.ki_filp;
  const h = hf(f);
  filemap_flush_file(h.id);
  const n = yield* hostfs_write_host(iocb, h, from);
  if (n > 0) filemap_refresh_file(h.id, iocb.ki_pos - n, n);
  return n;
}

/** The write itself: at the end of the file for O_APPEND, in chunks at the position. */
function* hostfs_write_host(iocb: kiocb, h: host_file, from: iov_iter): KGen<number> {
  const f = iocb.ki_filp;
  if ((f.f_flags & O_APPEND) !== 0) {
    const st = host_fstat(h.fd);
    if (typeof st === 'number') return st;
    iocb.ki_pos = Number(st.size);
  }
  let total = 0;
  while (from.count > 0) {
    const chunk = yield* from.copy_from_iter(Math.min(CHUNK, from.count));
    if (chunk.length === 0) return total > 0 ? total : -EFAULT;
    const n = host_pwrite(h.fd, chunk, iocb.ki_pos);
    if (n < 0) return total > 0 ? total : n;
    iocb.ki_pos += n;
    total += n;
    if (n < chunk.length) break;
  }
  return total;
}

/** generic_file_llseek for a host file: SEEK_END, SEEK_DATA and SEEK_HOLE need its size. */
function hostfs_llseek(f: file, offset: number, whence: number): number {
  let pos: number;
  if (whence === SEEK_SET) pos = offset;
  else if (whence === SEEK_CUR) pos = f.f_pos + offset;
  else {
    const st = host_fstat(hf(f).fd);
    if (typeof st === 'number') return st;
    const size = Number(st.size);
    if (whence === SEEK_END) pos = size + offset;
    else if (whence === SEEK_DATA || whence === SEEK_HOLE) {
      // No sparse-file detail: all data, then one hole at the end.
      if (offset < 0 || offset >= size) return -ENXIO;
      pos = whence === SEEK_DATA ? offset : size;
    } else return -EINVAL;
  }
  if (pos < 0) return -EINVAL;
  return pos;
}

function hostfs_mmap(f: file): MappedFile | number {
  const h = hf(f);
  if (h.mapping !== null) return h.mapping;
  h.refs++;
  const fd = h.fd;
  const mapping: MappedFile = {
    path: f.f_path.d_path,
    dev: h.id.dev,
    ino: h.id.ino,
    size: () => {
      const s = host_fstat(fd);
      return typeof s === 'number' ? 0 : Number(s.size);
    },
    readAt: (dst, offset) => Math.max(0, host_pread(fd, dst, offset)),
    writeAt: (src, offset) => void host_pwrite(fd, src, offset),
  };
  mappingsAlive.register(mapping, h);
  h.mapping = mapping;
  return mapping;
}

const hostfs_file_fops: file_operations = {
  open: hostfs_open,
  read_iter: hostfs_read_iter,
  write_iter: hostfs_write_iter,
  llseek: hostfs_llseek,
  mmap: hostfs_mmap,
  fsync: (f) => host_fsync(hf(f).fd),
  release: (_ino, f) => put_host_file(hf(f)),
};


/**
 * The listing a directory file walks: read when the walk starts at position 0, so rewinding sees
 * changes and a walk in progress does not. Position i is the i-th entry.
 */
function hostfs_listing(f: file): dirent[] | number {
  const d = f.f_path;
  const names = host_readdir(info(d).host);
  if (typeof names === 'number') return names;
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parent = d.d_parent ?? d;
  const out: dirent[] = [
    { name: '.', ino: d.d_inode.i_ino, type: 4 },
    { name: '..', ino: parent.d_inode.i_ino, type: 4 },
  ];
  for (const name of names) {
    const st = host_lstat(join(d, name));
    if (typeof st === 'number') continue; // removed since the listing was read
    out.push({ name, ino: Number(st.ino), type: fs_umode_to_dtype(Number(st.mode) & S_IFMT) });
  }
  return out;
}

function hostfs_iterate(f: file, ctx: dir_context): number {
  if (ctx.pos === 0 || f.private_data === null) {
    const list = hostfs_listing(f);
    if (typeof list === 'number') return list;
    if (f.f_path.d_parent === null) {
      const sb = f.f_path.d_inode.i_sb as hostfs_sb_info;
      for (const e of sb.mountpoints) if (!list.some((x) => x.name === e.name)) list.push(e);
    }
    f.private_data = list;
  }
  const list = f.private_data as dirent[];
  while (ctx.pos < list.length) {
    const e = list[ctx.pos];
    if (!ctx.actor(e.name, e.ino, e.type)) break;
    ctx.pos++;
  }
  return 0;
}

const hostfs_dir_fops: file_operations = {
  open: () => 0,
  read_iter: generic_read_dir,
  iterate_shared: hostfs_iterate,
  llseek: dir_llseek,
};

/** Host FIFOs, sockets and device nodes: listed and stat-able, but never opened on the host. */
const hostfs_special_fops: file_operations = {
  open: () => -ENXIO,
};
