/**
 * Page faults, copy-on-write, and tearing down mappings (mm/memory.c).
 *
 * `handle_mm_fault` is where every fault on a valid address ends up — from the CPU (fault.ts),
 * from a system call touching user memory (uaccess.ts), from MAP_POPULATE. It walks (and
 * builds) the page tables and decides by the PTE: an empty one needs a page (the zero page or a
 * fresh zeroed frame for anonymous memory; the page cache for a file, copied for a private
 * write); a present read-only one hit by a write is copy-on-write (`do_wp_page`: reuse the frame
 * if this mm is its only user, else copy it).
 *
 * fork copies page tables, never pages (`copy_page_range`); munmap and exit drop them
 * (`zap_pte_range`), giving each frame back when its last reference goes.
 */
import { PAGE_SIZE } from '../../cpu/physmem';
import { makePte, ptePfn, PTE_A, PTE_COW, PTE_D, PTE_V, PTE_W } from '../../cpu/sv39';
import { ENOMEM } from '../errno';
import type { Mmu } from '../kernel';
import { current, kernel, kfunc, klocals, type KGen } from '../kfunc';
import { trace } from '../trace';
import { filemap_fault } from './filemap';
import {
  FAULT_FLAG_WRITE, MM_ANONPAGES, type mm_struct, VM_FAULT_ERROR, VM_FAULT_OOM, VM_FAULT_SIGBUS,
  type vm_area_struct,
} from './mm_types';
import { PAGE_ANON, PAGE_FILE, PG_dirty, type pglist_data } from './page_alloc';
import {
  free_pgd_range, pte_alloc, pte_offset, pte_words, ptep_get, set_pte, walk_pte_tables, WORDS_PER_PTE, WORDS_PER_TABLE,
} from './pgtable';
import { add_mm_counter, mm_counter, page_add_rmap, page_remove_rmap } from './rmap';
import { shmem_file } from './shmem';
import { anon_vma_prepare, vma_is_anonymous } from './vma';
import { is_cow_mapping, VM_MAYSHARE, VM_SHARED, VM_WRITE, vm_get_page_prot } from './vm_flags';

/** `struct vm_fault`: what the fault handlers pass down. */
interface vm_fault {
  readonly vma: vm_area_struct;
  /** The faulting address, rounded down to its page. */
  readonly address: number;
  readonly flags: number;
  /** The page of the file (or of the anonymous mapping) at `address`. */
  readonly pgoff: number;
  /** Physical address of the PTE, and the value it had. */
  readonly ptep: number;
  readonly orig_pte: number;
}

/**
 * vma_wants_writenotify: shared writable file mappings start read-only, so the first write to a
 * page faults and marks it dirty for write-back. Shared anonymous memory has no write-back.
 */
function vma_wants_writenotify(vma: vm_area_struct): boolean {
  return (vma.vm_flags & (VM_SHARED | VM_WRITE)) === (VM_SHARED | VM_WRITE) && vma.vm_file !== null &&
    !(vma.vm_file instanceof shmem_file);
}

/** vma->vm_page_prot: the PTE bits for this VMA's pages (vma_set_page_prot). */
export function vma_page_prot(vma: vm_area_struct): number {
  const prot = vm_get_page_prot(vma.vm_flags);
  return vma_wants_writenotify(vma) ? prot & ~PTE_W : prot;
}

/** maybe_mkwrite: a written page becomes writable if the VMA allows writes. */
function maybe_mkwrite(pte: number, vma: vm_area_struct): number {
  return (vma.vm_flags & VM_WRITE) !== 0 ? pte | PTE_W : pte;
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

/**
 * handle_mm_fault: resolves a fault at `address` inside `vma`; 0 or VM_FAULT_* bits. Counts the
 * fault for the task (min_flt) when it succeeds, as mm_account_fault does.
 */
export const handle_mm_fault = kfunc('mm/memory.c', function* handle_mm_fault(vma: vm_area_struct, address: number, flags: number): KGen<number> {
  klocals({ address: hex(address), write: (flags & FAULT_FLAG_WRITE) !== 0 });
  const ret = yield* __handle_mm_fault(vma, address, flags);
  if ((ret & VM_FAULT_ERROR) === 0) current().min_flt++;
  return ret;
});

/** __handle_mm_fault: allocates the page-table levels down to the PTE, then handle_pte_fault. */
const __handle_mm_fault = kfunc('mm/memory.c', function* __handle_mm_fault(vma: vm_area_struct, address: number, flags: number): KGen<number> {
  const page = Math.floor(address / PAGE_SIZE) * PAGE_SIZE;
  const ptep = pte_alloc(vma.vm_mm, page);
  if (ptep < 0) return VM_FAULT_OOM;
  const vmf: vm_fault = {
    vma, address: page, flags, ptep, orig_pte: ptep_get(ptep),
    pgoff: vma.vm_pgoff + (page - vma.vm_start) / PAGE_SIZE,
  };
  return yield* handle_pte_fault(vmf);
});

/**
 * handle_pte_fault: an empty PTE needs a page; a write to a present read-only one is
 * copy-on-write; anything else was a stale TLB entry (a spurious fault) and only needs the
 * accessed/dirty bits and a TLB flush.
 */
const handle_pte_fault = kfunc('mm/memory.c', function* handle_pte_fault(vmf: vm_fault): KGen<number> {
  const pte = vmf.orig_pte;
  if ((pte & PTE_V) === 0) {
    if (vma_is_anonymous(vmf.vma)) return yield* do_anonymous_page(vmf);
    return yield* do_fault(vmf);
  }
  let entry = pte | PTE_A;
  if ((vmf.flags & FAULT_FLAG_WRITE) !== 0) {
    if ((pte & PTE_W) === 0) return yield* do_wp_page(vmf);
    entry |= PTE_D;
  }
  if (entry !== pte) set_pte(vmf.ptep, entry);
  kernel().mmu.flushTlbPage(vmf.address / PAGE_SIZE);
  return 0;
});

/**
 * do_anonymous_page: first touch of anonymous memory. A read maps the shared zero page
 * read-only (no memory used yet); a write takes a fresh zeroed frame.
 */
const do_anonymous_page = kfunc('mm/memory.c', function* do_anonymous_page(vmf: vm_fault): KGen<number> {
  const vma = vmf.vma;
  const k = kernel();
  if ((vma.vm_flags & VM_SHARED) !== 0) return VM_FAULT_SIGBUS;
  if ((vmf.flags & FAULT_FLAG_WRITE) === 0) {
    set_pte(vmf.ptep, makePte(k.pages.zero_pfn, vma_page_prot(vma) & ~PTE_W));
    klocals({ page: 'zero page' });
    return 0;
  }
  anon_vma_prepare(vma);
  const pfn = k.pages.alloc_page(PAGE_ANON, true);
  if (pfn === 0) return VM_FAULT_OOM;
  klocals({ pfn });
  add_mm_counter(vma.vm_mm, MM_ANONPAGES, 1);
  page_add_rmap(k.pages, pfn);
  set_pte(vmf.ptep, maybe_mkwrite(makePte(pfn, vma_page_prot(vma) | PTE_D), vma));
  return 0;
});

/**
 * __do_fault: the page behind a file or special mapping at vmf.pgoff, with a reference for the
 * caller; or -VM_FAULT_* when there is none.
 */
function* __do_fault(vmf: vm_fault): KGen<number> {
  const special = vmf.vma.vm_special;
  if (special !== null) {
    const pfn = special.pages[vmf.pgoff - vmf.vma.vm_pgoff];
    if (pfn === undefined) return -VM_FAULT_SIGBUS;
    kernel().pages.get_page(pfn);
    return pfn;
  }
  return yield* filemap_fault(vmf.vma, vmf.pgoff);
}

/** finish_fault for a page-cache (or special) page: map it and count it. */
function map_file_page(vmf: vm_fault, pfn: number, pte: number): void {
  const pages = kernel().pages;
  add_mm_counter(vmf.vma.vm_mm, mm_counter(pages, pfn), 1);
  page_add_rmap(pages, pfn);
  set_pte(vmf.ptep, pte);
}

/** do_fault: an empty PTE in a file-backed mapping. */
const do_fault = kfunc('mm/memory.c', function* do_fault(vmf: vm_fault): KGen<number> {
  if ((vmf.flags & FAULT_FLAG_WRITE) === 0) return yield* do_read_fault(vmf);
  if ((vmf.vma.vm_flags & VM_SHARED) === 0) return yield* do_cow_fault(vmf);
  return yield* do_shared_fault(vmf);
});

/** do_read_fault: map the file's page as the VMA allows, minus write (private: copy on write). */
const do_read_fault = kfunc('mm/memory.c', function* do_read_fault(vmf: vm_fault): KGen<number> {
  const pfn = yield* __do_fault(vmf);
  if (pfn < 0) return -pfn;
  klocals({ pfn });
  let prot = vma_page_prot(vmf.vma);
  if (is_cow_mapping(vmf.vma.vm_flags)) prot &= ~PTE_W;
  map_file_page(vmf, pfn, makePte(pfn, prot));
  return 0;
});

/** do_cow_fault: a write to a private file mapping: a private copy of the file's page. */
const do_cow_fault = kfunc('mm/memory.c', function* do_cow_fault(vmf: vm_fault): KGen<number> {
  const vma = vmf.vma;
  const pages = kernel().pages;
  anon_vma_prepare(vma);
  const cow = pages.alloc_page(PAGE_ANON, false);
  if (cow === 0) return VM_FAULT_OOM;
  const pfn = yield* __do_fault(vmf);
  if (pfn < 0) {
    pages.put_page(cow);
    return -pfn;
  }
  pages.copy_page(cow, pfn);
  pages.put_page(pfn);
  klocals({ file_pfn: pfn, pfn: cow });
  add_mm_counter(vma.vm_mm, MM_ANONPAGES, 1);
  page_add_rmap(pages, cow);
  set_pte(vmf.ptep, maybe_mkwrite(makePte(cow, vma_page_prot(vma) | PTE_D), vma));
  return 0;
});

/** do_shared_fault: a write to a shared mapping writes the page cache itself, now dirty. */
const do_shared_fault = kfunc('mm/memory.c', function* do_shared_fault(vmf: vm_fault): KGen<number> {
  const pfn = yield* __do_fault(vmf);
  if (pfn < 0) return -pfn;
  klocals({ pfn });
  kernel().pages.flags[pfn] |= PG_dirty;
  map_file_page(vmf, pfn, maybe_mkwrite(makePte(pfn, vma_page_prot(vmf.vma) | PTE_D), vmf.vma));
  return 0;
});

/**
 * do_wp_page: a write to a present, write-protected page. Shared mappings just become writable
 * (the page is now dirty). A private anonymous page this mm alone holds is reused in place;
 * anything else — a page shared with a fork, the zero page, a file page — is copied.
 */
const do_wp_page = kfunc('mm/memory.c', function* do_wp_page(vmf: vm_fault): KGen<number> {
  const vma = vmf.vma;
  const pages = kernel().pages;
  const pfn = ptePfn(vmf.orig_pte);
  klocals({ pfn, refcount: pages._refcount[pfn] });
  if ((vma.vm_flags & (VM_SHARED | VM_MAYSHARE)) !== 0) {
    pages.flags[pfn] |= PG_dirty;
    return yield* wp_page_reuse(vmf, false);
  }
  if (pages.page_anon(pfn) && pages._refcount[pfn] === 1) return yield* wp_page_reuse(vmf, true);
  return yield* wp_page_copy(vmf);
});

/** wp_page_reuse: the PTE becomes writable, young and dirty; the frame stays. */
const wp_page_reuse = kfunc('mm/memory.c', function* wp_page_reuse(vmf: vm_fault, anon: boolean): KGen<number> {
  const pfn = ptePfn(vmf.orig_pte);
  set_pte(vmf.ptep, maybe_mkwrite((vmf.orig_pte | PTE_A | PTE_D) & ~PTE_COW, vmf.vma));
  // riscv's update_mmu_cache: the old read-only translation may still be cached.
  kernel().mmu.flushTlbPage(vmf.address / PAGE_SIZE);
  if (anon) trace('cow_break', current(), { address: hex(vmf.address), old_pfn: pfn, new_pfn: pfn, reuse: true });
  return 0;
});

/**
 * wp_page_copy: the faulting mm gets its own copy of the page (zero-filled for the zero page);
 * the old frame loses this mapping and one reference — its last sharer will later reuse it.
 */
const wp_page_copy = kfunc('mm/memory.c', function* wp_page_copy(vmf: vm_fault): KGen<number> {
  const vma = vmf.vma;
  const pages = kernel().pages;
  const old = ptePfn(vmf.orig_pte);
  const zero = old === pages.zero_pfn;
  anon_vma_prepare(vma);
  const pfn = pages.alloc_page(PAGE_ANON, zero);
  if (pfn === 0) return VM_FAULT_OOM;
  if (!zero) pages.copy_page(pfn, old);
  klocals({ old_pfn: old, new_pfn: pfn });
  const mm = vma.vm_mm;
  if (!zero && !pages.page_anon(old)) add_mm_counter(mm, mm_counter(pages, old), -1);
  if (zero || !pages.page_anon(old)) add_mm_counter(mm, MM_ANONPAGES, 1);
  // ptep_clear_flush, then the new writable, dirty PTE.
  set_pte(vmf.ptep, 0);
  kernel().mmu.flushTlbPage(vmf.address / PAGE_SIZE);
  page_add_rmap(pages, pfn);
  set_pte(vmf.ptep, maybe_mkwrite(makePte(pfn, vma_page_prot(vma) | PTE_D), vma));
  if (!zero) {
    page_remove_rmap(pages, old);
    pages.put_page(old);
  }
  trace('cow_break', current(), { address: hex(vmf.address), old_pfn: old, new_pfn: pfn, reuse: false });
  return 0;
});

/**
 * vma_needs_copy: fork copies the PTEs only of VMAs with anonymous pages; the child refaults
 * the rest (file pages, shared memory) from the page cache.
 */
function vma_needs_copy(src: vm_area_struct): boolean {
  return src.anon_vma !== null;
}

/**
 * copy_page_range (copy_pte_range / copy_present_pte): gives the child's VMA the parent's PTEs.
 * In a copy-on-write mapping, a writable PTE is write-protected in both, and anonymous pages are
 * marked PTE_COW; every frame gains a reference and a mapping. No page is copied. The child's
 * PTEs start old (A clear), and clean in shared mappings. The caller flushes the parent's TLB.
 *
 * This is the part of fork whose cost grows with the memory the parent has touched, so it goes a
 * whole PTE table at a time, as Linux's copy_pte_range does: one page-table walk per table on
 * each side, then copy_ptes's loop over the table's words; the rss counters are added at the end.
 */
export function copy_page_range(dst: vm_area_struct, src: vm_area_struct): number {
  if (!vma_needs_copy(src)) return 0;
  const k = kernel();
  const words = pte_words(k.mem);
  const cow = is_cow_mapping(src.vm_flags);
  // The bits the child's copy of a PTE loses: it starts old, and clean in a shared mapping.
  const childClear = PTE_A | ((src.vm_flags & VM_SHARED) !== 0 ? PTE_D : 0);
  const rss = [0, 0, 0, 0];
  const err = walk_pte_tables(src.vm_mm, src.vm_start, src.vm_end, (table, first, last, addr) => {
    // The child gets a table only where the parent has a page to share (its page tables count
    // in pgtables_bytes and the OOM score).
    if (!any_present(words, table, first, last)) return 0;
    const dptep = pte_alloc(dst.vm_mm, addr);
    if (dptep < 0) return -ENOMEM;
    copy_ptes(words, k.pages, table, Math.floor(dptep / PAGE_SIZE), first, last, cow, childClear, rss);
    return 0;
  });
  for (let member = 0; member < rss.length; member++) add_mm_counter(dst.vm_mm, member, rss[member]);
  return err;
}

/** Is any of entries [first, last) of PTE table `table` present? */
function any_present(words: Int32Array, table: number, first: number, last: number): boolean {
  const base = table * WORDS_PER_TABLE;
  for (let i = first; i < last; i++) if ((words[base + i * WORDS_PER_PTE] & PTE_V) !== 0) return true;
  return false;
}

/**
 * copy_present_pte for entries [first, last) of PTE table `src` into the same entries of the
 * (empty) table `dst`, adding the pages to `rss` by mm counter. Called for up to 512 entries at
 * a time, it reads and writes only typed arrays and locals: get_page and page_add_rmap are
 * written out — page_add_rmap without its first-mapping case, which cannot happen here, since
 * the parent's PTE maps the page already — and only anonymous pages, nearly all of those a fork
 * copies, are counted in the loop; the few others are counted after it (count_other_pages),
 * because a call in the loop, even one not taken, slowed it by a sixth.
 */
function copy_ptes(words: Int32Array, pages: pglist_data, src: number, dst: number, first: number, last: number,
  cow: boolean, childClear: number, rss: number[]): void {
  const { _refcount, _mapcount, kind, zero_pfn } = pages;
  const from = src * WORDS_PER_TABLE;
  const to = dst * WORDS_PER_TABLE;
  let mapped = 0;
  let anonPages = 0;
  for (let i = first * WORDS_PER_PTE; i < last * WORDS_PER_PTE; i += WORDS_PER_PTE) {
    let pte = words[from + i];
    if ((pte & PTE_V) === 0) continue;
    const pfn = ptePfn(pte);
    if (pfn !== zero_pfn) {
      const anon = kind[pfn] === PAGE_ANON;
      _refcount[pfn]++;
      _mapcount[pfn]++;
      mapped++;
      if (anon) anonPages++;
      if (cow && ((pte & PTE_W) !== 0 || anon)) {
        pte = (pte & ~PTE_W) | (anon ? PTE_COW : 0);
        words[from + i] = pte;
      }
    }
    words[to + i] = pte & ~childClear;
  }
  rss[MM_ANONPAGES] += anonPages;
  if (mapped !== anonPages) count_other_pages(words, pages, src, first, last, rss);
}

/** Adds the page-cache and shmem pages that entries [first, last) of PTE table `table` map to `rss`. */
function count_other_pages(words: Int32Array, pages: pglist_data, table: number, first: number, last: number, rss: number[]): void {
  const base = table * WORDS_PER_TABLE;
  for (let i = first; i < last; i++) {
    const pte = words[base + i * WORDS_PER_PTE];
    const pfn = ptePfn(pte);
    if ((pte & PTE_V) !== 0 && pfn !== pages.zero_pfn && !pages.page_anon(pfn)) rss[mm_counter(pages, pfn)]++;
  }
}

/** Up to this many zapped PTEs are flushed from the TLB one by one; more, and it is flushed whole. */
const ZAP_FLUSH_PAGES = 64;

/**
 * zap_pte_range: clears the PTEs of [start, end) in `vma`; each page loses a mapping and a
 * reference (the last frees it), and a dirty PTE of a page-cache page makes the page dirty.
 * Exit and munmap of a large mapping spend their time here: like copy_page_range, it runs a
 * loop per PTE table (zap_ptes) and adds the rss counters once.
 */
export function zap_pte_range(vma: vm_area_struct, start: number, end: number): void {
  const k = kernel();
  const words = pte_words(k.mem);
  const rss = [0, 0, 0, 0];
  let zapped = 0;
  walk_pte_tables(vma.vm_mm, start, end, (table, first, last, addr) => {
    zapped = zap_ptes(words, k.pages, k.mmu, table, first, last, addr, zapped, rss);
    return 0;
  });
  for (let member = 0; member < rss.length; member++) add_mm_counter(vma.vm_mm, member, -rss[member]);
  if (zapped > ZAP_FLUSH_PAGES) k.mmu.flushTlb();
}

/**
 * Clears entries [first, last) of PTE table `table`, the first of which maps `addr`, adding the
 * pages they mapped to `rss`; `zapped` counts the PTEs cleared so far, and the new count is
 * returned (the first ZAP_FLUSH_PAGES are flushed from the TLB here).
 */
function zap_ptes(words: Int32Array, pages: pglist_data, mmu: Mmu, table: number, first: number, last: number, addr: number,
  zapped: number, rss: number[]): number {
  const base = table * WORDS_PER_TABLE;
  let anonPages = 0;
  for (let i = first; i < last; i++) {
    const pte = words[base + i * WORDS_PER_PTE];
    if (pte === 0) continue;
    words[base + i * WORDS_PER_PTE] = 0;
    if (++zapped <= ZAP_FLUSH_PAGES) mmu.flushTlbPage(addr / PAGE_SIZE + i - first);
    const pfn = ptePfn(pte);
    if ((pte & PTE_V) === 0 || pfn === pages.zero_pfn) continue;
    const kind = pages.kind[pfn];
    if (kind === PAGE_ANON) anonPages++;
    else {
      if ((pte & PTE_D) !== 0 && kind === PAGE_FILE) pages.flags[pfn] |= PG_dirty;
      rss[mm_counter(pages, pfn)]++;
    }
    page_remove_rmap(pages, pfn);
    pages.put_page(pfn);
  }
  rss[MM_ANONPAGES] += anonPages;
  return zapped;
}

/** unmap_vmas: zaps every VMA of `vmas`, within [start, end). */
export function unmap_vmas(vmas: readonly vm_area_struct[], start: number, end: number): void {
  for (const vma of vmas) zap_pte_range(vma, Math.max(start, vma.vm_start), Math.min(end, vma.vm_end));
}

/**
 * free_pgtables: frees the page tables under `vmas` (contiguous, already zapped) that no other
 * VMA can need: `floor` is the end of the VMA below them, `ceiling` the start of the one above
 * (0: none).
 */
export function free_pgtables(mm: mm_struct, vmas: readonly vm_area_struct[], floor: number, ceiling: number): void {
  if (vmas.length === 0) return;
  free_pgd_range(mm, vmas[0].vm_start, vmas[vmas.length - 1].vm_end, floor, ceiling);
}

/**
 * populate_vma_page_range (via faultin_page): faults in every page of [start, end) as an access
 * would — writing for a private writable mapping, so that copy-on-write is broken now. Stops at
 * the first failure and returns its VM_FAULT_* bits (0 when all went well).
 */
export function* populate_vma_page_range(vma: vm_area_struct, start: number, end: number): KGen<number> {
  const write = (vma.vm_flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
  const need = PTE_V | (write ? PTE_W : 0);
  for (let addr = start; addr < end; addr += PAGE_SIZE) {
    const ptep = pte_offset(vma.vm_mm, addr);
    if (ptep >= 0 && (ptep_get(ptep) & need) === need) continue;
    const ret = yield* handle_mm_fault(vma, addr, write ? FAULT_FLAG_WRITE : 0);
    if ((ret & VM_FAULT_ERROR) !== 0) return ret;
  }
  return 0;
}
