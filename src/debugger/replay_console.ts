/**
 * The console as the debugger hands it to the machine: the user's console, with what a replay
 * needs. A synchronous console (read on demand: a recording in tests, a file) is read once:
 * each answer is kept, and a replay gets the same answers in the same order — the machine asks
 * the same questions in the same order, being deterministic. An asynchronous console's input is
 * recorded by the debugger where it enters the kernel (history.ts). While the debugger replays
 * a part of the run the user has already seen, output is dropped.
 */
import { is_async_console, type MachineConsole } from '../kernel/drivers/tty/console';
import { InputLog } from './recording';

export type ReplayConsole = MachineConsole & {
  /** Output is dropped (a replay of what was seen). */
  muted: boolean;
  /** A replay starts: reads are answered from the beginning again. */
  rewind(): void;
};

export function replayConsole(live: MachineConsole): ReplayConsole {
  const output = {
    muted: false,
    write(fd: number, src: Uint8Array): number {
      return this.muted ? src.length : live.write(fd, src);
    },
    isatty: (fd: number) => live.isatty(fd),
    winsize: (fd: number) => live.winsize(fd),
  };
  if (is_async_console(live)) return Object.assign(output, { listen: live.listen.bind(live), rewind: () => undefined });
  const log = new InputLog();
  return Object.assign(output, {
    rewind: () => log.rewind(),
    read: (fd: number, dst: Uint8Array) => log.read(fd, dst, live),
  });
}
