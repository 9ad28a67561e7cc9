/**
 * Command-line parsing for `forkscope run`: options before the program, the program's own
 * arguments after it (everything after PROGRAM belongs to the guest, as with qemu-riscv64).
 */
import { TRACE_CATEGORIES } from '../kernel/trace';

export interface RunOptions {
  root: string;
  sysroot: string | undefined;
  memBytes: number;
  seed: number;
  trace: Set<string>;
  dmesg: boolean;
  stats: boolean;
  dumpState: string | undefined;
  /** Write a recording of the run here (debugger/recording.ts). */
  record: string | undefined;
  /** Run this recording again: its program, arguments, memory, seed and terminal input. */
  replay: string | undefined;
  program: string;
  args: string[];
}

/** The default emulated physical memory: 512 MiB (pages are only backed once touched). */
export const DEFAULT_MEM = 512 * 1024 * 1024;
const MIN_MEM = 16 * 1024 * 1024;
/** Frame numbers must fit a PTE's low word (sv39.ts), so memory stays below 16 GiB. */
const MAX_MEM = 16 * 1024 * 1024 * 1024 - 4096;

export class UsageError extends Error {}

/** `64M`, `1G`, `512K`, or bytes. */
export function parseSize(s: string): number {
  const m = /^(\d+)([KMG]?)(i?B)?$/i.exec(s.trim());
  if (m === null) throw new UsageError(`--mem: '${s}' is not a size (use e.g. 64M or 1G)`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  const n = Number(m[1]) * unit;
  if (n < MIN_MEM) throw new UsageError(`--mem: ${s} is too small; the kernel needs at least 16M`);
  if (n > MAX_MEM) throw new UsageError(`--mem: ${s} is too large; at most 16G-4K`);
  return n;
}

export function parseTrace(s: string): Set<string> {
  const out = new Set<string>();
  for (const part of s.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (part === 'all') TRACE_CATEGORIES.forEach((c) => out.add(c));
    else if ((TRACE_CATEGORIES as readonly string[]).includes(part)) out.add(part);
    else throw new UsageError(`--trace: unknown category '${part}' (known: ${TRACE_CATEGORIES.join(', ')}, all)`);
  }
  return out;
}

/** Parses the arguments after `run`. */
export function parseRunArgs(argv: string[], cwd: string): RunOptions {
  const o: RunOptions = {
    root: cwd, sysroot: undefined, memBytes: DEFAULT_MEM, seed: 0, trace: new Set(), dmesg: false,
    stats: false, dumpState: undefined, record: undefined, replay: undefined, program: '', args: [],
  };
  const fixed: string[] = [];
  let i = 0;
  const value = (name: string): string => {
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-') || a === '-') break;
    if (a === '--') { i++; break; }
    const eq = a.indexOf('=');
    const name = eq > 0 && a.startsWith('--') ? a.slice(0, eq) : a;
    const inline = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : undefined;
    const get = () => inline ?? value(name);
    switch (name) {
      case '--root': o.root = get(); break;
      case '-L': case '--sysroot': o.sysroot = get(); break;
      case '--mem': o.memBytes = parseSize(get()); fixed.push(name); break;
      case '--seed': {
        const s = get();
        if (!/^\d+$/.test(s) || Number(s) > Number.MAX_SAFE_INTEGER) throw new UsageError(`--seed: '${s}' is not a non-negative integer`);
        o.seed = Number(s);
        fixed.push(name);
        break;
      }
      case '--trace': o.trace = parseTrace(get()); break;
      case '--dmesg': o.dmesg = true; break;
      case '--stats': o.stats = true; break;
      case '--dump-state': o.dumpState = get(); break;
      case '--record': o.record = get(); break;
      case '--replay': o.replay = get(); break;
      default: throw new UsageError(`unknown option '${a}'`);
    }
  }
  if (o.replay !== undefined) {
    // The recording fixes what the run depended on.
    if (i < argv.length) throw new UsageError('--replay runs the recorded program with its recorded arguments: give no PROGRAM');
    if (fixed.length > 0) throw new UsageError(`--replay: ${fixed[0]} is fixed by the recording`);
    if (o.record !== undefined) throw new UsageError('--record and --replay cannot be used together');
    return o;
  }
  if (i >= argv.length) throw new UsageError('no PROGRAM given');
  o.program = argv[i];
  o.args = argv.slice(i + 1);
  return o;
}

export const USAGE = `usage: forkscope run [--root DIR] [-L DIR | --sysroot DIR] [--mem SIZE] [--seed N]
                     [--trace LIST] [--dmesg] [--stats] [--dump-state FILE] [--record FILE] PROGRAM [ARG...]
       forkscope run [--root DIR] [-L DIR | --sysroot DIR] [--trace LIST] [--dmesg] [--stats] [--dump-state FILE] --replay FILE

Runs a RISC-V (RV64GC) Linux program on Forkscope's emulated kernel.
  --root DIR        the guest's / (default: the current directory); PROGRAM is a guest path
  -L, --sysroot DIR look up absolute paths missing under the root here (the dynamic loader, libc)
  --mem SIZE        emulated physical memory, e.g. 64M, 1G (default: 512M)
  --seed N          seed of every random source: AT_RANDOM, getrandom, /dev/urandom (default: 0)
  --trace LIST      print kernel events on stderr: ${TRACE_CATEGORIES.join(',')} or all
  --dmesg           print the kernel log on stderr at the end
  --stats           print instructions, wall time and MIPS on stderr at the end
  --dump-state FILE write the kernel's state as JSON at exit
  --record FILE     write a recording of the run: the launch, the terminal's input, how it ended
  --replay FILE     run a recording again (its program, arguments, memory, seed and input) and
                    check it ends the same: if not, say how and exit with 125
`;
