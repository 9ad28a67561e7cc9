/**
 * The machine's one terminal as the tty layer sees it (include/linux/tty.h): `struct tty_struct`
 * with its line discipline's read buffer and the queue its readers and pollers sleep on. Only an
 * asynchronous console (console.ts) uses it: a synchronous one is read on demand instead.
 */
import type { Kernel } from '../../kernel';
import { waitqueue_active } from '../../fs/poll';
import { wait_queue_head } from '../../sched/wait';
import type { Task } from '../../task';
import { is_async_console } from './console';

/** `struct tty_struct`, reduced to what input needs. */
export class tty_struct {
  /** n_tty's read buffer: what has arrived and no read has taken yet. */
  read_buf: Uint8Array = new Uint8Array(0);
  /** Readers (n_tty_read) and pollers sleep here; input and hangup wake them. */
  readonly read_wait = new wait_queue_head();
  /** tty_hung_up_p: the terminal has closed (tty_hangup). */
  hung_up = false;
}

const ttys = new WeakMap<Kernel, tty_struct>();

/** The tty behind the machine's console. */
export function console_tty(k: Kernel): tty_struct {
  let tty = ttys.get(k);
  if (tty === undefined) {
    tty = new tty_struct();
    ttys.set(k, tty);
  }
  return tty;
}

/**
 * Does anyone wait for the terminal's input — a reader or poller asleep on read_wait, an epoll
 * watching it (waitqueue_active)? A machine idle for that reason waits for the user, it is not
 * deadlocked.
 */
export function tty_input_awaited(k: Kernel): boolean {
  return k.options.console !== undefined && is_async_console(k.options.console) && waitqueue_active(console_tty(k).read_wait);
}

/** The tasks asleep waiting for the terminal's input (readers and pollers). */
export function tty_input_waiters(k: Kernel): readonly Task[] {
  return ttys.get(k)?.read_wait.head ?? [];
}
