/**
 * User-memory iterators (lib/iov_iter.c: ITER_UBUF and ITER_IOVEC; include/linux/uio.h): the
 * buffer of read/write/pread/pwrite, or the iovec array of readv/writev. Copies go through
 * uaccess, so an unmapped page ends a copy early instead of failing the whole call.
 */
import { EFAULT, EINVAL } from '../errno';
import type { KGen } from '../kfunc';
import { access_ok, copy_from_user, copy_to_user } from '../mm/uaccess';
import type { iov_iter } from './iov_iter';

/** The most bytes one read or write moves (MAX_RW_COUNT: INT_MAX rounded down to a page). */
export const MAX_RW_COUNT = 0x7ffff000;
/** The most iovecs readv/writev accept (UIO_MAXIOV). */
export const UIO_MAXIOV = 1024;

interface iovec {
  readonly base: number;
  readonly len: number;
}

class user_iter implements iov_iter {
  private seg = 0;
  private off = 0;

  constructor(private readonly segs: readonly iovec[], public count: number) {}

  /** The next piece of user memory, at most `max` bytes. */
  private next(max: number): iovec | null {
    while (this.seg < this.segs.length && this.off === this.segs[this.seg].len) {
      this.seg++;
      this.off = 0;
    }
    if (this.seg === this.segs.length || this.count === 0) return null;
    const s = this.segs[this.seg];
    return { base: s.base + this.off, len: Math.min(s.len - this.off, max, this.count) };
  }

  private advance(n: number): void {
    this.off += n;
    this.count -= n;
  }

  *copy_to_iter(src: Uint8Array): KGen<number> {
    let done = 0;
    for (let piece = this.next(src.length); piece !== null && done < src.length; piece = this.next(src.length - done)) {
      const left = yield* copy_to_user(piece.base, src.subarray(done, done + piece.len));
      const n = piece.len - left;
      this.advance(n);
      done += n;
      if (left !== 0) break;
    }
    return done;
  }

  *copy_from_iter(max: number): KGen<Uint8Array> {
    const out = new Uint8Array(Math.min(max, this.count));
    let done = 0;
    for (let piece = this.next(out.length); piece !== null && done < out.length; piece = this.next(out.length - done)) {
      const left = yield* copy_from_user(out.subarray(done, done + piece.len), piece.base);
      const n = piece.len - left;
      this.advance(n);
      done += n;
      if (left !== 0) break;
    }
    return out.subarray(0, done);
  }
}

/** import_ubuf: one user buffer; -EFAULT if it is not in user space. */
export function import_ubuf(buf: number, count: number): iov_iter | number {
  const len = Math.min(count, MAX_RW_COUNT);
  if (!access_ok(buf, len)) return -EFAULT;
  return new user_iter([{ base: buf, len }], len);
}

/**
 * import_iovec: reads readv/writev's array of `struct iovec` (base, length: 16 bytes each).
 * EINVAL for too many or a negative length, EFAULT for an unreadable array or a buffer outside
 * user space; the total is capped at MAX_RW_COUNT as Linux does.
 */
export function* import_iovec(uvec: number, nr_segs: number): KGen<iov_iter | number> {
  if (nr_segs < 0 || nr_segs > UIO_MAXIOV) return -EINVAL;
  if (nr_segs === 0) return new user_iter([], 0);
  const raw = new Uint8Array(nr_segs * 16);
  if (!access_ok(uvec, raw.length) || (yield* copy_from_user(raw, uvec)) !== 0) return -EFAULT;
  const v = new DataView(raw.buffer);
  const segs: iovec[] = [];
  let total = 0;
  for (let i = 0; i < nr_segs; i++) {
    const base = Number(v.getBigUint64(i * 16, true));
    const len64 = v.getBigInt64(i * 16 + 8, true);
    if (len64 < 0n) return -EINVAL;
    let len = Number(len64 > BigInt(MAX_RW_COUNT) ? BigInt(MAX_RW_COUNT) : len64);
    if (len > 0 && !access_ok(base, len)) return -EFAULT;
    if (len > MAX_RW_COUNT - total) len = MAX_RW_COUNT - total;
    segs.push({ base, len });
    total += len;
  }
  return new user_iter(segs, total);
}
