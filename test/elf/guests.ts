/**
 * Real RISC-V programs for the oracle tests, built at test time with Debian's cross compiler
 * into a temporary directory, and a way to run binutils on them. Tests that need these call
 * `requireTool(this, ...)` (test/tools.ts), which skips them visibly when the toolchain is missing.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { GCC } from '../tools';

export { GCC, requireTool } from '../tools';

export const READELF = 'riscv64-linux-gnu-readelf';
export const OBJDUMP = 'riscv64-linux-gnu-objdump';
/** The cross toolchain's shared C library, a large real ET_DYN with .dynsym, versions and IFUNCs. */
export const CROSS_LIBC = '/usr/riscv64-linux-gnu/lib/libc.so.6';

export interface Hello {
  /** -static: ET_EXEC at 0x10000 with the whole of glibc's symbols. */
  readonly staticPath: string;
  /** The default: a dynamic PIE (ET_DYN) with PT_INTERP and DT_NEEDED libc.so.6. */
  readonly piePath: string;
}

let hello: Hello | undefined;

/** Builds the two hello programs once per test run (the temporary directory goes at exit). */
export function buildHello(): Hello {
  if (hello === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'forkscope-elf-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const source = join(dir, 'hello.c');
    writeFileSync(source, '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');
    const staticPath = join(dir, 'hello-static');
    const piePath = join(dir, 'hello-pie');
    execFileSync(GCC, ['-O1', '-g', '-static', '-o', staticPath, source]);
    execFileSync(GCC, ['-O1', '-g', '-o', piePath, source]);
    hello = { staticPath, piePath };
  }
  return hello;
}

/** Runs a binutils program and returns its standard output. */
export function runTool(tool: string, args: string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
