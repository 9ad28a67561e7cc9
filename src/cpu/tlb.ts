/**
 * A direct-mapped software TLB: virtual page number → physical frame number.
 *
 * The hart keeps three (read, write, fetch) so that one lookup answers "may I do this access"
 * without looking at permission bits: an entry is only ever inserted after a page walk allowed
 * that kind of access. The run loop reads `tag` and `pfn` directly (hart.ts); entry e holds the
 * translation of a vpn with vpn & TLB_MASK === e, and a tag of -1 marks it empty (user vpns
 * are never negative).
 */
export const TLB_BITS = 10;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;

export class Tlb {
  readonly tag = new Int32Array(TLB_SIZE).fill(-1);
  readonly pfn = new Int32Array(TLB_SIZE);

  /** The cached frame of `vpn`, or -1. */
  lookup(vpn: number): number {
    const e = vpn & TLB_MASK;
    return this.tag[e] === vpn ? this.pfn[e] : -1;
  }

  insert(vpn: number, pfn: number): void {
    const e = vpn & TLB_MASK;
    this.tag[e] = vpn;
    this.pfn[e] = pfn;
  }

  flush(): void {
    this.tag.fill(-1);
  }

  flushPage(vpn: number): void {
    const e = vpn & TLB_MASK;
    if (this.tag[e] === vpn) this.tag[e] = -1;
  }

  /** Drops every entry that maps to frame `pfn` (whatever virtual page it was reached by). */
  dropFrame(pfn: number): void {
    const tag = this.tag, frames = this.pfn;
    for (let e = 0; e < TLB_SIZE; e++) {
      if (frames[e] === pfn) tag[e] = -1;
    }
  }
}
