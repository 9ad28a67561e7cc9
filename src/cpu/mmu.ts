/**
 * The hart's MMU: Sv39 page walks with U-mode permission checks, the three software TLBs in
 * front of them, and the slow paths of memory access that the run loop's inline TLB hit cannot
 * serve — a TLB miss, or an access that crosses into the next page.
 *
 * Virtual addresses arrive as the 32-bit halves (lo, hi) of the 64-bit register sum, so that a
 * wild pointer (hi far outside user space) is still reported exactly in `faultAddr`.
 */
import { PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, PhysMem } from './physmem';
import { leafPteAddress, ptePfn, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, USER_VPN_END } from './sv39';
import { Tlb } from './tlb';

/** User virtual addresses are below 2^38: their high word is below this. */
export const USER_VA_HI_END = 64;

/** Which permission an access needs. */
export const ACCESS_READ = PTE_R;
export const ACCESS_WRITE = PTE_W;
export const ACCESS_FETCH = PTE_X;

export class Mmu {
  readonly read = new Tlb();
  /** Never holds a frame with decoded instructions, so that stores to code take the slow path. */
  readonly write = new Tlb();
  readonly fetch = new Tlb();
  /** Root page-table frame (satp.PPN); 0 means no address space, every access faults. */
  root = 0;
  /** After a failed access: the virtual address of the part that faulted. */
  faultAddr = 0n;
  /** Result of `load`: the bytes read, little-endian, zero-extended into two words. */
  lo = 0;
  hi = 0;

  constructor(private readonly mem: PhysMem) {}

  flush(): void {
    this.read.flush();
    this.write.flush();
    this.fetch.flush();
  }

  flushPage(vpn: number): void {
    this.read.flushPage(vpn);
    this.write.flushPage(vpn);
    this.fetch.flushPage(vpn);
  }

  /**
   * The hardware page walk for one access (privileged spec, "Virtual Address Translation
   * Process", for a U-mode access without MXR/SUM): the frame of `vpn`, or -1 for a page fault.
   * Like a hart with Svadu, it sets A — and D for a write — in the PTE itself.
   */
  walk(vpn: number, access: number): number {
    if (this.root === 0) return -1;
    const ptea = leafPteAddress(this.mem, this.root, vpn);
    if (ptea < 0) return -1;
    const view = this.mem.view;
    const pte = view.getUint32(ptea, true);
    if ((pte & (PTE_V | PTE_U)) !== (PTE_V | PTE_U)) return -1;
    // W without R is a reserved combination, and faults whatever the access.
    if ((pte & (PTE_R | PTE_W)) === PTE_W) return -1;
    if ((pte & access) === 0) return -1;
    const set = access === ACCESS_WRITE ? PTE_A | PTE_D : PTE_A;
    if ((pte & set) !== set) {
      view.setUint32(ptea, pte | set, true);
      this.mem.wroteFrame(Math.floor(ptea / PAGE_SIZE));
    }
    return ptePfn(pte);
  }

  /** Frame of `vpn` for an instruction fetch (through the fetch TLB), or -1. */
  fetchFrame(vpn: number): number {
    return this.translate(this.fetch, vpn, ACCESS_FETCH);
  }

  /**
   * Physical address of an aligned `size`-byte access at (lo, hi) that needs `access`, or -1
   * with `faultAddr` set. For LR/SC/AMOs, which must not be split across pages.
   */
  atomicAddress(lo: number, hi: number, access: number): number {
    const pfn = hi >>> 0 < USER_VA_HI_END
      ? this.translate(access === ACCESS_WRITE ? this.write : this.read, vpnOf(lo, hi), access)
      : -1;
    if (pfn < 0) {
      this.faultAddr = addrOf(lo, hi);
      return -1;
    }
    return pfn * PAGE_SIZE + (lo & PAGE_MASK);
  }

  /**
   * Reads `size` (1, 2, 4 or 8) bytes at (lo, hi) into this.lo/this.hi; false on a page fault.
   * Serves any access the run loop's fast path could not, including ones that cross a page.
   */
  load(lo: number, hi: number, size: number): boolean {
    const first = this.frames(lo, hi, size, this.read, ACCESS_READ);
    if (first < 0) return false;
    const bytes = this.mem.bytes;
    const inFirst = PAGE_SIZE - (lo & PAGE_MASK);
    let pa = first * PAGE_SIZE + (lo & PAGE_MASK);
    let w0 = 0, w1 = 0;
    for (let i = 0; i < size; i++) {
      if (i === inFirst) pa = this.second * PAGE_SIZE;
      const b = bytes[pa++];
      if (i < 4) w0 |= b << (8 * i);
      else w1 |= b << (8 * (i - 4));
    }
    this.lo = w0;
    this.hi = w1;
    return true;
  }

  /** Writes the low `size` bytes of (w0, w1) at (lo, hi); false on a page fault (nothing written). */
  store(lo: number, hi: number, size: number, w0: number, w1: number): boolean {
    const first = this.frames(lo, hi, size, this.write, ACCESS_WRITE);
    if (first < 0) return false;
    const bytes = this.mem.bytes;
    const inFirst = PAGE_SIZE - (lo & PAGE_MASK);
    let pa = first * PAGE_SIZE + (lo & PAGE_MASK);
    for (let i = 0; i < size; i++) {
      if (i === inFirst) pa = this.second * PAGE_SIZE;
      bytes[pa++] = i < 4 ? w0 >>> (8 * i) : w1 >>> (8 * (i - 4));
    }
    return true;
  }

  /** Frame of the second page of the access `frames` last translated, when it crosses one. */
  private second = 0;

  /**
   * Translates the page(s) of an access of `size` bytes at (lo, hi): returns the first frame
   * (and leaves the second in `this.second` when the access crosses a page), or -1 with
   * `faultAddr` set to the first faulting byte's page part. Both pages are translated before
   * anything is touched, so a faulting store writes nothing.
   */
  private frames(lo: number, hi: number, size: number, tlb: Tlb, access: number): number {
    if (hi >>> 0 >= USER_VA_HI_END) {
      this.faultAddr = addrOf(lo, hi);
      return -1;
    }
    const vpn = vpnOf(lo, hi);
    const first = this.translate(tlb, vpn, access);
    if (first < 0) {
      this.faultAddr = addrOf(lo, hi);
      return -1;
    }
    if ((lo & PAGE_MASK) + size > PAGE_SIZE) {
      const next = vpn + 1 < USER_VPN_END ? this.translate(tlb, vpn + 1, access) : -1;
      if (next < 0) {
        this.faultAddr = BigInt(vpn + 1) << BigInt(PAGE_SHIFT);
        return -1;
      }
      this.second = next;
    }
    return first;
  }

  /** TLB lookup, and on a miss the walk and the refill; -1 on a page fault. */
  private translate(tlb: Tlb, vpn: number, access: number): number {
    let pfn = tlb.lookup(vpn);
    if (pfn >= 0) return pfn;
    pfn = this.walk(vpn, access);
    if (pfn < 0) return -1;
    // A store into a frame holding decoded instructions drops that cache (decode-cache.ts),
    // and only then may the frame enter the write TLB, where stores bypass the check.
    if (access === ACCESS_WRITE && this.mem.decodedFrames[pfn] !== 0) this.mem.wroteFrame(pfn);
    tlb.insert(vpn, pfn);
    return pfn;
  }
}

/** Virtual page number of a user address (hi < USER_VA_HI_END). */
export function vpnOf(lo: number, hi: number): number {
  return (hi << (32 - PAGE_SHIFT)) | (lo >>> PAGE_SHIFT);
}

/** The 64-bit address (lo, hi) as an unsigned BigInt (for tval). */
export function addrOf(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
