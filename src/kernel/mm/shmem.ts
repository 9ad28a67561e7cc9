/**
 * Shared anonymous memory (mm/shmem.c). Linux backs a MAP_SHARED|MAP_ANONYMOUS mapping with a
 * file on an internal tmpfs (shmem_zero_setup), so that a forked child — which gets the VMA but
 * not its PTEs — finds the same pages through that file's page cache. /proc/<pid>/maps shows it
 * as "/dev/zero (deleted)" on device 00:01.
 */
import { kernel } from '../kfunc';
import type { MappedFile, vm_area_struct } from './mm_types';

export class shmem_file implements MappedFile {
  readonly path = '/dev/zero (deleted)';
  /** Device 00:01, the internal tmpfs mount. */
  readonly dev = 1;

  constructor(
    readonly ino: number,
    private readonly bytes: number,
  ) {}

  /** The size fixed when the mapping was made: a fault beyond it (after mremap) is SIGBUS. */
  size(): number {
    return this.bytes;
  }

  /** A page that was never written reads as zeros. */
  readAt(dst: Uint8Array, offset: number): number {
    const n = Math.max(0, Math.min(dst.length, this.bytes - offset));
    dst.fill(0, 0, n);
    return n;
  }

  /** Nothing to write back to: the page cache is the storage. */
  writeAt(): void {}
}

/** shmem_zero_setup: gives a new shared anonymous VMA its tmpfs file. */
export function shmem_zero_setup(vma: vm_area_struct): void {
  const pages = kernel().pages;
  vma.vm_file = new shmem_file(++pages.last_shmem_ino, vma.vm_end - vma.vm_start);
}
