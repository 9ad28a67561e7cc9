/**
 * madvise (mm/madvise.c). What changes something here: MADV_DONTNEED/FREE drop the pages (the
 * next touch reads zeros — or the file again), MADV_REMOVE also drops shared memory's pages,
 * MADV_POPULATE_* fault pages in, and the advice that lives in VMA flags (DONTFORK, WIPEONFORK,
 * DONTDUMP, SEQUENTIAL/RANDOM, [NO]HUGEPAGE) splits and merges VMAs like mprotect does. Advice
 * about caching and reclaim (WILLNEED, COLD, PAGEOUT, MERGEABLE, COLLAPSE) is accepted and has
 * nothing to act on here.
 */
import { PAGE_SIZE } from '../../cpu/physmem';
import { EACCES, EFAULT, EINVAL, ENOMEM } from '../errno';
import { kernel, kfunc, klocals, type KGen } from '../kfunc';
import { file_mapping } from './filemap';
import { populate_vma_page_range, zap_pte_range } from './memory';
import { PAGE_ALIGN } from './mmap';
import { type mm_struct, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, type vm_area_struct } from './mm_types';
import { shmem_file } from './shmem';
import { find_vma, vma_is_anonymous, vma_modify_flags } from './vma';
import {
  VM_DONTCOPY, VM_DONTDUMP, VM_HUGEPAGE, VM_HUGETLB, VM_IO, VM_LOCKED, VM_MAYWRITE, VM_NOHUGEPAGE, VM_PFNMAP,
  VM_RAND_READ, VM_READ, VM_SEQ_READ, VM_SHARED, VM_SPECIAL, VM_WIPEONFORK, VM_WRITE,
} from './vm_flags';

export const MADV_NORMAL = 0;
export const MADV_RANDOM = 1;
export const MADV_SEQUENTIAL = 2;
export const MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
export const MADV_REMOVE = 9;
export const MADV_DONTFORK = 10;
export const MADV_DOFORK = 11;
export const MADV_MERGEABLE = 12;
export const MADV_UNMERGEABLE = 13;
export const MADV_HUGEPAGE = 14;
export const MADV_NOHUGEPAGE = 15;
export const MADV_DONTDUMP = 16;
export const MADV_DODUMP = 17;
export const MADV_WIPEONFORK = 18;
export const MADV_KEEPONFORK = 19;
export const MADV_COLD = 20;
export const MADV_PAGEOUT = 21;
export const MADV_POPULATE_READ = 22;
export const MADV_POPULATE_WRITE = 23;
export const MADV_DONTNEED_LOCKED = 24;
export const MADV_COLLAPSE = 25;

/** madvise_behavior_valid (without memory-failure injection, which Forkscope lacks). */
function madvise_behavior_valid(behavior: number): boolean {
  return (behavior >= MADV_NORMAL && behavior <= MADV_DONTNEED) || (behavior >= MADV_FREE && behavior <= MADV_COLLAPSE);
}

/** The VMA flags the advice asks for, or -EINVAL; null when the advice is not about flags. */
function madvise_new_flags(vma: vm_area_struct, behavior: number): number | null {
  const f = vma.vm_flags;
  switch (behavior) {
    case MADV_NORMAL: return f & ~(VM_RAND_READ | VM_SEQ_READ);
    case MADV_SEQUENTIAL: return (f & ~VM_RAND_READ) | VM_SEQ_READ;
    case MADV_RANDOM: return (f & ~VM_SEQ_READ) | VM_RAND_READ;
    case MADV_DONTFORK: return f | VM_DONTCOPY;
    case MADV_DOFORK: return (f & VM_IO) !== 0 ? -EINVAL : f & ~VM_DONTCOPY;
    case MADV_WIPEONFORK: return vma.vm_file !== null || (f & VM_SHARED) !== 0 ? -EINVAL : f | VM_WIPEONFORK;
    case MADV_KEEPONFORK: return f & ~VM_WIPEONFORK;
    case MADV_DONTDUMP: return f | VM_DONTDUMP;
    case MADV_DODUMP: return (f & VM_SPECIAL) !== 0 ? -EINVAL : f & ~VM_DONTDUMP;
    case MADV_HUGEPAGE: return (f & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
    case MADV_NOHUGEPAGE: return (f & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
    default: return null;
  }
}

/**
 * MADV_REMOVE: punches a hole in shared memory — the range is unmapped from every process that
 * maps it (unmap_mapping_range) and its pages leave the cache, so the next touch reads zeros.
 * Only shared writable file mappings qualify. (For a host file the hole is not punched in the
 * file itself; its pages are only unmapped.)
 */
function madvise_remove(vma: vm_area_struct, start: number, end: number): number {
  const file = vma.vm_file;
  if ((vma.vm_flags & VM_LOCKED) !== 0 || file === null) return -EINVAL;
  if ((vma.vm_flags & (VM_SHARED | VM_MAYWRITE)) !== (VM_SHARED | VM_MAYWRITE)) return -EACCES;
  const mapping = file_mapping(file)!;
  const first = vma.vm_pgoff + (start - vma.vm_start) / PAGE_SIZE;
  const last = first + (end - start) / PAGE_SIZE;
  for (const v of mapping.i_mmap) {
    if ((v.vm_flags & VM_SHARED) === 0) continue;
    const from = Math.max(first, v.vm_pgoff);
    const to = Math.min(last, v.vm_pgoff + (v.vm_end - v.vm_start) / PAGE_SIZE);
    if (from < to) zap_pte_range(v, v.vm_start + (from - v.vm_pgoff) * PAGE_SIZE, v.vm_start + (to - v.vm_pgoff) * PAGE_SIZE);
  }
  if (!(file instanceof shmem_file)) return 0;
  const pages = kernel().pages;
  for (const [pgoff, pfn] of mapping.i_pages) {
    if (pgoff < first || pgoff >= last) continue;
    mapping.i_pages.delete(pgoff);
    pages.put_page(pfn);
  }
  return 0;
}

/** madvise_vma_behavior: applies the advice to [start, end) of one VMA. */
function* madvise_vma_behavior(vma: vm_area_struct, start: number, end: number, behavior: number): KGen<vm_area_struct | number> {
  switch (behavior) {
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
    case MADV_FREE: {
      const forbidden = VM_PFNMAP | VM_HUGETLB | (behavior === MADV_DONTNEED_LOCKED ? 0 : VM_LOCKED);
      if ((vma.vm_flags & forbidden) !== 0) return -EINVAL;
      if (behavior === MADV_FREE && !vma_is_anonymous(vma)) return -EINVAL;
      zap_pte_range(vma, start, end);
      return vma;
    }
    case MADV_REMOVE: {
      const r = madvise_remove(vma, start, end);
      return r < 0 ? r : vma;
    }
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE: {
      const write = behavior === MADV_POPULATE_WRITE;
      if ((vma.vm_flags & (VM_IO | VM_PFNMAP)) !== 0 || (vma.vm_flags & (write ? VM_WRITE : VM_READ)) === 0) return -EINVAL;
      const ret = yield* populate_vma_page_range(vma, start, end);
      if ((ret & VM_FAULT_OOM) !== 0) return -ENOMEM;
      if ((ret & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)) !== 0) return -EFAULT;
      return vma;
    }
  }
  const flags = madvise_new_flags(vma, behavior);
  if (flags === null) return vma;
  if (flags < 0) return flags;
  if (flags === vma.vm_flags) return vma;
  const r = vma_modify_flags(vma, start, end, flags);
  if (typeof r === 'number') return r;
  r.vm_flags = flags;
  return r;
}

/**
 * do_madvise: madvise(start, len, behavior). The range may have holes: the advice is applied to
 * what is mapped and the call then fails with ENOMEM, as in Linux.
 */
export const do_madvise = kfunc('mm/madvise.c', function* do_madvise(mm: mm_struct, start: number, len_in: number, behavior: number): KGen<number> {
  klocals({ start: '0x' + start.toString(16), len: len_in, behavior });
  if (!madvise_behavior_valid(behavior)) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  const len = PAGE_ALIGN(len_in);
  if (len_in !== 0 && len === 0) return -EINVAL;
  const end = start + len;
  if (end >= 2 ** 64) return -EINVAL;
  if (end === start) return 0;
  let unmapped_error = 0;
  let vma = find_vma(mm, start);
  for (;;) {
    if (vma === null) return -ENOMEM;
    if (start < vma.vm_start) {
      unmapped_error = -ENOMEM;
      start = vma.vm_start;
      if (start >= end) break;
    }
    const tmp = Math.min(end, vma.vm_end);
    const r = yield* madvise_vma_behavior(vma, start, tmp, behavior);
    if (typeof r === 'number') return r;
    start = Math.max(tmp, r.vm_end);
    if (start >= end) break;
    vma = find_vma(mm, start);
  }
  return unmapped_error;
});
