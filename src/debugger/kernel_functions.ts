/**
 * The names of the kernel functions a breakpoint can name: every function the emulated kernel
 * wraps with `kfunc` (kernel/kfunc.ts). Most are declared as `kfunc(file, function* name…)` in
 * the kernel's sources, which are read once when present (a checkout, the tests); system call
 * entry points get their names from the system call table (`sys_` + name). Without the sources
 * (a packaged extension) only those are known, and other names are accepted unchecked.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NR_syscalls, sys_call_entry } from '../kernel/syscall_table';
import { SOURCE_ROOT } from './source_root';

const DECLARED = /kfunc\([^,]+,\s*function\*\s*(\w+)/g;
const TRAP = /makeTrapSignal\('(\w+)'\)/g;

export interface KernelFunctions {
  readonly names: Set<string>;
  /** Whether the sources were read (otherwise only system calls are known). */
  readonly complete: boolean;
  /** Where each function is declared in our sources (file, line). */
  readonly declared: Map<string, { file: string; line: number }>;
}

let cache: KernelFunctions | undefined;

export function kernelFunctions(): KernelFunctions {
  if (cache !== undefined) return cache;
  const names = new Set<string>();
  const declared = new Map<string, { file: string; line: number }>();
  for (let nr = 0; nr < NR_syscalls; nr++) {
    const e = sys_call_entry(nr);
    if (e !== undefined) names.add(`sys_${e.name}`);
  }
  const dir = SOURCE_ROOT === undefined ? undefined : join(SOURCE_ROOT, 'src', 'kernel');
  const complete = dir !== undefined && existsSync(dir);
  if (complete) {
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      const text = readFileSync(join(dir, file), 'utf8');
      for (const re of [DECLARED, TRAP]) {
        for (const m of text.matchAll(re)) {
          names.add(m[1]);
          const line = text.slice(0, m.index).split('\n').length;
          if (!declared.has(m[1])) declared.set(m[1], { file: join(dir, file), line });
        }
      }
    }
  }
  cache = { names, complete, declared };
  return cache;
}
