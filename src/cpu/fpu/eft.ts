/**
 * Error-free transformations: the exact rounding error of a double addition or
 * multiplication, itself a double. JavaScript only rounds to nearest-even; knowing the exact
 * error (or at least its sign) of a correctly rounded result is what lets the other rounding
 * modes, the inexact flag and a single-rounding FMA be derived without big-number arithmetic.
 */

/**
 * a + b − s for s = a + b as JavaScript computed it: Knuth's branch-free two-sum. Exact for
 * all finite a and b whose sum does not overflow (subnormal results included).
 */
export function sumError(a: number, b: number, s: number): number {
  const bPart = s - a;
  return a - (s - bPart) + (b - bPart);
}

/** 2^27 + 1: Veltkamp's constant that splits a 53-bit significand into two 26-bit halves. */
const SPLITTER = 134217729;

/**
 * a × b − p for p = a × b as JavaScript computed it: Dekker's exact product. Each factor is
 * split into halves whose partial products are exact doubles, and the error is their sum
 * minus p, accumulated in an order where every step is exact.
 *
 * Exact only when nothing overflows or underflows on the way; callers guarantee
 * 2^-1022 ≤ |a|, |b| < 2^995 (normal, and the split cannot overflow) and |p| ≥ 2^-960 (so
 * every partial product, down to the error itself, is a multiple of a representable unit).
 */
export function productError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const aHi = t - (t - a);
  const aLo = a - aHi;
  t = SPLITTER * b;
  const bHi = t - (t - b);
  const bLo = b - bHi;
  return aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo;
}

/**
 * The sign (1, −1 or 0) of a / b − q for q = a / b correctly rounded to nearest. The
 * remainder a − q·b is exact as a − p − e with q·b = p + e from productError: p is within an
 * ulp or two of a, so a − p is exact (Sterbenz), and the last subtraction keeps the sign of
 * its exact value. Same range conditions as productError for q and b, and |a| ≥ 2^-960.
 */
export function quotientErrorSign(a: number, b: number, q: number): number {
  const p = q * b;
  const rem = a - p - productError(q, b, p);
  if (rem === 0) return 0;
  return rem > 0 === b > 0 ? 1 : -1;
}

/**
 * The sign of √a − q for q = √a correctly rounded to nearest: the sign of a − q², exact by
 * the same argument as quotientErrorSign. Needs 2^-960 ≤ a ≤ 2^960 or so.
 */
export function rootErrorSign(a: number, q: number): number {
  const p = q * q;
  return Math.sign(a - p - productError(q, q, p));
}
