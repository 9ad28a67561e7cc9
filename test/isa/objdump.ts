/**
 * Helpers for comparing our disassembler with `riscv64-linux-gnu-objdump -d` output: parsing
 * objdump's listing, building a symbolizer from the `<…>` annotations objdump printed, and
 * replaying the listing through disassemble() with one DisasmContext, in order.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PrivSpec } from '../../src/isa/csr';
import { decode } from '../../src/isa/decode';
import { disassemble, DisasmContext } from '../../src/isa/disasm';
import { emptyInst } from '../../src/isa/ops';

export interface Line {
  pc: number;
  /** The instruction as objdump shows it in the raw column (4 or 8 hex digits). */
  word: number;
  len: 2 | 4;
  /** What objdump printed after the raw column. */
  text: string;
}

/** One listing to replay: lines in address order, sharing one disassembler context. */
export interface Listing {
  lines: Line[];
  /** Lines objdump printed as data (.word/.short/.byte inside code), skipped. */
  data: number;
}

const INSN = /^\s*([0-9a-f]+):\t([0-9a-f]{4}|[0-9a-f]{8})\s+\t(.*)$/;
const DATA = /^\.(word|short|byte)\t/;

export function parseListing(text: string): Listing {
  const lines: Line[] = [];
  let data = 0;
  for (const raw of text.split('\n')) {
    const m = INSN.exec(raw);
    if (m === null) continue;
    if (DATA.test(m[3])) { data++; continue; }
    lines.push({ pc: parseInt(m[1], 16), word: parseInt(m[2], 16), len: m[2].length === 4 ? 2 : 4, text: m[3] });
  }
  return { lines, data };
}

/** address (hex) → symbol text, from every `addr <sym>` objdump printed (branch targets and comments). */
export function symbolsFrom(lines: readonly Line[]): Map<string, string> {
  const syms = new Map<string, string>();
  for (const l of lines) {
    for (const m of l.text.matchAll(/([0-9a-f]+) <([^>]+)>/g)) syms.set(m[1], m[2]);
  }
  return syms;
}

export interface Mismatch { line: Line; got: string }

/** Disassembles every line in order with one context; returns the lines that differ. */
export function replay(
  lines: readonly Line[], syms: ReadonlyMap<string, string>, gp?: bigint, privSpec?: PrivSpec,
): Mismatch[] {
  const ctx = new DisasmContext({ gp, privSpec });
  const inst = emptyInst();
  const bad: Mismatch[] = [];
  for (const line of lines) {
    decode(line.word, inst);
    const got = disassemble(inst, line.pc, line.word, (_, a) => syms.get(a.toString(16)), ctx);
    if (got !== line.text) bad.push({ line, got });
  }
  return bad;
}

/** The value of `__global_pointer$` in an ELF file, read from objdump's symbol table. */
export function globalPointer(objdump: string, elf: string): bigint | undefined {
  const table = execFileSync(objdump, ['-t', elf], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const m = /^([0-9a-f]+)\s.*\s__global_pointer\$$/m.exec(table);
  return m === null ? undefined : BigInt(`0x${m[1]}`);
}

export function formatMismatches(bad: readonly Mismatch[], max = 20): string {
  return bad.slice(0, max).map(({ line, got }) =>
    `  ${line.pc.toString(16)}: ${line.word.toString(16).padStart(line.len * 2, '0')}\n` +
    `     objdump: ${line.text}\n     ours:    ${got}`).join('\n');
}

/**
 * The privileged-spec version objdump assumes for an ELF file: its Tag_RISCV_priv_spec
 * attributes, or the newest version when it has none.
 */
export function privSpecOf(readelf: string, elf: string): PrivSpec {
  const attrs = execFileSync(readelf, ['-A', elf], { encoding: 'utf8' });
  const major = /Tag_RISCV_priv_spec: (\d+)/.exec(attrs)?.[1];
  const minor = /Tag_RISCV_priv_spec_minor: (\d+)/.exec(attrs)?.[1] ?? '0';
  const rev = /Tag_RISCV_priv_spec_revision: (\d+)/.exec(attrs)?.[1];
  if (major === undefined) return '1.12';
  const v = `${major}.${minor}${rev !== undefined && rev !== '0' ? `.${rev}` : ''}`;
  if (v !== '1.9.1' && v !== '1.10' && v !== '1.11' && v !== '1.12') throw new Error(`${elf}: priv spec ${v}`);
  return v;
}

export const TOOLS = {
  gcc: 'riscv64-linux-gnu-gcc',
  as: 'riscv64-linux-gnu-as',
  objdump: 'riscv64-linux-gnu-objdump',
  readelf: 'riscv64-linux-gnu-readelf',
} as const;

/** The cross tools that are not installed (empty when all are). */
export function missingTools(): string[] {
  return Object.values(TOOLS).filter((t) => {
    try {
      execFileSync(t, ['--version'], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

export const FIXTURES = path.join(__dirname, 'fixtures');

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'forkscope-isa-'));
}

/** Runs objdump -d on `elf` (optionally only [start, stop)) and returns its listing. */
export function objdumpListing(elf: string, range?: { start: number; stop: number }): string {
  const args = ['-d'];
  if (range) args.push(`--start-address=0x${range.start.toString(16)}`, `--stop-address=0x${range.stop.toString(16)}`);
  return execFileSync(TOOLS.objdump, [...args, elf], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** Static glibc build of fixtures/glibc-prog.c, as the oracle test and the fixture script use it. */
export function buildGlibcProgram(dir: string): string {
  const out = path.join(dir, 'glibc-prog');
  execFileSync(TOOLS.gcc, ['-static', '-O2', '-o', out, path.join(FIXTURES, 'glibc-prog.c'), '-lm']);
  return out;
}

/** fixtures/every-insn.S linked without libc. */
export function buildEveryInsn(dir: string): string {
  const out = path.join(dir, 'every-insn');
  execFileSync(TOOLS.gcc, ['-nostdlib', '-static', '-o', out, path.join(FIXTURES, 'every-insn.S')]);
  return out;
}

/**
 * Assembles raw instruction parcels (`.insn` directives: 16-bit values with low bits other
 * than 11, 32-bit values otherwise) into an object file. `asFlags` may pick a priv spec; gas
 * only records it in the file's attributes when the source has a CSR instruction written as
 * such, so `preamble` can add one.
 */
export function assembleWords(
  dir: string, name: string, words: readonly number[], asFlags: string[] = [], preamble: string[] = [],
): string {
  const src = path.join(dir, `${name}.S`);
  const obj = path.join(dir, `${name}.o`);
  const lines = words.map((w) => ((w & 3) === 3 ? `.insn 4, 0x${(w >>> 0).toString(16)}` : `.insn 2, 0x${w.toString(16)}`));
  fs.writeFileSync(src, [...preamble, ...lines].join('\n') + '\n');
  execFileSync(TOOLS.as, ['-march=rv64gc', ...asFlags, '-o', obj, src]);
  return obj;
}

/** A deterministic xorshift32 generator. */
export function xorshift(seed: number): () => number {
  let s = seed | 0 || 1;
  return (): number => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return s >>> 0;
  };
}

/**
 * `n` 32-bit words that each match some table entry, with every bit the entry does not fix
 * random (so reserved fields, odd rounding modes and fence modes all occur); a third of them
 * have random fields cleared, so the zero-register aliases show up too.
 */
export function randomTableWords(n: number, seed: number, defs: readonly { match: number; mask: number }[]): number[] {
  const rnd = xorshift(seed);
  const words: number[] = [];
  for (let i = 0; i < n; i++) {
    const d = defs[rnd() % defs.length];
    let w = d.match | (rnd() & ~d.mask);
    if (rnd() % 3 === 0) w &= ~(rnd() & 0xfff8f80);
    words.push(w >>> 0);
  }
  return words;
}
