/**
 * Shared helpers for the DWARF tests: building the fixture programs with the cross compilers,
 * running the GNU/LLVM tools that serve as oracles, and a minimal ELF64 section-table reader
 * (the real one lives in src/elf/; these tests must not depend on it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dwarf } from '../../src/dwarf';

export const GCC = 'riscv64-linux-gnu-gcc';
export const CLANG = 'clang-14';
export const READELF = 'riscv64-linux-gnu-readelf';
export const OBJDUMP = 'riscv64-linux-gnu-objdump';
export const DWARFDUMP = 'llvm-dwarfdump-14';
export const GDB = 'gdb-multiarch';
export const QEMU = 'qemu-riscv64';

export const FIXTURES = join(__dirname, 'fixtures');
export const SOURCES = ['main.c', 'list.c', 'chain.c'];

const commandCache = new Map<string, boolean>();

export function hasCommand(cmd: string): boolean {
  let ok = commandCache.get(cmd);
  if (ok === undefined) {
    ok = spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
    commandCache.set(cmd, ok);
  }
  return ok;
}

/** Skips the current test or suite, saying which tools are missing. */
export function requireCommands(ctx: Mocha.Context, ...cmds: string[]): void {
  const missing = cmds.filter((c) => !hasCommand(c));
  if (missing.length > 0) {
    console.log(`      skipped: ${missing.join(', ')} not installed`);
    ctx.skip();
  }
}

/** Runs a tool and returns its stdout; a failure is a test error showing stderr. */
export function run(cmd: string, args: readonly string[], options: { cwd?: string; timeout?: number } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, cwd: options.cwd, timeout: options.timeout });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

/** How one fixture binary is built. */
export interface Build {
  readonly name: string;
  readonly compiler: string;
  readonly flags: readonly string[];
}

/** The variants every oracle test runs over: both compilers, DWARF 4 and 5, -O0 and -O2. */
export const BUILDS: readonly Build[] = [
  { name: 'gcc -O0', compiler: GCC, flags: ['-g', '-O0'] },
  { name: 'gcc -O2', compiler: GCC, flags: ['-g', '-O2'] },
  { name: 'gcc -O0 DWARF 4', compiler: GCC, flags: ['-gdwarf-4', '-O0'] },
  { name: 'gcc -O2 DWARF 4', compiler: GCC, flags: ['-gdwarf-4', '-O2'] },
  { name: 'clang -O0', compiler: CLANG, flags: ['--target=riscv64-linux-gnu', '-g', '-O0'] },
  { name: 'clang -O2', compiler: CLANG, flags: ['--target=riscv64-linux-gnu', '-g', '-O2'] },
];

let buildDir: string | undefined;
const built = new Map<string, string>();

/** Builds the fixture program (static, all sources) once per run; returns the binary's path. */
export function buildFixture(build: Build): string {
  const cached = built.get(build.name);
  if (cached) return cached;
  if (!buildDir) {
    const dir = mkdtempSync(join(tmpdir(), 'forkscope-dwarf-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    buildDir = dir;
  }
  const out = join(buildDir, build.name.replace(/[^a-z0-9]+/gi, '_'));
  // -ffile-prefix-map is not used: the tests want the real absolute paths in the line tables.
  run(build.compiler, [...build.flags, '-static', '-o', out, ...SOURCES.map((s) => join(FIXTURES, s))]);
  built.set(build.name, out);
  return out;
}

/** One entry of an ELF64 section header table. */
export interface ElfSection {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
}

const SHT_NOBITS = 8;

/** An ELF file's bytes and sections, just enough to feed the DWARF reader. */
export class ElfFile {
  readonly bytes: Uint8Array;
  readonly sections: ElfSection[] = [];

  constructor(readonly path: string) {
    this.bytes = new Uint8Array(readFileSync(path));
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    if (view.getUint32(0) !== 0x7f454c46 || this.bytes[4] !== 2 || this.bytes[5] !== 1) throw new Error(`${path}: not a little-endian ELF64`);
    const shoff = Number(view.getBigUint64(0x28, true));
    const shentsize = view.getUint16(0x3a, true);
    const shnum = view.getUint16(0x3c, true);
    const shstrndx = view.getUint16(0x3e, true);
    const raw = [];
    for (let i = 0; i < shnum; i++) {
      const at = shoff + i * shentsize;
      raw.push({
        nameOffset: view.getUint32(at, true),
        type: view.getUint32(at + 4, true),
        flags: Number(view.getBigUint64(at + 8, true)),
        addr: Number(view.getBigUint64(at + 16, true)),
        offset: Number(view.getBigUint64(at + 24, true)),
        size: Number(view.getBigUint64(at + 32, true)),
      });
    }
    const strtab = raw[shstrndx];
    for (const s of raw) {
      let end = strtab.offset + s.nameOffset;
      while (this.bytes[end] !== 0) end++;
      const name = Buffer.from(this.bytes.subarray(strtab.offset + s.nameOffset, end)).toString('latin1');
      this.sections.push({ name, type: s.type, flags: s.flags, addr: s.addr, offset: s.offset, size: s.size });
    }
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** A section's bytes (undefined for absent or NOBITS sections). */
  data(name: string): Uint8Array | undefined {
    const s = this.section(name);
    if (!s || s.type === SHT_NOBITS) return undefined;
    return this.bytes.subarray(s.offset, s.offset + s.size);
  }

  dwarf(): Dwarf {
    return Dwarf.load((n) => this.data(n), (n) => this.section(n)?.addr);
  }
}

/** The line number of the line containing `marker` in a fixture source. */
export function markerLine(file: string, marker: string): number {
  const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`${marker} not in ${file}`);
  return i + 1;
}

export function hex(n: number | bigint): string {
  return `0x${n.toString(16)}`;
}
