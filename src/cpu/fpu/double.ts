/**
 * binary64 arithmetic in all five rounding modes, with exact flags.
 *
 * The fast paths let JavaScript compute the round-to-nearest-even result r, obtain the
 * exact error (or its sign) with an error-free transformation (eft.ts), and derive the
 * other modes from it: the exact value lies strictly between r and one neighbour, so a
 * directed mode keeps r or takes that neighbour. They are restricted to operand and result
 * ranges where every step is provably exact and r is normal and far from overflow, so
 * neither underflow nor overflow can occur in them; everything else (rare in real programs)
 * goes to the exact BigInt path.
 *
 * Inputs are plain doubles. A NaN result means "the canonical NaN": the caller decides NV
 * from the operands' encodings (signalling NaNs are not visible in a double's value).
 */
import { DZ, isPlusZero, loWord, nextAfter, NX, pow2, RDN, RMM, RNE, RTZ, RUP, status } from './bits';
import { productError, quotientErrorSign, rootErrorSign, sumError } from './eft';
import { exactAdd, exactDiv, exactFma, exactMul } from './exact';

/** Results at or beyond 2^1023 could overflow when rounded away from zero. */
const HUGE = pow2(1023);
/** Inexact results below 2^-1021 might be tiny (or have a tiny neighbour). */
const TINY = pow2(-1021);
/** Magnitude bounds inside which productError is exact (see eft.ts). */
const SPLIT_MAX = pow2(995);
const NORMAL_MIN = pow2(-1022);
const PRODUCT_MIN = pow2(-960);
const PRODUCT_MAX = pow2(1000);
/** Operand and quotient bounds for the division and square-root residuals. */
const SAFE_MIN = pow2(-960);
const SAFE_MAX = pow2(960);

function splittable(x: number): boolean {
  const m = Math.abs(x);
  return m >= NORMAL_MIN && m < SPLIT_MAX;
}

/**
 * The result in `mode`, given r = the exact value correctly rounded to nearest (normal, not
 * near overflow), the sign of exact − r in `dir` (non-zero: the result is inexact), and
 * whether the exact value is a midpoint between r and its neighbour (`tie`, which only
 * round-to-nearest-max-magnitude needs).
 */
export function fromNearest(r: number, dir: number, tie: boolean, mode: number): number {
  switch (mode) {
    case RNE: return r;
    case RTZ: return dir > 0 !== r > 0 ? nextAfter(r, dir) : r;
    case RDN: return dir < 0 ? nextAfter(r, -1) : r;
    case RUP: return dir > 0 ? nextAfter(r, 1) : r;
    default: return tie && dir > 0 === r > 0 ? nextAfter(r, dir) : r; // RMM
  }
}

/**
 * Whether an exact error err of r is exactly half the gap to r's neighbour on err's side —
 * a tie. The gap to the neighbour is a power of two, so both sides are exact.
 */
export function isHalfGap(r: number, err: number): boolean {
  return Math.abs(err) * 2 === Math.abs(nextAfter(r, err) - r);
}

/** The result of an inexact operation with exact error err = exact − r, r = RN(exact). */
function inexact(r: number, err: number, mode: number): number {
  status.flags |= NX;
  if (mode === RNE) return r;
  return fromNearest(r, err, mode === RMM && isHalfGap(r, err), mode);
}

/**
 * The sum of two zeros, or of x and −x: −0 when both are −0, or when rounding down and not
 * both are +0; +0 otherwise (IEEE 754 §6.3).
 */
export function exactZeroSum(a: number, b: number, mode: number): number {
  if (mode === RDN) return isPlusZero(a) && isPlusZero(b) ? 0 : -0;
  return a + b;
}

export function addD(a: number, b: number, mode: number): number {
  const s = a + b;
  if (Math.abs(s) < HUGE) {
    // Both operands are finite (an infinity or NaN would have made s so) and the error of a
    // sum is exact, subnormal sums included; a sum that small is exact, so never tiny.
    const err = sumError(a, b, s);
    if (err === 0) return s === 0 ? exactZeroSum(a, b, mode) : s;
    return inexact(s, err, mode);
  }
  if (s !== s || a - a !== 0 || b - b !== 0) return s; // NaN, or an infinite operand: exact
  return exactAdd(a, b, mode);
}

export function mulD(a: number, b: number, mode: number): number {
  const p = a * b;
  const mag = Math.abs(p);
  if (mag >= PRODUCT_MIN && mag < PRODUCT_MAX && splittable(a) && splittable(b)) {
    const err = productError(a, b, p);
    return err === 0 ? p : inexact(p, err, mode);
  }
  if (p !== p || a === 0 || b === 0 || a - a !== 0 || b - b !== 0) return p; // exact or NaN
  return exactMul(a, b, mode);
}

export function divD(a: number, b: number, mode: number): number {
  const q = a / b;
  const ma = Math.abs(a);
  const mb = Math.abs(b);
  const mq = Math.abs(q);
  if (ma >= SAFE_MIN && ma <= SAFE_MAX && mb >= SAFE_MIN && mb <= SAFE_MAX && mq >= SAFE_MIN && mq <= SAFE_MAX) {
    // A quotient of two doubles is never exactly halfway between doubles in this range.
    const dir = quotientErrorSign(a, b, q);
    if (dir === 0) return q;
    status.flags |= NX;
    return fromNearest(q, dir, false, mode);
  }
  if (q !== q) return q;
  if (b === 0) {
    if (a - a === 0) status.flags |= DZ; // finite ÷ 0; ∞ ÷ 0 is an exact infinity
    return q;
  }
  if (a === 0 || a - a !== 0 || b - b !== 0) return q; // 0 ÷ x, ∞ ÷ x, x ÷ ∞: exact
  return exactDiv(a, b, mode);
}

/** Scaling for square roots outside the residual's safe range: even powers of two. */
const ROOT_UP = pow2(200);
const ROOT_UP_BACK = pow2(-100);
const ROOT_DOWN = pow2(-200);
const ROOT_DOWN_BACK = pow2(100);

export function sqrtD(a: number, mode: number): number {
  if (!(a > 0) || a === Infinity) return Math.sqrt(a); // NaN (negatives too), ±0, +∞
  // √(a·4^k) = √a·2^k: scale a into [2^-960, 2^960] and the root back. Both scalings are
  // exact because every square root of a positive double is a normal double.
  let x = a;
  let back = 1;
  if (a < SAFE_MIN) {
    x = a * ROOT_UP;
    back = ROOT_UP_BACK;
  } else if (a > SAFE_MAX) {
    x = a * ROOT_DOWN;
    back = ROOT_DOWN_BACK;
  }
  const q = Math.sqrt(x);
  const dir = rootErrorSign(x, q);
  if (dir === 0) return q * back;
  status.flags |= NX;
  // A square root is never exactly halfway between doubles either.
  return fromNearest(q, dir, false, mode) * back;
}

/** a × b + c with one rounding. */
export function fmaD(a: number, b: number, c: number, mode: number): number {
  const p = a * b;
  if (p - p !== 0 || c - c !== 0) return fmaSpecial(a, b, c, p, mode);
  if (a === 0 || b === 0) return c === 0 ? exactZeroSum(p, c, mode) : c;
  if (c === 0) return mulD(a, b, mode);
  const mp = Math.abs(p);
  if (mp >= PRODUCT_MIN && mp < PRODUCT_MAX && Math.abs(c) < HUGE && splittable(a) && splittable(b)) {
    // exact = p + e + c = s + t + e = s + u + v = r + w + v = r + g + h, every split exact.
    const e = productError(a, b, p);
    const s = p + c;
    if (Math.abs(s) < HUGE) {
      const t = sumError(p, c, s);
      const u = t + e;
      const v = sumError(t, e, u);
      const r = s + u;
      const w = sumError(s, u, r);
      const g = w + v;
      const h = sumError(w, v, g);
      if (g === 0) return r === 0 ? (mode === RDN ? -0 : 0) : r; // exact (h is 0 too)
      const mr = Math.abs(r);
      if (mr >= TINY && mr < HUGE) {
        status.flags |= NX;
        return roundNear(r, g, h, mode);
      }
    }
  }
  return exactFma(a, b, c, mode);
}

/**
 * Rounds exact = r + g + h where g = RN(g + h) ≠ 0 and the exact value lies within one gap of
 * r, on g's side. r need not be the nearest double (in the FMA, r = RN(s + u) rounds once
 * more than exact): whether exact is before, at or past the midpoint to the neighbour n is
 * decided from g and h — RN is monotonic, so |g| < |half| implies |g + h| < |half|, and
 * when g equals the (representable) midpoint offset the sign of h breaks the tie.
 */
function roundNear(r: number, g: number, h: number, mode: number): number {
  const n = nextAfter(r, g);
  const half = (n - r) * 0.5;
  let past: number;
  if (g === half) past = h === 0 ? 0 : h > 0 === g > 0 ? 1 : -1;
  else past = Math.abs(g) > Math.abs(half) ? 1 : -1;
  if (past < 0) return fromNearest(r, g, false, mode);
  if (past > 0) return fromNearest(n, -g, false, mode);
  // Exactly halfway: nearest-even picks the even one; the exact value lies toward the other.
  const even = (loWord(r) & 1) === 0 ? r : n;
  return fromNearest(even, even === r ? g : -g, true, mode);
}

/** FMA when a NaN or an infinity is involved, or a finite product overflows a double. */
function fmaSpecial(a: number, b: number, c: number, p: number, mode: number): number {
  if (a !== a || b !== b || c !== c) return NaN;
  if (a - a !== 0 || b - b !== 0) return p + c; // ±∞ (or NaN for 0 × ∞, ∞ − ∞), exact
  if (c - c !== 0) return c; // finite product plus an infinity
  return exactFma(a, b, c, mode);
}
