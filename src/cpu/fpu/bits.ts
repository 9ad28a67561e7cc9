/**
 * Shared ground for the F/D code: fcsr's flag and rounding-mode encodings, the accumulator
 * for the flags an operation raises, the residual channel, and bit-level access to
 * binary32/binary64 values through preallocated scratch views.
 *
 * Why the odd plumbing: V8 boxes a double (allocates a heap number) whenever one is passed
 * to, or returned from, a call it does not inline. So the hot paths never hand doubles
 * across calls: results are written straight into the destination register, rounding
 * adjusts that register's bits in place, and the one extra double a rounding step needs
 * (the exact residual) travels through the `residual` typed array. Only tiny leaf helpers,
 * which V8 always inlines, take or return doubles.
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
 * Flags raised by the operation in progress. The arithmetic ORs into it; executeFp clears
 * it before an instruction and accrues it into fcsr afterwards.
 */
export const status = { flags: 0 };

/**
 * The exact error of the result being rounded, exact − f<rd>, as an unevaluated sum
 * residual[0] + residual[1] with residual[0] the sum rounded to nearest (so its sign is the
 * error's sign). Written by an operation just before it calls a finishing routine.
 */
export const residual = new Float64Array(2);

const scratch64 = new Float64Array(1);
const words64 = new Int32Array(scratch64.buffer);
const scratch32 = new Float32Array(1);
const word32 = new Int32Array(scratch32.buffer);

/** The binary32 encoding of v, which must be exactly representable (or ±inf). */
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
 * Moves the finite, non-zero double in fbits[2r], fbits[2r+1] to its neighbour: one unit of
 * the last place away from zero (step > 0) or toward zero (step < 0). Encodings of
 * same-signed doubles are ordered like integers, so this is a 64-bit increment or decrement
 * of the bits; from the largest finite value it reaches infinity.
 */
export function stepMagnitude(fb: Int32Array, r: number, step: number): void {
  let lo = fb[2 * r];
  let hi = fb[2 * r + 1];
  if (step > 0) {
    lo = (lo + 1) | 0;
    if (lo === 0) hi++;
  } else {
    if (lo === 0) hi--;
    lo = (lo - 1) | 0;
  }
  fb[2 * r] = lo;
  fb[2 * r + 1] = hi;
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
