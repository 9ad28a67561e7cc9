/**
 * Plain-data views of the memory manager (design.md: one snapshot schema for the webview, the
 * debugger, `forkscope run --dump` and tests): an mm's fields, its VMAs with their flags by
 * name, a walk of its page tables (every present page, its frame, PTE bits, the frame's
 * reference and map counts, copy-on-write marking), which frames several mms share, and the
 * machine's physical memory use. Everything returned is JSON-able and detached from the kernel.
 */
import { PAGE_SIZE } from '../../cpu/physmem';
import { ptePfn, PTE_A, PTE_COW, PTE_D, PTE_G, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from '../../cpu/sv39';
import { kernel } from '../kfunc';
import { vma_page_prot } from './memory';
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS, type mm_struct, type vm_area_struct } from './mm_types';
import { PAGE_FREE, PAGE_KIND_NAMES } from './page_alloc';
import { walk_ptes } from './pgtable';
import { vm_flags_names } from './vm_flags';

export interface vma_view {
  vm_start: number;
  vm_end: number;
  vm_flags: number;
  flags: string[];
  vm_pgoff: number;
  /** The mapped file's path (or a special mapping's name), else null. */
  file: string | null;
  dev: number;
  ino: number;
  /** [heap] or [stack] when the VMA covers them. */
  name: string | null;
  anon_vma: { id: number; root: number } | null;
  /** The PTE bits this VMA's pages get, as letters (see pte_bits). */
  page_prot: string;
}

export interface page_view {
  vaddr: number;
  pfn: number;
  pte: number;
  /** PTE bits as letters: V R W X U G A D, and C for the software copy-on-write bit. */
  bits: string;
  refcount: number;
  mapcount: number;
  cow: boolean;
  /** What the frame holds: anon, file, shmem, kernel, or reserved (the zero page). */
  kind: string;
  zero_page: boolean;
}

export interface mm_view {
  id: number;
  pgd: number;
  mm_users: number;
  mm_count: number;
  map_count: number;
  mmap_base: number;
  task_size: number;
  total_vm: number;
  locked_vm: number;
  pinned_vm: number;
  data_vm: number;
  exec_vm: number;
  stack_vm: number;
  hiwater_rss: number;
  hiwater_vm: number;
  start_code: number;
  end_code: number;
  start_data: number;
  end_data: number;
  start_brk: number;
  brk: number;
  start_stack: number;
  arg_start: number;
  arg_end: number;
  env_start: number;
  env_end: number;
  rss: { file: number; anon: number; swapents: number; shmem: number };
  pgtables_bytes: number;
  flags: number;
  vmas: vma_view[];
  pages: page_view[];
}

export interface physmem_view {
  page_size: number;
  total_frames: number;
  free: number;
  /** Frames by what they hold (free, reserved, anon, file, shmem, pagetable, kernel). */
  by_kind: Record<string, number>;
  file_mapped: number;
  committed_as: number;
  zero_pfn: number;
}

const PTE_LETTERS: readonly [number, string][] = [
  [PTE_V, 'V'], [PTE_R, 'R'], [PTE_W, 'W'], [PTE_X, 'X'], [PTE_U, 'U'], [PTE_G, 'G'], [PTE_A, 'A'], [PTE_D, 'D'], [PTE_COW, 'C'],
];

/** A PTE's bits as letters, '-' for a clear bit: "VR-XU-A--". */
export function pte_bits(pte: number): string {
  return PTE_LETTERS.map(([bit, c]) => ((pte & bit) !== 0 ? c : '-')).join('');
}

/** vma_is_initial_heap / vma_is_initial_stack (include/linux/mm.h): note the strict heap bounds. */
function vma_label(mm: mm_struct, vma: vm_area_struct): string | null {
  if (vma.vm_start < mm.brk && vma.vm_end > mm.start_brk) return '[heap]';
  if (vma.vm_start <= mm.start_stack && vma.vm_end >= mm.start_stack) return '[stack]';
  return null;
}

export function vma_snapshot(vma: vm_area_struct): vma_view {
  const f = vma.vm_file;
  return {
    vm_start: vma.vm_start, vm_end: vma.vm_end, vm_flags: vma.vm_flags, flags: vm_flags_names(vma.vm_flags),
    vm_pgoff: vma.vm_pgoff, file: f?.path ?? vma.vm_special?.name ?? null, dev: f?.dev ?? 0, ino: f?.ino ?? 0,
    name: vma_label(vma.vm_mm, vma),
    anon_vma: vma.anon_vma === null ? null : { id: vma.anon_vma.id, root: vma.anon_vma.root },
    page_prot: pte_bits(vma_page_prot(vma)),
  };
}

/** Every present page of the mm, in address order. */
export function pages_snapshot(mm: mm_struct): page_view[] {
  const pages = kernel().pages;
  const out: page_view[] = [];
  if (mm.pgd === 0) return out;
  for (const vma of mm.mmap) {
    walk_ptes(mm, vma.vm_start, vma.vm_end, (vaddr, _ptep, pte) => {
      if ((pte & PTE_V) === 0) return;
      const pfn = ptePfn(pte);
      out.push({
        vaddr, pfn, pte, bits: pte_bits(pte), refcount: pages._refcount[pfn], mapcount: pages._mapcount[pfn],
        cow: (pte & PTE_COW) !== 0, kind: PAGE_KIND_NAMES[pages.kind[pfn]], zero_page: pfn === pages.zero_pfn,
      });
    });
  }
  return out;
}

export function mm_snapshot(mm: mm_struct): mm_view {
  return {
    id: mm.id, pgd: mm.pgd, mm_users: mm.mm_users, mm_count: mm.mm_count, map_count: mm.map_count,
    mmap_base: mm.mmap_base, task_size: mm.task_size, total_vm: mm.total_vm, locked_vm: mm.locked_vm,
    pinned_vm: mm.pinned_vm, data_vm: mm.data_vm, exec_vm: mm.exec_vm, stack_vm: mm.stack_vm,
    hiwater_rss: mm.hiwater_rss, hiwater_vm: mm.hiwater_vm, start_code: mm.start_code, end_code: mm.end_code,
    start_data: mm.start_data, end_data: mm.end_data, start_brk: mm.start_brk, brk: mm.brk,
    start_stack: mm.start_stack, arg_start: mm.arg_start, arg_end: mm.arg_end, env_start: mm.env_start,
    env_end: mm.env_end,
    rss: {
      file: mm.rss_stat[MM_FILEPAGES], anon: mm.rss_stat[MM_ANONPAGES], swapents: mm.rss_stat[MM_SWAPENTS],
      shmem: mm.rss_stat[MM_SHMEMPAGES],
    },
    pgtables_bytes: mm.pgtables_bytes, flags: mm.flags,
    vmas: mm.mmap.map(vma_snapshot), pages: pages_snapshot(mm),
  };
}

/**
 * The frames mapped by more than one of the given mms, with the mms that map them — what the
 * webview draws as pages shared copy-on-write (or through MAP_SHARED) between tasks.
 */
export function shared_frames(mms: readonly mm_struct[]): { pfn: number; mms: number[]; cow: boolean }[] {
  const byPfn = new Map<number, { pfn: number; mms: number[]; cow: boolean }>();
  const zero = kernel().pages.zero_pfn;
  for (const mm of mms) {
    for (const p of pages_snapshot(mm)) {
      if (p.pfn === zero) continue;
      const e = byPfn.get(p.pfn) ?? { pfn: p.pfn, mms: [], cow: false };
      if (!e.mms.includes(mm.id)) e.mms.push(mm.id);
      e.cow ||= p.cow;
      byPfn.set(p.pfn, e);
    }
  }
  return [...byPfn.values()].filter((e) => e.mms.length > 1).sort((a, b) => a.pfn - b.pfn);
}

export function physmem_snapshot(): physmem_view {
  const pages = kernel().pages;
  const by_kind: Record<string, number> = {};
  PAGE_KIND_NAMES.forEach((name, i) => { by_kind[name] = pages.nr_kind[i]; });
  return {
    page_size: PAGE_SIZE, total_frames: pages.nr_frames, free: pages.nr_kind[PAGE_FREE], by_kind,
    file_mapped: pages.nr_file_mapped, committed_as: pages.vm_committed_as, zero_pfn: pages.zero_pfn,
  };
}
