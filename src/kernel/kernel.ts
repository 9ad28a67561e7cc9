/**
 * The machine: physical memory, the CPU, and the emulated kernel's global state.
 * (Filled in as the subsystems land; see kernel/kfunc.ts for how kernel code reaches it.)
 */
import { PhysMem } from '../cpu/physmem';

/** What the memory manager needs from the CPU's MMU (cpu/hart.ts provides it). */
export interface Mmu {
  setRootTable(pfn: number): void;
  flushTlb(): void;
  flushTlbPage(vpn: number): void;
}

export interface KernelOptions {
  /** Physical memory in bytes. */
  memBytes: number;
  /** Seed of every random source (AT_RANDOM, getrandom, ASLR). */
  seed: number;
}

export class Kernel {
  readonly mem: PhysMem;
  mmu!: Mmu;

  constructor(readonly options: KernelOptions) {
    this.mem = new PhysMem(options.memBytes);
  }
}
