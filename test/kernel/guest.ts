/**
 * Runs a guest program on a fresh machine inside the test process, with a console that records
 * what the guest writes: what kernel-level tests use to boot, run and inspect the machine.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AsyncConsole, Console, ConsoleInput, winsize } from '../../src/kernel/drivers/tty/console';
import { start_kernel, type init_result } from '../../src/kernel/init/main';
import { Kernel, type RunResult } from '../../src/kernel/kernel';
import type { TraceEvent } from '../../src/kernel/trace';
import { TRACE_CATEGORIES } from '../../src/kernel/trace';
import { DEFAULT_ENV } from '../../src/debugger/config';

export const EXAMPLES = resolve(__dirname, '..', '..', 'examples', 'bin');

export function haveExample(name: string): boolean {
  return existsSync(join(EXAMPLES, name));
}

/**
 * A console that keeps stdout and stderr (apart, and together in order) and feeds stdin from a
 * string; with a window size it says it is a terminal of that size.
 */
export class RecordingConsole implements Console {
  readonly out: Uint8Array[] = [];
  readonly err: Uint8Array[] = [];
  /** Everything written, in order. */
  output = '';
  private input: Uint8Array;

  constructor(stdin = '', private readonly terminal: winsize | null = null) {
    this.input = new TextEncoder().encode(stdin);
  }

  write(fd: number, src: Uint8Array): number {
    (fd === 2 ? this.err : this.out).push(src.slice());
    this.output += Buffer.from(src).toString('latin1');
    return src.length;
  }

  read(_fd: number, dst: Uint8Array): number {
    const n = Math.min(dst.length, this.input.length);
    dst.set(this.input.subarray(0, n));
    this.input = this.input.subarray(n);
    return n;
  }

  isatty(): boolean {
    return this.terminal !== null;
  }

  winsize(): winsize | null {
    return this.terminal;
  }

  get stdout(): string {
    return Buffer.concat(this.out).toString('utf8');
  }

  get stderr(): string {
    return Buffer.concat(this.err).toString('utf8');
  }
}

/**
 * An asynchronous 24×80 terminal, as the debug adapter's: what the guest writes is kept in
 * order; the test types through the listener the machine's owner registered (`input`), or
 * pushes input into the kernel itself as the debugger would.
 */
export class TypedTerminal implements AsyncConsole {
  output = '';
  input: ConsoleInput | null = null;

  write(_fd: number, src: Uint8Array): number {
    this.output += Buffer.from(src).toString('latin1');
    return src.length;
  }

  listen(input: ConsoleInput): void {
    this.input = input;
  }

  isatty(): boolean {
    return true;
  }

  winsize(): winsize {
    return { rows: 24, cols: 80 };
  }
}

export interface GuestRun {
  kernel: Kernel;
  console: RecordingConsole;
  result: init_result;
  events: TraceEvent[];
  last: RunResult;
}

export interface GuestOptions {
  root?: string;
  sysroot?: string;
  memBytes?: number;
  seed?: number;
  stdin?: string;
  /** Stop after this many instructions (default: run to the end). */
  maxInsns?: number;
}

/** Boots a machine that runs `program` (a guest path) and runs it to the end. */
export function runGuest(program: string, args: string[] = [], o: GuestOptions = {}): GuestRun {
  const console = new RecordingConsole(o.stdin);
  const k = new Kernel({
    memBytes: o.memBytes ?? 256 * 1024 * 1024, seed: o.seed ?? 0, root: o.root ?? EXAMPLES, sysroot: o.sysroot, console,
  });
  const events: TraceEvent[] = [];
  TRACE_CATEGORIES.forEach((c) => k.traceEnabled.add(c));
  k.traceSinks.push((e) => events.push(e));
  const result = start_kernel(k, { filename: program, argv: [program, ...args], envp: DEFAULT_ENV });
  let last: RunResult = { kind: 'budget' };
  let budget = o.maxInsns ?? Infinity;
  while (budget > 0) {
    const slice = Math.min(budget, 100_000_000);
    last = k.run(slice);
    budget -= slice;
    if (last.kind !== 'budget') break;
  }
  return { kernel: k, console, result, events, last };
}

/** The exit status of the program as a shell reports it (128+N when killed by signal N). */
export function exitStatus(r: GuestRun): number | null {
  const s = r.result.status;
  if (s === null) return null;
  return (s & 0x7f) !== 0 ? 128 + (s & 0x7f) : (s >> 8) & 0xff;
}
