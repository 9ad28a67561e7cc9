/**
 * The system call table (arch/riscv/kernel/syscall_table.c): number → handler, gathered from
 * each subsystem's list. A number with no handler gets -ENOSYS, and shows in `--trace syscalls`
 * like any other call.
 */
import { arch_signal_syscalls } from './arch/riscv/signal';
import { cred_syscalls } from './cred';
import { itimer_syscalls } from './itimer';
import { pidfd_syscalls } from './pidfd';
import { leafPteAddress, ptePfn, PTE_V, USER_VA_END } from '../cpu/sv39';
import { errnoName } from './errno';
import { kernel } from './kfunc';
import { exec_syscalls } from './exec';
import { exit_syscalls } from './exit';
import { fork_syscalls } from './fork';
import { fs_syscalls } from './fs/syscalls';
import { futex_syscalls } from './futex';
import { mm_syscalls } from './mm/syscalls';
import { signal_syscalls } from './signal_syscalls';
import { sys_syscalls } from './sys';
import type { SyscallEntry } from './syscall';
import type { Task } from './task';
import { time_syscalls } from './time';
import { trace } from './trace';

/** The highest riscv64 syscall number is below 512 (asm-generic: __NR_syscalls = 463 in 6.12). */
export const NR_syscalls = 512;

function build(): (SyscallEntry | undefined)[] {
  const table: (SyscallEntry | undefined)[] = new Array(NR_syscalls).fill(undefined);
  for (const list of [fs_syscalls, mm_syscalls, fork_syscalls, exec_syscalls, exit_syscalls, signal_syscalls,
    arch_signal_syscalls, futex_syscalls, sys_syscalls, cred_syscalls, time_syscalls, itimer_syscalls, pidfd_syscalls]) {
    for (const e of list) {
      if (table[e.nr] !== undefined) throw new Error(`syscall ${e.nr} registered twice (${table[e.nr]!.name}, ${e.name})`);
      table[e.nr] = e;
    }
  }
  return table;
}

let table: (SyscallEntry | undefined)[] | null = null;

/**
 * The entry for syscall `nr`, or undefined. The table is assembled on first use: the subsystems'
 * modules import one another, so they must all have finished loading first.
 */
export function sys_call_entry(nr: number): SyscallEntry | undefined {
  table ??= build();
  return nr >= 0 && nr < NR_syscalls ? table[nr] : undefined;
}

/**
 * The string at `addr` for the trace, read without side effects: only pages already present in
 * the page tables are read (a trace must not fault pages in), and at most 64 bytes are shown.
 */
function peek_user_string(t: Task, addr: number): string | null {
  const mm = t.mm;
  if (mm === null || addr <= 0 || addr >= USER_VA_END) return null;
  const mem = kernel().mem;
  const bytes: number[] = [];
  for (let a = addr; bytes.length < 64; a++) {
    const ptep = leafPteAddress(mem, mm.pgd, Math.floor(a / 4096));
    if (ptep < 0) return null;
    const pte = mem.view.getUint32(ptep, true);
    if ((pte & PTE_V) === 0) return null;
    const b = mem.bytes[ptePfn(pte) * 4096 + (a % 4096)];
    if (b === 0) return JSON.stringify(Buffer.from(bytes).toString('utf8'));
    bytes.push(b);
  }
  return JSON.stringify(Buffer.from(bytes).toString('utf8')) + '...';
}

function fmtArg(t: Task, v: number, fmt: string): string {
  if (fmt === 'str') return peek_user_string(t, v) ?? '0x' + v.toString(16);
  if (fmt === 'hex' || fmt === 'ptr') return v < 0 ? String(v) : '0x' + v.toString(16);
  if (fmt === 'oct') return '0' + v.toString(8);
  return String(v);
}

/** sys_enter: `openat(dfd=-100, filename=0x…, flags=0x0, mode=0)`. */
export function traceSyscallEnter(t: Task, nr: number, e: SyscallEntry | undefined, a: number[]): void {
  const args = e === undefined ? a.slice(0, 6).map((v, i) => `a${i}=0x${(v < 0 ? v + 2 ** 64 : v).toString(16)}`) : e.args.map(([n, f], i) => `${n}=${fmtArg(t, a[i], f)}`);
  trace('sys_enter', t, { nr, name: e?.name ?? `syscall_${nr}`, args: args.join(', ') });
}

/** sys_exit: the result, with the errno name for failures. */
export function traceSyscallExit(t: Task, nr: number, e: SyscallEntry | undefined, ret: number): void {
  trace('sys_exit', t, { nr, name: e?.name ?? `syscall_${nr}`, ret: ret < 0 && ret > -4096 ? `-${errnoName(-ret)}` : ret });
}
