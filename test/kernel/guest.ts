/**
 * Runs a guest program on a fresh machine inside the test process, with a console that records
 * what the guest writes: what kernel-level tests use to boot, run and inspect the machine.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Console } from '../../src/kernel/drivers/tty/console';
import { start_kernel, type init_result } from '../../src/kernel/init/main';
import { Kernel, type RunResult } from '../../src/kernel/kernel';
import type { TraceEvent } from '../../src/kernel/trace';
import { TRACE_CATEGORIES } from '../../src/kernel/trace';
import { DEFAULT_ENV } from '../../src/debugger/config';

export const EXAMPLES = resolve(__dirname, '..', '..', 'examples', 'bin');

export function haveExample(name: string): boolean {
  return existsSync(join(EXAMPLES, name));
}

/** A console that keeps stdout and stderr and feeds stdin from a string. */
export class RecordingConsole implements Console {
  readonly out: Uint8Array[] = [];
  readonly err: Uint8Array[] = [];
  private input: Uint8Array;

  constructor(stdin = '') {
    this.input = new TextEncoder().encode(stdin);
  }

  write(fd: number, src: Uint8Array): number {
    (fd === 2 ? this.err : this.out).push(src.slice());
    return src.length;
  }

  read(_fd: number, dst: Uint8Array): number {
    const n = Math.min(dst.length, this.input.length);
    dst.set(this.input.subarray(0, n));
    this.input = this.input.subarray(n);
    return n;
  }

  isatty(): boolean {
    return false;
  }

  winsize(): null {
    return null;
  }

  get stdout(): string {
    return Buffer.concat(this.out).toString('utf8');
  }

  get stderr(): string {
    return Buffer.concat(this.err).toString('utf8');
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
