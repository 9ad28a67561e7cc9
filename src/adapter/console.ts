/**
 * The guest's terminal when it runs under the debug adapter: what it writes to descriptors 1 and
 * 2 goes to the debug console as program output; its input is at end of file (the adapter's own
 * stdin carries the protocol, and a read must never block the adapter).
 */
import { StringDecoder } from 'node:string_decoder';
import type { Console } from '../kernel/drivers/tty/console';

export function guestConsole(out: (category: 'stdout' | 'stderr', text: string) => void): Console {
  const decoder: Record<number, StringDecoder> = { 1: new StringDecoder('utf8'), 2: new StringDecoder('utf8') };
  return {
    write(fd, src) {
      const d = decoder[fd] ?? decoder[1];
      out(fd === 2 ? 'stderr' : 'stdout', d.write(Buffer.from(src)));
      return src.length;
    },
    read: () => 0,
    isatty: () => false,
    winsize: () => null,
  };
}
