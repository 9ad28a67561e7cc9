/**
 * The console the CLI gives the machine: the host process's own stdin, stdout and stderr.
 * Reads block the whole emulator, which is what a guest blocked on its terminal expects (the
 * machine is single-threaded and deterministic: input is its only outside event).
 */
import { readSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { isatty } from 'node:tty';
import type { Console, winsize } from './console';

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function host_console(): Console {
  return {
    write(fd: number, src: Uint8Array): number {
      let done = 0;
      while (done < src.length) {
        try {
          done += writeSync(fd, src, done, src.length - done);
        } catch (e) {
          // A non-blocking host descriptor (node sets some so) is full: wait, then retry.
          const code = (e as { code?: string }).code ?? 'EIO';
          if (code !== 'EAGAIN') return done > 0 ? done : -((constants.errno as Record<string, number>)[code] ?? 5);
          sleepMs(1);
        }
      }
      return done;
    },
    read(fd: number, dst: Uint8Array): number {
      for (;;) {
        try {
          return readSync(fd, dst, 0, dst.length, null);
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (code === 'EOF') return 0;
          if (code !== 'EAGAIN') return 0;
          sleepMs(5);
        }
      }
    },
    isatty: (fd) => isatty(fd),
    winsize(fd: number): winsize | null {
      if (!isatty(fd)) return null;
      const out = fd === 2 ? process.stderr : process.stdout;
      return { rows: out.rows ?? 24, cols: out.columns ?? 80 };
    },
  };
}
