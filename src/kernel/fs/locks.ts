/**
 * Advisory file locks (fs/locks.c): flock(2), and fcntl's byte-range locks — POSIX locks
 * (F_GETLK, F_SETLK, F_SETLKW) owned by the process's descriptor table, and open file
 * description locks (F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW) owned by the open file.
 *
 * Locks belong to the inode (its file_lock_context), found by file system and inode number,
 * since Forkscope builds a fresh inode object at every lookup. flock locks and byte-range locks
 * never conflict with each other. A POSIX owner's locks are kept merged (touching ranges of one
 * type become one) and split by unlocks or type changes of part of a range; they go away when the
 * owner closes any descriptor of the file, or exits. flock and OFD locks go away with the last
 * reference to their open file.
 *
 * A request that conflicts fails with EAGAIN, or sleeps (LOCK_EX without LOCK_NB, F_SETLKW) until
 * the conflicting locks are gone — a signal ends the sleep with ERESTARTSYS. Before a POSIX
 * request sleeps, the chain "the owner of the lock in my way waits for a lock whose owner
 * waits…" is followed: if it leads back to the requester, the request fails with EDEADLK.
 */
import { EAGAIN, EBADF, EDEADLK, EFAULT, EINVAL, EOVERFLOW } from '../errno';
import { current, kernel, kfunc, klocals, type KGen } from '../kfunc';
import type { Kernel } from '../kernel';
import { copy_from_user, copy_to_user } from '../mm/uaccess';
import { wait_event_interruptible, wait_queue_head, wake_up } from '../sched/wait';
import { fget, fput } from './file';
import { FMODE_READ, FMODE_WRITE, type file, type inode, type super_block } from './fs_types';
import { vfs_getattr } from './stat';
import {
  F_GETLK, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_RDLCK, F_SETLKW, F_UNLCK, F_WRLCK, LOCK_EX, LOCK_MAND, LOCK_NB, LOCK_SH,
  LOCK_UN, SEEK_CUR, SEEK_END, SEEK_SET,
} from './uapi';

/** The largest file offset (a lock "to the end of the file" ends here). */
const OFFSET_MAX = 2n ** 63n - 1n;
/** How long a chain of waiting owners the deadlock check follows. */
const MAX_DEADLK_ITERATIONS = 10;
/** riscv64's `struct flock`: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid. */
const FLOCK_SIZE = 32;

/** `struct file_lock`. */
interface file_lock {
  /** The holder: the descriptor table (POSIX locks) or the open file (flock and OFD locks). */
  readonly fl_owner: object;
  /** The holder's process (-1 for OFD locks, which belong to no process). */
  readonly fl_pid: number;
  readonly fl_file: file;
  readonly fl_type: number;
  /** The byte range, inclusive. */
  readonly fl_start: bigint;
  readonly fl_end: bigint;
  /** FL_OFDLCK: an open file description lock. */
  readonly ofd: boolean;
}

/** `struct file_lock_context`: an inode's locks, and the tasks waiting for them to change. */
class file_lock_context {
  flc_flock: file_lock[] = [];
  flc_posix: file_lock[] = [];
  readonly wait = new wait_queue_head();
}

const contexts = new WeakMap<super_block, Map<number, file_lock_context>>();

/** locks_get_lock_context: the inode's lock context, made on first use if `create`. */
function locks_inode_context(ino: inode, create: boolean): file_lock_context | null {
  let bySb = contexts.get(ino.i_sb);
  if (bySb === undefined) {
    if (!create) return null;
    bySb = new Map();
    contexts.set(ino.i_sb, bySb);
  }
  let ctx = bySb.get(ino.i_ino) ?? null;
  if (ctx === null && create) {
    ctx = new file_lock_context();
    bySb.set(ino.i_ino, ctx);
  }
  return ctx;
}

/** A POSIX request asleep, and the lock in its way (Linux's blocked_hash), per machine. */
interface blocked_request {
  readonly request: file_lock;
  blocker: file_lock;
}

const blocked = new WeakMap<Kernel, Set<blocked_request>>();

function blocked_requests(): Set<blocked_request> {
  const k = kernel();
  let set = blocked.get(k);
  if (set === undefined) {
    set = new Set();
    blocked.set(k, set);
  }
  return set;
}

function overlap(a: file_lock, b: file_lock): boolean {
  return a.fl_start <= b.fl_end && b.fl_start <= a.fl_end;
}

/** posix_locks_conflict: other owners' overlapping ranges conflict when one of them is a write lock. */
function posix_locks_conflict(caller: file_lock, sys: file_lock): boolean {
  if (caller.fl_owner === sys.fl_owner || !overlap(caller, sys)) return false;
  return caller.fl_type === F_WRLCK || sys.fl_type === F_WRLCK;
}

/** flock_locks_conflict: locks of other open files conflict when one of them is exclusive. */
function flock_locks_conflict(caller: file_lock, sys: file_lock): boolean {
  if (caller.fl_file === sys.fl_file) return false;
  return caller.fl_type === F_WRLCK || sys.fl_type === F_WRLCK;
}

/** what_owner_is_waiting_for: the lock that a sleeping request of `fl`'s owner waits on. */
function what_owner_is_waiting_for(fl: file_lock): file_lock | null {
  for (const b of blocked_requests()) if (b.request.fl_owner === fl.fl_owner) return b.blocker;
  return null;
}

/**
 * posix_locks_deadlock: would `caller` sleeping behind `block_fl` close a cycle of owners waiting
 * for one another? OFD locks belong to no process and are never part of the check.
 */
function posix_locks_deadlock(caller: file_lock, block_fl: file_lock): boolean {
  if (caller.ofd) return false;
  let fl: file_lock | null = block_fl;
  for (let i = 0; (fl = what_owner_is_waiting_for(fl)) !== null; i++) {
    if (i > MAX_DEADLK_ITERATIONS) return false;
    if (fl.fl_owner === caller.fl_owner) return true;
  }
  return false;
}

function posix_first_conflict(ctx: file_lock_context, request: file_lock): file_lock | null {
  return ctx.flc_posix.find((fl) => posix_locks_conflict(request, fl)) ?? null;
}

/**
 * The owner's locks once `request` is applied: ranges of the request's type that overlap or touch
 * it merge with it; other ranges lose the part it covers (and may split in two).
 */
function posix_apply(mine: file_lock[], request: file_lock): file_lock[] {
  let start = request.fl_start;
  let end = request.fl_end;
  const kept: file_lock[] = [];
  for (const fl of mine) {
    if (fl.fl_type === request.fl_type) {
      if (fl.fl_end + 1n >= start && fl.fl_start <= end + 1n) {
        start = fl.fl_start < start ? fl.fl_start : start;
        end = fl.fl_end > end ? fl.fl_end : end;
      } else kept.push(fl);
    } else if (!overlap(fl, request)) {
      kept.push(fl);
    } else {
      if (fl.fl_start < request.fl_start) kept.push({ ...fl, fl_end: request.fl_start - 1n });
      if (fl.fl_end > request.fl_end) kept.push({ ...fl, fl_start: request.fl_end + 1n });
    }
  }
  if (request.fl_type !== F_UNLCK) kept.push({ ...request, fl_start: start, fl_end: end });
  return kept.sort((a, b) => (a.fl_start < b.fl_start ? -1 : a.fl_start > b.fl_start ? 1 : 0));
}

/**
 * posix_lock_inode: applies `request`, or returns -EAGAIN / -EDEADLK, or — when it may sleep —
 * the lock in its way. An owner's locks stay together in the inode's list, where its first lock
 * was (so F_GETLK finds conflicts in Linux's order).
 */
function posix_lock_inode(ctx: file_lock_context, request: file_lock, sleep: boolean): number | file_lock {
  if (request.fl_type !== F_UNLCK) {
    const conflict = posix_first_conflict(ctx, request);
    if (conflict !== null) {
      if (!sleep) return -EAGAIN;
      return posix_locks_deadlock(request, conflict) ? -EDEADLK : conflict;
    }
  }
  const owner = request.fl_owner;
  const at = ctx.flc_posix.findIndex((fl) => fl.fl_owner === owner);
  const others = ctx.flc_posix.filter((fl) => fl.fl_owner !== owner);
  const mine = posix_apply(ctx.flc_posix.filter((fl) => fl.fl_owner === owner), request);
  const pos = at < 0 ? others.length : ctx.flc_posix.slice(0, at).filter((fl) => fl.fl_owner !== owner).length;
  ctx.flc_posix = [...others.slice(0, pos), ...mine, ...others.slice(pos)];
  wake_up(ctx.wait);
  return 0;
}

/**
 * flock_lock_inode: the file's existing flock lock is dropped first (a conversion is not atomic,
 * as in Linux), then the new one is taken — or -EAGAIN, or the lock in its way.
 */
function flock_lock_inode(ctx: file_lock_context, request: file_lock, sleep: boolean): number | file_lock {
  const i = ctx.flc_flock.findIndex((fl) => fl.fl_file === request.fl_file);
  if (i >= 0) {
    if (ctx.flc_flock[i].fl_type === request.fl_type) return 0;
    ctx.flc_flock.splice(i, 1);
    wake_up(ctx.wait);
  }
  if (request.fl_type === F_UNLCK) return 0;
  const conflict = ctx.flc_flock.find((fl) => flock_locks_conflict(request, fl));
  if (conflict !== undefined) return sleep ? conflict : -EAGAIN;
  ctx.flc_flock.push(request);
  return 0;
}

/**
 * locks_lock_file_wait: tries the request, sleeping while a lock is in its way; 0, -EAGAIN,
 * -EDEADLK, or -ERESTARTSYS when a signal ends the sleep.
 */
const locks_lock_file_wait = kfunc('fs/locks.c', function* locks_lock_file_wait(request: file_lock, posix: boolean, sleep: boolean): KGen<number> {
  const ctx = locks_inode_context(request.fl_file.f_inode, true)!;
  klocals({ type: ['F_RDLCK', 'F_WRLCK', 'F_UNLCK'][request.fl_type], start: String(request.fl_start), end: String(request.fl_end) });
  for (;;) {
    const r = posix ? posix_lock_inode(ctx, request, sleep) : flock_lock_inode(ctx, request, sleep);
    if (typeof r === 'number') return r;
    const conflicts = posix ? posix_locks_conflict : flock_locks_conflict;
    const waiter: blocked_request = { request, blocker: r };
    const waiting = posix && !request.ofd ? blocked_requests() : null;
    waiting?.add(waiter);
    const err = yield* wait_event_interruptible(ctx.wait, () => {
      const c = (posix ? ctx.flc_posix : ctx.flc_flock).find((fl) => conflicts(request, fl));
      if (c !== undefined) waiter.blocker = c;
      return c === undefined;
    });
    waiting?.delete(waiter);
    if (err < 0) return err;
  }
});

/** locks_remove_posix: the owner closed a descriptor of the file; its POSIX locks there go. */
export function locks_remove_posix(f: file, owner: object): void {
  const ctx = locks_inode_context(f.f_inode, false);
  if (ctx === null || !ctx.flc_posix.some((fl) => fl.fl_owner === owner)) return;
  ctx.flc_posix = ctx.flc_posix.filter((fl) => fl.fl_owner !== owner);
  wake_up(ctx.wait);
}

/** locks_remove_file: the file's last reference is going; its flock and OFD locks go with it. */
export function locks_remove_file(f: file): void {
  const ctx = locks_inode_context(f.f_inode, false);
  if (ctx === null) return;
  const posix = ctx.flc_posix.filter((fl) => fl.fl_owner !== f);
  const flock = ctx.flc_flock.filter((fl) => fl.fl_file !== f);
  if (posix.length === ctx.flc_posix.length && flock.length === ctx.flc_flock.length) return;
  ctx.flc_posix = posix;
  ctx.flc_flock = flock;
  wake_up(ctx.wait);
}

/** flock(fd, cmd): LOCK_SH, LOCK_EX or LOCK_UN, with LOCK_NB not to wait. */
export function* sys_flock(fd: number, cmd: number): KGen<number> {
  fd >>>= 0;
  cmd >>>= 0;
  if ((cmd & LOCK_MAND) !== 0) return 0;
  const op = cmd & ~LOCK_NB;
  const type = op === LOCK_SH ? F_RDLCK : op === LOCK_EX ? F_WRLCK : op === LOCK_UN ? F_UNLCK : -1;
  if (type < 0) return -EINVAL;
  const f = fget(fd);
  if (f === null) return -EBADF;
  try {
    if (type !== F_UNLCK && (f.f_mode & (FMODE_READ | FMODE_WRITE)) === 0) return -EBADF;
    const request: file_lock = {
      fl_owner: f, fl_pid: current().tgid, fl_file: f, fl_type: type, fl_start: 0n, fl_end: OFFSET_MAX, ofd: false,
    };
    return yield* locks_lock_file_wait(request, false, (cmd & LOCK_NB) === 0);
  } finally {
    fput(f);
  }
}

/** `struct flock` as user space passes it. */
interface flock {
  l_type: number;
  l_whence: number;
  l_start: bigint;
  l_len: bigint;
  l_pid: number;
}

function flock_from_bytes(b: Uint8Array): flock {
  const v = new DataView(b.buffer, b.byteOffset);
  return {
    l_type: v.getInt16(0, true), l_whence: v.getInt16(2, true), l_start: v.getBigInt64(8, true),
    l_len: v.getBigInt64(16, true), l_pid: v.getInt32(24, true),
  };
}

function flock_to_bytes(fl: flock, b: Uint8Array): void {
  const v = new DataView(b.buffer, b.byteOffset);
  v.setInt16(0, fl.l_type, true);
  v.setInt16(2, fl.l_whence, true);
  v.setBigInt64(8, fl.l_start, true);
  v.setBigInt64(16, fl.l_len, true);
  v.setInt32(24, fl.l_pid, true);
}

/**
 * flock_to_posix_lock: the byte range a `struct flock` names, from SEEK_SET, SEEK_CUR or SEEK_END
 * (the file's size); a negative length covers the bytes before the start, 0 reaches to the end
 * of any file. EINVAL for a bad whence, type or a range before offset 0, EOVERFLOW past the
 * largest offset.
 */
function flock_to_posix_lock(f: file, l: flock, ofd: boolean): file_lock | number {
  let base: bigint;
  if (l.l_whence === SEEK_SET) base = 0n;
  else if (l.l_whence === SEEK_CUR) base = BigInt(f.f_pos);
  else if (l.l_whence === SEEK_END) {
    const st = vfs_getattr(f.f_path);
    base = typeof st === 'number' ? 0n : BigInt(st.size);
  } else return -EINVAL;
  if (l.l_start > OFFSET_MAX - base) return -EOVERFLOW;
  let start = base + l.l_start;
  if (start < 0n) return -EINVAL;
  let end: bigint;
  if (l.l_len > 0n) {
    if (l.l_len - 1n > OFFSET_MAX - start) return -EOVERFLOW;
    end = start + l.l_len - 1n;
  } else if (l.l_len < 0n) {
    if (start + l.l_len < 0n) return -EINVAL;
    end = start - 1n;
    start += l.l_len;
  } else end = OFFSET_MAX;
  if (l.l_type !== F_RDLCK && l.l_type !== F_WRLCK && l.l_type !== F_UNLCK) return -EINVAL;
  return {
    fl_owner: ofd ? f : current().files!, fl_pid: ofd ? -1 : current().tgid, fl_file: f, fl_type: l.l_type,
    fl_start: start, fl_end: end, ofd,
  };
}

/** fcntl_getlk: F_GETLK / F_OFD_GETLK — the first lock that would conflict, or F_UNLCK. */
function fcntl_getlk(f: file, cmd: number, l: flock): number {
  if (l.l_type !== F_RDLCK && l.l_type !== F_WRLCK) return -EINVAL;
  const ofd = cmd === F_OFD_GETLK;
  const request = flock_to_posix_lock(f, l, ofd);
  if (typeof request === 'number') return request;
  if (ofd && l.l_pid !== 0) return -EINVAL;
  const ctx = locks_inode_context(f.f_inode, false);
  const conflict = ctx === null ? null : posix_first_conflict(ctx, request);
  if (conflict === null) {
    l.l_type = F_UNLCK;
    return 0;
  }
  l.l_type = conflict.fl_type;
  l.l_whence = SEEK_SET;
  l.l_start = conflict.fl_start;
  l.l_len = conflict.fl_end === OFFSET_MAX ? 0n : conflict.fl_end - conflict.fl_start + 1n;
  l.l_pid = conflict.fl_pid;
  return 0;
}

/** fcntl_setlk: F_SETLK, F_SETLKW and their OFD forms (which must say l_pid 0). */
function* fcntl_setlk(f: file, cmd: number, l: flock): KGen<number> {
  const ofd = cmd === F_OFD_SETLK || cmd === F_OFD_SETLKW;
  const request = flock_to_posix_lock(f, l, ofd);
  if (typeof request === 'number') return request;
  if (request.fl_type === F_RDLCK && (f.f_mode & FMODE_READ) === 0) return -EBADF;
  if (request.fl_type === F_WRLCK && (f.f_mode & FMODE_WRITE) === 0) return -EBADF;
  if (ofd && l.l_pid !== 0) return -EINVAL;
  return yield* locks_lock_file_wait(request, true, cmd === F_SETLKW || cmd === F_OFD_SETLKW);
}

/** fcntl's lock commands on `f`: the user's `struct flock` at `arg` in (and out, for GETLK). */
export function* fcntl_lock(f: file, cmd: number, arg: number): KGen<number> {
  const b = new Uint8Array(FLOCK_SIZE);
  if ((yield* copy_from_user(b, arg)) !== 0) return -EFAULT;
  const l = flock_from_bytes(b);
  if (cmd !== F_OFD_GETLK && cmd !== F_GETLK) return yield* fcntl_setlk(f, cmd, l);
  const err = fcntl_getlk(f, cmd, l);
  if (err < 0) return err;
  flock_to_bytes(l, b);
  return (yield* copy_to_user(arg, b)) === 0 ? 0 : -EFAULT;
}
