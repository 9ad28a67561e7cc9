/**
 * binary64 arithmetic (fadd/fsub/fmul/fdiv/fsqrt/fmadd….d) in all five rounding modes, with
 * exact flags, reading and writing the register file directly (see bits.ts for why).
 *
 * The fast paths let JavaScript compute the round-to-nearest-even result, obtain the exact
 * error (or its sign) with an error-free transformation (eft.ts), and derive the other modes
 * from it: the exact value lies strictly between that result and one neighbour, so a
 * directed mode keeps the result or steps to the neighbour. They are restricted to operand
 * and result ranges where every step is provably exact and the result is normal and far
 * from overflow, so neither underflow nor overflow can happen in them; everything else
 * (rare in real programs) goes to the exact BigInt path.
 */
import type { CpuState } from '../state';
import { DZ, NV, NX, pow2, RDN, residual, RNE, RTZ, RUP, status, stepMagnitude } from './bits';
import { productError, quotientErrorSign, rootErrorSign, sumError } from './eft';
import { exactAdd, exactDiv, exactFma, exactMul } from './exact';
import { nanResultD, zeroTimesInfinity } from './regs';

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
 * Rounds an inexact result in place. On entry f<rd> holds a normal double r with
 * 2^-1021 ≤ |r| < 2^1023 and `residual` the exact error, exact − r = g + h, non-zero, with
 * the exact value less than one gap from r on g's side. r need not be the nearest double
 * (the FMA's r has been rounded once too often); the midpoint test settles that: RN is
 * monotonic, so comparing g with the (representable) half gap is exact except when they are
 * equal, where h's sign decides. Raises NX.
 */
export function finishDouble(st: CpuState, rd: number, mode: number): void {
  status.flags |= NX;
  const fb = st.fbits;
  const g = residual[0];
  const h = residual[1];
  const hi = fb[2 * rd + 1];
  const neg = hi < 0;
  let away = g > 0 !== neg; // whether the exact magnitude exceeds |r|
  // The gap to the neighbour on the exact value's side: one unit in the last place, or half
  // of one just below a power of two.
  const ulp = pow2(((hi >>> 20) & 0x7ff) - 1075);
  const gap = !away && (hi & 0xfffff) === 0 && fb[2 * rd] === 0 ? ulp * 0.5 : ulp;
  const half = gap * 0.5;
  const mg = Math.abs(g);
  let tie = false;
  if (mg > half || (mg === half && h !== 0 && h > 0 === g > 0)) {
    // Past the midpoint: the neighbour is nearest, and the exact value lies back toward r.
    stepMagnitude(fb, rd, away ? 1 : -1);
    away = !away;
  } else if (mg === half && h === 0) {
    tie = true;
    if ((fb[2 * rd] & 1) !== 0) {
      // Ties to even: take the neighbour, whose last bit is 0.
      stepMagnitude(fb, rd, away ? 1 : -1);
      away = !away;
    }
  }
  // f<rd> is now the nearest result; the exact value lies beyond it (away) or short of it.
  let toward: boolean; // step toward the exact value?
  switch (mode) {
    case RNE: return;
    case RTZ: toward = !away; break;
    case RDN: toward = away === neg; break; // the exact value is below
    case RUP: toward = away !== neg; break; // the exact value is above
    default: toward = tie && away; break; // RMM: ties away from zero
  }
  if (toward) stepMagnitude(fb, rd, away ? 1 : -1);
}

/** f<rd> holds the nearest result and `residual` its exact error: round in `mode`. */
function inexactResult(st: CpuState, rd: number, mode: number): void {
  if (mode === RNE) status.flags |= NX; // the nearest result is the answer
  else finishDouble(st, rd, mode);
}

/**
 * The sum of two zeros, or of x and −x: −0 when both are −0, or when rounding down and not
 * both are +0; +0 otherwise (IEEE 754 §6.3). JavaScript's a + b is the round-to-nearest
 * answer, and rounding down is its mirror image, −((−a) + (−b)). Arithmetic rather than
 * −0/+0 literals keeps the result an unboxed double (see bits.ts).
 */
export function exactZeroSum(a: number, b: number, mode: number): number {
  return mode === RDN ? -(-a - b) : a + b;
}

/** fadd.d, or fsub.d with `negate`. */
export function fadd(st: CpuState, rd: number, rs1: number, rs2: number, negate: boolean, mode: number): void {
  const f = st.f64;
  const a = f[rs1];
  const b = negate ? -f[rs2] : f[rs2];
  const s = a + b;
  if (Math.abs(s) < HUGE) {
    // Both operands are finite (an infinity or NaN would have made s so), and the error of
    // a sum is exact, subnormal sums included; a sum that small is exact, so never tiny.
    const err = sumError(a, b, s);
    if (err === 0) {
      // Exact. A zero sum from JavaScript is already right except when rounding down.
      f[rd] = s !== 0 || mode !== RDN ? s : exactZeroSum(a, b, mode);
    } else {
      f[rd] = s;
      residual[0] = err;
      residual[1] = 0;
      inexactResult(st, rd, mode);
    }
  } else if (s !== s) {
    nanResultD(st.fbits, rd, rs1, rs2, rs2);
  } else {
    f[rd] = a - a !== 0 || b - b !== 0 ? s : exactAdd(a, b, mode); // ∞ is exact
  }
}

export function fmul(st: CpuState, rd: number, rs1: number, rs2: number, mode: number): void {
  const f = st.f64;
  const a = f[rs1];
  const b = f[rs2];
  const p = a * b;
  const mag = Math.abs(p);
  if (mag >= PRODUCT_MIN && mag < PRODUCT_MAX && splittable(a) && splittable(b)) {
    const err = productError(a, b, p);
    f[rd] = p;
    if (err !== 0) {
      residual[0] = err;
      residual[1] = 0;
      inexactResult(st, rd, mode);
    }
  } else if (p !== p) {
    nanResultD(st.fbits, rd, rs1, rs2, rs2);
  } else {
    // Zero or infinite operands give exact results; the rest are finite and far out.
    f[rd] = a === 0 || b === 0 || a - a !== 0 || b - b !== 0 ? p : exactMul(a, b, mode);
  }
}

export function fdiv(st: CpuState, rd: number, rs1: number, rs2: number, mode: number): void {
  const f = st.f64;
  const a = f[rs1];
  const b = f[rs2];
  const q = a / b;
  const ma = Math.abs(a);
  const mb = Math.abs(b);
  const mq = Math.abs(q);
  if (ma >= SAFE_MIN && ma <= SAFE_MAX && mb >= SAFE_MIN && mb <= SAFE_MAX && mq >= SAFE_MIN && mq <= SAFE_MAX) {
    const dir = quotientErrorSign(a, b, q);
    f[rd] = q;
    if (dir !== 0) {
      // Only the error's sign is known, which suffices: a quotient of doubles is never
      // exactly halfway between two doubles in this range, and any magnitude below half a
      // gap says so to finishDouble.
      residual[0] = dir * Number.MIN_VALUE;
      residual[1] = 0;
      inexactResult(st, rd, mode);
    }
  } else if (q !== q) {
    nanResultD(st.fbits, rd, rs1, rs2, rs2);
  } else if (b === 0) {
    if (a - a === 0) status.flags |= DZ; // finite ÷ 0; ∞ ÷ 0 is an exact infinity
    f[rd] = q;
  } else {
    f[rd] = a === 0 || a - a !== 0 || b - b !== 0 ? q : exactDiv(a, b, mode); // 0 ÷ x, ∞ ÷ x, x ÷ ∞: exact
  }
}

/** Scaling for square roots outside the residual's safe range: even powers of two. */
const ROOT_UP = pow2(200);
const ROOT_UP_BACK = pow2(-100);
const ROOT_DOWN = pow2(-200);
const ROOT_DOWN_BACK = pow2(100);

export function fsqrt(st: CpuState, rd: number, rs1: number, mode: number): void {
  const f = st.f64;
  const a = f[rs1];
  if (!(a > 0) || a === Infinity) {
    if (a === a && a >= 0) f[rd] = a; // ±0 and +∞ are their own roots (√−0 = −0)
    else nanResultD(st.fbits, rd, rs1, rs1, rs1); // NaN, or a negative number: invalid
    return;
  }
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
  f[rd] = q;
  if (dir !== 0) {
    residual[0] = dir * Number.MIN_VALUE; // never a tie, as for division
    residual[1] = 0;
    inexactResult(st, rd, mode);
  }
  if (back !== 1) f[rd] *= back;
}

/**
 * The four fused multiply-adds: ±(f<rs1> × f<rs2>) ± f<rs3> with one rounding. Negating
 * operands is exact, and gives exact zero results the signs the spec's formulas call for
 * (fnmadd = −(a×b) − c is the sum of −(a×b) and −c).
 */
export function ffma(st: CpuState, rd: number, rs1: number, rs2: number, rs3: number,
  negateProduct: boolean, negateAddend: boolean, mode: number): void {
  const f = st.f64;
  const a = negateProduct ? -f[rs1] : f[rs1];
  const b = f[rs2];
  const c = negateAddend ? -f[rs3] : f[rs3];
  const p = a * b;
  if (p - p !== 0 || c - c !== 0) {
    fmaSpecial(st, rd, rs1, rs2, rs3, a, b, c, p, mode);
    return;
  }
  if (a === 0 || b === 0) {
    f[rd] = c === 0 ? exactZeroSum(p, c, mode) : c;
    return;
  }
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
      if (g === 0) {
        f[rd] = r === 0 ? exactZeroSum(r, -r, mode) : r; // exact; a zero here is a cancellation
        return;
      }
      const mr = Math.abs(r);
      if (mr >= TINY && mr < HUGE) {
        // |v| is far below r's last place, so exact is within one gap of r (see finishDouble).
        f[rd] = r;
        residual[0] = g;
        residual[1] = h;
        finishDouble(st, rd, mode);
        return;
      }
    }
  }
  f[rd] = exactFma(a, b, c, mode);
}

/** FMA when a NaN or an infinity is involved, or a finite product overflows a double. */
function fmaSpecial(st: CpuState, rd: number, rs1: number, rs2: number, rs3: number,
  a: number, b: number, c: number, p: number, mode: number): void {
  let v: number;
  if (a !== a || b !== b || c !== c) v = NaN;
  else if (a - a !== 0 || b - b !== 0) v = p + c; // ±∞, or NaN for 0 × ∞ and ∞ − ∞: exact
  else if (c - c !== 0) v = c; // finite product plus an infinity
  else v = exactFma(a, b, c, mode);
  if (v === v) {
    st.f64[rd] = v;
  } else {
    if (zeroTimesInfinity(a, b)) status.flags |= NV;
    nanResultD(st.fbits, rd, rs1, rs2, rs3);
  }
}
