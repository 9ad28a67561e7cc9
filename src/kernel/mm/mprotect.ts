/**
 * Changing the protection of mappings (mm/mprotect.c): mprotect splits the VMAs at the ends of
 * the range (or merges pieces with neighbours that now match), checks each change against the
 * VM_MAY* bits, charges memory that becomes private and writable, and rewrites the PTEs —
 * flushing the TLB, since access may have been taken away.
 */
import { PAGE_SIZE } from '../../cpu/physmem';
import { ptePfn, PTE_COW, PTE_R, PTE_W, PTE_X } from '../../cpu/sv39';
import { EACCES, EINVAL, ENOMEM } from '../errno';
import { kernel, kfunc, klocals, type KGen } from '../kfunc';
import { vma_page_prot } from './memory';
import { may_expand_vm, PAGE_ALIGN, security_vm_enough_memory_mm, vm_stat_account, vm_unacct_memory } from './mmap';
import type { mm_struct, vm_area_struct } from './mm_types';
import { set_pte, walk_ptes } from './pgtable';
import { find_vma_intersection, vma_is_anonymous, vma_modify_flags } from './vma';
import {
  calc_vm_prot_bits, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP, PROT_READ, PROT_SEM, PROT_WRITE, VM_ACCESS_FLAGS,
  VM_ACCOUNT, VM_GROWSDOWN, VM_HUGETLB, VM_NORESERVE, VM_SHARED, VM_WRITE,
} from './vm_flags';

/**
 * change_protection (change_pte_range): gives the present PTEs of [start, end) the VMA's new
 * permissions. A private page may become writable at once only if this mm alone holds it and
 * it is anonymous (can_change_pte_writable); shared copy-on-write pages stay read-only.
 */
function change_protection(vma: vm_area_struct, start: number, end: number): void {
  const k = kernel();
  const pages = k.pages;
  const prot = vma_page_prot(vma);
  const perm = PTE_R | PTE_W | PTE_X;
  const writable = (vma.vm_flags & VM_WRITE) !== 0;
  const shared = (vma.vm_flags & VM_SHARED) !== 0;
  walk_ptes(vma.vm_mm, start, end, (vaddr, ptep, pte) => {
    const pfn = ptePfn(pte);
    let n = (pte & ~perm) | (prot & perm);
    if (!shared && writable && (pte & PTE_COW) === 0 && pages.page_anon(pfn) && pages._refcount[pfn] === 1) n |= PTE_W;
    if (n !== pte) {
      set_pte(ptep, n);
      k.mmu.flushTlbPage(vaddr / PAGE_SIZE);
    }
  });
}

/**
 * mprotect_fixup: gives [start, end) of `vma` the flags `newflags`. Returns the VMA that now
 * covers the range (after a split or merge), or -errno.
 */
export function mprotect_fixup(vma: vm_area_struct, start: number, end: number, newflags: number): vm_area_struct | number {
  const mm = vma.vm_mm;
  const oldflags = vma.vm_flags;
  if (newflags === oldflags) return vma;
  const nrpages = (end - start) / PAGE_SIZE;
  let charged = 0;
  if ((newflags & VM_WRITE) !== 0) {
    // Memory that becomes data must fit RLIMIT_DATA; private memory becoming writable is charged.
    if (!may_expand_vm(mm, newflags, nrpages) && may_expand_vm(mm, oldflags, nrpages)) return -ENOMEM;
    if ((oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE)) === 0) {
      if (security_vm_enough_memory_mm(nrpages) < 0) return -ENOMEM;
      charged = nrpages;
      newflags |= VM_ACCOUNT;
    }
  } else if ((oldflags & VM_ACCOUNT) !== 0 && vma_is_anonymous(vma) && vma.anon_vma === null) {
    newflags &= ~VM_ACCOUNT;
  }
  const target = vma_modify_flags(vma, start, end, newflags);
  if (typeof target === 'number') {
    vm_unacct_memory(charged);
    return target;
  }
  target.vm_flags = newflags;
  change_protection(target, start, end);
  if ((oldflags & VM_ACCOUNT) !== 0 && (newflags & VM_ACCOUNT) === 0) vm_unacct_memory(nrpages);
  vm_stat_account(mm, oldflags, -nrpages);
  vm_stat_account(mm, newflags, nrpages);
  return target;
}

/**
 * do_mprotect_pkey: mprotect(start, len, prot). The range must be mapped without holes
 * (ENOMEM), the new access must be allowed by every VMA's VM_MAY* bits (EACCES), and
 * PROT_GROWSDOWN extends the range down to the start of a stack VMA.
 */
export const do_mprotect_pkey = kfunc('mm/mprotect.c', function* do_mprotect_pkey(mm: mm_struct, start: number, len: number, prot: number): KGen<number> {
  klocals({ start: '0x' + start.toString(16), len, prot });
  const grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
  prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
  if (grows === (PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if (len === 0) return 0;
  const end = start + PAGE_ALIGN(len);
  if (end <= start) return -ENOMEM;
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) !== 0) return -EINVAL;
  let vma = find_vma_intersection(mm, start, end);
  if (vma === null) return -ENOMEM;
  if ((grows & PROT_GROWSDOWN) !== 0) {
    start = vma.vm_start;
    if ((vma.vm_flags & VM_GROWSDOWN) === 0) return -EINVAL;
  } else {
    if (vma.vm_start > start) return -ENOMEM;
    // No riscv VMA grows up.
    if ((grows & PROT_GROWSUP) !== 0) return -EINVAL;
  }
  let tmp = vma.vm_start;
  let nstart = start;
  let error = 0;
  while (vma !== null && vma.vm_start < end) {
    if (vma.vm_start !== tmp) {
      error = -ENOMEM;
      break;
    }
    const newflags = calc_vm_prot_bits(prot) | (vma.vm_flags & ~VM_ACCESS_FLAGS);
    // The VM_MAY* bits sit 4 above the bits they allow.
    if ((newflags & ~(newflags >> 4) & VM_ACCESS_FLAGS) !== 0) {
      error = -EACCES;
      break;
    }
    tmp = Math.min(vma.vm_end, end);
    const r = mprotect_fixup(vma, nstart, tmp, newflags);
    if (typeof r === 'number') {
      error = r;
      break;
    }
    nstart = tmp;
    const i = mm.mmap.indexOf(r);
    vma = mm.mmap[i + 1] ?? null;
  }
  if (error === 0 && tmp < end) error = -ENOMEM;
  yield* [];
  return error;
});
