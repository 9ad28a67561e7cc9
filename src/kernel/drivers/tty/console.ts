/**
 * The machine's console: the host terminal (or whatever the host's stdin, stdout and stderr are)
 * behind the guest's descriptors 0, 1 and 2 and /dev/tty. The guest reaches it through the tty
 * driver (tty_io.ts).
 *
 * Two kinds, by how input arrives. A synchronous console is read on demand, blocking the host
 * until input comes: the CLI passes the host's own stdio (host_console.ts), which is what a
 * program with no event loop to keep wants, and tests pass recording consoles with preset input.
 * An asynchronous console never blocks: it hands input over when it arrives, to a listener the
 * machine's owner (the debugger) registers, which pushes it into the kernel through
 * tty_insert_flip_string (tty_buffer.ts) — the one door by which outside input enters — while
 * readers sleep in n_tty_read like Linux's.
 */

/** A terminal's size (struct winsize). */
export interface winsize {
  readonly rows: number;
  readonly cols: number;
}

interface console_output {
  /**
   * Writes to host descriptor `fd` (0, 1 or 2); returns the bytes written, or a negative errno
   * (-EPIPE when the host's reader has gone).
   */
  write(fd: number, src: Uint8Array): number;
  /** Is host descriptor `fd` a terminal? (Only then do TCGETS and TIOCGWINSZ succeed.) */
  isatty(fd: number): boolean;
  /** The terminal's size, when `fd` is a terminal. */
  winsize(fd: number): winsize | null;
}

/** A synchronous console. */
export interface Console extends console_output {
  /** Reads from host descriptor `fd`, blocking until input arrives; 0 at end of input. */
  read(fd: number, dst: Uint8Array): number;
}

/** Receives an asynchronous console's input: bytes as they arrive, null once the terminal has closed. */
export type ConsoleInput = (bytes: Uint8Array | null) => void;

export interface AsyncConsole extends console_output {
  /** Starts delivering input to `input`. Every descriptor reads the same terminal. */
  listen(input: ConsoleInput): void;
}

/** What a machine's terminal may be: either kind. */
export type MachineConsole = Console | AsyncConsole;

export function is_async_console(c: MachineConsole): c is AsyncConsole {
  return 'listen' in c;
}

/** A console with nothing behind it: output is dropped, input is at its end, no terminal. */
export const null_console: Console = {
  write: (_fd, src) => src.length,
  read: () => 0,
  isatty: () => false,
  winsize: () => null,
};
