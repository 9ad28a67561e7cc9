/**
 * Conversions: float ↔ integer (fcvt.{w,wu,l,lu}.{s,d} and back) and between the two
 * formats (fcvt.s.d, fcvt.d.s).
 *
 * Float to integer rounds in the instruction's mode, then saturates what does not fit: the
 * spec's table sends NaN and too-large values to the largest integer, too-small values to the
 * smallest, and raises NV instead of NX. Integer to float rounds the integer, which arrives
 * as two 32-bit register halves: hi·2^32 and lo are exact doubles and two-sum makes their sum
 * an exact pair, rounded once like any other result.
 */
import type { CpuState } from '../state';
import { f32Bits, NV, NX, RDN, residual, RMM, RNE, RTZ, status } from './bits';
import { finishDouble } from './double';
import { sumError } from './eft';
import { CANONICAL_NAN_S, isSignallingD, isSignallingS, raiseForNaN, readS, writeBitsS, writeCanonicalNaND } from './regs';
import { finishSingle } from './single';

/** Integer types, indexing the tables below. */
export const W = 0;
export const WU = 1;
export const L = 2;
export const LU = 3;

const TWO_32 = 4294967296;
const TWO_52 = 4503599627370496;
/** Exclusive upper and inclusive lower bounds of each type, as doubles. */
const UPPER = [2 ** 31, 2 ** 32, 2 ** 63, 2 ** 64];
const LOWER = [-(2 ** 31), 0, -(2 ** 63), 0];
/** Saturated results as register halves (32-bit results sign-extended to 64 bits). */
const MAX_LO = [0x7fffffff, -1, -1, -1];
const MAX_HI = [0, -1, 0x7fffffff, -1];
const MIN_LO = [0x80000000 | 0, 0, 0, 0];
const MIN_HI = [-1, 0, 0x80000000 | 0, 0];

/**
 * fcvt.<kind>.s / fcvt.<kind>.d: converts f<rs1> (a single if `fromSingle`) to integer type
 * `kind` in x<rd>. Writes nothing for x0 but still raises the flags.
 */
export function toInteger(st: CpuState, rd: number, rs1: number, fromSingle: boolean, kind: number, mode: number): void {
  const x = fromSingle ? readS(st.fbits, rs1) : st.f64[rs1];
  // r = x rounded to an integral value in `mode` (NaN stays NaN; |x| ≥ 2^52 is integral).
  let r = x;
  if (Math.abs(x) < TWO_52) {
    const t = Math.trunc(x);
    const frac = x - t; // exact
    const away = frac > 0 ? t + 1 : t - 1; // the other integer neighbour
    const d = Math.abs(frac);
    switch (mode) {
      case RNE: r = d < 0.5 ? t : d > 0.5 || t % 2 !== 0 ? away : t; break;
      case RTZ: r = t; break;
      case RDN: r = frac < 0 ? away : t; break;
      case RMM: r = d < 0.5 ? t : away; break;
      default: r = frac > 0 ? away : t; break; // RUP
    }
  }
  let lo: number;
  let hi: number;
  if (r >= LOWER[kind] && r < UPPER[kind]) {
    if (r !== x) status.flags |= NX;
    if (kind <= WU) {
      lo = r | 0; // ToInt32 wraps values ≥ 2^31 to the register bits
      hi = lo >> 31;
    } else {
      hi = Math.floor(r / TWO_32);
      lo = (r - hi * TWO_32) | 0;
      hi |= 0;
    }
  } else {
    status.flags |= NV;
    const low = r < 0; // NaN is not below zero: it saturates high
    lo = low ? MIN_LO[kind] : MAX_LO[kind];
    hi = low ? MIN_HI[kind] : MAX_HI[kind];
  }
  if (rd !== 0) {
    st.x[2 * rd] = lo;
    st.x[2 * rd + 1] = hi;
  }
}

/**
 * fcvt.s.<kind> / fcvt.d.<kind>: converts x<rs1> (its low word for W and WU) to f<rd>, a
 * single if `toSingle`, rounding in `mode`.
 */
export function fromInteger(st: CpuState, rd: number, rs1: number, kind: number, toSingle: boolean, mode: number): void {
  const xr = st.x;
  const hi = kind === L ? xr[2 * rs1 + 1] : kind === LU ? xr[2 * rs1 + 1] >>> 0 : 0;
  const lo = kind === W ? xr[2 * rs1] : xr[2 * rs1] >>> 0;
  const top = hi * TWO_32;
  const s = top + lo; // the integer rounded to nearest; +0 for zero
  residual[0] = sumError(top, lo, s);
  residual[1] = 0;
  st.f64[rd] = s;
  if (toSingle) {
    if (s === 0) writeBitsS(st.fbits, rd, 0);
    else finishSingle(st, rd, mode);
  } else if (residual[0] !== 0) {
    if (mode === RNE) status.flags |= NX;
    else finishDouble(st, rd, mode); // |s| ≥ 2^53 here, well inside finishDouble's range
  }
}

/** fcvt.s.d: rounds f<rs1> to a single (NaN → canonical; zeros and infinities exact). */
export function narrow(st: CpuState, rd: number, rs1: number, mode: number): void {
  const fb = st.fbits;
  const v = st.f64[rs1];
  if (v !== v) {
    raiseForNaN(true, isSignallingD(fb, rs1));
    writeBitsS(fb, rd, CANONICAL_NAN_S);
  } else if (v === 0 || v - v !== 0) {
    writeBitsS(fb, rd, f32Bits(v));
  } else {
    st.f64[rd] = v;
    residual[0] = 0;
    finishSingle(st, rd, mode);
  }
}

/** fcvt.d.s: exact (NaN → canonical). */
export function widen(st: CpuState, rd: number, rs1: number): void {
  const fb = st.fbits;
  const v = readS(fb, rs1);
  if (v === v) {
    st.f64[rd] = v;
  } else {
    raiseForNaN(true, isSignallingS(fb, rs1));
    writeCanonicalNaND(fb, rd);
  }
}
