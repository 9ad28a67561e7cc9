/**
 * The bookkeeping done whenever a PTE starts or stops mapping a page (mm/rmap.c's
 * folio_add_*_rmap / folio_remove_rmap and the rss counters of include/linux/mm.h).
 *
 * Linux's rmap also links each page to the VMAs that map it, for reclaim and migration. Forkscope
 * never reclaims or migrates, so only the counts are kept: the page's map count, the "mapped
 * file pages" statistic, and the mm's resident-set counters.
 */
import { PAGE_ANON, PAGE_SHMEM, type pglist_data } from './page_alloc';
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, type mm_struct } from './mm_types';

/** mm_counter: which rss counter a mapped frame counts in. */
export function mm_counter(pages: pglist_data, pfn: number): number {
  const kind = pages.kind[pfn];
  return kind === PAGE_ANON ? MM_ANONPAGES : kind === PAGE_SHMEM ? MM_SHMEMPAGES : MM_FILEPAGES;
}

/** page_add_rmap: one more PTE maps `pfn` (a new anonymous page, a page-cache page, a fork copy). */
export function page_add_rmap(pages: pglist_data, pfn: number): void {
  if (++pages._mapcount[pfn] === 1 && pages.kind[pfn] !== PAGE_ANON) pages.nr_file_mapped++;
}

/** page_remove_rmap: one PTE fewer maps `pfn`. */
export function page_remove_rmap(pages: pglist_data, pfn: number): void {
  if (--pages._mapcount[pfn] === 0 && pages.kind[pfn] !== PAGE_ANON) pages.nr_file_mapped--;
}

/** add_mm_counter: `value` more (or fewer) resident pages of one type. */
export function add_mm_counter(mm: mm_struct, member: number, value: number): void {
  mm.rss_stat[member] += value;
}

/** get_mm_rss: resident pages of the mm (file + anon + shmem). */
export function get_mm_rss(mm: mm_struct): number {
  return mm.rss_stat[MM_FILEPAGES] + mm.rss_stat[MM_ANONPAGES] + mm.rss_stat[MM_SHMEMPAGES];
}

/** update_hiwater_rss: remembers the peak before the rss goes down (unmap, exit). */
export function update_hiwater_rss(mm: mm_struct): void {
  const rss = get_mm_rss(mm);
  if (mm.hiwater_rss < rss) mm.hiwater_rss = rss;
}

/** update_hiwater_vm: the same for total_vm. */
export function update_hiwater_vm(mm: mm_struct): void {
  if (mm.hiwater_vm < mm.total_vm) mm.hiwater_vm = mm.total_vm;
}
