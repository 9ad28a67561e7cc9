/**
 * The terminal's line discipline (drivers/tty/n_tty.c), for an asynchronous console: what the
 * terminal receives is queued in the read buffer and readers sleep on `read_wait` until some is
 * there, so a guest waiting for its terminal costs the host nothing.
 *
 * The host terminal behind the console is in its cooked mode: it already echoes and edits lines,
 * and what it sends is what a canonical read may return. What is left here is canonical mode's
 * reading: a read returns at most one line, and the end-of-file character (VEOF, ^D) ends a read
 * without being read — a read that meets it first returns 0, the end of the terminal's input.
 */
import { EAGAIN, EFAULT, ERESTARTSYS } from '../../errno';
import type { file } from '../../fs/fs_types';
import type { iov_iter } from '../../fs/iov_iter';
import { poll_wait, wake_up_interruptible_poll, type poll_table } from '../../fs/poll';
import { EPOLLIN, EPOLLRDNORM, O_NONBLOCK } from '../../fs/uapi';
import { kernel, kfunc, klocals, type KGen } from '../../kfunc';
import { wait_event_interruptible } from '../../sched/wait';
import { console_tty, type tty_struct } from './tty';

/** The default termios' VEOF (^D). */
export const EOF_CHAR = 0x04;
const NEWLINE = 0x0a;

function input_available_p(tty: tty_struct): boolean {
  return tty.read_buf.length > 0;
}

/** n_tty_receive_buf: queues what the terminal received and wakes readers and pollers. */
export function n_tty_receive_buf(tty: tty_struct, bytes: Uint8Array): void {
  if (bytes.length === 0) return;
  const buf = new Uint8Array(tty.read_buf.length + bytes.length);
  buf.set(tty.read_buf);
  buf.set(bytes, tty.read_buf.length);
  tty.read_buf = buf;
  wake_up_interruptible_poll(tty.read_wait, EPOLLIN | EPOLLRDNORM);
}

/**
 * canon_copy_from_read_buf: copies the queued input up to the end of its first line (the newline
 * included, a VEOF left out but consumed) — or what fits. Bytes copied, or -EFAULT.
 */
function* canon_copy_from_read_buf(tty: tty_struct, to: iov_iter): KGen<number> {
  const buf = tty.read_buf;
  let eol = 0;
  while (eol < buf.length && buf[eol] !== NEWLINE && buf[eol] !== EOF_CHAR) eol++;
  const eof = eol < buf.length && buf[eol] === EOF_CHAR;
  const line = eol < buf.length && !eof ? eol + 1 : eol;
  const want = Math.min(line, to.count);
  const copied = want > 0 ? yield* to.copy_to_iter(buf.subarray(0, want)) : 0;
  if (copied === 0 && want > 0) return -EFAULT;
  // The whole line read: a VEOF ending it goes too.
  tty.read_buf = buf.subarray(copied === line && eof ? copied + 1 : copied);
  return copied;
}

/**
 * n_tty_read: sleeps interruptibly on read_wait until input is there, then reads a line of it.
 * A signal ends the sleep with -ERESTARTSYS (restarted under SA_RESTART, EINTR otherwise, as
 * for any slow device); O_NONBLOCK gives EAGAIN; a hung-up terminal reads as end of file.
 */
export const n_tty_read = kfunc('drivers/tty/n_tty.c', function* n_tty_read(f: file, to: iov_iter): KGen<number> {
  const tty = console_tty(kernel());
  klocals({ nr: to.count, read_cnt: tty.read_buf.length });
  for (;;) {
    if (tty.hung_up) return 0;
    if (input_available_p(tty)) return yield* canon_copy_from_read_buf(tty, to);
    if ((f.f_flags & O_NONBLOCK) !== 0) return -EAGAIN;
    const r = yield* wait_event_interruptible(tty.read_wait, () => input_available_p(tty) || tty.hung_up);
    if (r < 0) return -ERESTARTSYS;
  }
});

/** n_tty_poll's input half: readable while input is queued; pollers wait on read_wait. */
export function n_tty_poll(tty: tty_struct, f: file, wait: poll_table | null): number {
  poll_wait(f, tty.read_wait, wait);
  return input_available_p(tty) ? EPOLLIN | EPOLLRDNORM : 0;
}

/** inq_canon: what FIONREAD reports, the bytes a read could return (a VEOF is none). */
export function inq_canon(tty: tty_struct): number {
  return tty.read_buf.reduce((n, c) => (c === EOF_CHAR ? n : n + 1), 0);
}
