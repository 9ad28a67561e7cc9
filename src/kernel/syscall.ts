/**
 * System call table entries (arch/riscv/kernel/syscall_table.c, include/linux/syscalls.h).
 *
 * Each subsystem exports a list of its system calls (fs/syscalls.ts, mm/syscalls.ts, …) and
 * syscall_table.ts gathers them into `sys_call_table`. A system call receives its six argument
 * registers a0–a5 as JS numbers (exact below 2^53; addresses above the user range stay out of
 * range, so they still fail with EFAULT) and returns the value for a0: a result, or -errno.
 */
import type { KGen } from './kfunc';

/** How `--trace syscalls` prints an argument. */
export type ArgFormat = 'int' | 'hex' | 'str' | 'ptr' | 'oct';

export interface SyscallEntry {
  readonly nr: number;
  readonly name: string;
  readonly fn: (a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => KGen<number>;
  /** Argument names and formats, for the trace: e.g. [['fd','int'],['buf','ptr'],['count','int']]. */
  readonly args: readonly (readonly [string, ArgFormat])[];
  /** The call sets every register itself (rt_sigreturn), so its result is not written to a0. */
  readonly noReturnValue?: boolean;
}
