/**
 * Per-mm Sv39 page tables, stored in frames of physical memory (mm/pgtable-generic.c,
 * mm/memory.c's __pte_alloc and free_pgd_range, arch/riscv/include/asm/pgalloc.h).
 *
 * Sv39 has three levels — Linux calls them pgd (the root, 1 GiB per entry), pmd (2 MiB per
 * entry) and pte (4 KiB pages); the p4d and pud levels are folded away. The root is allocated
 * with the mm and freed with it; lower tables are allocated by the first fault below them and
 * freed when nothing can map there any more. `mm.pgtables_bytes` counts the lower tables, as
 * Linux's does (it is part of the OOM killer's badness score).
 */
import { PAGE_SIZE, type PhysMem } from '../../cpu/physmem';
import { makePte, ptePfn, PTE_V, PTRS_PER_TABLE, USER_VA_END, vpnIndex } from '../../cpu/sv39';
import { kernel } from '../kfunc';
import { PAGE_PGTABLE } from './page_alloc';
import type { mm_struct } from './mm_types';

/** Bytes one entry of the root (pgd) and middle (pmd) tables covers. */
export const PGDIR_SIZE = 1 << 30;
export const PMD_SIZE = 1 << 21;

function readEntry(table: number, index: number): number {
  return kernel().mem.view.getUint32(table * PAGE_SIZE + index * 8, true);
}

function writeEntry(table: number, index: number, value: number): void {
  kernel().mem.view.setUint32(table * PAGE_SIZE + index * 8, value, true);
}

/** pgd_alloc: the root table of a new mm; false when no frame is left. */
export function pgd_alloc(mm: mm_struct): boolean {
  const pfn = kernel().pages.alloc_page(PAGE_PGTABLE, true);
  mm.pgd = pfn;
  return pfn !== 0;
}

/** pgd_free: releases the root table (the lower levels are gone already: free_pgtables). */
export function pgd_free(mm: mm_struct): void {
  if (mm.pgd === 0) return;
  kernel().pages.put_page(mm.pgd);
  mm.pgd = 0;
}

/** The physical byte address of the leaf PTE of `vaddr`, or -1 when a table above it is absent. */
export function pte_offset(mm: mm_struct, vaddr: number): number {
  const vpn = Math.floor(vaddr / PAGE_SIZE);
  let table = mm.pgd;
  for (let level = 2; level > 0; level--) {
    const e = readEntry(table, vpnIndex(vpn, level));
    if ((e & PTE_V) === 0) return -1;
    table = ptePfn(e);
  }
  return table * PAGE_SIZE + (vpn & 511) * 8;
}

/**
 * pte_alloc (__pmd_alloc + __pte_alloc): like pte_offset, but allocates the missing tables on
 * the way; -1 only when no frame is left for one.
 */
export function pte_alloc(mm: mm_struct, vaddr: number): number {
  const pages = kernel().pages;
  const vpn = Math.floor(vaddr / PAGE_SIZE);
  let table = mm.pgd;
  for (let level = 2; level > 0; level--) {
    const index = vpnIndex(vpn, level);
    const e = readEntry(table, index);
    if ((e & PTE_V) !== 0) {
      table = ptePfn(e);
      continue;
    }
    const pfn = pages.alloc_page(PAGE_PGTABLE, true);
    if (pfn === 0) return -1;
    mm.pgtables_bytes += PAGE_SIZE;
    // A pointer to the next level: valid, with R, W and X clear.
    writeEntry(table, index, makePte(pfn, PTE_V));
    table = pfn;
  }
  return table * PAGE_SIZE + (vpn & 511) * 8;
}

/** ptep_get: the PTE at physical address `ptep`. */
export function ptep_get(ptep: number): number {
  return kernel().mem.view.getUint32(ptep, true);
}

/** set_pte: stores a PTE (the caller flushes the TLB if access was reduced). */
export function set_pte(ptep: number, pte: number): void {
  kernel().mem.view.setUint32(ptep, pte, true);
}

/** The machine's memory as 32-bit words, by PhysMem (one view each, made on first use). */
const wordViews = new WeakMap<PhysMem, Int32Array>();

/**
 * The machine's memory as 32-bit words, for loops over whole page tables: entry `i` of the
 * table in frame `t` is word `t * 1024 + i * 2` (its low half, which holds the whole PTE:
 * cpu/sv39.ts). Signed words, because V8 keeps int32 in registers where it may have to box a
 * uint32: a PTE read here is negative when its bit 31 is set (frames above 8 GiB), which
 * `ptePfn`'s unsigned shift and the bit tests do not mind. Typed-array elements are in the host's
 * byte order; like the CPU's FP registers (cpu/fpu/bits.ts), this assumes a little-endian host,
 * which is the guest's PTE layout.
 */
export function pte_words(mem: PhysMem): Int32Array {
  let words = wordViews.get(mem);
  if (words === undefined) {
    words = new Int32Array(mem.bytes.buffer, mem.bytes.byteOffset, mem.bytes.byteLength / 4);
    wordViews.set(mem, words);
  }
  return words;
}

/** Words of one page-table frame in pte_words (1024), and words per entry (2). */
export const WORDS_PER_TABLE = PAGE_SIZE / 4;
export const WORDS_PER_PTE = 2;

/**
 * Calls `fn` once for each PTE table under [start, end) that exists — with the table's frame,
 * the range [first, last) of its entries inside [start, end), and the address `first` maps —
 * skipping the ranges whose tables were never allocated (mm/pagewalk.c's walk, one step above
 * the PTEs, so that callers can run a tight loop over each table). A non-zero result of `fn`
 * stops the walk and is returned. (Put the loop over the entries in a function of its own, not
 * in `fn`: V8 runs a loop over variables captured by a closure at half the speed.)
 */
export function walk_pte_tables(mm: mm_struct, start: number, end: number,
  fn: (table: number, first: number, last: number, addr: number) => number): number {
  let addr = start;
  while (addr < end) {
    const vpn = Math.floor(addr / PAGE_SIZE);
    const e2 = readEntry(mm.pgd, vpnIndex(vpn, 2));
    if ((e2 & PTE_V) === 0) {
      addr = (Math.floor(addr / PGDIR_SIZE) + 1) * PGDIR_SIZE;
      continue;
    }
    const e1 = readEntry(ptePfn(e2), vpnIndex(vpn, 1));
    const pmdEnd = Math.min(end, (Math.floor(addr / PMD_SIZE) + 1) * PMD_SIZE);
    if ((e1 & PTE_V) !== 0) {
      const first = vpn & 511;
      const err = fn(ptePfn(e1), first, first + Math.ceil((pmdEnd - addr) / PAGE_SIZE), addr);
      if (err !== 0) return err;
    }
    addr = pmdEnd;
  }
  return 0;
}

/**
 * Calls `fn` for every non-empty PTE of `mm` in [start, end), in address order, skipping the
 * ranges whose tables were never allocated (the page-table walkers of mm/pagewalk.c).
 */
export function walk_ptes(mm: mm_struct, start: number, end: number, fn: (vaddr: number, ptep: number, pte: number) => void): void {
  const words = pte_words(kernel().mem);
  walk_pte_tables(mm, start, end, (table, first, last, addr) => {
    const base = table * WORDS_PER_TABLE;
    for (let i = first; i < last; i++) {
      const pte = words[base + i * WORDS_PER_PTE];
      if (pte !== 0) fn(addr + (i - first) * PAGE_SIZE, table * PAGE_SIZE + i * 8, pte >>> 0);
    }
    return 0;
  });
}

function free_table(mm: mm_struct, pfn: number): void {
  kernel().pages.put_page(pfn);
  mm.pgtables_bytes -= PAGE_SIZE;
}

/**
 * free_pgd_range: frees the page tables under [addr, end) that nothing can use any more — a
 * table is freed when the whole range it covers lies in [floor, ceiling), the hole between the
 * VMAs that remain (ceiling 0 means the top of user space). The PTEs in it must be empty already.
 */
export function free_pgd_range(mm: mm_struct, addr: number, end: number, floor: number, ceiling: number): void {
  const ceil = ceiling === 0 ? USER_VA_END : ceiling;
  const within = (start: number, size: number) => start >= floor && start + size <= ceil;
  for (let g = Math.floor(addr / PGDIR_SIZE); g * PGDIR_SIZE < end; g++) {
    const e2 = readEntry(mm.pgd, g);
    if ((e2 & PTE_V) === 0) continue;
    const pmd = ptePfn(e2);
    const gStart = g * PGDIR_SIZE;
    const whole = within(gStart, PGDIR_SIZE);
    const first = whole ? 0 : Math.floor((Math.max(addr, gStart) - gStart) / PMD_SIZE);
    const last = whole ? PTRS_PER_TABLE : Math.ceil((Math.min(end, gStart + PGDIR_SIZE) - gStart) / PMD_SIZE);
    for (let i = first; i < last; i++) {
      const e1 = readEntry(pmd, i);
      if ((e1 & PTE_V) === 0 || !within(gStart + i * PMD_SIZE, PMD_SIZE)) continue;
      free_table(mm, ptePfn(e1));
      writeEntry(pmd, i, 0);
    }
    if (whole) {
      free_table(mm, pmd);
      writeEntry(mm.pgd, g, 0);
    }
  }
}
