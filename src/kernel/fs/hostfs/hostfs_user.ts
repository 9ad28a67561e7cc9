/**
 * The host side of hostfs (arch/um's fs/hostfs/hostfs_user.c): every call Forkscope makes to the
 * host's file system goes through here, with node's synchronous API.
 *
 * Paths are "byte strings": JS strings whose characters are the bytes of the name (latin1), the
 * same representation the VFS uses for guest paths, so names that are not UTF-8 survive
 * unchanged. Every function returns its result or a negative errno (the host's errno numbers are
 * Linux's). None of them follows a symbolic link in the last component: the VFS resolves links
 * itself, inside the guest's root (fs/namei.ts), and hands hostfs paths whose directories it
 * has already checked.
 */
import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import { EIO } from '../../errno';

const errnos = osConstants.errno as Record<string, number>;

/** The negative errno of a failed host call. */
export function host_errno(e: unknown): number {
  const code = (e as { code?: unknown }).code;
  const n = typeof code === 'string' ? errnos[code] : undefined;
  return -(n ?? EIO);
}

function hb(path: string): Buffer {
  return Buffer.from(path, 'latin1');
}

/** A host path in the VFS's byte-string form (from a UTF-8 host path given by the user). */
export function host_path_bytes(path: string): string {
  return Buffer.from(path, 'utf8').toString('latin1');
}

/** lstat: attributes of the object itself; -ENOENT if missing. */
export function host_lstat(path: string): fs.BigIntStats | number {
  try {
    return fs.lstatSync(hb(path), { bigint: true });
  } catch (e) {
    return host_errno(e);
  }
}

export function host_fstat(fd: number): fs.BigIntStats | number {
  try {
    return fs.fstatSync(fd, { bigint: true });
  } catch (e) {
    return host_errno(e);
  }
}

export function host_readlink(path: string): string | number {
  try {
    return fs.readlinkSync(hb(path), { encoding: 'buffer' }).toString('latin1');
  } catch (e) {
    return host_errno(e);
  }
}

/** The names in a directory (without . and ..), in host order. */
export function host_readdir(path: string): string[] | number {
  try {
    return fs.readdirSync(hb(path), { encoding: 'buffer' }).map((b) => b.toString('latin1'));
  } catch (e) {
    return host_errno(e);
  }
}

/** open with O_NOFOLLOW always added; O_NONBLOCK keeps a host FIFO from blocking the machine. */
export function host_open(path: string, flags: number, mode = 0): number {
  try {
    return fs.openSync(hb(path), flags | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK, mode);
  } catch (e) {
    return host_errno(e);
  }
}

export function host_close(fd: number): void {
  fs.closeSync(fd);
}

export function host_pread(fd: number, dst: Uint8Array, pos: number): number {
  try {
    return fs.readSync(fd, dst, 0, dst.length, pos);
  } catch (e) {
    return host_errno(e);
  }
}

export function host_pwrite(fd: number, src: Uint8Array, pos: number): number {
  try {
    return fs.writeSync(fd, src, 0, src.length, pos);
  } catch (e) {
    return host_errno(e);
  }
}

export function host_ftruncate(fd: number, len: number): number {
  try {
    fs.ftruncateSync(fd, len);
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

/** fchmod: sets exactly `mode`, undoing the host process's own umask on a file we created. */
export function host_fchmod(fd: number, mode: number): number {
  try {
    fs.fchmodSync(fd, mode);
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

/** mkdir, then the exact mode (the host's umask must not apply on top of the guest's). */
export function host_mkdir(path: string, mode: number): number {
  try {
    fs.mkdirSync(hb(path), mode);
    const fd = fs.openSync(hb(path), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
    try {
      fs.fchmodSync(fd, mode);
    } finally {
      fs.closeSync(fd);
    }
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

export function host_unlink(path: string): number {
  try {
    fs.unlinkSync(hb(path));
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

export function host_rmdir(path: string): number {
  try {
    fs.rmdirSync(hb(path));
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

export function host_rename(from: string, to: string): number {
  try {
    fs.renameSync(hb(from), hb(to));
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

/** access(2) for the host process itself on an object the VFS has resolved (not a symlink). */
export function host_access(path: string, mode: number): number {
  try {
    fs.accessSync(hb(path), mode);
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

/** link(2): never follows a link in either name. */
export function host_link(from: string, to: string): number {
  try {
    fs.linkSync(hb(from), hb(to));
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

/** symlink(2): the target is stored as given; only the guest's own walk ever follows it. */
export function host_symlink(target: string, path: string): number {
  try {
    fs.symlinkSync(hb(target), hb(path));
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

/** chmod of an object the VFS has resolved (its last component is not a link). */
export function host_chmod(path: string, mode: number): number {
  try {
    fs.chmodSync(hb(path), mode);
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

export function host_fsync(fd: number): number {
  try {
    fs.fsyncSync(fd);
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

/** lchown / fchown: -1 leaves the owner or the group as it is. */
export function host_lchown(path: string, uid: number, gid: number): number {
  try {
    fs.lchownSync(hb(path), uid, gid);
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

export function host_fchown(fd: number, uid: number, gid: number): number {
  try {
    fs.fchownSync(fd, uid, gid);
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

/**
 * A time in ns as node's utimes takes it: seconds, rounded to the microsecond the host call
 * keeps (half a microsecond added so that the float truncates to the intended one). Node turns
 * negative numbers into "now", so times before 1970 go as Dates (to the millisecond).
 */
function host_time(ns: bigint): number | Date {
  const us = ns / 1000n - (ns < 0n && ns % 1000n !== 0n ? 1n : 0n);
  return us < 0n ? new Date(Number(us / 1000n)) : (Number(us) + 0.5) / 1e6;
}

/** lutimes: access and modification times (ns) of an object, never following a link. */
export function host_lutimes(path: string, atime: bigint, mtime: bigint): number {
  try {
    fs.lutimesSync(hb(path), host_time(atime), host_time(mtime));
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

export function host_futimes(fd: number, atime: bigint, mtime: bigint): number {
  try {
    fs.futimesSync(fd, host_time(atime), host_time(mtime));
    return 0;
  } catch (e) {
    return host_errno(e);
  }
}

/** The host's clock now, in ns since the epoch (to the microsecond). */
export function host_now_ns(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

/** statfs of the file system holding `path`. */
export function host_statfs(path: string): fs.BigIntStatsFs | number {
  try {
    return fs.statfsSync(hb(path), { bigint: true });
  } catch (e) {
    return host_errno(e);
  }
}
