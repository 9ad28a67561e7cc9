/**
 * Recordings of runs: `forkscope run --record FILE` keeps everything from outside the machine
 * that the run depended on, and `--replay FILE` (or a launch configuration's `replay`) runs the
 * same program again with exactly that — the same run, instruction for instruction, because the
 * machine is deterministic (design.md, decision 3). An autograder records a failing run; the
 * student replays and debugs that very run.
 *
 * From outside come: the launch (program, arguments, memory size, seed), what the terminal
 * answered to each read, and whether each descriptor was a terminal (glibc buffers stdout by
 * that). The files under the root are not kept: the program's own digest is, so a replay of
 * another build is refused; other files are the user's to keep as they were. The end of the
 * run is kept too, so a replay can say whether it came out the same.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { is_async_console, type Console, type MachineConsole, type winsize } from '../kernel/drivers/tty/console';

/** The answers a synchronous console gave to the machine's reads, in order. */
export class InputLog {
  private next = 0;

  constructor(readonly answers: (Uint8Array | number)[] = []) {}

  /** Starts answering from the first read again (a replay from boot). */
  rewind(): void {
    this.next = 0;
  }

  /** Reads past the end of the log (more than the recorded run did: the replay has diverged). */
  get exhausted(): boolean {
    return this.next > this.answers.length;
  }

  /**
   * The next answer: the logged one, or else `live`'s (which is logged); with no live console
   * left, end of input.
   */
  read(fd: number, dst: Uint8Array, live: Console | null): number {
    if (this.next < this.answers.length) {
      const a = this.answers[this.next++];
      if (typeof a === 'number') return a;
      dst.set(a.subarray(0, dst.length));
      return Math.min(a.length, dst.length);
    }
    if (live === null) {
      this.next = this.answers.length + 1;
      return 0;
    }
    const n = live.read(fd, dst);
    this.answers.push(n > 0 ? dst.slice(0, n) : n);
    this.next++;
    return n;
  }
}

/** What a recording file holds (JSON). */
export interface Recording {
  readonly forkscope: 'recording';
  readonly version: 1;
  /** The program as the guest names it, its arguments (argv[1..]), memory in bytes, seed. */
  readonly program: string;
  readonly args: readonly string[];
  readonly memBytes: number;
  readonly seed: number;
  /** SHA-256 of the program file. */
  readonly programSha256: string;
  /** isatty and the window size of descriptors 0, 1 and 2. */
  readonly terminals: readonly (winsize | boolean)[];
  /** Each read's answer: base64 of the bytes, or a count of 0 or less. */
  readonly input: readonly (string | number)[];
  readonly end: RunEnd;
}

/** How a run ended, to tell whether a replay came out the same. */
export interface RunEnd {
  /** The program's exit status as the shell sees it. */
  readonly exitCode: number;
  readonly instructions: number;
  /** Kernel.steps at the end (everything the machine did). */
  readonly steps: number;
  /** SHA-256 of everything written to descriptors 1 and 2, in order. */
  readonly outputSha256: string;
}

export class RecordingError extends Error {}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * The console of a recorded run: `live` for output (hashed), reads answered from `log` — which
 * `live` fills while recording, and which alone answers when replaying (`live` reading nothing:
 * typing into it does nothing).
 */
export function recordedConsole(live: MachineConsole, log: InputLog, replaying: Recording | null) {
  const digest = createHash('sha256');
  const terminal = (fd: number): winsize | boolean => replaying?.terminals[fd] ?? (live.isatty(fd) ? live.winsize(fd) ?? true : false);
  const terminals = [0, 1, 2].map(terminal);
  const console: Console = {
    write(fd, src) {
      digest.update(src);
      return live.write(fd, src);
    },
    read: (fd, dst) => log.read(fd, dst, replaying === null && !is_async_console(live) ? live : null),
    isatty: (fd) => (terminals[fd] ?? false) !== false,
    winsize: (fd) => (typeof terminals[fd] === 'object' ? terminals[fd] as winsize : null),
  };
  return { console, terminals, outputSha256: () => digest.copy().digest('hex') };
}

export function toRecording(r: Omit<Recording, 'forkscope' | 'version' | 'input'>, log: InputLog): Recording {
  const input = log.answers.map((a) => (typeof a === 'number' ? a : Buffer.from(a).toString('base64')));
  return { forkscope: 'recording', version: 1, ...r, input };
}

/** Reads and checks a recording; a file that is not one gets one sentence saying why. */
export function loadRecording(path: string): { recording: Recording; log: InputLog } {
  let r: Partial<Recording>;
  try {
    r = JSON.parse(readFileSync(path, 'utf8')) as Partial<Recording>;
  } catch (e) {
    throw new RecordingError(`cannot read the recording ${path}: ${(e as Error).message}`);
  }
  const bad = (what: string) => new RecordingError(`${path} is not a Forkscope recording: ${what}`);
  if (r === null || typeof r !== 'object' || r.forkscope !== 'recording') throw bad('it has no "forkscope": "recording"');
  if (r.version !== 1) throw bad(`version ${String(r.version)} is not one this Forkscope reads (1)`);
  if (typeof r.program !== 'string' || !Array.isArray(r.args) || !r.args.every((a) => typeof a === 'string')) throw bad('"program" and "args" must be strings');
  if (!Number.isSafeInteger(r.memBytes) || !Number.isSafeInteger(r.seed)) throw bad('"memBytes" and "seed" must be integers');
  if (typeof r.programSha256 !== 'string' || !Array.isArray(r.terminals) || !Array.isArray(r.input)) throw bad('"programSha256", "terminals" and "input" are missing');
  if (r.end === undefined || typeof r.end.outputSha256 !== 'string') throw bad('"end" is missing');
  const answers = r.input.map((a) => (typeof a === 'number' ? a : new Uint8Array(Buffer.from(String(a), 'base64'))));
  return { recording: r as Recording, log: new InputLog(answers) };
}

/** How a replay's end differs from the recorded end (empty: it does not). */
export function compareEnds(recorded: RunEnd, now: RunEnd): string[] {
  const out: string[] = [];
  if (recorded.instructions !== now.instructions) out.push(`${now.instructions} instructions, recorded ${recorded.instructions}`);
  if (recorded.steps !== now.steps) out.push(`${now.steps} machine steps, recorded ${recorded.steps}`);
  if (recorded.outputSha256 !== now.outputSha256) out.push('different output');
  if (recorded.exitCode !== now.exitCode) out.push(`exit status ${now.exitCode}, recorded ${recorded.exitCode}`);
  return out;
}
