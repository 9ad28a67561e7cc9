/** A Debugger driven by tests without DAP: its stops and its end are awaited one at a time. */
import { join, resolve } from 'node:path';
import { planLaunch, type LaunchConfig } from '../../src/debugger/config';
import { Debugger, type StopEvent } from '../../src/debugger/debugger';
import { null_console, type Console } from '../../src/kernel/drivers/tty/console';

export const ROOT = resolve(__dirname, '..', '..');
export const BIN = join(ROOT, 'examples', 'bin');
export const SOURCES = join(ROOT, 'examples');

/** `program` is relative to examples/bin/ unless absolute; `console` stands for the host's stdio (a terminal makes the guest's stdout line-buffered). */
export function session(program: string, stopOnEntry: boolean, extra: Partial<LaunchConfig> = {}, console: Console = null_console) {
  let waiting: ((e: StopEvent | null) => void) | null = null;
  const output: string[] = [];
  const dbg = new Debugger(planLaunch({ program: resolve(BIN, program), stopOnEntry, ...extra }, ROOT), {
    stopped: (e) => waiting?.(e),
    output: (_category, text) => output.push(text),
    task: () => undefined,
    breakpointChanged: () => undefined,
    exited: () => waiting?.(null),
  }, console);
  const next = () => new Promise<StopEvent | null>((r) => (waiting = r));
  return { dbg, next, output };
}
