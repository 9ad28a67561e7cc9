/**
 * User page faults on riscv (arch/riscv/mm/fault.c handle_page_fault; arch/riscv/kernel/traps.c
 * do_page_fault is its entry).
 *
 * scause tells the kind of access: 12 instruction fetch, 13 load, 15 store/AMO. The handler
 * finds the VMA (growing the stack if the address is just below a VM_GROWSDOWN one), checks the
 * access against its flags, and hands the fault to handle_mm_fault. What it cannot resolve
 * becomes a signal: SIGSEGV with SEGV_MAPERR (no mapping there) or SEGV_ACCERR (the mapping
 * forbids this access), SIGBUS with BUS_ADRERR (a file page beyond the end of the file).
 */
import { CAUSE_FETCH_PAGE_FAULT, CAUSE_LOAD_PAGE_FAULT, CAUSE_STORE_PAGE_FAULT } from '../../cpu/trap';
import { current, kfunc, klocals, type KGen } from '../kfunc';
import { force_sig_fault } from '../signal';
import { BUS_ADRERR, SEGV_ACCERR, SEGV_MAPERR, SIGBUS, SIGSEGV } from '../signal_types';
import { trace } from '../trace';
import { handle_mm_fault } from './memory';
import { expand_stack, TASK_SIZE } from './mmap';
import {
  FAULT_FLAG_INSTRUCTION, FAULT_FLAG_USER, FAULT_FLAG_WRITE, VM_FAULT_ERROR, VM_FAULT_OOM, VM_FAULT_SIGBUS,
  type vm_area_struct,
} from './mm_types';
import { alloc_pages_may_oom } from './oom_kill';
import { VM_EXEC, VM_READ, VM_WRITE } from './vm_flags';

/** The signal a fault turns into (the caller delivers it with force_sig_fault). */
export interface fault_signal {
  readonly signo: number;
  readonly si_code: number;
  readonly addr: bigint;
}

const CAUSE_NAMES: Record<number, string> = {
  [CAUSE_FETCH_PAGE_FAULT]: 'fetch', [CAUSE_LOAD_PAGE_FAULT]: 'load', [CAUSE_STORE_PAGE_FAULT]: 'store',
};

/**
 * access_error: does the VMA forbid this access? A fetch needs VM_EXEC, a store VM_WRITE, a load
 * VM_READ — or VM_WRITE, since riscv cannot map a page write-only.
 */
function access_error(cause: number, vma: vm_area_struct): boolean {
  switch (cause) {
    case CAUSE_FETCH_PAGE_FAULT: return (vma.vm_flags & VM_EXEC) === 0;
    case CAUSE_STORE_PAGE_FAULT: return (vma.vm_flags & VM_WRITE) === 0;
    default: return (vma.vm_flags & (VM_READ | VM_WRITE)) === 0;
  }
}

/**
 * handle_page_fault: resolves a user-mode page fault of the current task at `addr`. Returns
 * null when the faulting instruction can run again, or the signal to deliver.
 */
export const handle_page_fault = kfunc('arch/riscv/mm/fault.c', function* handle_page_fault(cause: number, addr: bigint): KGen<fault_signal | null> {
  const t = current();
  const mm = t.mm;
  klocals({ addr: '0x' + addr.toString(16), cause: CAUSE_NAMES[cause] ?? cause });
  const done = (result: string, sig: fault_signal | null): fault_signal | null => {
    trace('mm_page_fault', t, { address: '0x' + addr.toString(16), ip: '0x' + t.regs.pc.toString(16), cause: CAUSE_NAMES[cause] ?? cause, result });
    return sig;
  };
  const segv = (code: number) => done(code === SEGV_MAPERR ? 'SEGV_MAPERR' : 'SEGV_ACCERR', { signo: SIGSEGV, si_code: code, addr });
  if (mm === null || addr < 0n || addr >= BigInt(TASK_SIZE)) return segv(SEGV_MAPERR);
  const address = Number(addr);
  let flags = FAULT_FLAG_USER;
  if (cause === CAUSE_STORE_PAGE_FAULT) flags |= FAULT_FLAG_WRITE;
  if (cause === CAUSE_FETCH_PAGE_FAULT) flags |= FAULT_FLAG_INSTRUCTION;
  // lock_mm_and_find_vma: the VMA at the address, or a stack just above it that may grow down.
  const vma = expand_stack(mm, address);
  if (vma === null) return segv(SEGV_MAPERR);
  if (access_error(cause, vma)) return segv(SEGV_ACCERR);
  const fault = yield* handle_mm_fault(vma, address, flags);
  if ((fault & VM_FAULT_ERROR) === 0) return done('handled', null);
  // mm_fault_error
  if ((fault & VM_FAULT_OOM) !== 0) {
    // The allocator's OOM path: kill something and let the instruction fault again.
    yield* alloc_pages_may_oom();
    return done('VM_FAULT_OOM', null);
  }
  if ((fault & VM_FAULT_SIGBUS) !== 0) return done('BUS_ADRERR', { signo: SIGBUS, si_code: BUS_ADRERR, addr });
  return segv(SEGV_MAPERR);
});

/** do_page_fault (traps.c): handle the fault, and deliver the signal it turned into, if any. */
export const do_page_fault = kfunc('arch/riscv/kernel/traps.c', function* do_page_fault(cause: number, addr: bigint): KGen<void> {
  const sig = yield* handle_page_fault(cause, addr);
  if (sig !== null) force_sig_fault(sig.signo, sig.si_code, sig.addr);
});
