/**
 * The tty's flip buffer (drivers/tty/tty_buffer.c): how a terminal driver hands the characters it
 * received to the line discipline. It is the one door through which input from outside the
 * machine enters an asynchronously fed console — the debugger calls it as bytes arrive, which is
 * also where a recording can note them and a replay put them back at the same point.
 */
import type { Kernel } from '../../kernel';
import { set_kernel } from '../../kfunc';
import { n_tty_receive_buf } from './n_tty';
import { console_tty } from './tty';

/**
 * tty_insert_flip_string + tty_flip_buffer_push: `bytes` received by the terminal go to n_tty,
 * which queues them and wakes the tasks waiting for input. Called from outside the machine loop
 * (between runs), so it names the machine first. A hung-up terminal receives nothing. Returns
 * the bytes taken.
 */
export function tty_insert_flip_string(k: Kernel, bytes: Uint8Array): number {
  const tty = console_tty(k);
  if (tty.hung_up) return 0;
  set_kernel(k);
  n_tty_receive_buf(tty, bytes);
  return bytes.length;
}
