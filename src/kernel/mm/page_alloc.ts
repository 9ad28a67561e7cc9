/**
 * The physical page allocator (mm/page_alloc.c) over the machine's frames (cpu/physmem.ts).
 *
 * Linux describes every frame with a `struct page` (here: one slot in each of a few typed
 * arrays, so the bookkeeping costs 14 bytes per 4 KiB frame and never allocates) and keeps free
 * frames in buddy lists. Guests only ever ask for single pages, so one free stack stands in for
 * the buddy allocator: the same frame comes back for the same sequence of requests, which keeps
 * runs deterministic. Frame 0 is never handed out; one frame is the shared zero page.
 *
 * `alloc_page` returns 0 when no frame is left — the point where Linux would start reclaim and,
 * failing that, the OOM killer (mm/oom_kill.ts).
 */
import { PAGE_SIZE, PhysMem } from '../../cpu/physmem';
import type { address_space } from './filemap';

/** What a frame holds — Linux tells these apart by page flags and the page's mapping. */
export const PAGE_FREE = 0;
/** Frame 0 and the zero page. */
export const PAGE_RESERVED = 1;
/** Private anonymous memory (PageAnon). */
export const PAGE_ANON = 2;
/** The page cache of a file. */
export const PAGE_FILE = 3;
/** The page cache of shared anonymous memory (shmem). */
export const PAGE_SHMEM = 4;
/** A page-table page. */
export const PAGE_PGTABLE = 5;
/** Kernel-owned memory mapped into user space (the vDSO). */
export const PAGE_KERNEL = 6;
export const PAGE_KIND_NAMES = ['free', 'reserved', 'anon', 'file', 'shmem', 'pagetable', 'kernel'] as const;

/** Page flag: a page-cache page that differs from the file (PG_dirty). */
export const PG_dirty = 0x1;

/** `pg_data_t`: the one memory node of the machine and the state of each of its frames. */
export class pglist_data {
  readonly nr_frames: number;
  /** page->_refcount: references to the frame (mappings, the page cache, the kernel); 0 when free. */
  readonly _refcount: Int32Array;
  /** page_mapcount(): how many PTEs map the frame. */
  readonly _mapcount: Int32Array;
  /** PAGE_* kind of each frame. */
  readonly kind: Uint8Array;
  /** PG_* flags of each frame. */
  readonly flags: Uint8Array;
  /** Free frames, popped from the top. */
  private readonly free_list: Int32Array;
  private nr_free = 0;
  /** Frames per kind (the vmstat counters /proc/meminfo reads). */
  readonly nr_kind = new Int32Array(PAGE_KIND_NAMES.length);
  /** Page-cache frames currently mapped by at least one PTE (NR_FILE_MAPPED). */
  nr_file_mapped = 0;
  /** Pages promised to accountable mappings (vm_committed_as, /proc/meminfo Committed_AS). */
  vm_committed_as = 0;
  /** ZERO_PAGE(0): the frame every never-written anonymous page reads as. */
  readonly zero_pfn: number;
  /**
   * The page caches (inode->i_mapping) of the files mapped now, by "dev:ino" (filemap.ts). A
   * file's cache lives while some VMA maps it; Forkscope has no reclaim to drop it later.
   */
  readonly page_cache = new Map<string, address_space>();
  /** Numbering of anon_vma objects and of shmem inodes (per machine, so runs repeat exactly). */
  last_anon_vma_id = 0;
  last_shmem_ino = 0;

  constructor(readonly mem: PhysMem) {
    const n = mem.nrFrames;
    this.nr_frames = n;
    this._refcount = new Int32Array(n);
    this._mapcount = new Int32Array(n);
    this.kind = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.free_list = new Int32Array(n);
    // Push high frames first so that allocation starts at frame 1.
    for (let pfn = n - 1; pfn >= 1; pfn--) this.free_list[this.nr_free++] = pfn;
    this.kind[0] = PAGE_RESERVED;
    this._refcount[0] = 1;
    this.nr_kind[PAGE_RESERVED] = 1;
    this.nr_kind[PAGE_FREE] = n - 1;
    this.zero_pfn = this.alloc_page(PAGE_RESERVED, true);
  }

  /** totalram_pages(): the frames the allocator manages. */
  get totalram_pages(): number {
    return this.nr_frames - 1;
  }

  /** Free frames now (NR_FREE_PAGES). */
  get nr_free_pages(): number {
    return this.nr_free;
  }

  /**
   * alloc_page: one frame of the given kind with a reference count of 1, zero-filled if asked
   * (__GFP_ZERO); 0 when memory is exhausted.
   */
  alloc_page(kind: number, zero: boolean): number {
    if (this.nr_free === 0) return 0;
    const pfn = this.free_list[--this.nr_free];
    this._refcount[pfn] = 1;
    this._mapcount[pfn] = 0;
    this.flags[pfn] = 0;
    this.kind[pfn] = kind;
    this.nr_kind[PAGE_FREE]--;
    this.nr_kind[kind]++;
    if (zero) this.clear_page(pfn);
    return pfn;
  }

  /** get_page: one more reference. */
  get_page(pfn: number): void {
    this._refcount[pfn]++;
  }

  /** put_page: drops a reference; the last one returns the frame to the free list. */
  put_page(pfn: number): void {
    if (pfn === this.zero_pfn) return;
    if (--this._refcount[pfn] > 0) return;
    if (this._refcount[pfn] < 0) throw new Error(`put_page: frame ${pfn} is already free`);
    this.nr_kind[this.kind[pfn]]--;
    this.nr_kind[PAGE_FREE]++;
    this.kind[pfn] = PAGE_FREE;
    this.free_list[this.nr_free++] = pfn;
  }

  /** clear_page: zero-fills a frame (and tells the CPU its decoded instructions are gone). */
  clear_page(pfn: number): void {
    const off = pfn * PAGE_SIZE;
    this.mem.bytes.fill(0, off, off + PAGE_SIZE);
    this.mem.wroteFrame(pfn);
  }

  /** copy_user_highpage: copies frame `from` into frame `to`. */
  copy_page(to: number, from: number): void {
    this.mem.bytes.copyWithin(to * PAGE_SIZE, from * PAGE_SIZE, (from + 1) * PAGE_SIZE);
    this.mem.wroteFrame(to);
  }

  /** Is this frame anonymous memory (PageAnon)? */
  page_anon(pfn: number): boolean {
    return this.kind[pfn] === PAGE_ANON;
  }
}
