/**
 * Sv39 page tables, as the RISC-V privileged specification defines them.
 *
 * Three levels of 512 eight-byte entries, each table one physical frame; a virtual address has
 * 39 significant bits (bits 63..39 must copy bit 38), and user space is the lower half,
 * [0, 0x40_0000_0000). The CPU walks these tables on a TLB miss (cpu/hart.ts); the kernel builds
 * them (kernel/mm/pgtable.ts). Only 4 KiB leaves are used. PTE bits 8–9 are reserved for
 * software: the kernel uses bit 8 to mark a page that is write-protected for copy-on-write.
 *
 * The physical page number of a PTE fits its low 32 bits for any pool below 16 GiB, which the
 * launch configuration enforces, so a PTE is read and written as one little-endian uint32 (the
 * high word stays 0).
 */
import { PAGE_SHIFT, PhysMem } from './physmem';

export const PTE_V = 1 << 0;
export const PTE_R = 1 << 1;
export const PTE_W = 1 << 2;
export const PTE_X = 1 << 3;
export const PTE_U = 1 << 4;
export const PTE_G = 1 << 5;
export const PTE_A = 1 << 6;
export const PTE_D = 1 << 7;
/** Software bit: a private page shared copy-on-write (Linux's _PAGE_SOFT on riscv). */
export const PTE_COW = 1 << 8;
export const PTE_PPN_SHIFT = 10;

/** One past the highest user virtual address (TASK_SIZE for Sv39). */
export const USER_VA_END = 0x40_0000_0000;
/** Number of virtual page numbers in user space. */
export const USER_VPN_END = USER_VA_END / 4096;

export const PTRS_PER_TABLE = 512;

export function ptePfn(pte: number): number {
  return pte >>> PTE_PPN_SHIFT;
}

export function makePte(pfn: number, bits: number): number {
  return ((pfn << PTE_PPN_SHIFT) | bits) >>> 0;
}

/** Index into the table of `level` (2 = root) for virtual page number `vpn`. */
export function vpnIndex(vpn: number, level: number): number {
  return Math.floor(vpn / (1 << (9 * level))) & 511;
}

/**
 * Physical byte address of the level-0 PTE for `vpn` under the root table `rootPfn`, or -1 when
 * an upper level is not present. This is the hardware walk; it neither allocates nor faults.
 */
export function leafPteAddress(mem: PhysMem, rootPfn: number, vpn: number): number {
  let table = rootPfn;
  for (let level = 2; level > 0; level--) {
    const pte = mem.view.getUint32(table * 4096 + vpnIndex(vpn, level) * 8, true);
    if ((pte & PTE_V) === 0 || (pte & (PTE_R | PTE_W | PTE_X)) !== 0) return -1;
    table = ptePfn(pte);
  }
  return table * 4096 + (vpn & 511) * 8;
}

export function pageAddress(pfn: number): number {
  return pfn * (1 << PAGE_SHIFT);
}
