/**
 * fcntl(2) (fs/fcntl.c): duplicating descriptors, the close-on-exec flag, the file status
 * flags (F_SETFL may change only O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT and O_NOATIME), a
 * pipe's capacity, and byte-range locks (locks.ts).
 */
import { EBADF, EINVAL } from '../errno';
import { kfunc, klocals, type KGen } from '../kfunc';
import { f_dupfd, fget_raw, fput, get_close_on_exec, set_close_on_exec } from './file';
import { FMODE_PATH, type file } from './fs_types';
import { fcntl_lock } from './locks';
import { get_pipe_info, pipe_set_size } from './pipe';
import {
  F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_GETLK, F_GETPIPE_SZ, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW,
  F_SETFD, F_SETFL, F_SETLK, F_SETLKW, F_SETPIPE_SZ, FD_CLOEXEC, O_CLOEXEC, SETFL_MASK,
} from './uapi';

/** setfl: F_SETFL. */
function setfl(f: file, arg: number): number {
  f.f_flags = (arg & SETFL_MASK) | (f.f_flags & ~SETFL_MASK);
  return 0;
}

/** Commands an O_PATH descriptor allows (check_fcntl_cmd). */
function path_fd_ok(cmd: number): boolean {
  return cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC || cmd === F_GETFD || cmd === F_SETFD || cmd === F_GETFL;
}

function do_fcntl(fd: number, cmd: number, arg: number, f: file): number {
  switch (cmd) {
    case F_DUPFD:
      return f_dupfd(arg, f, 0);
    case F_DUPFD_CLOEXEC:
      return f_dupfd(arg, f, O_CLOEXEC);
    case F_GETFD:
      return get_close_on_exec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
      set_close_on_exec(fd, (arg & FD_CLOEXEC) !== 0);
      return 0;
    case F_GETFL:
      return f.f_flags;
    case F_SETFL:
      return setfl(f, arg);
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ: {
      const pipe = get_pipe_info(f);
      if (pipe === null) return -EBADF;
      return cmd === F_GETPIPE_SZ ? pipe.size : pipe_set_size(pipe, arg);
    }
    default:
      return -EINVAL;
  }
}

const LOCK_CMDS = [F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW];

/** fcntl(2). `arg` is the third argument as an unsigned long (descriptors and flags fit in it). */
export const do_sys_fcntl = kfunc('fs/fcntl.c', function* do_sys_fcntl(fd: number, cmd: number, arg: number): KGen<number> {
  klocals({ fd, cmd, arg });
  const f = fget_raw(fd);
  if (f === null) return -EBADF;
  try {
    if ((f.f_mode & FMODE_PATH) !== 0 && !path_fd_ok(cmd)) return -EBADF;
    if (LOCK_CMDS.includes(cmd)) return yield* fcntl_lock(f, cmd, arg);
    return do_fcntl(fd, cmd, arg, f);
  } finally {
    fput(f);
  }
});
