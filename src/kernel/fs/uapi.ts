/**
 * The file-system constants user space sees, with riscv64's values (asm-generic):
 * include/uapi/asm-generic/fcntl.h (O_*, F_*), include/uapi/linux/fcntl.h (AT_*),
 * include/uapi/linux/stat.h (S_IF*, STATX_*), include/linux/fs.h (DT_*, SEEK_*, RENAME_*),
 * include/uapi/asm-generic/ioctls.h, include/uapi/linux/eventpoll.h (EPOLL*, the same bits as
 * poll's POLL* on riscv64). Checked against riscv64-linux-gnu-gcc's headers.
 */

// open(2) flags, octal as in the headers.
export const O_ACCMODE = 0o3;
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const FASYNC = 0o20000;
export const O_DIRECT = 0o40000;
/** Always set by the kernel on 64-bit (force_o_largefile), so F_GETFL reports it. */
export const O_LARGEFILE = 0o100000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;
export const __O_SYNC = 0o4000000;
export const O_PATH = 0o10000000;
export const __O_TMPFILE = 0o20000000;
/** Every flag open accepts (VALID_OPEN_FLAGS); anything else is EINVAL for openat2, ignored by openat. */
export const VALID_OPEN_FLAGS = O_RDONLY | O_WRONLY | O_RDWR | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC |
  O_APPEND | O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW |
  O_NOATIME | O_CLOEXEC | __O_SYNC | O_PATH | __O_TMPFILE;
/** The flags F_SETFL may change (SETFL_MASK in fs/fcntl.c). */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | FASYNC | O_DIRECT | O_NOATIME;

// fcntl commands.
export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_GETLK = 5;
export const F_SETLK = 6;
export const F_SETLKW = 7;
export const F_OFD_GETLK = 36;
export const F_OFD_SETLK = 37;
export const F_OFD_SETLKW = 38;
export const F_DUPFD_CLOEXEC = 1030;
export const F_SETPIPE_SZ = 1031;
export const F_GETPIPE_SZ = 1032;
export const FD_CLOEXEC = 1;

// Lock types of struct flock, and flock(2)'s operations.
export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;
/** The old "mandatory" flock flag: such requests are accepted and do nothing. */
export const LOCK_MAND = 32;

// *at() arguments.
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_EACCESS = 0x200;
export const AT_REMOVEDIR = 0x200;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_NO_AUTOMOUNT = 0x800;
export const AT_EMPTY_PATH = 0x1000;
export const AT_STATX_SYNC_TYPE = 0x6000;

// renameat2 flags.
export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;
export const RENAME_WHITEOUT = 4;

// File types and permission bits of st_mode.
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;
export const S_ISVTX = 0o1000;
export const S_IALLUGO = 0o7777;
export const S_IRWXUGO = 0o777;

export const S_ISDIR = (m: number): boolean => (m & S_IFMT) === S_IFDIR;
export const S_ISREG = (m: number): boolean => (m & S_IFMT) === S_IFREG;
export const S_ISLNK = (m: number): boolean => (m & S_IFMT) === S_IFLNK;

/** d_type of struct linux_dirent64 for a directory (DT_DIR). */
export const DT_DIR = 4;

/** fs_umode_to_dtype: d_type is the file-type bits of the mode shifted down (DT_REG 8, DT_LNK 10…). */
export function fs_umode_to_dtype(mode: number): number {
  return (mode & S_IFMT) >>> 12;
}

// lseek whence.
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;
export const SEEK_DATA = 3;
export const SEEK_HOLE = 4;

// access(2) modes; the MAY_* of permission checks use the same low bits.
export const W_OK = 2;
export const R_OK = 4;
export const MAY_EXEC = 0x1;
export const MAY_WRITE = 0x2;
export const MAY_READ = 0x4;
export const MAY_APPEND = 0x8;
export const MAY_OPEN = 0x20;

// statx.
export const STATX_BASIC_STATS = 0x7ff;
export const STATX_BTIME = 0x800;
export const STATX__RESERVED = 0x80000000;

// Terminal and generic ioctls (asm-generic/ioctls.h).
export const TCGETS = 0x5401;
export const TCSETS = 0x5402;
export const TCSETSW = 0x5403;
export const TCSETSF = 0x5404;
export const TIOCGPGRP = 0x540f;
export const TIOCSPGRP = 0x5410;
export const TIOCGWINSZ = 0x5413;
export const TIOCSWINSZ = 0x5414;
export const FIONREAD = 0x541b;
export const FIONBIO = 0x5421;
export const FIONCLEX = 0x5450;
export const FIOCLEX = 0x5451;
export const FIOASYNC = 0x5452;

// poll and epoll events.
export const EPOLLIN = 0x1;
export const EPOLLPRI = 0x2;
export const EPOLLOUT = 0x4;
export const EPOLLERR = 0x8;
export const EPOLLHUP = 0x10;
export const EPOLLNVAL = 0x20;
export const EPOLLRDNORM = 0x40;
export const EPOLLRDBAND = 0x80;
export const EPOLLWRNORM = 0x100;
export const EPOLLWRBAND = 0x200;
export const EPOLLEXCLUSIVE = 1 << 28;
export const EPOLLWAKEUP = 1 << 29;
export const EPOLLONESHOT = 1 << 30;
export const EPOLLET = 2 ** 31;

/** Limits of include/uapi/linux/limits.h. */
export const PATH_MAX = 4096;
export const NAME_MAX = 255;
export const PIPE_BUF = 4096;
/** Symbolic links one lookup may follow (MAXSYMLINKS, include/linux/namei.h). */
export const MAXSYMLINKS = 40;
