/**
 * The file system calls (include/linux/syscalls.h, riscv64 numbers from asm-generic/unistd.h):
 * each takes its argument registers, copies names and structures between user memory and the
 * kernel (getname, cp_new_stat, …) and calls the kernel function in the file Linux keeps it in.
 *
 * riscv64 has no open, stat, pipe, dup2 — and no renameat (38): glibc uses renameat2.
 */
import { EFAULT, EINVAL, ENAMETOOLONG, ERANGE } from '../errno';
import { kfunc, type KGen } from '../kfunc';
import { access_ok, copy_from_user, copy_to_user, get_user_u64, put_user_u64 } from '../mm/uaccess';
import type { SyscallEntry } from '../syscall';
import { do_getcwd } from './d_path';
import { do_epoll_create, do_epoll_ctl, sys_epoll_pwait, sys_epoll_pwait2 } from './eventpoll';
import { do_sys_fcntl } from './fcntl';
import { close_fd, ksys_dup, ksys_dup3 } from './file';
import { ksys_umask } from './fs_struct';
import { ksys_ioctl } from './ioctl';
import { sys_flock } from './locks';
import { do_linkat, do_mkdirat, do_mknodat, do_renameat2, do_rmdir, do_symlinkat, do_unlinkat } from './namei';
import {
  do_faccessat, do_fchmodat, do_fchownat, do_sys_ftruncate, do_sys_openat2, do_sys_truncate, ksys_chdir, ksys_fchdir,
  ksys_fchmod, ksys_fchown,
} from './open';
import { do_pipe_flags, pipe_abort, pipe_install } from './pipe';
import { ksys_getdents64 } from './readdir';
import {
  do_readv, do_sendfile, do_writev, ksys_lseek, ksys_pread64, ksys_pwrite64, ksys_read, ksys_write,
} from './read_write';
import { sys_ppoll, sys_pselect6 } from './select';
import { cp_new_stat, cp_statx, do_readlinkat, do_statx, vfs_fstat, vfs_fstatat } from './stat';
import { fd_statfs, user_statfs } from './statfs';
import type { kstat } from './fs_types';
import { do_fsync } from './sync';
import { AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, PATH_MAX } from './uapi';
import { do_utimes, UTIME_OMIT, type utimespec } from './utimes';

/**
 * getname: a path from user memory, as a byte string (one character per byte). Read a page at a
 * time so that a name ending just before an unmapped page is fine; EFAULT if the NUL is never
 * reached, ENAMETOOLONG if there is none within PATH_MAX bytes.
 */
export function* getname(uaddr: number): KGen<string | number> {
  if (!access_ok(uaddr, 1)) return -EFAULT;
  const parts: Uint8Array[] = [];
  let total = 0;
  let addr = uaddr;
  while (total < PATH_MAX) {
    const chunk = new Uint8Array(Math.min(4096 - (addr % 4096), PATH_MAX - total));
    const left = yield* copy_from_user(chunk, addr);
    const got = chunk.subarray(0, chunk.length - left);
    const nul = got.indexOf(0);
    if (nul >= 0) {
      parts.push(got.subarray(0, nul));
      return Buffer.concat(parts).toString('latin1');
    }
    if (left > 0) return -EFAULT;
    parts.push(chunk);
    total += chunk.length;
    addr += chunk.length;
  }
  return -ENAMETOOLONG;
}

/** A path argument that AT_EMPTY_PATH lets be NULL (Linux 6.11+ for the stat calls). */
function* getname_maybe_null(uaddr: number, flags: number): KGen<string | number> {
  if (uaddr === 0 && (flags & AT_EMPTY_PATH) !== 0) return '';
  return yield* getname(uaddr);
}

function* put_bytes(uaddr: number, bytes: Uint8Array): KGen<number> {
  return (yield* copy_to_user(uaddr, bytes)) === 0 ? 0 : -EFAULT;
}

/** int arguments: the low 32 bits, signed. */
const int = (v: number): number => v | 0;
/** unsigned int arguments. */
const uint = (v: number): number => v >>> 0;

function* sys_getcwd(buf: number, size: number): KGen<number> {
  const path = yield* do_getcwd();
  if (typeof path === 'number') return path;
  const bytes = Buffer.from(path + '\0', 'latin1');
  if (bytes.length > size) return -ERANGE;
  const err = yield* put_bytes(buf, bytes);
  return err < 0 ? err : bytes.length;
}

function* sys_dup(fildes: number): KGen<number> {
  yield* [];
  return ksys_dup(uint(fildes));
}

function* sys_dup3(oldfd: number, newfd: number, flags: number): KGen<number> {
  yield* [];
  return ksys_dup3(uint(oldfd), uint(newfd), int(flags));
}

function* sys_fcntl(fd: number, cmd: number, arg: number): KGen<number> {
  return yield* do_sys_fcntl(uint(fd), uint(cmd), arg);
}

function* sys_ioctl(fd: number, cmd: number, arg: number): KGen<number> {
  return yield* ksys_ioctl(uint(fd), uint(cmd), arg);
}

function* sys_mkdirat(dfd: number, pathname: number, mode: number): KGen<number> {
  const name = yield* getname(pathname);
  return typeof name === 'number' ? name : yield* do_mkdirat(int(dfd), name, uint(mode));
}

function* sys_mknodat(dfd: number, filename: number, mode: number, dev: number): KGen<number> {
  const name = yield* getname(filename);
  return typeof name === 'number' ? name : yield* do_mknodat(int(dfd), name, uint(mode), uint(dev));
}

function* sys_unlinkat(dfd: number, pathname: number, flag: number): KGen<number> {
  if ((int(flag) & ~AT_REMOVEDIR) !== 0) return -EINVAL;
  const name = yield* getname(pathname);
  if (typeof name === 'number') return name;
  return yield* ((int(flag) & AT_REMOVEDIR) !== 0 ? do_rmdir(int(dfd), name) : do_unlinkat(int(dfd), name));
}

function* sys_renameat2(olddfd: number, oldname: number, newdfd: number, newname: number, flags: number): KGen<number> {
  const from = yield* getname(oldname);
  if (typeof from === 'number') return from;
  const to = yield* getname(newname);
  if (typeof to === 'number') return to;
  return yield* do_renameat2(int(olddfd), from, int(newdfd), to, uint(flags));
}

function* sys_faccessat2(dfd: number, filename: number, mode: number, flags: number): KGen<number> {
  const name = yield* getname_maybe_null(filename, int(flags));
  return typeof name === 'number' ? name : yield* do_faccessat(int(dfd), name, int(mode), int(flags));
}

function* sys_faccessat(dfd: number, filename: number, mode: number): KGen<number> {
  return yield* sys_faccessat2(dfd, filename, mode, 0);
}

function* sys_chdir(filename: number): KGen<number> {
  const name = yield* getname(filename);
  return typeof name === 'number' ? name : yield* ksys_chdir(name);
}

function* sys_fchdir(fd: number): KGen<number> {
  return yield* ksys_fchdir(uint(fd));
}

function* sys_openat(dfd: number, filename: number, flags: number, mode: number): KGen<number> {
  const name = yield* getname(filename);
  return typeof name === 'number' ? name : yield* do_sys_openat2(int(dfd), name, int(flags), uint(mode) & 0o7777);
}

function* sys_close(fd: number): KGen<number> {
  yield* [];
  return close_fd(uint(fd));
}

function* sys_pipe2(fildes: number, flags: number): KGen<number> {
  const p = do_pipe_flags(int(flags));
  if (typeof p === 'number') return p;
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setInt32(0, p.fd[0], true);
  v.setInt32(4, p.fd[1], true);
  if ((yield* copy_to_user(fildes, b)) !== 0) {
    pipe_abort(p);
    return -EFAULT;
  }
  pipe_install(p);
  return 0;
}

function* sys_getdents64(fd: number, dirent: number, count: number): KGen<number> {
  const n = uint(count);
  if (!access_ok(dirent, n)) return -EFAULT;
  const r = yield* ksys_getdents64(uint(fd), n);
  if (typeof r === 'number') return r;
  const err = yield* put_bytes(dirent, r);
  return err < 0 ? err : r.length;
}

function* sys_lseek(fd: number, offset: number, whence: number): KGen<number> {
  return yield* ksys_lseek(uint(fd), offset, uint(whence));
}

function* sys_read(fd: number, buf: number, count: number): KGen<number> {
  return yield* ksys_read(uint(fd), buf, count);
}

function* sys_write(fd: number, buf: number, count: number): KGen<number> {
  return yield* ksys_write(uint(fd), buf, count);
}

function* sys_readv(fd: number, vec: number, vlen: number): KGen<number> {
  return yield* do_readv(uint(fd), vec, vlen);
}

function* sys_writev(fd: number, vec: number, vlen: number): KGen<number> {
  return yield* do_writev(uint(fd), vec, vlen);
}

function* sys_pread64(fd: number, buf: number, count: number, pos: number): KGen<number> {
  return yield* ksys_pread64(uint(fd), buf, count, pos);
}

function* sys_pwrite64(fd: number, buf: number, count: number, pos: number): KGen<number> {
  return yield* ksys_pwrite64(uint(fd), buf, count, pos);
}

function* sys_readlinkat(dfd: number, pathname: number, buf: number, bufsiz: number): KGen<number> {
  if (int(bufsiz) <= 0) return -EINVAL;
  const name = yield* getname(pathname);
  if (typeof name === 'number') return name;
  const target = yield* do_readlinkat(int(dfd), name);
  if (typeof target === 'number') return target;
  const bytes = Buffer.from(target, 'latin1').subarray(0, int(bufsiz));
  const err = yield* put_bytes(buf, bytes);
  return err < 0 ? err : bytes.length;
}

function* put_stat(st: kstat | number, statbuf: number): KGen<number> {
  return typeof st === 'number' ? st : yield* put_bytes(statbuf, cp_new_stat(st));
}

function* sys_newfstatat(dfd: number, filename: number, statbuf: number, flag: number): KGen<number> {
  const name = yield* getname_maybe_null(filename, int(flag));
  if (typeof name === 'number') return name;
  return yield* put_stat(yield* vfs_fstatat(int(dfd), name, int(flag)), statbuf);
}

function* sys_newfstat(fd: number, statbuf: number): KGen<number> {
  return yield* put_stat(vfs_fstat(uint(fd)), statbuf);
}

function* sys_statx(dfd: number, filename: number, flags: number, mask: number, buffer: number): KGen<number> {
  const name = yield* getname_maybe_null(filename, int(flags));
  if (typeof name === 'number') return name;
  const st = yield* do_statx(int(dfd), name, int(flags), uint(mask));
  return typeof st === 'number' ? st : yield* put_bytes(buffer, cp_statx(st));
}

function* sys_symlinkat(oldname: number, newdfd: number, newname: number): KGen<number> {
  const target = yield* getname(oldname);
  if (typeof target === 'number') return target;
  const name = yield* getname(newname);
  return typeof name === 'number' ? name : yield* do_symlinkat(target, int(newdfd), name);
}

function* sys_linkat(olddfd: number, oldname: number, newdfd: number, newname: number, flags: number): KGen<number> {
  const from = yield* getname_maybe_null(oldname, int(flags));
  if (typeof from === 'number') return from;
  const to = yield* getname(newname);
  return typeof to === 'number' ? to : yield* do_linkat(int(olddfd), from, int(newdfd), to, int(flags));
}

function* sys_truncate(path: number, length: number): KGen<number> {
  const name = yield* getname(path);
  return typeof name === 'number' ? name : yield* do_sys_truncate(name, length);
}

function* sys_ftruncate(fd: number, length: number): KGen<number> {
  return yield* do_sys_ftruncate(uint(fd), length);
}

function* sys_fchmod(fd: number, mode: number): KGen<number> {
  return yield* ksys_fchmod(uint(fd), uint(mode));
}

function* sys_fchmodat2(dfd: number, filename: number, mode: number, flags: number): KGen<number> {
  const name = yield* getname_maybe_null(filename, int(flags));
  return typeof name === 'number' ? name : yield* do_fchmodat(int(dfd), name, uint(mode), uint(flags));
}

function* sys_fchmodat(dfd: number, filename: number, mode: number): KGen<number> {
  return yield* sys_fchmodat2(dfd, filename, mode, 0);
}

function* sys_fsync(fd: number): KGen<number> {
  return yield* do_fsync(uint(fd));
}

function* sys_fchown(fd: number, user: number, group: number): KGen<number> {
  return yield* ksys_fchown(uint(fd), uint(user), uint(group));
}

function* sys_fchownat(dfd: number, filename: number, user: number, group: number, flag: number): KGen<number> {
  const name = yield* getname_maybe_null(filename, int(flag));
  return typeof name === 'number' ? name : yield* do_fchownat(int(dfd), name, uint(user), uint(group), int(flag));
}

/** utimensat(dfd, filename, utimes, flags): both times UTIME_OMIT change nothing, not even the lookup. */
function* sys_utimensat(dfd: number, filename: number, utimes: number, flags: number): KGen<number> {
  let times: [utimespec, utimespec] | null = null;
  if (utimes !== 0) {
    const b = new Uint8Array(32);
    if ((yield* copy_from_user(b, utimes)) !== 0) return -EFAULT;
    const v = new DataView(b.buffer);
    const ts = (o: number): utimespec => ({ tv_sec: v.getBigInt64(o, true), tv_nsec: Number(v.getBigInt64(o + 8, true)) });
    times = [ts(0), ts(16)];
    if (times[0].tv_nsec === UTIME_OMIT && times[1].tv_nsec === UTIME_OMIT) return 0;
  }
  if (filename === 0 && int(dfd) !== AT_FDCWD) return yield* do_utimes(int(dfd), null, times, int(flags));
  const name = yield* getname(filename);
  return typeof name === 'number' ? name : yield* do_utimes(int(dfd), name, times, int(flags));
}

function* put_statfs(st: Uint8Array | number, buf: number): KGen<number> {
  return typeof st === 'number' ? st : yield* put_bytes(buf, st);
}

function* sys_statfs(pathname: number, buf: number): KGen<number> {
  const name = yield* getname(pathname);
  return typeof name === 'number' ? name : yield* put_statfs(yield* user_statfs(name), buf);
}

function* sys_fstatfs(fd: number, buf: number): KGen<number> {
  return yield* put_statfs(yield* fd_statfs(uint(fd)), buf);
}

/** sendfile(out_fd, in_fd, offset, count): with an offset pointer, the input's position stays and *offset moves. */
function* sys_sendfile64(out_fd: number, in_fd: number, offset: number, count: number): KGen<number> {
  if (offset === 0) return yield* do_sendfile(uint(out_fd), uint(in_fd), null, count);
  const pos = yield* get_user_u64(offset);
  if (typeof pos === 'number') return pos;
  const ppos = { pos: Number(BigInt.asIntN(64, pos)) };
  const ret = yield* do_sendfile(uint(out_fd), uint(in_fd), ppos, count);
  return (yield* put_user_u64(offset, BigInt(ppos.pos))) < 0 ? -EFAULT : ret;
}

function* sys_epoll_create1(flags: number): KGen<number> {
  return yield* do_epoll_create(int(flags));
}

function* sys_epoll_ctl(epfd: number, op: number, fd: number, event: number): KGen<number> {
  return yield* do_epoll_ctl(int(epfd), int(op), int(fd), event);
}

function* sys_umask(mask: number): KGen<number> {
  yield* [];
  return ksys_umask(int(mask));
}

type SysFn = (...a: number[]) => KGen<number>;

/** A table entry whose handler shows as `sys_<name>` (in `linuxFile`) on the kernel stack. */
function entry(nr: number, name: string, linuxFile: string, fn: SysFn, args: SyscallEntry['args']): SyscallEntry {
  Object.defineProperty(fn, 'name', { value: `sys_${name}` });
  return { nr, name, fn: kfunc(linuxFile, fn) as SyscallEntry['fn'], args };
}

export const fs_syscalls: SyscallEntry[] = [
  entry(17, 'getcwd', 'fs/d_path.c', sys_getcwd, [['buf', 'ptr'], ['size', 'int']]),
  entry(20, 'epoll_create1', 'fs/eventpoll.c', sys_epoll_create1, [['flags', 'hex']]),
  entry(21, 'epoll_ctl', 'fs/eventpoll.c', sys_epoll_ctl, [['epfd', 'int'], ['op', 'int'], ['fd', 'int'], ['event', 'ptr']]),
  entry(22, 'epoll_pwait', 'fs/eventpoll.c', sys_epoll_pwait, [['epfd', 'int'], ['events', 'ptr'], ['maxevents', 'int'], ['timeout', 'int'], ['sigmask', 'ptr'], ['sigsetsize', 'int']]),
  entry(23, 'dup', 'fs/file.c', sys_dup, [['fildes', 'int']]),
  entry(24, 'dup3', 'fs/file.c', sys_dup3, [['oldfd', 'int'], ['newfd', 'int'], ['flags', 'hex']]),
  entry(25, 'fcntl', 'fs/fcntl.c', sys_fcntl, [['fd', 'int'], ['cmd', 'int'], ['arg', 'hex']]),
  entry(29, 'ioctl', 'fs/ioctl.c', sys_ioctl, [['fd', 'int'], ['cmd', 'hex'], ['arg', 'hex']]),
  entry(32, 'flock', 'fs/locks.c', sys_flock, [['fd', 'int'], ['cmd', 'int']]),
  entry(33, 'mknodat', 'fs/namei.c', sys_mknodat, [['dfd', 'int'], ['filename', 'str'], ['mode', 'oct'], ['dev', 'hex']]),
  entry(34, 'mkdirat', 'fs/namei.c', sys_mkdirat, [['dfd', 'int'], ['pathname', 'str'], ['mode', 'oct']]),
  entry(35, 'unlinkat', 'fs/namei.c', sys_unlinkat, [['dfd', 'int'], ['pathname', 'str'], ['flag', 'hex']]),
  entry(36, 'symlinkat', 'fs/namei.c', sys_symlinkat, [['oldname', 'str'], ['newdfd', 'int'], ['newname', 'str']]),
  entry(37, 'linkat', 'fs/namei.c', sys_linkat, [['olddfd', 'int'], ['oldname', 'str'], ['newdfd', 'int'], ['newname', 'str'], ['flags', 'hex']]),
  entry(43, 'statfs', 'fs/statfs.c', sys_statfs, [['pathname', 'str'], ['buf', 'ptr']]),
  entry(44, 'fstatfs', 'fs/statfs.c', sys_fstatfs, [['fd', 'int'], ['buf', 'ptr']]),
  entry(45, 'truncate', 'fs/open.c', sys_truncate, [['path', 'str'], ['length', 'int']]),
  entry(46, 'ftruncate', 'fs/open.c', sys_ftruncate, [['fd', 'int'], ['length', 'int']]),
  entry(48, 'faccessat', 'fs/open.c', sys_faccessat, [['dfd', 'int'], ['filename', 'str'], ['mode', 'oct']]),
  entry(49, 'chdir', 'fs/open.c', sys_chdir, [['filename', 'str']]),
  entry(50, 'fchdir', 'fs/open.c', sys_fchdir, [['fd', 'int']]),
  entry(52, 'fchmod', 'fs/open.c', sys_fchmod, [['fd', 'int'], ['mode', 'oct']]),
  entry(53, 'fchmodat', 'fs/open.c', sys_fchmodat, [['dfd', 'int'], ['filename', 'str'], ['mode', 'oct']]),
  entry(54, 'fchownat', 'fs/open.c', sys_fchownat, [['dfd', 'int'], ['filename', 'str'], ['user', 'int'], ['group', 'int'], ['flag', 'hex']]),
  entry(55, 'fchown', 'fs/open.c', sys_fchown, [['fd', 'int'], ['user', 'int'], ['group', 'int']]),
  entry(56, 'openat', 'fs/open.c', sys_openat, [['dfd', 'int'], ['filename', 'str'], ['flags', 'hex'], ['mode', 'oct']]),
  entry(57, 'close', 'fs/open.c', sys_close, [['fd', 'int']]),
  entry(59, 'pipe2', 'fs/pipe.c', sys_pipe2, [['fildes', 'ptr'], ['flags', 'hex']]),
  entry(61, 'getdents64', 'fs/readdir.c', sys_getdents64, [['fd', 'int'], ['dirent', 'ptr'], ['count', 'int']]),
  entry(62, 'lseek', 'fs/read_write.c', sys_lseek, [['fd', 'int'], ['offset', 'int'], ['whence', 'int']]),
  entry(63, 'read', 'fs/read_write.c', sys_read, [['fd', 'int'], ['buf', 'ptr'], ['count', 'int']]),
  entry(64, 'write', 'fs/read_write.c', sys_write, [['fd', 'int'], ['buf', 'ptr'], ['count', 'int']]),
  entry(65, 'readv', 'fs/read_write.c', sys_readv, [['fd', 'int'], ['vec', 'ptr'], ['vlen', 'int']]),
  entry(66, 'writev', 'fs/read_write.c', sys_writev, [['fd', 'int'], ['vec', 'ptr'], ['vlen', 'int']]),
  entry(67, 'pread64', 'fs/read_write.c', sys_pread64, [['fd', 'int'], ['buf', 'ptr'], ['count', 'int'], ['pos', 'int']]),
  entry(68, 'pwrite64', 'fs/read_write.c', sys_pwrite64, [['fd', 'int'], ['buf', 'ptr'], ['count', 'int'], ['pos', 'int']]),
  entry(71, 'sendfile', 'fs/read_write.c', sys_sendfile64, [['out_fd', 'int'], ['in_fd', 'int'], ['offset', 'ptr'], ['count', 'int']]),
  entry(72, 'pselect6', 'fs/select.c', sys_pselect6, [['n', 'int'], ['inp', 'ptr'], ['outp', 'ptr'], ['exp', 'ptr'], ['tsp', 'ptr'], ['sig', 'ptr']]),
  entry(73, 'ppoll', 'fs/select.c', sys_ppoll, [['ufds', 'ptr'], ['nfds', 'int'], ['tsp', 'ptr'], ['sigmask', 'ptr'], ['sigsetsize', 'int']]),
  entry(78, 'readlinkat', 'fs/stat.c', sys_readlinkat, [['dfd', 'int'], ['pathname', 'str'], ['buf', 'ptr'], ['bufsiz', 'int']]),
  entry(79, 'newfstatat', 'fs/stat.c', sys_newfstatat, [['dfd', 'int'], ['filename', 'str'], ['statbuf', 'ptr'], ['flag', 'hex']]),
  entry(80, 'fstat', 'fs/stat.c', sys_newfstat, [['fd', 'int'], ['statbuf', 'ptr']]),
  entry(82, 'fsync', 'fs/sync.c', sys_fsync, [['fd', 'int']]),
  entry(83, 'fdatasync', 'fs/sync.c', sys_fsync, [['fd', 'int']]),
  entry(88, 'utimensat', 'fs/utimes.c', sys_utimensat, [['dfd', 'int'], ['filename', 'str'], ['utimes', 'ptr'], ['flags', 'hex']]),
  entry(166, 'umask', 'kernel/sys.c', sys_umask, [['mask', 'oct']]),
  entry(276, 'renameat2', 'fs/namei.c', sys_renameat2, [['olddfd', 'int'], ['oldname', 'str'], ['newdfd', 'int'], ['newname', 'str'], ['flags', 'hex']]),
  entry(291, 'statx', 'fs/stat.c', sys_statx, [['dfd', 'int'], ['filename', 'str'], ['flags', 'hex'], ['mask', 'hex'], ['buffer', 'ptr']]),
  entry(439, 'faccessat2', 'fs/open.c', sys_faccessat2, [['dfd', 'int'], ['filename', 'str'], ['mode', 'oct'], ['flags', 'hex']]),
  entry(441, 'epoll_pwait2', 'fs/eventpoll.c', sys_epoll_pwait2, [['epfd', 'int'], ['events', 'ptr'], ['maxevents', 'int'], ['timeout', 'ptr'], ['sigmask', 'ptr'], ['sigsetsize', 'int']]),
  entry(452, 'fchmodat2', 'fs/open.c', sys_fchmodat2, [['dfd', 'int'], ['filename', 'str'], ['mode', 'oct'], ['flags', 'hex']]),
];
