/**
 * binary32 arithmetic in all five rounding modes, computed through doubles without double
 * rounding, reading and writing the register file directly (see bits.ts for why).
 *
 * A double has more than twice single's precision and a far wider exponent range, so every
 * single operation's exact result is available as hi + lo with hi = RN64(exact) and the sign
 * of lo = exact − hi known exactly: sums and FMAs by two-sum (products of singles are exact
 * doubles), quotients and roots by the sign of their residual. finishSingle then rounds that
 * pair once, directly to binary32, in any mode. Rounding hi alone would be wrong whenever hi
 * sits exactly on a single-precision rounding boundary (a single, or the midpoint between
 * two) while the exact value does not — the classic double-rounding error; lo's sign settles
 * exactly those cases. Nothing here needs BigInt.
 */
import type { CpuState } from '../state';
import { DZ, f32Bits, MAX_F32, NV, NX, OF, pow2, RDN, residual, RNE, RTZ, RUP, status, UF } from './bits';
import { exactZeroSum } from './double';
import { quotientErrorSign, rootErrorSign, sumError } from './eft';
import { nanResultS, readS, writeBitsS, zeroTimesInfinity } from './regs';

const MIN_NORMAL_EXP = -126;
const PRECISION = 24;
/** 2^128: the smallest magnitude that overflows binary32. */
const OVERFLOW = pow2(128);
const INFINITY_BITS = 0x7f800000;
const MAX_BITS = f32Bits(MAX_F32);

/** Where the exact value lies relative to the truncated significand (see roundAt). */
const EXACT = 0;
const BELOW_HALF = 1;
const HALF = 2;
const ABOVE_HALF = 3;

/** Set by roundAt: the position of the dropped part, one of EXACT…ABOVE_HALF. */
let dropped = EXACT;

/**
 * |f<rd>| / 2^quantum rounded to an integer in `mode`, for the exact value hi + lo where
 * hi = f<rd> is the double nearest to it; loDir is +1 if |exact| > |hi|, −1 if below, 0 if
 * equal; neg is the sign. Sets `dropped`.
 *
 * The fraction f of |hi| / 2^quantum is exact. Single-precision rounding boundaries (the
 * integers and half-integers at this scale) are doubles, so if |exact| were on a different
 * side of one than |hi|, hi would not be the nearest double; hence hi decides, except when
 * f is 0 or ½ — hi is on a boundary — where loDir decides.
 */
function roundAt(f64: Float64Array, rd: number, quantum: number, loDir: number, neg: boolean, mode: number): number {
  const scaled = Math.abs(f64[rd]) * pow2(-quantum);
  let t = Math.floor(scaled);
  const f = scaled - t;
  if (f === 0) {
    if (loDir === 0) dropped = EXACT;
    else if (loDir > 0) dropped = BELOW_HALF;
    else {
      t -= 1; // just below an integer: truncation is one less and the rest nearly a whole
      dropped = ABOVE_HALF;
    }
  } else if (f === 0.5) {
    dropped = loDir === 0 ? HALF : loDir > 0 ? ABOVE_HALF : BELOW_HALF;
  } else {
    dropped = f < 0.5 ? BELOW_HALF : ABOVE_HALF;
  }
  let up: boolean;
  switch (mode) {
    case RNE: up = dropped === ABOVE_HALF || (dropped === HALF && t % 2 === 1); break;
    case RTZ: up = false; break;
    case RDN: up = neg && dropped !== EXACT; break;
    case RUP: up = !neg && dropped !== EXACT; break;
    default: up = dropped >= HALF; break; // RMM
  }
  return up ? t + 1 : t;
}

/**
 * Rounds to binary32 in place. On entry f<rd> holds hi, the non-zero finite double nearest
 * to the exact result, and residual[0] a number with the sign of exact − hi (only the sign
 * is used). Writes the NaN-boxed single; raises NX, UF (tininess after rounding, as RISC-V
 * specifies, and only when inexact) and OF.
 */
export function finishSingle(st: CpuState, rd: number, mode: number): void {
  const fb = st.fbits;
  const hiWord = fb[2 * rd + 1];
  const neg = hiWord < 0;
  const lo = residual[0];
  const loDir = lo === 0 ? 0 : lo > 0 !== neg ? 1 : -1;
  // Exponent of |exact|: hi's, one less when hi is a power of two and exact lies just below
  // it. Subnormal doubles read as −1023, which the clamp below treats like any tiny value.
  let e = ((hiWord >>> 20) & 0x7ff) - 1023;
  if (loDir < 0 && (hiWord & 0xfffff) === 0 && fb[2 * rd] === 0) e -= 1;
  const quantum = Math.max(e, MIN_NORMAL_EXP) - (PRECISION - 1);
  const sig = roundAt(st.f64, rd, quantum, loDir, neg, mode);
  if (dropped !== EXACT) {
    status.flags |= NX;
    // Tiny after rounding: below 2^-126 even when rounded to full precision with an
    // unbounded exponent, which only a value just under 2^-126 can escape.
    if (e < MIN_NORMAL_EXP &&
      !(e === MIN_NORMAL_EXP - 1 && roundAt(st.f64, rd, e - (PRECISION - 1), loDir, neg, mode) === 2 ** PRECISION)) {
      status.flags |= UF;
    }
  }
  const mag = sig * pow2(quantum); // exact: at most 25 significant bits
  let bits: number;
  if (mag >= OVERFLOW) {
    status.flags |= OF | NX;
    const towardZero = mode === RTZ || (mode === RDN && !neg) || (mode === RUP && neg);
    bits = towardZero ? MAX_BITS : INFINITY_BITS;
  } else {
    bits = f32Bits(mag);
  }
  writeBitsS(fb, rd, neg ? bits | 0x80000000 : bits);
}

/** Writes an exact result (a zero or an infinity) known as a double. */
function writeExact(st: CpuState, rd: number, v: number): void {
  writeBitsS(st.fbits, rd, f32Bits(v));
}

/** fadd.s, or fsub.s with `negate`. */
export function fadds(st: CpuState, rd: number, rs1: number, rs2: number, negate: boolean, mode: number): void {
  const fb = st.fbits;
  const a = readS(fb, rs1);
  const b = negate ? -readS(fb, rs2) : readS(fb, rs2);
  const s = a + b;
  if (s !== s) nanResultS(fb, rd, rs1, rs2, rs2);
  else if (s - s !== 0) writeExact(st, rd, s); // an infinite operand (singles cannot overflow a double)
  else if (s === 0) writeExact(st, rd, exactZeroSum(a, b, mode)); // sums this small are exact
  else {
    residual[0] = sumError(a, b, s);
    st.f64[rd] = s;
    finishSingle(st, rd, mode);
  }
}

export function fmuls(st: CpuState, rd: number, rs1: number, rs2: number, mode: number): void {
  const fb = st.fbits;
  const p = readS(fb, rs1) * readS(fb, rs2); // exact: 48 significant bits, well inside a double's range
  if (p !== p) nanResultS(fb, rd, rs1, rs2, rs2);
  else if (p - p !== 0 || p === 0) writeExact(st, rd, p);
  else {
    residual[0] = 0;
    st.f64[rd] = p;
    finishSingle(st, rd, mode);
  }
}

export function fdivs(st: CpuState, rd: number, rs1: number, rs2: number, mode: number): void {
  const fb = st.fbits;
  const a = readS(fb, rs1);
  const b = readS(fb, rs2);
  const q = a / b;
  if (q !== q) {
    nanResultS(fb, rd, rs1, rs2, rs2);
  } else if (b === 0 || a === 0 || a - a !== 0 || b - b !== 0) {
    if (b === 0 && a - a === 0) status.flags |= DZ; // finite ÷ 0
    writeExact(st, rd, q); // and 0 ÷ x, ∞ ÷ x, x ÷ ∞
  } else {
    // Single operands keep q, b and q·b deep inside quotientErrorSign's safe range.
    residual[0] = quotientErrorSign(a, b, q);
    st.f64[rd] = q;
    finishSingle(st, rd, mode);
  }
}

export function fsqrts(st: CpuState, rd: number, rs1: number, mode: number): void {
  const fb = st.fbits;
  const a = readS(fb, rs1);
  if (!(a > 0) || a === Infinity) {
    if (a === a && a >= 0) writeExact(st, rd, a); // ±0, +∞
    else nanResultS(fb, rd, rs1, rs1, rs1);
    return;
  }
  const q = Math.sqrt(a);
  residual[0] = rootErrorSign(a, q);
  st.f64[rd] = q;
  finishSingle(st, rd, mode);
}

/** The fused multiply-adds, as in double.ts: the product is exact, the sum an exact pair. */
export function ffmas(st: CpuState, rd: number, rs1: number, rs2: number, rs3: number,
  negateProduct: boolean, negateAddend: boolean, mode: number): void {
  const fb = st.fbits;
  const a = negateProduct ? -readS(fb, rs1) : readS(fb, rs1);
  const b = readS(fb, rs2);
  const c = negateAddend ? -readS(fb, rs3) : readS(fb, rs3);
  const p = a * b;
  const s = p + c;
  if (s !== s) {
    if (zeroTimesInfinity(a, b)) status.flags |= NV;
    nanResultS(fb, rd, rs1, rs2, rs3);
  } else if (s - s !== 0) {
    writeExact(st, rd, s);
  } else if (s === 0) {
    writeExact(st, rd, exactZeroSum(p, c, mode));
  } else {
    residual[0] = sumError(p, c, s);
    st.f64[rd] = s;
    finishSingle(st, rd, mode);
  }
}
