/**
 * The memory descriptors of include/linux/mm_types.h: `mm_struct` (one address space) and
 * `vm_area_struct` (one mapping in it). Field names are Linux's so that a student can match what
 * the debugger shows with the kernel source. Behaviour lives in mm/mmap.ts, mm/memory.ts & co.
 */

/** What a file-backed mapping needs from the file it maps (fs/ implements it). */
export interface MappedFile {
  /** The path as the guest sees it — what /proc/<pid>/maps prints. */
  readonly path: string;
  /** Device and inode numbers, for /proc/<pid>/maps; together they name the page cache. */
  readonly dev: number;
  readonly ino: number;
  /** Current size in bytes. */
  size(): number;
  /** Reads up to dst.length bytes at `offset` into dst; returns the bytes read (short at EOF). */
  readAt(dst: Uint8Array, offset: number): number;
  /** Writes src at `offset` (write-back of MAP_SHARED pages, msync). */
  writeAt(src: Uint8Array, offset: number): void;
}

/**
 * Linux's anon_vma: the object that ties the anonymous pages of a VMA to every VMA that may map
 * them (the VMA itself, its split pieces, and its copies in forked children). Forkscope keeps no
 * reverse map, so it only records identity: `root` is the anon_vma of the oldest ancestor, which
 * is how the snapshot shows which VMAs of parent and child descend from the same mapping.
 */
export class anon_vma {
  constructor(
    readonly id: number,
    readonly root: number,
  ) {}
}

/**
 * A mapping whose pages the kernel supplies (`struct vm_special_mapping`): the vDSO. `pages` are
 * frames the kernel owns; the fault handler maps them, and /proc/<pid>/maps prints `name`.
 */
export interface vm_special_mapping {
  readonly name: string;
  readonly pages: readonly number[];
}

export class vm_area_struct {
  /** Covers [vm_start, vm_end). */
  vm_start: number;
  vm_end: number;
  vm_mm: mm_struct;
  /**
   * VM_* flags (mm/vm_flags.ts). Linux also caches the PTE bits they imply in `vm_page_prot`;
   * Forkscope computes them when a PTE is made (memory.ts vma_page_prot), so they never go stale.
   */
  vm_flags: number;
  /**
   * Offset in the file, in pages. For an anonymous mapping Linux keeps the page number of the
   * address it was created at, which decides whether two neighbours may later merge.
   */
  vm_pgoff: number;
  vm_file: MappedFile | null;
  /** Non-null once the mapping has (or may have) anonymous pages: see `anon_vma`. */
  anon_vma: anon_vma | null = null;
  /** Set for special mappings (vm_ops = special_mapping_vmops, vm_private_data = the mapping). */
  vm_special: vm_special_mapping | null = null;

  constructor(mm: mm_struct, start: number, end: number, flags: number, pgoff = 0, file: MappedFile | null = null) {
    this.vm_mm = mm;
    this.vm_start = start;
    this.vm_end = end;
    this.vm_flags = flags;
    this.vm_pgoff = pgoff;
    this.vm_file = file;
  }
}

// What a fault handler returns (include/linux/mm_types.h, enum vm_fault_reason): 0 is success.
export const VM_FAULT_OOM = 0x1;
export const VM_FAULT_SIGBUS = 0x2;
export const VM_FAULT_MAJOR = 0x4;
export const VM_FAULT_SIGSEGV = 0x40;
export const VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV;

// How a fault happened (enum fault_flag).
export const FAULT_FLAG_WRITE = 0x1;
export const FAULT_FLAG_USER = 0x40;
export const FAULT_FLAG_REMOTE = 0x80;
export const FAULT_FLAG_INSTRUCTION = 0x100;

/** Indices of mm_struct.rss_stat (include/linux/mm_types_task.h). */
export const MM_FILEPAGES = 0;
export const MM_ANONPAGES = 1;
export const MM_SWAPENTS = 2;
export const MM_SHMEMPAGES = 3;

// mm_struct.flags bits (include/linux/sched/coredump.h), as masks; combine with `>>> 0`.
/** The OOM reaper is done with this mm; the OOM killer must not pick it again. */
export const MMF_OOM_SKIP = 2 ** 21;
/** get_unmapped_area searches top-down (set by arch_pick_mmap_layout). */
export const MMF_TOPDOWN = 2 ** 31;

export class mm_struct {
  /** A stable number for this mm, so snapshots can say which tasks share it. */
  readonly id: number;
  /**
   * The VMAs in address order. Linux keeps them in a maple tree (`mm_mt`), a B-tree keyed by
   * address range; a sorted array searched by binary search gives the same ordered-range lookups
   * (find_vma, the gap search of get_unmapped_area) at the sizes guests have.
   */
  readonly mmap: vm_area_struct[] = [];
  /** Root page-table frame (Sv39), as loaded into satp. */
  pgd = 0;
  /** Users of the address space (threads, vfork children): mmget/mmput. */
  mm_users = 1;
  /** References to the struct itself (all users count as one, plus lazy-TLB borrowers). */
  mm_count = 1;
  map_count = 0;
  mmap_base = 0;
  task_size = 0;
  /** VM_* flags every new mapping gets (VM_LOCKED after mlockall(MCL_FUTURE)). */
  def_flags = 0;
  total_vm = 0;
  locked_vm = 0;
  pinned_vm = 0;
  data_vm = 0;
  exec_vm = 0;
  stack_vm = 0;
  hiwater_rss = 0;
  hiwater_vm = 0;
  start_code = 0;
  end_code = 0;
  start_data = 0;
  end_data = 0;
  start_brk = 0;
  brk = 0;
  start_stack = 0;
  arg_start = 0;
  arg_end = 0;
  env_start = 0;
  env_end = 0;
  /** The auxiliary vector given to the program, as (type, value) pairs. */
  saved_auxv: number[] = [];
  /** Pages by type: MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES. */
  readonly rss_stat = [0, 0, 0, 0];
  /** Bytes of page-table pages below the root (Linux counts the PMD and PTE levels). */
  pgtables_bytes = 0;
  /** The executable (for /proc/<pid>/exe). */
  exe_file: MappedFile | null = null;
  /** MMF_* flags (MMF_OOM_SKIP, MMF_TOPDOWN…). */
  flags = 0;
  /** Where the vDSO is mapped (Linux's mm->context.vdso); 0 before exec maps it. */
  vdso_base = 0;

  constructor(id: number) {
    this.id = id;
  }
}
