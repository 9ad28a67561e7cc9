/**
 * The memory descriptors of include/linux/mm_types.h: `mm_struct` (one address space) and
 * `vm_area_struct` (one mapping in it). Field names are Linux's so that a student can match what
 * the debugger shows with the kernel source. Behaviour lives in mm/mmap.ts, mm/memory.ts & co.
 */

/** What a file-backed mapping needs from the file it maps (fs/ implements it). */
export interface MappedFile {
  /** The path as the guest sees it — what /proc/<pid>/maps prints. */
  readonly path: string;
  /** Device and inode numbers, for /proc/<pid>/maps. */
  readonly dev: number;
  readonly ino: number;
  /** Current size in bytes. */
  size(): number;
  /** Reads up to dst.length bytes at `offset` into dst; returns the bytes read (short at EOF). */
  readAt(dst: Uint8Array, offset: number): number;
  /** Writes src at `offset` (write-back of MAP_SHARED pages, msync). */
  writeAt(src: Uint8Array, offset: number): void;
}

export class vm_area_struct {
  /** Covers [vm_start, vm_end). */
  vm_start: number;
  vm_end: number;
  vm_mm: mm_struct;
  /** VM_* flags (mm/vm_flags.ts). */
  vm_flags: number;
  /** Offset in the file, in pages. */
  vm_pgoff: number;
  vm_file: MappedFile | null;
  /**
   * Stand-in for Linux's anon_vma: non-null once the mapping has anonymous (private, written or
   * zero-filled) pages. Forkscope keeps no reverse map; the object only records identity, so that
   * the snapshot can show which VMAs of parent and child descend from the same anon_vma.
   */
  anon_vma: { id: number } | null = null;
  /** A name for special mappings: "[heap]", "[stack]", "[vdso]" (Linux computes these). */
  vm_name: string | null = null;

  constructor(mm: mm_struct, start: number, end: number, flags: number, pgoff = 0, file: MappedFile | null = null) {
    this.vm_mm = mm;
    this.vm_start = start;
    this.vm_end = end;
    this.vm_flags = flags;
    this.vm_pgoff = pgoff;
    this.vm_file = file;
  }
}

/** Indices of mm_struct.rss_stat (include/linux/mm_types_task.h). */
export const MM_FILEPAGES = 0;
export const MM_ANONPAGES = 1;
export const MM_SWAPENTS = 2;
export const MM_SHMEMPAGES = 3;

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
  /** Bytes of page-table pages. */
  pgtables_bytes = 0;
  /** The executable (for /proc/<pid>/exe). */
  exe_file: MappedFile | null = null;
  /** MMF_* flags (MMF_OOM_SKIP…). */
  flags = 0;

  constructor(id: number) {
    this.id = id;
  }
}
