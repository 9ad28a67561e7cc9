/**
 * The machine's physical memory: one preallocated buffer of 4 KiB frames.
 *
 * Everything a guest can touch lives here — user pages, and the Sv39 page-table pages the
 * kernel builds — so `mm->pgd` is a real frame number and a page-table walk reads real memory.
 * The buffer is allocated once (V8 commits its pages lazily, so an untouched frame costs no host
 * memory); the kernel's page allocator (kernel/mm/page_alloc.ts) hands out frames from it.
 * Frame 0 is never handed out, so a frame number of 0 can mean "no frame".
 */
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
export const PAGE_MASK = PAGE_SIZE - 1;

export class PhysMem {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly nrFrames: number;
  /**
   * Frames whose contents the CPU has decoded and cached (cpu/decode-cache.ts). Anyone who
   * writes a frame behind the CPU's back (the kernel copying file data or zeroing a fresh
   * frame) calls `wroteFrame`, which drops that cache.
   */
  readonly decodedFrames: Uint8Array;
  private readonly frameWritten: ((pfn: number) => void)[] = [];

  constructor(sizeBytes: number) {
    const frames = Math.floor(sizeBytes / PAGE_SIZE);
    if (frames < 16) throw new RangeError(`physical memory of ${sizeBytes} bytes is too small`);
    this.nrFrames = frames;
    this.bytes = new Uint8Array(frames * PAGE_SIZE);
    this.view = new DataView(this.bytes.buffer);
    this.decodedFrames = new Uint8Array(frames);
  }

  /** Registers a listener told when a frame that holds decoded instructions is written. */
  onFrameWritten(listener: (pfn: number) => void): void {
    this.frameWritten.push(listener);
  }

  /** Must be called after writing a frame other than through the CPU's store path. */
  wroteFrame(pfn: number): void {
    if (this.decodedFrames[pfn] !== 0) {
      this.decodedFrames[pfn] = 0;
      for (const l of this.frameWritten) l(pfn);
    }
  }
}
