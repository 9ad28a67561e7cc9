/**
 * The slow path: exact arithmetic on BigInt significands and one general rounding routine.
 * The double fast paths (double.ts) fall back to it only where their error-free tricks are
 * not guaranteed exact — results near overflow or in the subnormal range, operands at the
 * ends of the exponent range — so it allocates freely. Everything here is finite: NaNs,
 * infinities and zeros are settled by the callers first.
 */
import { fromWords, hiWord, loWord, NX, OF, RDN, RNE, RTZ, RUP, status, UF } from './bits';

/** An IEEE 754 binary interchange format, as rounding needs it. */
export interface Format {
  /** Significand bits, the implicit one included. */
  readonly precision: number;
  readonly emin: number;
  readonly emax: number;
  /** Total encoding width in bits. */
  readonly width: number;
}

export const BINARY32: Format = { precision: 24, emin: -126, emax: 127, width: 32 };
export const BINARY64: Format = { precision: 53, emin: -1022, emax: 1023, width: 64 };

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/** Set by roundShift: whether the bits it dropped were not all zero. */
let droppedNonZero = false;

/**
 * mant / 2^shift rounded to an integer in `mode` (the value's sign is `neg`, since the
 * directed modes depend on it).
 */
function roundShift(neg: boolean, mant: bigint, shift: number, mode: number): bigint {
  if (shift <= 0) {
    droppedNonZero = false;
    return mant << BigInt(-shift);
  }
  const s = BigInt(shift);
  const q = mant >> s;
  const rem = mant - (q << s);
  const half = 1n << (s - 1n);
  droppedNonZero = rem !== 0n;
  let up: boolean;
  switch (mode) {
    case RNE: up = rem > half || (rem === half && (q & 1n) === 1n); break;
    case RTZ: up = false; break;
    case RDN: up = neg && droppedNonZero; break;
    case RUP: up = !neg && droppedNonZero; break;
    default: up = rem >= half; break; // RMM
  }
  return up ? q + 1n : q;
}

/**
 * The encoding of (−1)^neg × mant × 2^exp (mant > 0) rounded to `fmt` in `mode`, raising NX,
 * UF and OF. Underflow follows RISC-V: tininess is detected after rounding (the result,
 * rounded with an unbounded exponent range, is below 2^emin), and UF is raised only when
 * the result is also inexact.
 */
export function roundExact(neg: boolean, mant: bigint, exp: number, fmt: Format, mode: number): bigint {
  const p = fmt.precision;
  const top = exp + bitLength(mant) - 1; // exponent of the leading bit
  let quantum = Math.max(top, fmt.emin) - (p - 1); // exponent of the result's last bit
  let sig = roundShift(neg, mant, quantum - exp, mode);
  const inexact = droppedNonZero;
  if (sig >> BigInt(p) !== 0n) {
    // Rounded up to the next power of two: renormalise (the dropped bit is a zero).
    sig >>= 1n;
    quantum += 1;
  }
  if (inexact) {
    status.flags |= NX;
    if (top < fmt.emin) {
      const wide = roundShift(neg, mant, top - (p - 1) - exp, mode);
      const carried = wide >> BigInt(p) !== 0n;
      if (top + (carried ? 1 : 0) < fmt.emin) status.flags |= UF;
    }
  }
  const signBit = neg ? 1n << BigInt(fmt.width - 1) : 0n;
  const fracBits = BigInt(p - 1);
  if (quantum + p - 1 > fmt.emax) {
    status.flags |= OF | NX;
    const towardZero = mode === RTZ || (mode === RDN && !neg) || (mode === RUP && neg);
    const allOnesExp = BigInt(2 * fmt.emax + 1);
    // The largest finite value, or infinity (maximum exponent field, zero fraction).
    return towardZero ? signBit | (allOnesExp << fracBits) - 1n : signBit | (allOnesExp << fracBits);
  }
  const hidden = 1n << fracBits;
  const biased = sig < hidden ? 0n : BigInt(quantum + p - 1 + fmt.emax);
  return signBit | (biased << fracBits) | (sig & (hidden - 1n));
}

/** A finite double as a signed integer significand and an exponent: x = mant × 2^exp. */
function toExact(x: number): [bigint, number] {
  const hi = hiWord(x);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(loWord(x) >>> 0);
  if (biased !== 0) mant |= 1n << 52n;
  const exp = (biased === 0 ? 1 : biased) - 1075;
  return [hi < 0 ? -mant : mant, exp];
}

/** mant × 2^exp (mant ≠ 0) rounded to a double. */
function toDouble(mant: bigint, exp: number, mode: number): number {
  const neg = mant < 0n;
  const bits = roundExact(neg, neg ? -mant : mant, exp, BINARY64, mode);
  return fromWords(Number(bits & 0xffffffffn) | 0, Number(bits >> 32n) | 0);
}

/** An exact zero sum of non-zero terms is +0, except −0 when rounding down. */
function cancelledZero(mode: number): number {
  return mode === RDN ? -0 : 0;
}

/** m1 × 2^e1 + m2 × 2^e2 as an integer significand over the smaller exponent. */
function alignedSum(m1: bigint, e1: number, m2: bigint, e2: number): [bigint, number] {
  const e = Math.min(e1, e2);
  return [(m1 << BigInt(e1 - e)) + (m2 << BigInt(e2 - e)), e];
}

/** a + b for finite a, b that are not both zero. */
export function exactAdd(a: number, b: number, mode: number): number {
  const [ma, ea] = toExact(a);
  const [mb, eb] = toExact(b);
  const [m, e] = alignedSum(ma, ea, mb, eb);
  return m === 0n ? cancelledZero(mode) : toDouble(m, e, mode);
}

/** a × b for finite non-zero a, b. */
export function exactMul(a: number, b: number, mode: number): number {
  const [ma, ea] = toExact(a);
  const [mb, eb] = toExact(b);
  return toDouble(ma * mb, ea + eb, mode);
}

/** a × b + c for finite a, b, c with a, b non-zero. */
export function exactFma(a: number, b: number, c: number, mode: number): number {
  const [ma, ea] = toExact(a);
  const [mb, eb] = toExact(b);
  const [mc, ec] = toExact(c);
  const [m, e] = alignedSum(ma * mb, ea + eb, mc, ec);
  return m === 0n ? cancelledZero(mode) : toDouble(m, e, mode);
}

/**
 * a / b for finite non-zero a, b. The integer quotient is taken with at least precision + 3
 * bits, and a non-zero remainder is appended as one extra low "sticky" bit: rounding only
 * needs to know that something non-zero lies below the round bit, not what.
 */
export function exactDiv(a: number, b: number, mode: number): number {
  const [ma, ea] = toExact(a);
  const [mb, eb] = toExact(b);
  const na = ma < 0n ? -ma : ma;
  const nb = mb < 0n ? -mb : mb;
  const shift = Math.max(0, BINARY64.precision + 3 + bitLength(nb) - bitLength(na));
  const num = na << BigInt(shift);
  const q = num / nb;
  const sticky = num - q * nb === 0n ? 0n : 1n;
  const mag = (q << 1n) | sticky;
  return toDouble(ma < 0n !== mb < 0n ? -mag : mag, ea - eb - shift - 1, mode);
}
