/**
 * The vDSO (arch/riscv/kernel/vdso.c, vdso/rt_sigreturn.S): a page the kernel maps into every
 * program. Linux's holds fast clock functions and the signal trampoline; Forkscope's holds the
 * trampoline a signal handler returns to — `li a7, 139` (rt_sigreturn) then `ecall` — so the
 * handler's `ret` enters rt_sigreturn exactly as on Linux.
 */
import { encode } from '../../../isa/encode';
import { Op } from '../../../isa/ops';

/** Offset of __vdso_rt_sigreturn in the vDSO page. */
export const VDSO_RT_SIGRETURN_OFFSET = 0;

/** The vDSO page's contents. */
export function vdso_image(): Uint8Array {
  const page = new Uint8Array(4096);
  const v = new DataView(page.buffer);
  v.setUint32(VDSO_RT_SIGRETURN_OFFSET, encode(Op.ADDI, { rd: 17, rs1: 0, imm: 139 }), true);
  v.setUint32(VDSO_RT_SIGRETURN_OFFSET + 4, encode(Op.ECALL, {}), true);
  return page;
}
