/**
 * `struct iov_iter` (include/linux/uio.h, lib/iov_iter.c): the source or destination of a read or
 * write, walked as the data moves. File operations never touch user memory directly: they copy
 * into or out of an iov_iter, and a copy that hits an unmapped page stops short — the operation
 * then reports the bytes moved so far, exactly as Linux's short reads and writes do.
 *
 * This file has the interface and ITER_KVEC (a kernel buffer, used by kernel_read and procfs);
 * user-memory iterators (ITER_UBUF, ITER_IOVEC) are in fs/uio.ts.
 */
import type { KGen } from '../kfunc';

export interface iov_iter {
  /** Bytes still to move. */
  readonly count: number;
  /** Copies src (or as much of it as fits and can be written) in; returns the bytes copied. */
  copy_to_iter(src: Uint8Array): KGen<number>;
  /** Takes up to n bytes out; fewer if the iterator ends or a user page faults. */
  copy_from_iter(n: number): KGen<Uint8Array>;
}

/** ITER_KVEC: a kernel buffer. Never faults. */
export class kvec_iter implements iov_iter {
  private off = 0;

  constructor(readonly buf: Uint8Array) {}

  get count(): number {
    return this.buf.length - this.off;
  }

  /** Bytes moved so far. */
  get done(): number {
    return this.off;
  }

  *copy_to_iter(src: Uint8Array): KGen<number> {
    const n = Math.min(src.length, this.count);
    this.buf.set(n === src.length ? src : src.subarray(0, n), this.off);
    this.off += n;
    return n;
  }

  *copy_from_iter(n: number): KGen<Uint8Array> {
    const k = Math.min(n, this.count);
    const out = this.buf.slice(this.off, this.off + k);
    this.off += k;
    return out;
  }
}
