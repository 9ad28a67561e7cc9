/**
 * The vDSO (arch/riscv/kernel/vdso.c, vdso/rt_sigreturn.S): a page the kernel maps into every
 * program at exec (`arch_setup_additional_pages`). Linux's holds fast clock functions and the
 * signal trampoline; Forkscope's holds the trampoline a signal handler returns to —
 * `li a7, 139` (rt_sigreturn) then `ecall` — so a handler's `ret` enters rt_sigreturn exactly as
 * on Linux. It shows in /proc/<pid>/maps as `[vdso]`.
 */
import { encode } from '../../../isa/encode';
import { Op } from '../../../isa/ops';
import { kernel } from '../../kfunc';
import type { mm_struct, vm_special_mapping } from '../../mm/mm_types';
import { get_unmapped_area, install_special_mapping } from '../../mm/mmap';
import { PAGE_KERNEL } from '../../mm/page_alloc';
import { VM_EXEC, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_READ } from '../../mm/vm_flags';

/** Offset of __vdso_rt_sigreturn in the vDSO page. */
export const VDSO_RT_SIGRETURN_OFFSET = 0;

const specials = new WeakMap<object, vm_special_mapping>();

/** The machine's vDSO page (made once per machine, shared by every process, like Linux's). */
function vdso_mapping(): vm_special_mapping {
  const k = kernel();
  let spec = specials.get(k);
  if (spec === undefined) {
    const pfn = k.pages.alloc_page(PAGE_KERNEL, true);
    if (pfn === 0) throw new Error('no frame for the vDSO at boot');
    const v = k.mem.view;
    const base = pfn * 4096;
    v.setUint32(base + VDSO_RT_SIGRETURN_OFFSET, encode(Op.ADDI, { rd: 17, rs1: 0, imm: 139 }), true);
    v.setUint32(base + VDSO_RT_SIGRETURN_OFFSET + 4, encode(Op.ECALL, {}), true);
    k.mem.wroteFrame(pfn);
    spec = { name: '[vdso]', pages: [pfn] };
    specials.set(k, spec);
  }
  return spec;
}

/** arch_setup_additional_pages: map the vDSO below the mmap base; returns 0 or -errno. */
export function arch_setup_additional_pages(mm: mm_struct): number {
  const spec = vdso_mapping();
  const addr = get_unmapped_area(null, 0, 4096, 0);
  if (addr < 0) return addr;
  const vma = install_special_mapping(mm, addr, 4096, VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC, spec);
  if (typeof vma === 'number') return vma;
  mm.vdso_base = addr;
  return 0;
}
