// The bench's own guest programs: C sources in scripts/bench/guests/, built at run time with the
// cross compiler (they measure the emulator and teach nothing, so they are not examples/).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext } from './section';

export const CROSS_CC = 'riscv64-linux-gnu-gcc';

export interface BenchGuests {
  /** The folder holding the ELFs: the guest's root under forkscope, the cwd under qemu. */
  dir: string;
  remove(): void;
}

/**
 * Builds `names` (static, -O2, like a shipped program) into a fresh temporary folder; undefined
 * when the cross compiler is not installed, so the caller can say so and skip.
 */
export function buildBenchGuests(context: BenchContext, names: string[]): BenchGuests | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'forkscope-bench-guests-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  for (const name of names) {
    const source = join(context.root, 'scripts', 'bench', 'guests', `${name}.c`);
    const cc = spawnSync(CROSS_CC, ['-O2', '-static', '-Wall', '-o', join(dir, name), source], { encoding: 'utf8' });
    if (cc.error !== undefined) {
      remove();
      if ((cc.error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw cc.error;
    }
    if (cc.status !== 0) {
      remove();
      throw new Error(`${CROSS_CC} ${name}.c failed:\n${cc.stderr}`);
    }
  }
  return { dir, remove };
}
