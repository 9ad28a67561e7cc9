/**
 * Builds gen.c for riscv64, runs it under qemu-riscv64 and returns its vectors; run directly
 * (`npx tsx scripts/fpu-vectors/generate.ts`) it rewrites the committed fixture
 * test/cpu/fpu-vectors.txt.gz. The oracle test calls generateVectors() to check that the
 * fixture still matches what qemu computes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const CC = 'riscv64-linux-gnu-gcc';
export const QEMU = 'qemu-riscv64';
export const FIXTURE = join(__dirname, '..', '..', 'test', 'cpu', 'fpu-vectors.txt.gz');

/** Whether a tool answers --version (the cross compiler and qemu are optional). */
export function haveTool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The vectors as text: compiles the generator, runs it under qemu, returns its output. */
export function generateVectors(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fpu-vectors-'));
  try {
    const exe = join(dir, 'gen');
    execFileSync(CC, ['-O1', '-Wall', '-Wextra', '-Werror', '-static', '-o', exe, join(__dirname, 'gen.c')]);
    return execFileSync(QEMU, [exe], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const text = generateVectors();
  const gz = gzipSync(text, { level: 9 });
  writeFileSync(FIXTURE, gz);
  const vectors = text.split('\n').filter((l) => /^\d/.test(l)).length;
  console.log(`${FIXTURE}: ${vectors} vectors, ${gz.length} bytes`);
}
