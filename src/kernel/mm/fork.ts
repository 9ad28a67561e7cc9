/**
 * The address-space side of fork and of the mm's life cycle (kernel/fork.c: mm_alloc, dup_mm,
 * dup_mmap, mmget/mmput, mmgrab/mmdrop), kept beside the rest of the memory manager.
 *
 * Two counts keep an mm alive, as in Linux: `mm_users` (tasks using the address space — threads,
 * a vfork child; the last mmput tears it down with exit_mmap) and `mm_count` (references to the
 * struct itself — all users together hold one; the last mmdrop frees the root page table).
 */
import { ENOMEM } from '../errno';
import { kernel, kfunc, klocals, type KGen } from '../kfunc';
import type { Task } from '../task';
import { copy_page_range } from './memory';
import { exit_mmap, security_vm_enough_memory_mm, vm_stat_account } from './mmap';
import { MMF_TOPDOWN, mm_struct } from './mm_types';
import { pgd_alloc, pgd_free } from './pgtable';
import { get_mm_rss } from './rmap';
import { anon_vma_alloc, vm_area_dup, vma_link, vma_pages } from './vma';
import { VM_ACCOUNT, VM_DONTCOPY, VM_LOCKED_MASK, VM_WIPEONFORK } from './vm_flags';

/** mm_alloc: a new, empty address space with its root page table; null when memory is out. */
export function mm_alloc(): mm_struct | null {
  const mm = new mm_struct(++kernel().mm_ids);
  if (!pgd_alloc(mm)) return null;
  return mm;
}

/** mmget: one more user of the address space (CLONE_VM). */
export function mmget(mm: mm_struct): void {
  mm.mm_users++;
}

/** mmput: a user is done; the last one tears the address space down (exit_mmap). */
export function mmput(mm: mm_struct): void {
  if (--mm.mm_users > 0) return;
  exit_mmap(mm);
  mm.exe_file = null;
  mmdrop(mm);
}

/** mmgrab: one more reference to the struct (a lazy-TLB borrower, the OOM killer). */
export function mmgrab(mm: mm_struct): void {
  mm.mm_count++;
}

/** mmdrop: drops a reference to the struct; the last one frees its root page table. */
export function mmdrop(mm: mm_struct): void {
  if (--mm.mm_count > 0) return;
  pgd_free(mm);
  kernel().mm_unloaded(mm);
}

/**
 * dup_mmap: copies the parent's VMAs into the child's mm — skipping VM_DONTCOPY ones, charging
 * private writable memory again, giving anonymous VMAs a child anon_vma — and shares their pages
 * copy-on-write (copy_page_range), then flushes the parent's TLB, whose write permissions went.
 */
const dup_mmap = kfunc('kernel/fork.c', function* dup_mmap(mm: mm_struct, oldmm: mm_struct): KGen<number> {
  mm.total_vm = oldmm.total_vm;
  mm.data_vm = oldmm.data_vm;
  mm.exec_vm = oldmm.exec_vm;
  mm.stack_vm = oldmm.stack_vm;
  let err = 0;
  for (const mpnt of oldmm.mmap) {
    if ((mpnt.vm_flags & VM_DONTCOPY) !== 0) {
      vm_stat_account(mm, mpnt.vm_flags, -vma_pages(mpnt));
      continue;
    }
    if ((mpnt.vm_flags & VM_ACCOUNT) !== 0 && security_vm_enough_memory_mm(vma_pages(mpnt)) < 0) {
      err = -ENOMEM;
      break;
    }
    const tmp = vm_area_dup(mpnt, mm);
    tmp.vm_flags &= ~VM_LOCKED_MASK;
    // anon_vma_fork: the child's anonymous pages get their own anon_vma, in the parent's family.
    // VM_WIPEONFORK gets a clean slate instead: no anon_vma, no pages.
    tmp.anon_vma = (tmp.vm_flags & VM_WIPEONFORK) !== 0 || mpnt.anon_vma === null ? null : anon_vma_alloc(mpnt.anon_vma);
    vma_link(tmp);
    if ((tmp.vm_flags & VM_WIPEONFORK) === 0) err = copy_page_range(tmp, mpnt);
    if (err < 0) break;
  }
  // flush_tlb_mm(oldmm): the parent's PTEs lost their write permission.
  kernel().mmu.flushTlb();
  klocals({ vmas: mm.map_count, err });
  yield* [];
  return err;
});

/**
 * dup_mm: the child's copy of the parent's address space for fork without CLONE_VM. The
 * scalar fields are copied (Linux copies the whole struct, then resets the counts); null when
 * memory runs out, with everything already built given back.
 */
export const dup_mm = kfunc('kernel/fork.c', function* dup_mm(tsk: Task, oldmm: mm_struct): KGen<mm_struct | null> {
  const mm = mm_alloc();
  if (mm === null) return null;
  klocals({ pid: tsk.pid, oldmm: oldmm.id, mm: mm.id });
  mm.mmap_base = oldmm.mmap_base;
  mm.task_size = oldmm.task_size;
  mm.def_flags = oldmm.def_flags;
  mm.flags = (oldmm.flags & MMF_TOPDOWN) >>> 0;
  mm.start_code = oldmm.start_code;
  mm.end_code = oldmm.end_code;
  mm.start_data = oldmm.start_data;
  mm.end_data = oldmm.end_data;
  mm.start_brk = oldmm.start_brk;
  mm.brk = oldmm.brk;
  mm.start_stack = oldmm.start_stack;
  mm.arg_start = oldmm.arg_start;
  mm.arg_end = oldmm.arg_end;
  mm.env_start = oldmm.env_start;
  mm.env_end = oldmm.env_end;
  mm.saved_auxv = [...oldmm.saved_auxv];
  mm.exe_file = oldmm.exe_file;
  mm.vdso_base = oldmm.vdso_base;
  const err = yield* dup_mmap(mm, oldmm);
  if (err < 0) {
    mmput(mm);
    return null;
  }
  mm.hiwater_rss = get_mm_rss(mm);
  mm.hiwater_vm = mm.total_vm;
  return mm;
});
