/**
 * binary32 arithmetic in all five rounding modes, computed through doubles without double
 * rounding.
 *
 * A double has more than twice single's precision and a far wider exponent range, so every
 * single operation's exact result is available as hi + lo with hi = RN64(exact) and the sign
 * of lo = exact − hi known exactly: sums and FMAs by two-sum (products of singles are exact
 * doubles), quotients and roots by the sign of their residual. roundToSingle then rounds
 * that pair once, directly to binary32, in any mode. Rounding hi alone would be wrong
 * whenever hi sits exactly on a single-precision rounding boundary (a single or a midpoint
 * between two) while exact does not — the classic double-rounding error; lo's sign settles
 * exactly those cases. Nothing here needs BigInt.
 *
 * As in double.ts, a NaN result stands for the canonical NaN and NV is decided by the caller.
 */
import { DZ, hiWord, MAX_F32, NX, OF, pow2, RDN, RNE, RTZ, RUP, status, UF } from './bits';
import { exactZeroSum } from './double';
import { quotientErrorSign, rootErrorSign, sumError } from './eft';

const SINGLE_MIN_NORMAL_EXP = -126;
const SINGLE_PRECISION = 24;
/** 2^128: the smallest magnitude that overflows binary32. */
const OVERFLOW = pow2(128);

/** Where the exact value lies relative to the truncated significand (see roundToSingle). */
const EXACT = 0;
const BELOW_HALF = 1;
const HALF = 2;
const ABOVE_HALF = 3;

/** Set by roundAt: the position of the dropped part, one of EXACT…ABOVE_HALF. */
let dropped = EXACT;

/**
 * |hi + lo| / 2^quantum rounded to an integer in `mode`, hi ≠ 0 the double nearest to the
 * exact value and lo a number with the sign of exact − hi. `neg` is the sign of hi.
 *
 * The fraction f of |hi| / 2^quantum is exact. Single-precision rounding boundaries (the
 * integers and half-integers at this scale) are doubles, so if |exact| is on a different
 * side of a boundary than |hi|, hi was not the nearest double; hence hi decides, except when
 * f is 0 or ½ — hi is on a boundary — where lo's sign decides.
 */
function roundAt(mag: number, lo: number, neg: boolean, quantum: number, mode: number): number {
  const scaled = mag * pow2(-quantum);
  let t = Math.floor(scaled);
  const f = scaled - t;
  const up = lo !== 0 && lo > 0 !== neg; // lo increases the magnitude
  if (f === 0) {
    if (lo === 0) dropped = EXACT;
    else if (up) dropped = BELOW_HALF;
    else {
      t -= 1; // just below an integer: truncation is one less and the rest nearly a whole
      dropped = ABOVE_HALF;
    }
  } else if (f === 0.5) {
    dropped = lo === 0 ? HALF : up ? ABOVE_HALF : BELOW_HALF;
  } else {
    dropped = f < 0.5 ? BELOW_HALF : ABOVE_HALF;
  }
  let inc: boolean;
  switch (mode) {
    case RNE: inc = dropped === ABOVE_HALF || (dropped === HALF && t % 2 === 1); break;
    case RTZ: inc = false; break;
    case RDN: inc = neg && dropped !== EXACT; break;
    case RUP: inc = !neg && dropped !== EXACT; break;
    default: inc = dropped >= HALF; break; // RMM
  }
  return inc ? t + 1 : t;
}

/**
 * hi + lo rounded to binary32 in `mode`, as a double holding the single's value; hi is the
 * non-zero, finite double nearest to the exact value and only the sign of lo (exact − hi) is
 * used. Raises NX, UF (tininess after rounding, only when inexact) and OF.
 */
export function roundToSingle(hi: number, lo: number, mode: number): number {
  const neg = hi < 0;
  const mag = neg ? -hi : hi;
  // Exponent of |exact|: hi's, one less when hi is a power of two and exact lies just below
  // it. Subnormal doubles read as −1023, which the clamp below treats like any tiny value.
  let e = ((hiWord(mag) >>> 20) & 0x7ff) - 1023;
  if (lo !== 0 && lo > 0 === neg && mag === pow2(e)) e -= 1;
  const quantum = Math.max(e, SINGLE_MIN_NORMAL_EXP) - (SINGLE_PRECISION - 1);
  const sig = roundAt(mag, lo, neg, quantum, mode);
  const result = sig * pow2(quantum); // exact: at most 25 significant bits
  if (dropped !== EXACT) {
    status.flags |= NX;
    if (e < SINGLE_MIN_NORMAL_EXP && !roundsUpToMinNormal(mag, lo, neg, e, mode)) status.flags |= UF;
  }
  if (result >= OVERFLOW) {
    status.flags |= OF | NX;
    const towardZero = mode === RTZ || (mode === RDN && !neg) || (mode === RUP && neg);
    const sat = towardZero ? MAX_F32 : Infinity;
    return neg ? -sat : sat;
  }
  return neg ? -result : result;
}

/**
 * Tininess after rounding: for an exact value just below 2^-126, whether rounding it to full
 * single precision with an unbounded exponent range reaches 2^-126 (then it is not tiny).
 */
function roundsUpToMinNormal(mag: number, lo: number, neg: boolean, e: number, mode: number): boolean {
  if (e !== SINGLE_MIN_NORMAL_EXP - 1) return false;
  const quantum = e - (SINGLE_PRECISION - 1);
  return roundAt(mag, lo, neg, quantum, mode) === 2 ** SINGLE_PRECISION;
}

/** Operands below are singles held exactly in doubles (NaN for NaNs of any kind). */

export function addS(a: number, b: number, mode: number): number {
  const s = a + b;
  if (s - s !== 0) return s; // NaN, or an infinite operand (singles cannot overflow a double)
  if (s === 0) return exactZeroSum(a, b, mode); // sums this small are exact in a double
  return roundToSingle(s, sumError(a, b, s), mode);
}

export function mulS(a: number, b: number, mode: number): number {
  const p = a * b; // exact: 48 significant bits, exponent well inside a double's range
  if (p - p !== 0 || p === 0) return p;
  return roundToSingle(p, 0, mode);
}

export function divS(a: number, b: number, mode: number): number {
  const q = a / b;
  if (q !== q) return q;
  if (b === 0) {
    if (a - a === 0) status.flags |= DZ;
    return q;
  }
  if (a === 0 || a - a !== 0 || b - b !== 0) return q;
  // Single operands keep q, b and q·b deep inside quotientErrorSign's safe range.
  return roundToSingle(q, quotientErrorSign(a, b, q), mode);
}

export function sqrtS(a: number, mode: number): number {
  if (!(a > 0) || a === Infinity) return Math.sqrt(a);
  const q = Math.sqrt(a);
  return roundToSingle(q, rootErrorSign(a, q), mode);
}

/** a × b + c with one rounding: the product is exact, the sum an exact pair. */
export function fmaS(a: number, b: number, c: number, mode: number): number {
  const p = a * b;
  const s = p + c;
  if (s - s !== 0) return s; // NaN (incl. 0 × ∞ and ∞ − ∞) or an exact infinity
  if (s === 0) return exactZeroSum(p, c, mode);
  return roundToSingle(s, sumError(p, c, s), mode);
}
