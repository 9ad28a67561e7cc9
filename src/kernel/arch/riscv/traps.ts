/**
 * Trap entry for user mode (arch/riscv/kernel/entry.S `handle_exception`, arch/riscv/kernel/traps.c).
 *
 * The hart stops with an `scause`; the kernel path that handles it is a generator run as the
 * task's kernel stack: a system call (`do_trap_ecall_u`), a page fault (`do_page_fault`), or an
 * exception that becomes a signal (illegal instruction, breakpoint, misaligned atomic). Every
 * path leaves through `irqentry_exit_to_user_mode`, where pending signals are delivered.
 */
import {
  CAUSE_BREAKPOINT, CAUSE_FETCH_PAGE_FAULT, CAUSE_ILLEGAL_INSTRUCTION, CAUSE_LOAD_PAGE_FAULT,
  CAUSE_MISALIGNED_LOAD, CAUSE_MISALIGNED_STORE, CAUSE_STORE_PAGE_FAULT, CAUSE_USER_ECALL,
} from '../../../cpu/trap';
import { REG_A0, REG_A7 } from '../../../cpu/state';
import { irqentry_exit_to_user_mode, syscall_exit_to_user_mode } from '../../entry/common';
import { ENOSYS } from '../../errno';
import { current, kernel, kfunc, klocals, type KGen } from '../../kfunc';
import { do_page_fault } from '../../mm/fault';
import { force_sig_fault } from '../../signal';
import { BUS_ADRALN, ILL_ILLOPC, SIGBUS, SIGILL, SIGTRAP, TRAP_BRKPT } from '../../signal_types';
import { sys_call_entry, traceSyscallEnter, traceSyscallExit } from '../../syscall_table';

/** The saved `orig_a0` of pt_regs (the first argument, kept for syscall restart). */
export const orig_a0 = new WeakMap<object, bigint>();
/** pt_regs->cause of the last trap of each task: a syscall restart needs to know it was one. */
export const lastCause = new WeakMap<object, number>();

/** handle_exception: dispatch on scause, then return to user mode. */
export function handle_exception(cause: number): KGen<void> {
  const k = kernel();
  const tval = k.hart.tval;
  lastCause.set(current(), cause);
  switch (cause) {
    case CAUSE_USER_ECALL:
      return do_trap_ecall_u();
    case CAUSE_FETCH_PAGE_FAULT:
    case CAUSE_LOAD_PAGE_FAULT:
    case CAUSE_STORE_PAGE_FAULT:
      return do_trap_page_fault(cause, tval);
    case CAUSE_ILLEGAL_INSTRUCTION:
      return do_trap_signal('do_trap_insn_illegal', SIGILL, ILL_ILLOPC, BigInt(current().regs.pc));
    case CAUSE_BREAKPOINT:
      return do_trap_signal('do_trap_break', SIGTRAP, TRAP_BRKPT, BigInt(current().regs.pc));
    case CAUSE_MISALIGNED_LOAD:
    case CAUSE_MISALIGNED_STORE:
      return do_trap_signal('do_trap_misaligned', SIGBUS, BUS_ADRALN, tval);
    default:
      throw new Error(`unexpected trap cause ${cause}`);
  }
}

/**
 * do_trap_ecall_u: the system call path. The number is in a7, the arguments in a0–a5; the pc
 * moves past the `ecall` first (so a restart moves it back), a0 is preset to -ENOSYS, and the
 * result goes to a0.
 */
const do_trap_ecall_u = kfunc('arch/riscv/kernel/traps.c', function* do_trap_ecall_u(): KGen<void> {
  const t = current();
  const regs = t.regs;
  regs.pc += 4;
  const nr = regs.getRegNum(REG_A7);
  orig_a0.set(t, regs.getReg(REG_A0));
  const entry = sys_call_entry(nr);
  const a = [regs.getRegNum(10), regs.getRegNum(11), regs.getRegNum(12), regs.getRegNum(13), regs.getRegNum(14), regs.getRegNum(15)];
  klocals({ nr, name: entry?.name ?? 'ni_syscall' });
  traceSyscallEnter(t, nr, entry, a);
  const ret = entry === undefined ? -ENOSYS : yield* entry.fn(a[0], a[1], a[2], a[3], a[4], a[5]);
  // rt_sigreturn restores every register itself, a0 included.
  if (entry === undefined || !entry.noReturnValue) regs.setRegNum(REG_A0, ret);
  traceSyscallExit(t, nr, entry, ret);
  yield* syscall_exit_to_user_mode();
});

const do_trap_page_fault = kfunc('arch/riscv/kernel/traps.c', function* do_trap_page_fault(cause: number, addr: bigint): KGen<void> {
  yield* do_page_fault(cause, addr);
  yield* irqentry_exit_to_user_mode();
});

function do_trap_signal(name: string, signo: number, code: number, addr: bigint): KGen<void> {
  return trapSignalFns[name](signo, code, addr);
}

function makeTrapSignal(name: string) {
  const f = function* (signo: number, code: number, addr: bigint): KGen<void> {
    force_sig_fault(signo, code, addr);
    yield* irqentry_exit_to_user_mode();
  };
  Object.defineProperty(f, 'name', { value: name });
  return kfunc('arch/riscv/kernel/traps.c', f);
}

const trapSignalFns: Record<string, (signo: number, code: number, addr: bigint) => KGen<void>> = {
  do_trap_insn_illegal: makeTrapSignal('do_trap_insn_illegal'),
  do_trap_break: makeTrapSignal('do_trap_break'),
  do_trap_misaligned: makeTrapSignal('do_trap_misaligned'),
};
