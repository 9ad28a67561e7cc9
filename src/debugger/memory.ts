/**
 * Guest memory as the debugger sees it: reads that never change the machine (so looking does
 * not alter the run being replayed) and writes that behave like ptrace's (kernel/debug_access.ts).
 */
import { peek_user, poke_user } from '../kernel/debug_access';
import type { Kernel } from '../kernel/kernel';
import type { KernelProbe } from '../kernel/kfunc';
import type { Task } from '../kernel/task';
import type { MemoryReader } from '../dwarf';

export class MemoryError extends Error {}

/** `len` bytes of `t`'s user memory at `addr`, or null when unmapped (or a kernel thread). */
export function readMemory(k: Kernel, t: Task, addr: number, len: number): Uint8Array | null {
  return t.mm === null ? null : peek_user(k, t.mm, addr, len);
}

/** A DWARF memory reader over a task's address space. */
export function dwarfReader(k: Kernel, t: Task): MemoryReader {
  return (address, size) => {
    if (address < 0n || address >= 1n << 53n) return undefined;
    return readMemory(k, t, Number(address), size) ?? undefined;
  };
}

/** Reads a NUL-terminated string (at most `max` bytes), or null when unmapped. */
export function readCString(k: Kernel, t: Task, addr: number, max = 256): string | null {
  const out: number[] = [];
  for (let a = addr; out.length < max;) {
    const n = Math.min(64, 4096 - (a % 4096));
    const chunk = readMemory(k, t, a, n);
    a += n;
    if (chunk === null) return out.length === 0 ? null : Buffer.from(out).toString('latin1');
    for (const b of chunk) {
      if (b === 0) return Buffer.from(out).toString('latin1');
      out.push(b);
      if (out.length >= max) break;
    }
  }
  return Buffer.from(out).toString('latin1') + '…';
}

/** Writes guest memory of `t`; throws a MemoryError naming the first byte it could not write. */
export function writeMemory(k: Kernel, t: Task, addr: number, bytes: Uint8Array, probe: KernelProbe | null): void {
  if (t.mm === null) throw new MemoryError(`task ${t.pid} (${t.comm}) is a kernel thread: it has no user memory`);
  const n = poke_user(k, t, addr, bytes, probe);
  if (n < bytes.length) {
    throw new MemoryError(`cannot write 0x${(addr + n).toString(16)} in task ${t.pid}: not mapped, or not writable there`);
  }
}
