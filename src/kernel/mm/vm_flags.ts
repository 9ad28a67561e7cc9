/**
 * The flags of a mapping (include/linux/mm.h VM_*), the mmap/mprotect arguments they come from
 * (include/uapi/asm-generic/mman*.h PROT_*, MAP_*), and how they become PTE permission bits
 * (mm/mmap.c vm_get_page_prot over arch/riscv's protection_map).
 */
import { PTE_A, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from '../../cpu/sv39';

export const VM_NONE = 0;
export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_MAYSHARE = 0x80;
export const VM_GROWSDOWN = 0x100;
export const VM_PFNMAP = 0x400;
export const VM_LOCKED = 0x2000;
export const VM_IO = 0x4000;
export const VM_SEQ_READ = 0x8000;
export const VM_RAND_READ = 0x10000;
export const VM_DONTCOPY = 0x20000;
export const VM_DONTEXPAND = 0x40000;
export const VM_LOCKONFAULT = 0x80000;
export const VM_ACCOUNT = 0x100000;
export const VM_NORESERVE = 0x200000;
export const VM_HUGETLB = 0x400000;
export const VM_SYNC = 0x800000;
export const VM_WIPEONFORK = 0x2000000;
export const VM_DONTDUMP = 0x4000000;
export const VM_MIXEDMAP = 0x10000000;
export const VM_HUGEPAGE = 0x20000000;
export const VM_NOHUGEPAGE = 0x40000000;

export const VM_STACK = VM_GROWSDOWN;
/** Two madvise bits a fresh stack never has: marks exec's temporary stack while it moves. */
export const VM_STACK_INCOMPLETE_SETUP = VM_RAND_READ | VM_SEQ_READ;
export const VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
/** Mappings that are never merged or expanded. */
export const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
export const VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;
/** riscv's VM_DATA_DEFAULT_FLAGS (VM_DATA_FLAGS_NON_EXEC): heap and bss. */
export const VM_DATA_DEFAULT_FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
/** The stack's flags: 0x100173 on riscv (VM_SOFTDIRTY is 0 there). */
export const VM_STACK_FLAGS = VM_STACK | VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT;

const FLAG_NAMES: readonly (readonly [number, string])[] = [
  [VM_READ, 'VM_READ'], [VM_WRITE, 'VM_WRITE'], [VM_EXEC, 'VM_EXEC'], [VM_SHARED, 'VM_SHARED'],
  [VM_MAYREAD, 'VM_MAYREAD'], [VM_MAYWRITE, 'VM_MAYWRITE'], [VM_MAYEXEC, 'VM_MAYEXEC'],
  [VM_MAYSHARE, 'VM_MAYSHARE'], [VM_GROWSDOWN, 'VM_GROWSDOWN'], [VM_PFNMAP, 'VM_PFNMAP'],
  [VM_LOCKED, 'VM_LOCKED'], [VM_IO, 'VM_IO'], [VM_SEQ_READ, 'VM_SEQ_READ'], [VM_RAND_READ, 'VM_RAND_READ'],
  [VM_DONTCOPY, 'VM_DONTCOPY'], [VM_DONTEXPAND, 'VM_DONTEXPAND'], [VM_LOCKONFAULT, 'VM_LOCKONFAULT'],
  [VM_ACCOUNT, 'VM_ACCOUNT'], [VM_NORESERVE, 'VM_NORESERVE'], [VM_HUGETLB, 'VM_HUGETLB'],
  [VM_SYNC, 'VM_SYNC'], [VM_WIPEONFORK, 'VM_WIPEONFORK'], [VM_DONTDUMP, 'VM_DONTDUMP'],
  [VM_MIXEDMAP, 'VM_MIXEDMAP'], [VM_HUGEPAGE, 'VM_HUGEPAGE'], [VM_NOHUGEPAGE, 'VM_NOHUGEPAGE'],
];

/** The names of the VM_* bits set in `flags`, lowest bit first. */
export function vm_flags_names(flags: number): string[] {
  return FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
}

/** is_cow_mapping (include/linux/mm.h): private and possibly writable, so writes copy pages. */
export function is_cow_mapping(flags: number): boolean {
  return (flags & (VM_SHARED | VM_MAYWRITE)) === VM_MAYWRITE;
}

// Which VMAs the mm counters count (mm/internal.h).
export function is_exec_mapping(flags: number): boolean {
  return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) === VM_EXEC;
}
export function is_stack_mapping(flags: number): boolean {
  return (flags & VM_STACK) === VM_STACK;
}
export function is_data_mapping(flags: number): boolean {
  return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) === VM_WRITE;
}

/**
 * vm_get_page_prot: the PTE bits of a mapping, from riscv's protection_map. A private writable
 * mapping gets no W (its first write faults and copies — or reuses — the page); a write-only
 * mapping is readable, since Sv39 has no write-only pages. Every PTE is valid, user and
 * accessed (riscv's _PAGE_BASE); PROT_NONE gets no access bits and is never installed.
 */
export function vm_get_page_prot(flags: number): number {
  const r = (flags & VM_READ) !== 0;
  const w = (flags & VM_WRITE) !== 0;
  const x = (flags & VM_EXEC) !== 0;
  if (!r && !w && !x) return 0;
  let bits = PTE_V | PTE_U | PTE_A;
  if (r || w) bits |= PTE_R;
  if (x) bits |= PTE_X;
  if (w && (flags & VM_SHARED) !== 0) bits |= PTE_W;
  return bits;
}

// mmap/mprotect protections (include/uapi/asm-generic/mman-common.h).
export const PROT_NONE = 0x0;
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
export const PROT_SEM = 0x8;
export const PROT_GROWSDOWN = 0x01000000;
export const PROT_GROWSUP = 0x02000000;

// mmap flags (riscv uses the generic values).
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_DROPPABLE = 0x08;
export const MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x0100;
export const MAP_DENYWRITE = 0x0800;
export const MAP_EXECUTABLE = 0x1000;
export const MAP_LOCKED = 0x2000;
export const MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x8000;
export const MAP_NONBLOCK = 0x10000;
export const MAP_STACK = 0x20000;
export const MAP_HUGETLB = 0x40000;
export const MAP_SYNC = 0x80000;
export const MAP_FIXED_NOREPLACE = 0x100000;
export const MAP_UNINITIALIZED = 0x4000000;
/** The flags every file accepts; MAP_SHARED_VALIDATE refuses anything else (include/linux/mman.h). */
export const LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE |
  MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |
  MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB;

/** calc_vm_prot_bits (include/linux/mman.h). */
export function calc_vm_prot_bits(prot: number): number {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

/**
 * calc_vm_flag_bits (include/linux/mman.h). MAP_STACK asks for no transparent huge pages, which
 * Linux 6.12 records as VM_NOHUGEPAGE.
 */
export function calc_vm_flag_bits(flags: number): number {
  return (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) | (flags & MAP_LOCKED ? VM_LOCKED : 0) |
    (flags & MAP_STACK ? VM_NOHUGEPAGE : 0);
}
