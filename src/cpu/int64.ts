/**
 * 64-bit integer arithmetic on pairs of signed 32-bit halves (lo, hi), the way CpuState keeps
 * registers. Additions are written inline where they are used; this module holds what has
 * enough logic to deserve a name: comparisons, shifts, and the M extension's multiplies and
 * divisions.
 *
 * Nothing here allocates. Results come back in `out` (a module-owned scratch array):
 * out[0]/out[1] are the low/high words of the first result (product, quotient), out[2]/out[3]
 * those of the second (remainder). Callers copy them out before the next call.
 */
export const out = new Int32Array(4);

const TWO_32 = 4294967296;

/** High 32 bits of the unsigned 64-bit product of two 32-bit words (as a signed int). */
export function mulHiU32(a: number, b: number): number {
  // Split into 16-bit digits so that every partial product and sum stays below 2^53.
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const mid = ah * bl + al * bh + ((al * bl) >>> 16);
  return (ah * bh + Math.floor(mid / 65536)) | 0;
}

/** Low 64 bits of a * b (signedness does not matter for the low half) → out[0], out[1]. */
export function mul64(alo: number, ahi: number, blo: number, bhi: number): void {
  out[0] = Math.imul(alo, blo);
  out[1] = (mulHiU32(alo, blo) + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
}

/** High 64 bits of the unsigned 128-bit product a * b → out[0], out[1]. */
export function mulhu64(alo: number, ahi: number, blo: number, bhi: number): void {
  // Four 32x32 partial products; add the words that land in bits 32..63 to find the carry into
  // bit 64, then the words of bits 64..127. Every sum is below 2^35, so doubles are exact.
  const mid = (mulHiU32(alo, blo) >>> 0) + (Math.imul(alo, bhi) >>> 0) + (Math.imul(ahi, blo) >>> 0);
  const w2 = (Math.imul(ahi, bhi) >>> 0) + (mulHiU32(alo, bhi) >>> 0) + (mulHiU32(ahi, blo) >>> 0)
    + Math.floor(mid / TWO_32);
  out[0] = w2 | 0;
  out[1] = (mulHiU32(ahi, bhi) + Math.floor(w2 / TWO_32)) | 0;
}

/** out[0..1] -= (lo, hi), modulo 2^64. */
function subFromOut(lo: number, hi: number): void {
  const alo = out[0];
  const rlo = (alo - lo) | 0;
  const borrow = ((~alo & lo) | (~(alo ^ lo) & rlo)) >>> 31;
  out[0] = rlo;
  out[1] = (out[1] - hi - borrow) | 0;
}

/** High 64 bits of the signed × signed 128-bit product (MULH) → out[0], out[1]. */
export function mulh64(alo: number, ahi: number, blo: number, bhi: number): void {
  // As unsigned numbers a negative operand is too large by 2^64, which adds the other operand
  // to the high half of the product: take it back out.
  mulhu64(alo, ahi, blo, bhi);
  if (ahi < 0) subFromOut(blo, bhi);
  if (bhi < 0) subFromOut(alo, ahi);
}

/** High 64 bits of signed a × unsigned b (MULHSU) → out[0], out[1]. */
export function mulhsu64(alo: number, ahi: number, blo: number, bhi: number): void {
  mulhu64(alo, ahi, blo, bhi);
  if (ahi < 0) subFromOut(blo, bhi);
}

/** Writes a signed integer-valued double of magnitude ≤ 2^53 as halves at out[i], out[i+1]. */
function putNumber(i: number, v: number): void {
  out[i] = v % TWO_32;
  out[i + 1] = Math.floor(v / TWO_32);
}

/**
 * Unsigned 64-bit division, b ≠ 0: quotient → out[0..1], remainder → out[2..3].
 * RISC-V defines division by zero, so the caller handles b = 0 before calling.
 */
export function divu64(alo: number, ahi: number, blo: number, bhi: number): void {
  const au = ahi >>> 0, bu = bhi >>> 0;
  if (au < bu || (au === bu && alo >>> 0 < blo >>> 0)) {
    // b > a: quotient 0, remainder a. (Also keeps b below 2^53 in the double case below.)
    out[0] = 0; out[1] = 0; out[2] = alo; out[3] = ahi;
    return;
  }
  if (au < 0x200000) {
    // a < 2^53 (and so b ≤ a): a double division is exact after flooring, because the
    // rounding error of a/b is smaller than the distance 1/b to the next integer.
    const a = au * TWO_32 + (alo >>> 0), b = bu * TWO_32 + (blo >>> 0);
    const q = Math.floor(a / b);
    putNumber(0, q);
    putNumber(2, a - q * b);
    return;
  }
  if (bu === 0) {
    // 32-bit divisor: schoolbook division by 16-bit digits keeps every partial dividend
    // (remainder·2^16 + digit) below 2^48.
    const b = blo >>> 0, lo = alo >>> 0;
    const qh = Math.floor(au / b);
    let r = au - qh * b;
    let n = r * 65536 + (lo >>> 16);
    const q1 = Math.floor(n / b);
    r = n - q1 * b;
    n = r * 65536 + (lo & 0xffff);
    const q0 = Math.floor(n / b);
    out[0] = q1 * 65536 + q0;
    out[1] = qh;
    out[2] = n - q0 * b;
    out[3] = 0;
    return;
  }
  // a ≥ 2^53 and b ≥ 2^32: the quotient has at most 32 bits. Restoring division over the
  // low word of a; the remainder starts as the high word of a, which is already below b.
  let rlo = ahi, rhi = 0, q = 0;
  for (let i = 31; i >= 0; i--) {
    const carry = rhi >>> 31;
    rhi = (rhi << 1) | (rlo >>> 31);
    rlo = (rlo << 1) | ((alo >>> i) & 1);
    // The shifted remainder is below 2b; a carry out of bit 63 means it is above b as well.
    if (carry !== 0 || rhi >>> 0 > bu || (rhi >>> 0 === bu && rlo >>> 0 >= blo >>> 0)) {
      const nlo = (rlo - blo) | 0;
      rhi = (rhi - bhi - (((~rlo & blo) | (~(rlo ^ blo) & nlo)) >>> 31)) | 0;
      rlo = nlo;
      q |= 1 << i;
    }
  }
  out[0] = q; out[1] = 0; out[2] = rlo; out[3] = rhi;
}

/**
 * Signed 64-bit division truncating toward zero, b ≠ 0: quotient → out[0..1], remainder (with
 * the sign of a) → out[2..3]. INT64_MIN / -1 gives INT64_MIN remainder 0, as RISC-V defines.
 */
export function div64(alo: number, ahi: number, blo: number, bhi: number): void {
  if ((ahi + 0x200000) >>> 0 < 0x400000 && (bhi + 0x200000) >>> 0 < 0x400000) {
    // Both magnitudes below 2^53: exact in doubles (truncating division, see divu64).
    const a = ahi * TWO_32 + (alo >>> 0), b = bhi * TWO_32 + (blo >>> 0);
    const q = Math.trunc(a / b);
    putNumber(0, q);
    putNumber(2, a - q * b);
    return;
  }
  // Divide the magnitudes, then give the quotient the sign a^b and the remainder the sign of a.
  // The negation of INT64_MIN is itself, which read as unsigned is the right magnitude 2^63.
  const an = ahi < 0, bn = bhi < 0;
  const ulo = an ? -alo | 0 : alo, uhi = an ? (alo === 0 ? -ahi : ~ahi) | 0 : ahi;
  const vlo = bn ? -blo | 0 : blo, vhi = bn ? (blo === 0 ? -bhi : ~bhi) | 0 : bhi;
  divu64(ulo, uhi, vlo, vhi);
  if (an !== bn) negateOut(0);
  if (an) negateOut(2);
}

/** Two's-complement negation of the halves at out[i], out[i+1]. */
function negateOut(i: number): void {
  const lo = out[i];
  out[i] = -lo | 0;
  out[i + 1] = (lo === 0 ? -out[i + 1] : ~out[i + 1]) | 0;
}

/** x[rd..rd+1] = (hi:lo) << s, for s in 0..63. */
export function shiftLeft(x: Int32Array, rd: number, lo: number, hi: number, s: number): void {
  // JavaScript shifts take their count mod 32, so each half of the range is its own case.
  if (s >= 32) {
    x[rd + 1] = lo << s;
    x[rd] = 0;
  } else if (s !== 0) {
    x[rd + 1] = (hi << s) | (lo >>> (32 - s));
    x[rd] = lo << s;
  } else {
    x[rd + 1] = hi;
    x[rd] = lo;
  }
}

/** x[rd..rd+1] = (hi:lo) >>> s (logical), for s in 0..63. */
export function shiftRight(x: Int32Array, rd: number, lo: number, hi: number, s: number): void {
  if (s >= 32) {
    x[rd] = hi >>> s;
    x[rd + 1] = 0;
  } else if (s !== 0) {
    x[rd] = (lo >>> s) | (hi << (32 - s));
    x[rd + 1] = hi >>> s;
  } else {
    x[rd] = lo;
    x[rd + 1] = hi;
  }
}

/** x[rd..rd+1] = (hi:lo) >> s (arithmetic), for s in 0..63. */
export function shiftRightArith(x: Int32Array, rd: number, lo: number, hi: number, s: number): void {
  if (s >= 32) {
    x[rd] = hi >> s;
    x[rd + 1] = hi >> 31;
  } else if (s !== 0) {
    x[rd] = (lo >>> s) | (hi << (32 - s));
    x[rd + 1] = hi >> s;
  } else {
    x[rd] = lo;
    x[rd + 1] = hi;
  }
}

/** Signed 64-bit a < b on halves. */
export function lessThan(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi < bhi || (ahi === bhi && alo >>> 0 < blo >>> 0);
}

/** Unsigned 64-bit a < b on halves. */
export function lessThanU(alo: number, ahi: number, blo: number, bhi: number): boolean {
  return ahi >>> 0 < bhi >>> 0 || (ahi === bhi && alo >>> 0 < blo >>> 0);
}
