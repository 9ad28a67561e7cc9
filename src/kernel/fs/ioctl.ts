/**
 * ioctl(2) (fs/ioctl.c): the commands every file answers (FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC,
 * FIONREAD on regular files), then the file's own unlocked_ioctl — the terminal's TCGETS and
 * TIOCGWINSZ, a pipe's FIONREAD. A file with no ioctls gives ENOTTY, which is how glibc learns
 * that stdout is not a terminal.
 */
import { EBADF, ENOTTY } from '../errno';
import { kfunc, klocals, type KGen } from '../kfunc';
import { get_user_u32, put_user_u32 } from '../mm/uaccess';
import { fget, fput, set_close_on_exec } from './file';
import type { file } from './fs_types';
import { FASYNC, FIOASYNC, FIOCLEX, FIONBIO, FIONCLEX, FIONREAD, O_NONBLOCK, S_ISREG } from './uapi';

/** ioctl_fionbio / ioctl_fioasync: a status flag set from an int argument. */
function* set_flag_from_user(f: file, arg: number, flag: number): KGen<number> {
  const on = yield* get_user_u32(arg);
  if (on < 0) return on;
  f.f_flags = on !== 0 ? f.f_flags | flag : f.f_flags & ~flag;
  return 0;
}

function* do_vfs_ioctl(f: file, fd: number, cmd: number, arg: number): KGen<number> {
  switch (cmd) {
    case FIOCLEX:
    case FIONCLEX:
      set_close_on_exec(fd, cmd === FIOCLEX);
      return 0;
    case FIONBIO:
      return yield* set_flag_from_user(f, arg, O_NONBLOCK);
    case FIOASYNC:
      return yield* set_flag_from_user(f, arg, FASYNC);
    case FIONREAD:
      if (S_ISREG(f.f_inode.i_mode)) {
        const st = f.f_inode.i_op.getattr(f.f_path);
        if (typeof st === 'number') return st;
        return yield* put_user_u32(arg, Math.max(0, Math.min(st.size - f.f_pos, 0x7fffffff)));
      }
      break;
  }
  const ioctl = f.f_op.unlocked_ioctl;
  return ioctl === undefined ? -ENOTTY : yield* ioctl(f, cmd, arg);
}

/** ioctl(2): `cmd` is an unsigned int. */
export const ksys_ioctl = kfunc('fs/ioctl.c', function* ksys_ioctl(fd: number, cmd: number, arg: number): KGen<number> {
  klocals({ fd, cmd: '0x' + (cmd >>> 0).toString(16) });
  const f = fget(fd);
  if (f === null) return -EBADF;
  try {
    return yield* do_vfs_ioctl(f, fd, cmd >>> 0, arg);
  } finally {
    fput(f);
  }
});
