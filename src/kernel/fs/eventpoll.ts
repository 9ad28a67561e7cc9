/**
 * epoll (fs/eventpoll.c): epoll_create1, epoll_ctl, epoll_pwait and epoll_pwait2 (glibc's
 * epoll_wait is epoll_pwait without a mask on riscv64).
 *
 * An epoll instance keeps the (file, descriptor) pairs it watches — epitems — and a ready list.
 * Adding a file polls it once with a table that hangs the item's callback (ep_poll_callback) on
 * each wait queue the file names; every wake-up there whose events the item wants puts the item
 * at the tail of the ready list and wakes the waiters. epoll_wait takes items from the head of
 * the list and polls each again before reporting it: a level-triggered item that is still ready
 * goes back to the tail (ready files take turns), an edge-triggered one waits for its next
 * wake-up, and an EPOLLONESHOT one is disabled until EPOLL_CTL_MOD arms it again.
 *
 * Some queues are woken without their callbacks being told (exit_notify wakes the queue a pidfd
 * names). So the waiter also sleeps on the items' queues itself, and every look at the ready list
 * first polls the items that are not on it: a level-triggered one that is ready joins the list,
 * an edge-triggered one only if it shows events it did not show when last polled.
 *
 * An item lives until EPOLL_CTL_DEL or until the last reference to its file goes
 * (eventpoll_release): closing one of several descriptors for a file leaves it watched, as in
 * Linux. EPOLLEXCLUSIVE is accepted and checked, but every waiter is woken.
 */
import { EBADF, EEXIST, EFAULT, EINTR, EINVAL, ELOOP, ENOENT, EPERM } from '../errno';
import { capable } from '../cred';
import { current, kfunc, klocals, type KGen } from '../kfunc';
import { access_ok, copy_from_user, copy_to_user } from '../mm/uaccess';
import { wait_queue_head, wake_up_interruptible } from '../sched/wait';
import { signal_pending } from '../signal';
import { anon_inode_getfile } from './anon_inodes';
import { fd_install, fget, fput, get_unused_fd_flags } from './file';
import type { file, file_operations } from './fs_types';
import {
  add_wait_queue_func, file_can_poll, poll_schedule_timeout, poll_wait, poll_wqueues, remove_wait_queue_func,
  vfs_poll, wake_up_interruptible_poll, type poll_table, type wait_queue_func,
} from './poll';
import {
  get_timespec64, poll_select_set_timeout, restore_saved_sigmask_unless, set_user_sigmask, type end_time,
} from './select';
import {
  EPOLLERR, EPOLLET, EPOLLEXCLUSIVE, EPOLLHUP, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EPOLLRDNORM, EPOLLWAKEUP, O_CLOEXEC,
  O_RDWR,
} from './uapi';

export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
const EPOLL_CLOEXEC = O_CLOEXEC;
/** Flags that belong to epoll rather than to the events being waited for. */
const EP_PRIVATE_BITS = (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE) >>> 0;
/** What an EPOLLEXCLUSIVE item may ask for. */
const EPOLLEXCLUSIVE_OK_BITS = (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE) >>> 0;
/** How deep epoll instances may watch one another. */
const EP_MAX_NESTS = 4;
/** riscv64's `struct epoll_event`: u32 events, 4 bytes of padding, u64 data. */
const EPOLL_EVENT_SIZE = 16;
const EP_MAX_EVENTS = Math.floor(0x7fffffff / EPOLL_EVENT_SIZE);

/** `struct eventpoll`: one epoll instance. */
export class eventpoll {
  /** Tasks in epoll_wait on this instance. */
  readonly wq = new wait_queue_head();
  /** Where the instance announces its own readiness to those who watch it (poll, another epoll). */
  readonly poll_wait = new wait_queue_head();
  /** The watched (file, descriptor) pairs, in the order they were added. */
  readonly items: epitem[] = [];
  /** Items that may be ready, in the order they became so (rdllist). */
  rdllist: epitem[] = [];
  /** The instance's own file. */
  file: file | null = null;
}

/** `struct epitem`: one watched (file, descriptor) pair. */
class epitem {
  /** On the ready list. */
  ready = false;
  /** The events the last poll of the file found (an edge-triggered item reports only news). */
  last_mask = 0;
  /** The wait queues the file named, on which `wake` hangs. */
  readonly pwqlist: wait_queue_head[] = [];
  readonly wake: wait_queue_func = (key) => ep_poll_callback(this, key);

  constructor(
    readonly ep: eventpoll,
    readonly file: file,
    readonly fd: number,
    /** EPOLL* events wanted and flags (always with EPOLLERR and EPOLLHUP). */
    public events: number,
    public data: bigint,
  ) {}
}

/** The items watching each file (Linux's file->f_ep). */
const f_ep = new WeakMap<file, Set<epitem>>();

function is_file_epoll(f: file): boolean {
  return f.f_op === eventpoll_fops;
}

/** ep_item_poll: the item's events that are ready now. */
function ep_item_poll(epi: epitem, pt: poll_table | null): number {
  return (vfs_poll(epi.file, pt) & epi.events) >>> 0;
}

function ep_add_ready(epi: epitem): void {
  if (epi.ready) return;
  epi.ready = true;
  epi.ep.rdllist.push(epi);
}

/** Tells the instance's waiters, and whoever watches the instance, that it may have events. */
function ep_wake(ep: eventpoll): void {
  wake_up_interruptible(ep.wq);
  wake_up_interruptible_poll(ep.poll_wait, EPOLLIN);
}

/**
 * ep_poll_callback: a queue the item's file named was woken with events `key` (0: any). A
 * disabled one-shot item, or events the item does not want, change nothing.
 */
function ep_poll_callback(epi: epitem, key: number): void {
  if ((epi.events & ~EP_PRIVATE_BITS) === 0) return;
  if (key !== 0 && (key & epi.events) === 0) return;
  ep_add_ready(epi);
  ep_wake(epi.ep);
}

/** Polls the items not on the ready list, for queues woken without telling their callbacks. */
function ep_scan(ep: eventpoll): void {
  for (const epi of ep.items) {
    if (epi.ready) continue;
    const mask = ep_item_poll(epi, null);
    const news = (epi.events & EPOLLET) !== 0 ? mask & ~epi.last_mask : mask;
    epi.last_mask = mask;
    if (news !== 0) ep_add_ready(epi);
  }
}

/** ep_events_available: is anything on the ready list (after looking at the others)? */
function ep_events_available(ep: eventpoll): boolean {
  ep_scan(ep);
  return ep.rdllist.length > 0;
}

function ep_find(ep: eventpoll, f: file, fd: number): epitem | null {
  return ep.items.find((epi) => epi.file === f && epi.fd === fd) ?? null;
}

/** ep_insert: watch (f, fd); the item's callback hangs on every queue the file names. */
function ep_insert(ep: eventpoll, events: number, data: bigint, f: file, fd: number): void {
  const epi = new epitem(ep, f, fd, events, data);
  ep.items.push(epi);
  let watchers = f_ep.get(f);
  if (watchers === undefined) {
    watchers = new Set();
    f_ep.set(f, watchers);
  }
  watchers.add(epi);
  const pt: poll_table = {
    _qproc: (_f, wq) => {
      epi.pwqlist.push(wq);
      add_wait_queue_func(wq, epi.wake);
    },
    _key: events,
  };
  epi.last_mask = ep_item_poll(epi, pt);
  if (epi.last_mask !== 0) {
    ep_add_ready(epi);
    ep_wake(ep);
  }
}

/** ep_modify: new events and data; ready now, the item joins the ready list. */
function ep_modify(ep: eventpoll, epi: epitem, events: number, data: bigint): void {
  epi.events = events;
  epi.data = data;
  epi.last_mask = ep_item_poll(epi, null);
  if (epi.last_mask !== 0) {
    ep_add_ready(epi);
    ep_wake(ep);
  }
}

/** ep_remove: the item stops watching; its callbacks come off the file's queues. */
function ep_remove(ep: eventpoll, epi: epitem): void {
  for (const wq of epi.pwqlist) remove_wait_queue_func(wq, epi.wake);
  epi.pwqlist.length = 0;
  ep.items.splice(ep.items.indexOf(epi), 1);
  if (epi.ready) {
    epi.ready = false;
    ep.rdllist.splice(ep.rdllist.indexOf(epi), 1);
  }
  f_ep.get(epi.file)?.delete(epi);
}

/** eventpoll_release: the last reference to `f` is going; no instance watches it any more. */
export function eventpoll_release(f: file): void {
  const watchers = f_ep.get(f);
  if (watchers === undefined) return;
  for (const epi of [...watchers]) ep_remove(epi.ep, epi);
  f_ep.delete(f);
}

/**
 * ep_eventpoll_poll: an epoll instance is readable when one of its items is really ready; items
 * on the ready list that are not are dropped from it.
 */
function ep_eventpoll_poll(f: file, wait: poll_table | null): number {
  const ep = f.private_data as eventpoll;
  poll_wait(f, ep.poll_wait, wait);
  ep_scan(ep);
  for (const epi of [...ep.rdllist]) {
    if (ep_item_poll(epi, null) !== 0) return EPOLLIN | EPOLLRDNORM;
    epi.ready = false;
    ep.rdllist.splice(ep.rdllist.indexOf(epi), 1);
  }
  return 0;
}

/** ep_eventpoll_release: the instance's last descriptor is gone; it stops watching everything. */
function ep_eventpoll_release(_ino: unknown, f: file): void {
  const ep = f.private_data as eventpoll;
  for (const epi of [...ep.items]) ep_remove(ep, epi);
  wake_up_interruptible_poll(ep.poll_wait, 0);
}

const eventpoll_fops: file_operations = {
  poll: ep_eventpoll_poll,
  release: ep_eventpoll_release,
};

/** The instances that watch `ep` itself (Linux's ep->refs). */
function ep_refs(ep: eventpoll): epitem[] {
  return ep.file === null ? [] : [...(f_ep.get(ep.file) ?? [])];
}

/** How far down watched instances reach below `ep`; past EP_MAX_NESTS if `inserting` is met. */
function ep_loop_check_proc(ep: eventpoll, depth: number, inserting: eventpoll): number {
  let result = 0;
  for (const epi of ep.items) {
    if (!is_file_epoll(epi.file)) continue;
    const sub = epi.file.private_data as eventpoll;
    result = sub === inserting || depth > EP_MAX_NESTS ? EP_MAX_NESTS + 1
      : Math.max(result, ep_loop_check_proc(sub, depth + 1, inserting) + 1);
    if (result > EP_MAX_NESTS) break;
  }
  return result;
}

/** How far up instances watching `ep` reach. */
function ep_get_upwards_depth_proc(ep: eventpoll): number {
  return ep_refs(ep).reduce((m, epi) => Math.max(m, ep_get_upwards_depth_proc(epi.ep) + 1), 0);
}

/** ep_loop_check: would `ep` watching `to` make a cycle, or a chain deeper than EP_MAX_NESTS? */
function ep_loop_check(ep: eventpoll, to: eventpoll): boolean {
  const depth = ep_loop_check_proc(to, 0, ep);
  if (depth > EP_MAX_NESTS) return true;
  return depth + 1 + ep_get_upwards_depth_proc(ep) > EP_MAX_NESTS;
}

/** do_epoll_create: epoll_create1(flags). */
export const do_epoll_create = kfunc('fs/eventpoll.c', function* do_epoll_create(flags: number): KGen<number> {
  klocals({ flags });
  yield* [];
  if ((flags & ~EPOLL_CLOEXEC) !== 0) return -EINVAL;
  const fd = get_unused_fd_flags(O_RDWR | (flags & O_CLOEXEC));
  if (fd < 0) return fd;
  const ep = new eventpoll();
  ep.file = anon_inode_getfile('[eventpoll]', eventpoll_fops, ep, O_RDWR);
  fd_install(fd, ep.file);
  return fd;
});

/** The checks and the operation of epoll_ctl, with both files held. */
function epoll_ctl_files(f: file, tf: file, op: number, fd: number, events: number, data: bigint): number {
  if (!file_can_poll(tf)) return -EPERM;
  // EPOLLWAKEUP needs CAP_BLOCK_SUSPEND; without it the flag is quietly dropped.
  if (op !== EPOLL_CTL_DEL && !capable()) events = (events & ~EPOLLWAKEUP) >>> 0;
  if (f === tf || !is_file_epoll(f)) return -EINVAL;
  if (op !== EPOLL_CTL_DEL && (events & EPOLLEXCLUSIVE) !== 0) {
    if (op === EPOLL_CTL_MOD) return -EINVAL;
    if (op === EPOLL_CTL_ADD && (is_file_epoll(tf) || (events & ~EPOLLEXCLUSIVE_OK_BITS) !== 0)) return -EINVAL;
  }
  const ep = f.private_data as eventpoll;
  if (op === EPOLL_CTL_ADD && is_file_epoll(tf) && ep_loop_check(ep, tf.private_data as eventpoll)) return -ELOOP;
  const epi = ep_find(ep, tf, fd);
  const wanted = (events | EPOLLERR | EPOLLHUP) >>> 0;
  switch (op) {
    case EPOLL_CTL_ADD:
      if (epi !== null) return -EEXIST;
      ep_insert(ep, wanted, data, tf, fd);
      return 0;
    case EPOLL_CTL_DEL:
      if (epi === null) return -ENOENT;
      ep_remove(ep, epi);
      return 0;
    case EPOLL_CTL_MOD:
      if (epi === null) return -ENOENT;
      if ((epi.events & EPOLLEXCLUSIVE) !== 0) return -EINVAL;
      ep_modify(ep, epi, wanted, data);
      return 0;
    default:
      return -EINVAL;
  }
}

/** do_epoll_ctl: epoll_ctl(epfd, op, fd, event). */
export const do_epoll_ctl = kfunc('fs/eventpoll.c', function* do_epoll_ctl(epfd: number, op: number, fd: number, uevent: number): KGen<number> {
  klocals({ epfd, op: ['', 'EPOLL_CTL_ADD', 'EPOLL_CTL_DEL', 'EPOLL_CTL_MOD'][op] ?? op, fd });
  let events = 0;
  let data = 0n;
  if (op !== EPOLL_CTL_DEL) {
    const b = new Uint8Array(EPOLL_EVENT_SIZE);
    if ((yield* copy_from_user(b, uevent)) !== 0) return -EFAULT;
    const v = new DataView(b.buffer);
    events = v.getUint32(0, true);
    data = v.getBigUint64(8, true);
  }
  const f = fget(epfd);
  if (f === null) return -EBADF;
  const tf = fget(fd);
  if (tf === null) {
    fput(f);
    return -EBADF;
  }
  const r = epoll_ctl_files(f, tf, op, fd, events, data);
  fput(tf);
  fput(f);
  return r;
});

/**
 * ep_send_events: reports ready items from the head of the list, each polled again first. What
 * is not looked at stays at the head; level-triggered items still ready go to the tail.
 */
function* ep_send_events(ep: eventpoll, uevents: number, maxevents: number): KGen<number> {
  const txlist = ep.rdllist;
  ep.rdllist = [];
  let res = 0;
  let i = 0;
  for (; i < txlist.length && res < maxevents; i++) {
    const epi = txlist[i];
    if (!epi.ready) continue; // removed while events were being copied
    epi.ready = false;
    const revents = ep_item_poll(epi, null);
    epi.last_mask = revents;
    if (revents === 0) continue;
    const b = new Uint8Array(EPOLL_EVENT_SIZE);
    const v = new DataView(b.buffer);
    v.setUint32(0, revents, true);
    v.setBigUint64(8, epi.data, true);
    if ((yield* copy_to_user(uevents + res * EPOLL_EVENT_SIZE, b)) !== 0) {
      epi.ready = true;
      if (res === 0) res = -EFAULT;
      break;
    }
    res++;
    if ((epi.events & EPOLLONESHOT) !== 0) epi.events = (epi.events & EP_PRIVATE_BITS) >>> 0;
    else if ((epi.events & EPOLLET) === 0) ep_add_ready(epi);
  }
  ep.rdllist = [...txlist.slice(i).filter((epi) => epi.ready), ...ep.rdllist];
  return res;
}

/**
 * ep_poll: report ready items, or sleep until some may be ready, the time runs out (0) or a
 * signal comes (EINTR: epoll_wait is never restarted).
 */
const ep_poll = kfunc('fs/eventpoll.c', function* ep_poll(ep: eventpoll, uevents: number, maxevents: number, end: end_time): KGen<number> {
  const t = current();
  let timed_out = end === 0;
  let eavail = ep_events_available(ep);
  for (;;) {
    if (eavail) {
      const res = yield* ep_send_events(ep, uevents, maxevents);
      if (res !== 0) return res;
    }
    if (timed_out) return 0;
    if (signal_pending(t)) return -EINTR;
    const wait = new poll_wqueues(t);
    wait.add(ep.wq);
    for (const epi of ep.items) for (const wq of epi.pwqlist) wait.add(wq);
    try {
      if (!(yield* poll_schedule_timeout(end))) timed_out = true;
    } finally {
      wait.free();
    }
    eavail = ep_events_available(ep);
  }
});

/** do_epoll_wait: the checks of epoll_wait, then ep_poll. */
const do_epoll_wait = kfunc('fs/eventpoll.c', function* do_epoll_wait(epfd: number, uevents: number, maxevents: number, end: end_time): KGen<number> {
  klocals({ epfd, maxevents });
  if (maxevents <= 0 || maxevents > EP_MAX_EVENTS) return -EINVAL;
  if (!access_ok(uevents, maxevents * EPOLL_EVENT_SIZE)) return -EFAULT;
  const f = fget(epfd);
  if (f === null) return -EBADF;
  try {
    if (!is_file_epoll(f)) return -EINVAL;
    return yield* ep_poll(f.private_data as eventpoll, uevents, maxevents, end);
  } finally {
    fput(f);
  }
});

/** do_epoll_pwait: epoll_wait with the given signal mask in force while it waits. */
function* do_epoll_pwait(epfd: number, uevents: number, maxevents: number, end: end_time, sigmask: number, sigsetsize: number): KGen<number> {
  const err = yield* set_user_sigmask(sigmask, sigsetsize);
  if (err < 0) return err;
  const r = yield* do_epoll_wait(epfd, uevents, maxevents, end);
  restore_saved_sigmask_unless(r === -EINTR);
  return r;
}

/** epoll_pwait(epfd, events, maxevents, timeout ms, sigmask, sigsetsize); a negative timeout waits for ever. */
export function* sys_epoll_pwait(epfd: number, uevents: number, maxevents: number, timeout: number, sigmask: number, sigsetsize: number): KGen<number> {
  const ms = timeout | 0;
  const end = ms < 0 ? null : poll_select_set_timeout(Math.floor(ms / 1000), (ms % 1000) * 1e6);
  return yield* do_epoll_pwait(epfd | 0, uevents, maxevents | 0, end, sigmask, sigsetsize);
}

/** epoll_pwait2(epfd, events, maxevents, timeout timespec, sigmask, sigsetsize). */
export function* sys_epoll_pwait2(epfd: number, uevents: number, maxevents: number, uts: number, sigmask: number, sigsetsize: number): KGen<number> {
  let end: end_time = null;
  if (uts !== 0) {
    const ts = yield* get_timespec64(uts);
    if (typeof ts === 'number') return ts;
    end = poll_select_set_timeout(ts[0], ts[1]);
    if (end !== null && end < 0) return end;
  }
  return yield* do_epoll_pwait(epfd | 0, uevents, maxevents | 0, end, sigmask, sigsetsize);
}
