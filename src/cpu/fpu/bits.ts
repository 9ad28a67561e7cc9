/**
 * Shared ground for the F/D code: fcsr's flag and rounding-mode encodings, the accumulator
 * for the flags an operation raises, and bit-level access to binary32/binary64 values
 * through preallocated scratch views (so nothing here allocates per instruction).
 *
 * The Int32 views assume a little-endian host, as CpuState's fbits layout already does.
 */

/** fcsr.fflags bits. */
export const NX = 1;
export const UF = 2;
export const OF = 4;
export const DZ = 8;
export const NV = 16;

/** Rounding modes as the rm field and frm encode them (5 and 6 are reserved). */
export const RNE = 0;
export const RTZ = 1;
export const RDN = 2;
export const RUP = 3;
export const RMM = 4;
export const DYN = 7;

/**
 * Flags raised by the operation in progress. The arithmetic helpers OR into it; executeFp
 * clears it before an instruction and accrues it into fcsr afterwards. A module-level object
 * instead of a return value keeps the helpers' results plain numbers.
 */
export const status = { flags: 0 };

const scratch64 = new Float64Array(1);
const words64 = new Int32Array(scratch64.buffer);
const scratch32 = new Float32Array(1);
const word32 = new Int32Array(scratch32.buffer);

/** The binary32 encoding of v, which must be exactly representable (or NaN/±inf). */
export function f32Bits(v: number): number {
  scratch32[0] = v;
  return word32[0];
}

/** The value of a binary32 encoding, as a double (exact). */
export function f32Value(bits: number): number {
  word32[0] = bits;
  return scratch32[0];
}

/** High word (sign, exponent, top of the fraction) of a double's encoding. */
export function hiWord(v: number): number {
  scratch64[0] = v;
  return words64[1];
}

/** Low word of a double's encoding. */
export function loWord(v: number): number {
  scratch64[0] = v;
  return words64[0];
}

/** The double whose encoding has these words. */
export function fromWords(lo: number, hi: number): number {
  words64[0] = lo;
  words64[1] = hi;
  return scratch64[0];
}

/**
 * The double adjacent to r (finite, non-zero) in the direction of dir's sign. Adjacent
 * encodings of same-signed doubles are adjacent integers, so this is a 64-bit increment or
 * decrement of the magnitude; stepping up from the largest finite value gives infinity.
 */
export function nextAfter(r: number, dir: number): number {
  scratch64[0] = r;
  let lo = words64[0];
  let hi = words64[1];
  if (r > 0 === dir > 0) {
    lo = (lo + 1) | 0;
    if (lo === 0) hi++;
  } else {
    if (lo === 0) hi--;
    lo = (lo - 1) | 0;
  }
  words64[0] = lo;
  words64[1] = hi;
  return scratch64[0];
}

/** True for +0 (and not −0). */
export function isPlusZero(x: number): boolean {
  return x === 0 && 1 / x > 0;
}

/** True when the sign bit of x is set (−0 included). */
export function signBit(x: number): boolean {
  return x < 0 || (x === 0 && 1 / x < 0);
}

/** 2^k for every k whose power is a double (−1074 ≤ k ≤ 1023), built from encodings. */
const POW2 = new Float64Array(1023 + 1074 + 1);
for (let k = -1074; k <= 1023; k++) {
  if (k >= -1022) {
    POW2[k + 1074] = fromWords(0, (k + 1023) << 20);
  } else {
    const bit = k + 1074; // position in the fraction of a subnormal
    POW2[k + 1074] = bit >= 32 ? fromWords(0, 1 << (bit - 32)) : fromWords(1 << bit, 0);
  }
}

export function pow2(k: number): number {
  return POW2[k + 1074];
}

/** Largest finite binary32 value. */
export const MAX_F32 = f32Value(0x7f7fffff);
/** Largest finite binary64 value. */
export const MAX_F64 = Number.MAX_VALUE;
