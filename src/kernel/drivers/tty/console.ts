/**
 * The machine's console: the host terminal (or whatever the host's stdin, stdout and stderr are)
 * behind the guest's descriptors 0, 1 and 2 and /dev/tty. The CLI passes the host's own stdio
 * (host_console.ts); tests pass a recording console. The guest reaches it through the tty driver
 * (tty_io.ts).
 */

/** A terminal's size (struct winsize). */
export interface winsize {
  readonly rows: number;
  readonly cols: number;
}

export interface Console {
  /**
   * Writes to host descriptor `fd` (0, 1 or 2); returns the bytes written, or a negative errno
   * (-EPIPE when the host's reader has gone).
   */
  write(fd: number, src: Uint8Array): number;
  /** Reads from host descriptor `fd`, blocking until input arrives; 0 at end of input. */
  read(fd: number, dst: Uint8Array): number;
  /** Is host descriptor `fd` a terminal? (Only then do TCGETS and TIOCGWINSZ succeed.) */
  isatty(fd: number): boolean;
  /** The terminal's size, when `fd` is a terminal. */
  winsize(fd: number): winsize | null;
}

/** A console with nothing behind it: output is dropped, input is at its end, no terminal. */
export const null_console: Console = {
  write: (_fd, src) => src.length,
  read: () => 0,
  isatty: () => false,
  winsize: () => null,
};
