/**
 * Conversions between floating point and integers (fcvt.{w,wu,l,lu}.{s,d} and back).
 *
 * Float to integer rounds in the instruction's mode, then saturates what does not fit: the
 * spec's table sends NaN and too-large values to the largest integer, too-small values to the
 * smallest, and raises NV instead of NX. Integer to float rounds the integer, which arrives
 * as two 32-bit register halves: hi·2^32 and lo are exact doubles and two-sum makes their sum
 * an exact pair, rounded once like any other result.
 */
import { fromNearest, isHalfGap } from './double';
import { sumError } from './eft';
import { NV, NX, RMM, RNE, RTZ, RDN, status } from './bits';
import { roundToSingle } from './single';

/** Integer destination types, indexing the tables below. */
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

/** x rounded to an integral double in `mode` (x not NaN; infinities are returned as is). */
function roundToIntegral(x: number, mode: number): number {
  if (!(Math.abs(x) < TWO_52)) return x; // already an integer
  const t = Math.trunc(x);
  const f = x - t; // exact
  if (f === 0) return t;
  const away = f > 0 ? t + 1 : t - 1;
  switch (mode) {
    case RNE: {
      const d = Math.abs(f);
      return d < 0.5 ? t : d > 0.5 ? away : t % 2 === 0 ? t : away;
    }
    case RTZ: return t;
    case RDN: return f < 0 ? away : t;
    case RMM: return Math.abs(f) < 0.5 ? t : away;
    default: return f > 0 ? away : t; // RUP
  }
}

/**
 * Converts x (a single or double held in a double; NaN for any NaN) to integer type `kind`
 * and writes it to x[rd] as two halves. rd is not x0.
 */
export function toInteger(regs: Int32Array, rd: number, x: number, kind: number, mode: number): void {
  let lo: number;
  let hi: number;
  const r = x === x ? roundToIntegral(x, mode) : NaN;
  if (r >= LOWER[kind] && r < UPPER[kind]) {
    if (r !== x) status.flags |= NX;
    if (kind <= WU) {
      lo = r | 0; // ToInt32 wraps values ≥ 2^31 as the register bits want
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
  regs[2 * rd] = lo;
  regs[2 * rd + 1] = hi;
}

/**
 * The integer hi·2^32 + lo rounded to a double in `mode`. hi and lo are integers below 2^32
 * in magnitude, already read as signed or unsigned as the source type wants (a 32-bit
 * source passes hi = 0 and its low word as lo).
 */
export function integerToDouble(hi: number, lo: number, mode: number): number {
  const top = hi * TWO_32;
  const s = top + lo;
  const err = sumError(top, lo, s);
  if (err === 0) return s;
  status.flags |= NX;
  return fromNearest(s, err, mode === RMM && isHalfGap(s, err), mode);
}

/** The same integer rounded to a single. */
export function integerToSingle(hi: number, lo: number, mode: number): number {
  const top = hi * TWO_32;
  const s = top + lo;
  return s === 0 ? 0 : roundToSingle(s, sumError(top, lo, s), mode);
}
