/**
 * The page cache (mm/filemap.c): the pages of mapped files, shared by every mapping of the same
 * file (named by device and inode, as Linux's inode->i_mapping is), read through
 * `MappedFile.readAt` on the first fault and written back with `writeAt` when they are dirty —
 * at msync, and when the last mapping of the file goes away.
 *
 * `i_mmap` lists the VMAs that map the file (Linux's interval tree of the same name): write-back
 * walks their PTEs to collect the dirty bits the CPU set. A file's cache is dropped, after
 * write-back, when its last VMA is unmapped — Forkscope has no reclaim that could drop it later,
 * and this keeps every frame accounted to someone.
 */
import { PAGE_SIZE } from '../../cpu/physmem';
import { ptePfn, PTE_D } from '../../cpu/sv39';
import { kernel, kfunc, klocals, type KGen } from '../kfunc';
import { type MappedFile, VM_FAULT_OOM, VM_FAULT_SIGBUS, type vm_area_struct } from './mm_types';
import { PAGE_FILE, PAGE_SHMEM, PG_dirty } from './page_alloc';
import { set_pte, walk_ptes } from './pgtable';
import { shmem_file } from './shmem';
import { VM_SHARED } from './vm_flags';

/** `struct address_space`: one file's cached pages and the VMAs that map it. */
export class address_space {
  /** Page index in the file → frame. The cache holds one reference on each frame. */
  readonly i_pages = new Map<number, number>();
  readonly i_mmap = new Set<vm_area_struct>();

  constructor(
    readonly key: string,
    readonly host: MappedFile,
  ) {}

  get shmem(): boolean {
    return this.host instanceof shmem_file;
  }
}

/** A file as the page cache names it: by device and inode. */
type file_id = Pick<MappedFile, 'dev' | 'ino'>;

function mapping_key(file: file_id): string {
  return file instanceof shmem_file ? `shmem:${file.ino}` : `${file.dev}:${file.ino}`;
}

/** The page cache of `file`, if some VMA maps it. */
export function file_mapping(file: file_id): address_space | undefined {
  return kernel().pages.page_cache.get(mapping_key(file));
}

/** vma_link_file: a new VMA maps its file (adds it to i_mmap, creating the cache if needed). */
export function vma_link_file(vma: vm_area_struct): void {
  const file = vma.vm_file;
  if (file === null) return;
  const cache = kernel().pages.page_cache;
  const key = mapping_key(file);
  let mapping = cache.get(key);
  if (mapping === undefined) {
    mapping = new address_space(key, file);
    cache.set(key, mapping);
  }
  mapping.i_mmap.add(vma);
}

/**
 * unlink_file_vma: a VMA no longer maps its file. With the last one gone, dirty pages are written
 * back and the cache is released.
 */
export function unlink_file_vma(vma: vm_area_struct): void {
  const file = vma.vm_file;
  if (file === null) return;
  const mapping = file_mapping(file);
  if (mapping === undefined) return;
  mapping.i_mmap.delete(vma);
  if (mapping.i_mmap.size > 0) return;
  filemap_write_and_wait_range(mapping, 0, Infinity);
  const pages = kernel().pages;
  for (const pfn of mapping.i_pages.values()) pages.put_page(pfn);
  kernel().pages.page_cache.delete(mapping.key);
}

/**
 * filemap_fault: the page `pgoff` of the VMA's file, read into the cache on first use. Returns
 * the frame with a reference for the caller, or -VM_FAULT_SIGBUS beyond the end of the file (a
 * page that is partly inside reads as the file's bytes, then zeros), or -VM_FAULT_OOM.
 */
export const filemap_fault = kfunc('mm/filemap.c', function* filemap_fault(vma: vm_area_struct, pgoff: number): KGen<number> {
  const file = vma.vm_file!;
  const mapping = file_mapping(file)!;
  const pages = kernel().pages;
  klocals({ file: file.path, pgoff });
  let pfn = mapping.i_pages.get(pgoff);
  if (pfn === undefined) {
    const size = file.size();
    if (pgoff >= Math.ceil(size / PAGE_SIZE)) return -VM_FAULT_SIGBUS;
    pfn = pages.alloc_page(mapping.shmem ? PAGE_SHMEM : PAGE_FILE, false);
    if (pfn === 0) return -VM_FAULT_OOM;
    const frame = kernel().mem.bytes.subarray(pfn * PAGE_SIZE, (pfn + 1) * PAGE_SIZE);
    const n = file.readAt(frame, pgoff * PAGE_SIZE);
    frame.fill(0, Math.max(0, n));
    kernel().mem.wroteFrame(pfn);
    mapping.i_pages.set(pgoff, pfn);
  }
  pages.get_page(pfn);
  return pfn;
});

/** Is page `pgoff` of the file in the cache (mincore)? */
export function filemap_page_cached(file: MappedFile, pgoff: number): boolean {
  return file_mapping(file)?.i_pages.has(pgoff) ?? false;
}

/**
 * folio_mkclean for every page of [start, end) (page indices): moves the dirty bits the CPU set in
 * the shared mappings' PTEs to the pages, and clears them so the next write is seen again.
 */
function collect_pte_dirty(mapping: address_space, start: number, end: number): void {
  const k = kernel();
  for (const vma of mapping.i_mmap) {
    if ((vma.vm_flags & VM_SHARED) === 0) continue;
    const first = Math.max(start, vma.vm_pgoff);
    const last = Math.min(end, vma.vm_pgoff + (vma.vm_end - vma.vm_start) / PAGE_SIZE);
    if (first >= last) continue;
    const from = vma.vm_start + (first - vma.vm_pgoff) * PAGE_SIZE;
    const to = vma.vm_start + (last - vma.vm_pgoff) * PAGE_SIZE;
    walk_ptes(vma.vm_mm, from, to, (vaddr, ptep, pte) => {
      if ((pte & PTE_D) === 0) return;
      k.pages.flags[ptePfn(pte)] |= PG_dirty;
      set_pte(ptep, pte & ~PTE_D);
      k.mmu.flushTlbPage(vaddr / PAGE_SIZE);
    });
  }
}

/**
 * filemap_write_and_wait_range: writes the dirty pages of [start, end) (page indices) back to the
 * file — never past its current end, as writeback does not grow files. Shared anonymous memory
 * has nowhere to go and is skipped.
 */
export function filemap_write_and_wait_range(mapping: address_space, start: number, end: number): void {
  if (mapping.shmem) return;
  collect_pte_dirty(mapping, start, end);
  const k = kernel();
  const size = mapping.host.size();
  for (const [pgoff, pfn] of mapping.i_pages) {
    if (pgoff < start || pgoff >= end || (k.pages.flags[pfn] & PG_dirty) === 0) continue;
    k.pages.flags[pfn] &= ~PG_dirty;
    const off = pgoff * PAGE_SIZE;
    const len = Math.min(PAGE_SIZE, size - off);
    if (len > 0) mapping.host.writeAt(k.mem.bytes.subarray(pfn * PAGE_SIZE, pfn * PAGE_SIZE + len), off);
  }
}

/**
 * Coherence with read() and write() of host files. In Linux the page cache is the file, so a
 * read() sees what a MAP_SHARED mapping wrote, and a mapping sees what write() wrote. Forkscope's
 * file systems read and write the host file directly, so they call these around their I/O:
 * `filemap_flush_file` before a read or write (mapped dirty pages reach the file first), and
 * `filemap_refresh_file` after a write (cached pages of the written range are read again).
 */
export function filemap_flush_file(file: file_id): void {
  const mapping = file_mapping(file);
  if (mapping !== undefined) filemap_write_and_wait_range(mapping, 0, Infinity);
}

export function filemap_refresh_file(file: file_id, pos: number, len: number): void {
  const mapping = file_mapping(file);
  if (mapping === undefined || mapping.shmem || len <= 0) return;
  const k = kernel();
  const first = Math.floor(pos / PAGE_SIZE);
  const last = Math.ceil((pos + len) / PAGE_SIZE);
  for (const [pgoff, pfn] of mapping.i_pages) {
    if (pgoff < first || pgoff >= last) continue;
    const frame = k.mem.bytes.subarray(pfn * PAGE_SIZE, (pfn + 1) * PAGE_SIZE);
    const n = mapping.host.readAt(frame, pgoff * PAGE_SIZE);
    frame.fill(0, Math.max(0, n));
    k.mem.wroteFrame(pfn);
  }
}
