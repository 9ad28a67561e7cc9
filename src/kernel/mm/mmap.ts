/**
 * Creating and removing mappings (mm/mmap.c, and the parts of mm/util.c it leans on): where a
 * new mapping goes (get_unmapped_area, top-down below mmap_base), do_mmap / mmap_region,
 * munmap (do_vmi_munmap with its splits), brk, stack growth (expand_downwards with the guard gap
 * and RLIMIT_STACK), exec's stack move (relocate_vma_down), special mappings, and exit_mmap.
 * Also the mm counters (total_vm, data_vm, exec_vm, stack_vm) and the commit accounting behind
 * VM_ACCOUNT (overcommit in its default "guess" mode).
 */
import { PAGE_SIZE } from '../../cpu/physmem';
import { USER_VA_END } from '../../cpu/sv39';
import { EACCES, EEXIST, EFAULT, EINVAL, ENOMEM, EOPNOTSUPP, EOVERFLOW, EPERM } from '../errno';
import { FMODE_READ, FMODE_WRITE } from '../fs/fs_types';
import { current, kernel, kfunc, klocals, type KGen } from '../kfunc';
import { RLIMIT_AS, RLIMIT_DATA, RLIMIT_STACK } from '../signal_types';
import { PF_RANDOMIZE } from '../task';
import { get_random_u32 } from '../random';
import { free_pgtables, populate_vma_page_range, unmap_vmas } from './memory';
import { type MappedFile, MMF_OOM_SKIP, MMF_TOPDOWN, type mm_struct, vm_area_struct, type vm_special_mapping } from './mm_types';
import { free_pgd_range, pte_alloc, set_pte, walk_ptes } from './pgtable';
import { update_hiwater_rss, update_hiwater_vm } from './rmap';
import { shmem_zero_setup } from './shmem';
import {
  find_vma, find_vma_intersection, split_vma, sysctl_max_map_count, vma_index, vma_is_anonymous,
  vma_link, vma_lookup, vma_merge_new_range, vma_pages, vma_prev, vma_remove, anon_vma_prepare,
} from './vma';
import {
  calc_vm_flag_bits, calc_vm_prot_bits, is_data_mapping, is_exec_mapping, is_stack_mapping, LEGACY_MAP_MASK,
  MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_NONBLOCK, MAP_NORESERVE, MAP_POPULATE,
  MAP_PRIVATE, MAP_SHARED, MAP_SHARED_VALIDATE, MAP_TYPE, PROT_WRITE, VM_ACCOUNT, VM_DATA_DEFAULT_FLAGS, VM_DONTEXPAND,
  VM_EXEC, VM_GROWSDOWN, VM_IO, VM_LOCKED, VM_MAYEXEC, VM_MAYREAD, VM_MAYSHARE, VM_MAYWRITE, VM_NORESERVE,
  VM_PFNMAP, VM_SHARED, VM_WRITE, VM_ACCESS_FLAGS,
} from './vm_flags';

/** TASK_SIZE for Sv39: user space is [0, 2^38). */
export const TASK_SIZE = USER_VA_END;
/** riscv's STACK_TOP (DEFAULT_MAP_WINDOW, the whole Sv39 user space). */
export const STACK_TOP = TASK_SIZE;
/** Where bottom-up searches start (riscv: a third of the address space). */
export const TASK_UNMAPPED_BASE = Math.ceil(TASK_SIZE / 3 / PAGE_SIZE) * PAGE_SIZE;
/** vm.mmap_min_addr: no mapping below this without MAP_FIXED. */
export const mmap_min_addr = PAGE_SIZE;
/** The gap kept free below a stack VMA so it cannot silently grow into another mapping (256 pages). */
export const stack_guard_gap = 256 * PAGE_SIZE;
const PMD_SIZE = 2 * 1024 * 1024;
/** The stack rlimit before anyone set one (_STK_LIM). */
const _STK_LIM = 8 * 1024 * 1024;

function page_align(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

/**
 * PAGE_ALIGN of an unsigned long system-call argument: rounding up past 2^64 wraps to 0, as it
 * does in C (a "length" of -100 becomes 0).
 */
export function PAGE_ALIGN(n: number): number {
  const a = page_align(n);
  return a >= 2 ** 64 ? 0 : a;
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

/** rlimit (include/linux/sched/signal.h): the current task's soft limit; Infinity is unlimited. */
export function rlimit(resource: number): number {
  const r = current().signal?.rlim[resource]?.rlim_cur;
  if (r !== undefined) return r;
  return resource === RLIMIT_STACK ? _STK_LIM : Infinity;
}

/**
 * __vm_enough_memory in overcommit "guess" mode (the default): commits `pages` to
 * vm_committed_as, refusing only a single request larger than all of RAM (there is no swap).
 */
export function security_vm_enough_memory_mm(pages: number): number {
  const node = kernel().pages;
  if (pages > node.totalram_pages) return -ENOMEM;
  node.vm_committed_as += pages;
  return 0;
}

/** vm_unacct_memory: gives back committed pages. */
export function vm_unacct_memory(pages: number): void {
  kernel().pages.vm_committed_as -= pages;
}

/** vm_stat_account: total_vm and the exec/stack/data counter the flags fall under. */
export function vm_stat_account(mm: mm_struct, flags: number, npages: number): void {
  mm.total_vm += npages;
  if (is_exec_mapping(flags)) mm.exec_vm += npages;
  else if (is_stack_mapping(flags)) mm.stack_vm += npages;
  else if (is_data_mapping(flags)) mm.data_vm += npages;
}

/** may_expand_vm: would `npages` more of this kind stay within RLIMIT_AS and RLIMIT_DATA? */
export function may_expand_vm(mm: mm_struct, flags: number, npages: number): boolean {
  if (mm.total_vm + npages > rlimit(RLIMIT_AS) / PAGE_SIZE) return false;
  if (is_data_mapping(flags) && mm.data_vm + npages > rlimit(RLIMIT_DATA) / PAGE_SIZE) return false;
  return true;
}

/** vm_start_gap: a stack's start, less the guard gap that must stay free below it. */
function vm_start_gap(vma: vm_area_struct): number {
  if ((vma.vm_flags & VM_GROWSDOWN) === 0) return vma.vm_start;
  return Math.max(0, vma.vm_start - stack_guard_gap);
}

/**
 * vm_unmapped_area: the highest (top-down) or lowest free range of `len` bytes in [low, high),
 * respecting stack guard gaps; its start is a multiple of align_mask+1. -ENOMEM if none.
 */
function vm_unmapped_area(mm: mm_struct, len: number, low: number, high: number, topdown: boolean, align_mask = 0): number {
  low = Math.max(low, mmap_min_addr);
  const v = mm.mmap;
  const gaps = v.length + 1;
  for (let n = 0; n < gaps; n++) {
    const i = topdown ? gaps - 1 - n : n;
    const gap_start = Math.max(low, i > 0 ? v[i - 1].vm_end : 0);
    const gap_end = Math.min(high, i < v.length ? vm_start_gap(v[i]) : TASK_SIZE);
    if (gap_end - gap_start < len + align_mask) continue;
    if (topdown) {
      const addr = gap_end - len;
      return addr - (addr % (align_mask + 1));
    }
    return Math.ceil(gap_start / (align_mask + 1)) * (align_mask + 1);
  }
  return -ENOMEM;
}

/**
 * arch_get_unmapped_area(_topdown): MAP_FIXED takes the address as given; a hint is used when
 * the range is free (guard gaps included); otherwise the highest free range below mmap_base
 * (top-down, falling back to bottom-up above TASK_UNMAPPED_BASE) or the lowest one above it.
 */
function mm_get_unmapped_area(mm: mm_struct, addr: number, len: number, flags: number): number {
  if (len > TASK_SIZE - mmap_min_addr) return -ENOMEM;
  if ((flags & MAP_FIXED) !== 0) return addr;
  if (addr !== 0) {
    addr = page_align(addr);
    const vma = find_vma(mm, addr);
    const prev = vma !== null ? vma_prev(vma) : (mm.mmap[mm.mmap.length - 1] ?? null);
    if (TASK_SIZE - len >= addr && addr >= mmap_min_addr && (vma === null || addr + len <= vm_start_gap(vma)) &&
      (prev === null || addr >= prev.vm_end)) return addr;
  }
  if ((mm.flags & MMF_TOPDOWN) === 0) return vm_unmapped_area(mm, len, mm.mmap_base, TASK_SIZE, false);
  const a = vm_unmapped_area(mm, len, PAGE_SIZE, mm.mmap_base, true);
  return a >= 0 ? a : vm_unmapped_area(mm, len, TASK_UNMAPPED_BASE, TASK_SIZE, false);
}

/**
 * __thp_get_unmapped_area: a large anonymous mapping (a multiple of 2 MiB) is placed on a 2 MiB
 * boundary so transparent huge pages could back it: search for 2 MiB more than needed, then
 * align — top-down, the highest aligned place. 0 when that fails (the caller falls back).
 */
function thp_get_unmapped_area(mm: mm_struct, len: number, flags: number): number {
  const ret = mm_get_unmapped_area(mm, 0, len + PMD_SIZE, flags);
  if (ret < 0) return 0;
  const off_sub = (PMD_SIZE - (ret % PMD_SIZE)) % PMD_SIZE;
  if ((mm.flags & MMF_TOPDOWN) !== 0 && off_sub === 0) return ret + PMD_SIZE;
  return ret + off_sub;
}

/**
 * __get_unmapped_area: where a mapping of `len` bytes goes; the address or -errno (ENOMEM when
 * nothing fits or the range leaves user space, EINVAL for a misaligned MAP_FIXED address).
 */
export function get_unmapped_area(file: MappedFile | null, addr: number, len: number, flags: number): number {
  const mm = current().mm!;
  if (len > TASK_SIZE) return -ENOMEM;
  let a = 0;
  // (With MAP_FIXED at 0 the THP search would find 0 again and keep it: skip it.)
  if (file === null && (flags & (MAP_SHARED | MAP_FIXED)) === 0 && addr === 0 && len % PMD_SIZE === 0) a = thp_get_unmapped_area(mm, len, flags);
  if (a === 0) a = mm_get_unmapped_area(mm, addr, len, flags);
  if (a < 0) return a;
  if (a > TASK_SIZE - len) return -ENOMEM;
  if (a % PAGE_SIZE !== 0) return -EINVAL;
  return a;
}

/** What do_mmap needs of an open file: how it was opened, and its pages (or -ENODEV). */
export interface mmap_file {
  readonly f_mode: number;
  readonly mapping: MappedFile | number;
}

/** accountable_mapping: private writable memory is committed up front (unless MAP_NORESERVE). */
function accountable_mapping(vm_flags: number): boolean {
  return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE;
}

/**
 * do_mmap: checks a mapping request as Linux does and makes it. Returns the address or -errno;
 * `populate` is set when the pages should be faulted in now (MAP_POPULATE, MAP_LOCKED).
 */
export const do_mmap = kfunc('mm/mmap.c', function* do_mmap(file: mmap_file | null, addr: number, len: number, prot: number,
  flags: number, vm_flags: number, pgoff: number, populate: { len: number }): KGen<number> {
  const mm = current().mm!;
  klocals({ addr: hex(addr), len, prot, flags: hex(flags), pgoff });
  populate.len = 0;
  if (len === 0) return -EINVAL;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0) flags |= MAP_FIXED;
  // round_hint_to_min: a hint below mmap_min_addr moves up to it.
  if ((flags & MAP_FIXED) === 0 && addr !== 0 && addr < mmap_min_addr) addr = mmap_min_addr;
  len = page_align(len);
  if (len === 0 || len > TASK_SIZE) return -ENOMEM;
  if (mm.map_count > sysctl_max_map_count) return -ENOMEM;
  vm_flags |= calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) | mm.def_flags | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  addr = get_unmapped_area(file === null ? null : typeof file.mapping === 'number' ? null : file.mapping, addr, len, flags);
  if (addr < 0) return addr;
  if ((flags & MAP_FIXED_NOREPLACE) !== 0 && find_vma_intersection(mm, addr, addr + len) !== null) return -EEXIST;
  let mapped: MappedFile | null = null;
  if (file !== null) {
    // file_mmap_ok: the offset must stay within the largest file size.
    if (pgoff > (2 ** 63 - len) / PAGE_SIZE) return -EOVERFLOW;
    const type = flags & MAP_TYPE;
    if (type !== MAP_SHARED && type !== MAP_SHARED_VALIDATE && type !== MAP_PRIVATE) return -EINVAL;
    if (type !== MAP_PRIVATE) {
      if (type === MAP_SHARED) flags &= LEGACY_MAP_MASK;
      else if ((flags & ~LEGACY_MAP_MASK) !== 0) return -EOPNOTSUPP;
      if ((prot & PROT_WRITE) !== 0 && (file.f_mode & FMODE_WRITE) === 0) return -EACCES;
      vm_flags |= VM_SHARED | VM_MAYSHARE;
      if ((file.f_mode & FMODE_WRITE) === 0) vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
    }
    if ((file.f_mode & FMODE_READ) === 0) return -EACCES;
    if (typeof file.mapping === 'number') return file.mapping;
    if ((vm_flags & VM_GROWSDOWN) !== 0) return -EINVAL;
    mapped = file.mapping;
  } else {
    switch (flags & MAP_TYPE) {
      case MAP_SHARED:
      case MAP_SHARED_VALIDATE:
        if ((vm_flags & VM_GROWSDOWN) !== 0) return -EINVAL;
        pgoff = 0;
        vm_flags |= VM_SHARED | VM_MAYSHARE;
        break;
      case MAP_PRIVATE:
        pgoff = addr / PAGE_SIZE;
        break;
      default:
        return -EINVAL;
    }
  }
  if ((flags & MAP_NORESERVE) !== 0) vm_flags |= VM_NORESERVE;
  addr = yield* mmap_region(mapped, addr, len, vm_flags, pgoff);
  if (addr >= 0 && ((vm_flags & VM_LOCKED) !== 0 || (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE)) populate.len = len;
  return addr;
});

/**
 * mmap_region: puts the new mapping in place — replacing whatever MAP_FIXED covered, charging
 * private writable memory (VM_ACCOUNT), and extending a neighbour instead of making a new VMA
 * when it can.
 */
export const mmap_region = kfunc('mm/mmap.c', function* mmap_region(file: MappedFile | null, addr: number, len: number,
  vm_flags: number, pgoff: number): KGen<number> {
  const mm = current().mm!;
  const end = addr + len;
  const pglen = len / PAGE_SIZE;
  klocals({ addr: hex(addr), end: hex(end), vm_flags: hex(vm_flags) });
  if (!may_expand_vm(mm, vm_flags, pglen) && !may_expand_vm(mm, vm_flags, pglen - count_vma_pages_range(mm, addr, end))) return -ENOMEM;
  if (find_vma_intersection(mm, addr, end) !== null) {
    const err = yield* do_vmi_munmap(mm, addr, len);
    if (err < 0) return err;
  }
  if (accountable_mapping(vm_flags)) {
    if (security_vm_enough_memory_mm(pglen) < 0) return -ENOMEM;
    vm_flags |= VM_ACCOUNT;
  }
  let vma = file === null && (vm_flags & VM_SHARED) !== 0
    ? null
    : vma_merge_new_range(mm, addr, end, { flags: vm_flags, file, pgoff, anon_vma: null });
  if (vma === null) {
    vma = new vm_area_struct(mm, addr, end, vm_flags, pgoff, file);
    if (file === null && (vm_flags & VM_SHARED) !== 0) shmem_zero_setup(vma);
    vma_link(vma);
  }
  vm_stat_account(mm, vm_flags, pglen);
  if ((vm_flags & VM_LOCKED) !== 0) mm.locked_vm += pglen;
  return addr;
});

/** count_vma_pages_range: pages of [addr, end) already mapped (MAP_FIXED replaces them). */
function count_vma_pages_range(mm: mm_struct, addr: number, end: number): number {
  let n = 0;
  for (let i = vma_index(mm, addr); i < mm.mmap.length && mm.mmap[i].vm_start < end; i++) {
    const v = mm.mmap[i];
    n += (Math.min(end, v.vm_end) - Math.max(addr, v.vm_start)) / PAGE_SIZE;
  }
  return n;
}

/**
 * __mm_populate: faults in [start, start+len) now (MAP_POPULATE, MAP_LOCKED); errors are
 * ignored, as they are in Linux — the pages will fault later.
 */
export function* mm_populate(mm: mm_struct, start: number, len: number): KGen<void> {
  const end = start + len;
  for (let i = vma_index(mm, start); i < mm.mmap.length && mm.mmap[i].vm_start < end; i++) {
    const vma = mm.mmap[i];
    if ((vma.vm_flags & (VM_IO | VM_PFNMAP)) !== 0 || (vma.vm_flags & VM_ACCESS_FLAGS) === 0) continue;
    yield* populate_vma_page_range(vma, Math.max(start, vma.vm_start), Math.min(end, vma.vm_end));
  }
}

/**
 * vm_mmap_pgoff (mm/util.c): do_mmap, then populate what MAP_POPULATE asked for. What the ELF
 * loader and the mmap system call use.
 */
export function* vm_mmap_pgoff(file: mmap_file | null, addr: number, len: number, prot: number, flags: number, pgoff: number): KGen<number> {
  const populate = { len: 0 };
  const ret = yield* do_mmap(file, addr, len, prot, flags, 0, pgoff, populate);
  if (ret >= 0 && populate.len > 0) yield* mm_populate(current().mm!, ret, populate.len);
  return ret;
}

/**
 * vm_mmap (mm/util.c): the kernel's own mmap (the ELF loader), with a byte offset. A file given
 * here is mapped as if opened for reading.
 */
export function vm_mmap(file: MappedFile | null, addr: number, len: number, prot: number, flags: number, offset: number): KGen<number> {
  // A mapping is anonymous exactly when no file is given.
  flags = file === null ? flags | MAP_ANONYMOUS : flags & ~MAP_ANONYMOUS;
  return vm_mmap_checked(file === null ? null : { f_mode: FMODE_READ, mapping: file }, addr, len, prot, flags, offset);
}

function* vm_mmap_checked(file: mmap_file | null, addr: number, len: number, prot: number, flags: number, offset: number): KGen<number> {
  if (offset % PAGE_SIZE !== 0) return -EINVAL;
  return yield* vm_mmap_pgoff(file, addr, len, prot, flags, offset / PAGE_SIZE);
}

/**
 * do_vmi_munmap: removes [start, start+len) — splitting the VMAs cut at either end, dropping
 * their pages and page tables, and giving back their accounting. Unmapping a hole is not an
 * error; a misaligned start or a range leaving user space is EINVAL.
 */
export const do_vmi_munmap = kfunc('mm/mmap.c', function* do_vmi_munmap(mm: mm_struct, start: number, len: number): KGen<number> {
  klocals({ start: hex(start), len });
  if (start % PAGE_SIZE !== 0 || start > TASK_SIZE || len > TASK_SIZE - start) return -EINVAL;
  const end = start + page_align(len);
  if (end === start) return -EINVAL;
  const vma = find_vma_intersection(mm, start, end);
  if (vma === null) return 0;
  yield* [];
  return do_vmi_align_munmap(vma, start, end);
});

/** do_vmi_align_munmap: the work of munmap once the first VMA in the range is known. */
export function do_vmi_align_munmap(vma: vm_area_struct, start: number, end: number): number {
  const mm = vma.vm_mm;
  if (start > vma.vm_start) {
    // Keep map_count within its limit after the munmap (a middle cut adds one VMA).
    if (end < vma.vm_end && mm.map_count >= sysctl_max_map_count) return -ENOMEM;
    const err = split_vma(vma, start, true);
    if (err < 0) return err;
  }
  const first = mm.mmap.indexOf(vma);
  const doomed: vm_area_struct[] = [];
  for (let i = first; i < mm.mmap.length && mm.mmap[i].vm_start < end; i++) {
    const v = mm.mmap[i];
    if (v.vm_end > end) {
      const err = split_vma(v, end, false);
      if (err < 0) return err;
    }
    doomed.push(v);
  }
  const floor = first > 0 ? mm.mmap[first - 1].vm_end : 0;
  const ceiling = mm.mmap[first + doomed.length]?.vm_start ?? 0;
  update_hiwater_vm(mm);
  update_hiwater_rss(mm);
  let nr_accounted = 0;
  for (const v of doomed) {
    vm_stat_account(mm, v.vm_flags, -vma_pages(v));
    if ((v.vm_flags & VM_LOCKED) !== 0) mm.locked_vm -= vma_pages(v);
    if ((v.vm_flags & VM_ACCOUNT) !== 0) nr_accounted += vma_pages(v);
  }
  unmap_vmas(doomed, start, end);
  free_pgtables(mm, doomed, floor, ceiling);
  for (const v of doomed) vma_remove(v);
  vm_unacct_memory(nr_accounted);
  return 0;
}

/**
 * sys_brk: moves the program break. Shrinking always works (down to start_brk); growing needs
 * the data rlimit, a free range up to one page below the next mapping's guard gap, and memory.
 * Returns the new break — or the old one when the request is refused.
 */
export const sys_brk = kfunc('mm/mmap.c', function* sys_brk(brk: number): KGen<number> {
  const mm = current().mm!;
  const origbrk = mm.brk;
  klocals({ brk: hex(brk), current: hex(origbrk) });
  if (brk < mm.start_brk || brk > TASK_SIZE) return origbrk;
  // check_data_rlimit
  const rlim = rlimit(RLIMIT_DATA);
  if (rlim !== Infinity && (brk - mm.start_brk) + (mm.end_data - mm.start_data) > rlim) return origbrk;
  const newbrk = page_align(brk);
  const oldbrk = page_align(mm.brk);
  if (oldbrk === newbrk) {
    mm.brk = brk;
    return brk;
  }
  if (brk <= mm.brk) {
    const vma = find_vma_intersection(mm, newbrk, oldbrk);
    if (vma === null) return origbrk;
    mm.brk = brk;
    if (do_vmi_align_munmap(vma, newbrk, oldbrk) < 0) {
      mm.brk = origbrk;
      return origbrk;
    }
    return brk;
  }
  const next = find_vma_intersection(mm, oldbrk, newbrk + PAGE_SIZE + stack_guard_gap);
  if (next !== null && newbrk + PAGE_SIZE > vm_start_gap(next)) return origbrk;
  const prev = oldbrk > mm.start_brk ? vma_lookup(mm, oldbrk - 1) : null;
  if (do_brk_flags(mm, prev, oldbrk, newbrk - oldbrk, 0) < 0) return origbrk;
  mm.brk = brk;
  if ((mm.def_flags & VM_LOCKED) !== 0) yield* mm_populate(mm, oldbrk, newbrk - oldbrk);
  return brk;
});

/**
 * do_brk_flags: anonymous data memory at [addr, addr+len) — the heap, or an ELF bss. Extends
 * `vma` (the VMA ending at addr) when the flags match, else makes a new VMA. Only VM_EXEC may be
 * asked for on top of the data defaults.
 */
export function do_brk_flags(mm: mm_struct, vma: vm_area_struct | null, addr: number, len: number, flags: number): number {
  if ((flags & ~VM_EXEC) !== 0) return -EINVAL;
  flags |= VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm.def_flags;
  const pages = len / PAGE_SIZE;
  if (!may_expand_vm(mm, flags, pages)) return -ENOMEM;
  if (mm.map_count > sysctl_max_map_count) return -ENOMEM;
  if (security_vm_enough_memory_mm(pages) < 0) return -ENOMEM;
  const merged = vma !== null && vma.vm_end === addr && vma.vm_flags === flags && vma.vm_file === null &&
    vma.vm_special === null && vma.vm_pgoff + vma_pages(vma) === addr / PAGE_SIZE;
  if (merged) vma.vm_end = addr + len;
  else vma_link(new vm_area_struct(mm, addr, addr + len, flags, addr / PAGE_SIZE));
  mm.total_vm += pages;
  mm.data_vm += pages;
  if ((flags & VM_LOCKED) !== 0) mm.locked_vm += pages;
  return 0;
}

/**
 * vm_brk_flags: the ELF loader's bss — anonymous memory at a fixed place, replacing whatever
 * was there. `flags` is 0 or VM_EXEC (anything else is EINVAL, as in Linux).
 */
export const vm_brk_flags = kfunc('mm/mmap.c', function* vm_brk_flags(addr: number, request: number, flags: number): KGen<number> {
  const mm = current().mm!;
  const len = page_align(request);
  if (len === 0) return 0;
  if ((flags & ~VM_EXEC) !== 0) return -EINVAL;
  const a = get_unmapped_area(null, addr, len, MAP_FIXED);
  if (a < 0) return a;
  let ret = yield* do_vmi_munmap(mm, addr, len);
  if (ret < 0) return ret;
  const i = vma_index(mm, addr);
  ret = do_brk_flags(mm, mm.mmap[i - 1] ?? null, addr, len, flags);
  if (ret === 0 && (mm.def_flags & VM_LOCKED) !== 0) yield* mm_populate(mm, addr, len);
  return ret;
});

/**
 * acct_stack_growth: may the stack grow to `size` bytes (`grow` more pages)? Address-space
 * limit, RLIMIT_STACK, and the commit charge.
 */
function acct_stack_growth(vma: vm_area_struct, size: number, grow: number): number {
  if (!may_expand_vm(vma.vm_mm, vma.vm_flags, grow)) return -ENOMEM;
  if (size > rlimit(RLIMIT_STACK)) return -ENOMEM;
  if ((vma.vm_flags & VM_ACCOUNT) !== 0 && security_vm_enough_memory_mm(grow) < 0) return -ENOMEM;
  return 0;
}

/**
 * expand_downwards: grows a VM_GROWSDOWN VMA down to `address` — not into the guard gap above
 * an accessible mapping below, not past RLIMIT_STACK. 0 or -errno.
 */
export function expand_downwards(vma: vm_area_struct, address: number): number {
  if ((vma.vm_flags & VM_GROWSDOWN) === 0) return -EFAULT;
  address = Math.floor(address / PAGE_SIZE) * PAGE_SIZE;
  if (address < mmap_min_addr) return -EPERM;
  const prev = vma_prev(vma);
  if (prev !== null && (prev.vm_flags & VM_GROWSDOWN) === 0 && (prev.vm_flags & VM_ACCESS_FLAGS) !== 0 &&
    address - prev.vm_end < stack_guard_gap) return -ENOMEM;
  if (prev !== null && address < prev.vm_end) return -ENOMEM;
  anon_vma_prepare(vma);
  if (address >= vma.vm_start) return 0;
  const size = vma.vm_end - address;
  const grow = (vma.vm_start - address) / PAGE_SIZE;
  if (grow > vma.vm_pgoff) return 0;
  const err = acct_stack_growth(vma, size, grow);
  if (err < 0) return err;
  if ((vma.vm_flags & VM_LOCKED) !== 0) vma.vm_mm.locked_vm += grow;
  vm_stat_account(vma.vm_mm, vma.vm_flags, grow);
  vma.vm_start = address;
  vma.vm_pgoff -= grow;
  return 0;
}

/**
 * expand_stack: the VMA that covers `addr` after growing the stack above it if needed, or null
 * (the address is in no mapping and below no stack, or the stack may not grow that far).
 */
export function expand_stack(mm: mm_struct, addr: number): vm_area_struct | null {
  const vma = find_vma(mm, addr);
  if (vma === null) return null;
  if (vma.vm_start <= addr) return vma;
  if ((vma.vm_flags & VM_GROWSDOWN) === 0) return null;
  return expand_downwards(vma, addr) === 0 ? vma : null;
}

/**
 * insert_vm_struct: links a VMA made by the kernel (exec's first stack). An anonymous VMA's
 * offset becomes its page number, as if mmap had made it.
 */
export function insert_vm_struct(mm: mm_struct, vma: vm_area_struct): number {
  if (find_vma_intersection(mm, vma.vm_start, vma.vm_end) !== null) return -ENOMEM;
  if ((vma.vm_flags & VM_ACCOUNT) !== 0 && security_vm_enough_memory_mm(vma_pages(vma)) < 0) return -ENOMEM;
  if (vma_is_anonymous(vma)) vma.vm_pgoff = vma.vm_start / PAGE_SIZE;
  vma_link(vma);
  return 0;
}

/**
 * move_page_tables: moves the PTEs of [old_addr, old_addr+len) to new_addr — the pages move with
 * them, nothing is copied. Returns the bytes moved (less than len if a table could not be had).
 */
export function move_page_tables(mm: mm_struct, old_addr: number, new_addr: number, len: number): number {
  const k = kernel();
  let failed_at = -1;
  const moves: [number, number, number][] = [];
  walk_ptes(mm, old_addr, old_addr + len, (vaddr, ptep, pte) => moves.push([vaddr, ptep, pte]));
  // Moving down, go up through the range (and the other way round), so no entry overwrites one
  // that has not moved yet when the two ranges overlap.
  if (new_addr > old_addr) moves.reverse();
  for (const [vaddr, ptep, pte] of moves) {
    const dst = pte_alloc(mm, vaddr - old_addr + new_addr);
    if (dst < 0) {
      failed_at = vaddr;
      break;
    }
    set_pte(ptep, 0);
    k.mmu.flushTlbPage(vaddr / PAGE_SIZE);
    set_pte(dst, pte);
  }
  return failed_at < 0 ? len : failed_at - old_addr;
}

/**
 * relocate_vma_down (exec's setup_arg_pages): moves the temporary stack VMA `shift` bytes down —
 * grow it over the destination, move the page tables, free the tables left behind, shrink it.
 */
export function relocate_vma_down(vma: vm_area_struct, shift: number): number {
  const mm = vma.vm_mm;
  const old_start = vma.vm_start;
  const old_end = vma.vm_end;
  const length = old_end - old_start;
  const new_start = old_start - shift;
  const new_end = old_end - shift;
  const prev = vma_prev(vma);
  if (prev !== null && prev.vm_end > new_start) return -EFAULT;
  vma.vm_start = new_start;
  if (move_page_tables(mm, old_start, new_start, length) !== length) return -ENOMEM;
  const i = mm.mmap.indexOf(vma);
  const ceiling = mm.mmap[i + 1]?.vm_start ?? 0;
  if (new_end > old_start) free_pgd_range(mm, new_end, old_end, new_end, ceiling);
  else free_pgd_range(mm, old_start, old_end, new_end, ceiling);
  vma.vm_end = new_end;
  return 0;
}

/**
 * _install_special_mapping: a VMA whose pages are the kernel's own frames (the vDSO). The
 * flags get VM_DONTEXPAND, so it never merges or grows. Returns the VMA or -ENOMEM.
 */
export function install_special_mapping(mm: mm_struct, addr: number, len: number, vm_flags: number, spec: vm_special_mapping): vm_area_struct | number {
  const vma = new vm_area_struct(mm, addr, addr + len, vm_flags | mm.def_flags | VM_DONTEXPAND);
  vma.vm_special = spec;
  if (find_vma_intersection(mm, addr, addr + len) !== null) return -ENOMEM;
  vma_link(vma);
  vm_stat_account(mm, vma.vm_flags, len / PAGE_SIZE);
  return vma;
}

/**
 * exit_mmap: tears the whole address space down when its last user is gone — every page, every
 * page table below the root, every VMA (writing back shared file pages on the way).
 */
export function exit_mmap(mm: mm_struct): void {
  const vmas = [...mm.mmap];
  let nr_accounted = 0;
  unmap_vmas(vmas, 0, TASK_SIZE);
  free_pgd_range(mm, 0, TASK_SIZE, 0, 0);
  for (const v of vmas) {
    if ((v.vm_flags & VM_ACCOUNT) !== 0) nr_accounted += vma_pages(v);
    vma_remove(v);
  }
  vm_unacct_memory(nr_accounted);
  // Nothing is left for the OOM killer or its reaper to free here.
  mm.flags = (mm.flags | MMF_OOM_SKIP) >>> 0;
}

/** mmap_is_legacy: an unlimited stack rlimit means the old bottom-up layout. */
function mmap_is_legacy(rlim_stack: number): boolean {
  return rlim_stack === Infinity;
}

/** riscv's arch_mmap_rnd: 18 random bits of page number (CONFIG_ARCH_MMAP_RND_BITS for Sv39). */
function arch_mmap_rnd(): number {
  return (get_random_u32() & 0x3ffff) * PAGE_SIZE;
}

/**
 * arch_pick_mmap_layout (mm/util.c): top-down below the stack's reserved gap — RLIMIT_STACK plus
 * the guard gap (and the stack's randomization range), clamped to [128 MiB, 5/6 of the space] —
 * or bottom-up from TASK_UNMAPPED_BASE for an unlimited stack.
 */
export function arch_pick_mmap_layout(mm: mm_struct, rlim_stack: number): void {
  const randomize = (current().flags & PF_RANDOMIZE) !== 0;
  const rnd = randomize ? arch_mmap_rnd() : 0;
  if (mmap_is_legacy(rlim_stack)) {
    mm.mmap_base = TASK_UNMAPPED_BASE + rnd;
    mm.flags = (mm.flags & ~MMF_TOPDOWN) >>> 0;
    return;
  }
  let gap = rlim_stack + stack_guard_gap + (randomize ? 0x3ffff * PAGE_SIZE : 0);
  gap = Math.min(Math.max(gap, 128 * 1024 * 1024), Math.floor(STACK_TOP / 6) * 5);
  mm.mmap_base = page_align(STACK_TOP - gap - rnd);
  mm.flags = (mm.flags | MMF_TOPDOWN) >>> 0;
}
