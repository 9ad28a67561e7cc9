/**
 * The VMA tree and the rules for splitting and merging VMAs (mm/vma.c, mm/mmap.c's find_vma).
 *
 * `mm.mmap` stands in for the maple tree (see mm_types.ts): a sorted array searched by binary
 * search. Merging follows Linux 6.12 (vma_merge_new_range, vma_merge_existing_range), so that
 * /proc/<pid>/maps shows the same VMAs after the same calls: two neighbours become one when
 * their flags, file and offsets line up and their anon_vmas are compatible. (Linux also refuses
 * to merge a VMA whose anon_vma chain has several entries after a fork; Forkscope's anon_vma has
 * no chain, so that case merges here.)
 */
import { PAGE_SIZE } from '../../cpu/physmem';
import { ENOMEM } from '../errno';
import { kernel } from '../kfunc';
import { unlink_file_vma, vma_link_file } from './filemap';
import { anon_vma, type MappedFile, type mm_struct, vm_area_struct } from './mm_types';
import { VM_ACCESS_FLAGS, VM_SPECIAL } from './vm_flags';

/** sysctl vm.max_map_count: the most VMAs one mm may have. */
export const sysctl_max_map_count = 65530;

export function vma_pages(vma: vm_area_struct): number {
  return (vma.vm_end - vma.vm_start) / PAGE_SIZE;
}

/** vma_is_anonymous: no file and no special pages behind it. */
export function vma_is_anonymous(vma: vm_area_struct): boolean {
  return vma.vm_file === null && vma.vm_special === null;
}

/** The index of the first VMA that ends above `addr` (mm.mmap.length if none). */
export function vma_index(mm: mm_struct, addr: number): number {
  const v = mm.mmap;
  let lo = 0, hi = v.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v[mid].vm_end > addr) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** find_vma: the first VMA that ends above `addr` — it may start above `addr` too. */
export function find_vma(mm: mm_struct, addr: number): vm_area_struct | null {
  return mm.mmap[vma_index(mm, addr)] ?? null;
}

/** vma_lookup: the VMA that contains `addr`. */
export function vma_lookup(mm: mm_struct, addr: number): vm_area_struct | null {
  const vma = find_vma(mm, addr);
  return vma !== null && vma.vm_start <= addr ? vma : null;
}

/** find_vma_intersection: the first VMA overlapping [start, end). */
export function find_vma_intersection(mm: mm_struct, start: number, end: number): vm_area_struct | null {
  const vma = find_vma(mm, start);
  return vma !== null && vma.vm_start < end ? vma : null;
}

/** The VMA before `vma` in address order (vma_prev), or null. */
export function vma_prev(vma: vm_area_struct): vm_area_struct | null {
  return vma.vm_mm.mmap[vma.vm_mm.mmap.indexOf(vma) - 1] ?? null;
}

/** The VMA after `vma` in address order (vma_next), or null. */
export function vma_next(vma: vm_area_struct): vm_area_struct | null {
  const v = vma.vm_mm.mmap;
  return v[v.indexOf(vma) + 1] ?? null;
}

/** vma_link: puts a VMA into its mm's tree (and its file's i_mmap). */
export function vma_link(vma: vm_area_struct): void {
  const mm = vma.vm_mm;
  mm.mmap.splice(vma_index(mm, vma.vm_start), 0, vma);
  mm.map_count++;
  vma_link_file(vma);
}

/** Takes a VMA out of the tree and releases what it holds (vma_complete's removal, remove_vma). */
export function vma_remove(vma: vm_area_struct): void {
  const mm = vma.vm_mm;
  const i = mm.mmap.indexOf(vma);
  if (i < 0) return;
  mm.mmap.splice(i, 1);
  mm.map_count--;
  unlink_file_vma(vma);
}

/** vm_area_dup: a copy of a VMA's description (for splits and fork); not linked anywhere. */
export function vm_area_dup(vma: vm_area_struct, mm: mm_struct = vma.vm_mm): vm_area_struct {
  const n = new vm_area_struct(mm, vma.vm_start, vma.vm_end, vma.vm_flags, vma.vm_pgoff, vma.vm_file);
  n.anon_vma = vma.anon_vma;
  n.vm_special = vma.vm_special;
  return n;
}

/** A new anon_vma, rooted at `root` (its own id when it starts a new family). */
export function anon_vma_alloc(root?: anon_vma): anon_vma {
  const id = ++kernel().pages.last_anon_vma_id;
  return new anon_vma(id, root?.root ?? id);
}

/**
 * anon_vma_compatible: may `a` and the VMA `b` just above it share one anon_vma? Only their
 * access flags may differ, and their offsets must continue each other.
 */
function anon_vma_compatible(a: vm_area_struct, b: vm_area_struct): boolean {
  return a.vm_end === b.vm_start && a.vm_file === b.vm_file &&
    ((a.vm_flags ^ b.vm_flags) & ~VM_ACCESS_FLAGS) === 0 &&
    b.vm_pgoff === a.vm_pgoff + vma_pages(a);
}

/**
 * anon_vma_prepare: gives a VMA its anon_vma before its first anonymous page. A compatible
 * neighbour's is reused (find_mergeable_anon_vma), so that the two may merge again later.
 */
export function anon_vma_prepare(vma: vm_area_struct): void {
  if (vma.anon_vma !== null) return;
  const prev = vma_prev(vma);
  const next = vma_next(vma);
  if (next !== null && next.anon_vma !== null && anon_vma_compatible(vma, next)) vma.anon_vma = next.anon_vma;
  else if (prev !== null && prev.anon_vma !== null && anon_vma_compatible(prev, vma)) vma.anon_vma = prev.anon_vma;
  else vma.anon_vma = anon_vma_alloc();
}

/** __split_vma: cuts `vma` at `addr`; the new VMA takes the lower part if `new_below`. */
export function split_vma(vma: vm_area_struct, addr: number, new_below: boolean): number {
  if (vma.vm_mm.map_count >= sysctl_max_map_count) return -ENOMEM;
  const n = vm_area_dup(vma);
  if (new_below) {
    n.vm_end = addr;
    vma.vm_pgoff += (addr - vma.vm_start) / PAGE_SIZE;
    vma.vm_start = addr;
  } else {
    n.vm_start = addr;
    n.vm_pgoff += (addr - vma.vm_start) / PAGE_SIZE;
    vma.vm_end = addr;
  }
  vma_link(n);
  return 0;
}

/** What a range would look like as a VMA, for the merge checks (Linux's vma_merge_struct). */
interface merge_candidate {
  flags: number;
  file: MappedFile | null;
  pgoff: number;
  anon_vma: anon_vma | null;
}

function is_mergeable_anon_vma(a: anon_vma | null, b: anon_vma | null): boolean {
  return a === null || b === null || a === b;
}

/** is_mergeable_vma: same flags, same file, no special pages. */
function is_mergeable_vma(vma: vm_area_struct, c: merge_candidate): boolean {
  return vma.vm_flags === c.flags && vma.vm_file === c.file && vma.vm_special === null;
}

/** can_vma_merge_after: may the range be appended to `prev`? */
function can_vma_merge_after(prev: vm_area_struct, c: merge_candidate): boolean {
  return is_mergeable_vma(prev, c) && is_mergeable_anon_vma(c.anon_vma, prev.anon_vma) &&
    prev.vm_pgoff + vma_pages(prev) === c.pgoff;
}

/** can_vma_merge_before: may the range of `pglen` pages be prepended to `next`? */
function can_vma_merge_before(next: vm_area_struct, c: merge_candidate, pglen: number): boolean {
  return is_mergeable_vma(next, c) && is_mergeable_anon_vma(c.anon_vma, next.anon_vma) &&
    next.vm_pgoff === c.pgoff + pglen;
}

/** Moves `from`'s anonymous pages' anon_vma to `to` when `to` takes over part of its range. */
function dup_anon_vma(to: vm_area_struct, from: vm_area_struct): void {
  if (to.anon_vma === null) to.anon_vma = from.anon_vma;
}

/**
 * vma_merge_new_range: tries to cover the empty range [start, end) by extending a neighbour —
 * the VMA ending at `start`, the one starting at `end`, or both (which then become one).
 * Returns the VMA that now covers the range, or null if it must get a VMA of its own.
 */
export function vma_merge_new_range(mm: mm_struct, start: number, end: number, c: merge_candidate): vm_area_struct | null {
  if ((c.flags & VM_SPECIAL) !== 0) return null;
  const i = vma_index(mm, start);
  const prev = mm.mmap[i - 1] ?? null;
  const next = mm.mmap[i] ?? null;
  const pglen = (end - start) / PAGE_SIZE;
  const left = prev !== null && prev.vm_end === start && can_vma_merge_after(prev, c);
  const right = next !== null && next.vm_start === end && can_vma_merge_before(next, c, pglen) &&
    (!left || is_mergeable_anon_vma(prev.anon_vma, next.anon_vma));
  if (left && right) {
    prev.vm_end = next.vm_end;
    dup_anon_vma(prev, next);
    if (prev.anon_vma === null) prev.anon_vma = c.anon_vma;
    vma_remove(next);
    return prev;
  }
  if (left) {
    prev.vm_end = end;
    if (prev.anon_vma === null) prev.anon_vma = c.anon_vma;
    return prev;
  }
  if (right) {
    next.vm_start = start;
    next.vm_pgoff = c.pgoff;
    if (next.anon_vma === null) next.anon_vma = c.anon_vma;
    return next;
  }
  return null;
}

/**
 * vma_merge_existing_range: [start, end) of `vma` is about to get `flags`; if that makes it
 * match a neighbour, the neighbour takes the range over. Returns that neighbour, or null.
 */
function vma_merge_existing_range(vma: vm_area_struct, start: number, end: number, flags: number): vm_area_struct | null {
  const left_side = start === vma.vm_start;
  const right_side = end === vma.vm_end;
  if ((flags & VM_SPECIAL) !== 0 || (!left_side && !right_side)) return null;
  const mm = vma.vm_mm;
  const i = mm.mmap.indexOf(vma);
  const prev = mm.mmap[i - 1] ?? null;
  const next = mm.mmap[i + 1] ?? null;
  const pglen = (end - start) / PAGE_SIZE;
  const c: merge_candidate = {
    flags, file: vma.vm_file, anon_vma: vma.anon_vma,
    pgoff: vma.vm_pgoff + (start - vma.vm_start) / PAGE_SIZE,
  };
  const left = left_side && prev !== null && prev.vm_end === start && vma.vm_special === null && can_vma_merge_after(prev, c);
  const right = right_side && next !== null && next.vm_start === end && vma.vm_special === null &&
    can_vma_merge_before(next, c, pglen) && (!left || is_mergeable_anon_vma(prev.anon_vma, next.anon_vma));
  if (left && right) {
    prev.vm_end = next.vm_end;
    dup_anon_vma(prev, vma);
    dup_anon_vma(prev, next);
    vma_remove(vma);
    vma_remove(next);
    return prev;
  }
  if (left) {
    prev.vm_end = end;
    dup_anon_vma(prev, vma);
    if (right_side) vma_remove(vma);
    else {
      vma.vm_pgoff += pglen;
      vma.vm_start = end;
    }
    return prev;
  }
  if (right) {
    next.vm_start = start;
    next.vm_pgoff = c.pgoff;
    dup_anon_vma(next, vma);
    if (left_side) vma_remove(vma);
    else vma.vm_end = start;
    return next;
  }
  return null;
}

/**
 * vma_modify_flags: makes [start, end) of `vma` a VMA of its own that will get `flags` — by
 * merging it into a neighbour that already matches, or else by splitting `vma` at start and end.
 * The caller sets the flags. Returns that VMA, or -ENOMEM when a split would exceed the map count.
 */
export function vma_modify_flags(vma: vm_area_struct, start: number, end: number, flags: number): vm_area_struct | number {
  const merged = vma_merge_existing_range(vma, start, end, flags);
  if (merged !== null) return merged;
  if (vma.vm_start < start) {
    const err = split_vma(vma, start, true);
    if (err < 0) return err;
  }
  if (vma.vm_end > end) {
    const err = split_vma(vma, end, false);
    if (err < 0) return err;
  }
  return vma;
}
