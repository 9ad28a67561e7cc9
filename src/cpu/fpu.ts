/**
 * The F and D extensions' computational instructions (everything but FLW/FSW/FLD/FSD),
 * exactly as the RISC-V unprivileged spec defines them: IEEE 754 results in all five
 * rounding modes with accrued flags, NaN-boxing of singles, canonical NaNs, and RISC-V's own
 * rules for fmin/fmax, comparisons, fclass and saturating conversions.
 *
 * executeFp is called from the CPU's main switch for every F/D instruction, so the common
 * cases (ordinary operands, any rounding mode) stay on allocation-free double arithmetic;
 * the arithmetic itself lives in fpu/: double.ts and single.ts (with exact.ts behind them
 * for the rare operands where the fast paths cannot prove exactness) and convert.ts.
 */
import { Op } from '../isa/ops';
import type { CpuState } from './state';
import { DYN, f32Bits, f32Value, NV, RMM, status } from './fpu/bits';
import { integerToDouble, integerToSingle, L, LU, toInteger, W, WU } from './fpu/convert';
import { addD, divD, fmaD, mulD, sqrtD } from './fpu/double';
import { addS, divS, fmaS, mulS, roundToSingle, sqrtS } from './fpu/single';

/** Canonical NaNs: single as its encoding, double as its high word (the low word is 0). */
const CANONICAL_NAN_S = 0x7fc00000;
const CANONICAL_NAN_D_HI = 0x7ff80000;
/** The high word of a NaN-boxed single: all ones. */
const BOXED = -1;

/**
 * Per operation: 0 = not an F/D computational instruction, 1 = has an rm field, 2 = has none
 * (the funct3 bits select the operation). The spec treats the rm field "as usual" even where
 * the result cannot depend on it (fcvt.d.s, fcvt.d.w, fcvt.d.wu), so those reject reserved
 * modes too; qemu-riscv64 agrees (see the legality vectors).
 */
const RM_FIELD = new Uint8Array(Op.COUNT);
for (const op of [
  Op.FMADD_S, Op.FMSUB_S, Op.FNMSUB_S, Op.FNMADD_S, Op.FADD_S, Op.FSUB_S, Op.FMUL_S, Op.FDIV_S, Op.FSQRT_S,
  Op.FCVT_W_S, Op.FCVT_WU_S, Op.FCVT_L_S, Op.FCVT_LU_S, Op.FCVT_S_W, Op.FCVT_S_WU, Op.FCVT_S_L, Op.FCVT_S_LU,
  Op.FMADD_D, Op.FMSUB_D, Op.FNMSUB_D, Op.FNMADD_D, Op.FADD_D, Op.FSUB_D, Op.FMUL_D, Op.FDIV_D, Op.FSQRT_D,
  Op.FCVT_S_D, Op.FCVT_D_S, Op.FCVT_W_D, Op.FCVT_WU_D, Op.FCVT_L_D, Op.FCVT_LU_D,
  Op.FCVT_D_W, Op.FCVT_D_WU, Op.FCVT_D_L, Op.FCVT_D_LU,
]) {
  RM_FIELD[op] = 1;
}
for (const op of [
  Op.FSGNJ_S, Op.FSGNJN_S, Op.FSGNJX_S, Op.FMIN_S, Op.FMAX_S, Op.FMV_X_W, Op.FMV_W_X,
  Op.FEQ_S, Op.FLT_S, Op.FLE_S, Op.FCLASS_S,
  Op.FSGNJ_D, Op.FSGNJN_D, Op.FSGNJX_D, Op.FMIN_D, Op.FMAX_D, Op.FMV_X_D, Op.FMV_D_X,
  Op.FEQ_D, Op.FLT_D, Op.FLE_D, Op.FCLASS_D,
]) {
  RM_FIELD[op] = 2;
}

/**
 * Executes one F/D computational instruction on `st`. rm is the instruction's rm field
 * (DYN = 7 reads frm); it is ignored by operations without one. Returns false, changing
 * nothing, when the instruction is illegal: a reserved rounding mode (static 5 or 6, or
 * dynamic with frm 5–7), or an op that is not an F/D computational instruction.
 */
export function executeFp(op: Op, st: CpuState, rd: number, rs1: number, rs2: number, rs3: number, rm: number): boolean {
  const kind = RM_FIELD[op];
  if (kind === 0) return false;
  const mode = rm === DYN ? st.frm : rm;
  if (kind === 1 && mode > RMM) return false;
  status.flags = 0;
  const f = st.f64;
  const fb = st.fbits;
  const x = st.x;
  switch (op) {
    // ---- double arithmetic ----
    case Op.FADD_D: putArithD(st, rd, addD(f[rs1], f[rs2], mode), rs1, rs2, rs2); break;
    case Op.FSUB_D: putArithD(st, rd, addD(f[rs1], -f[rs2], mode), rs1, rs2, rs2); break;
    case Op.FMUL_D: putArithD(st, rd, mulD(f[rs1], f[rs2], mode), rs1, rs2, rs2); break;
    case Op.FDIV_D: putArithD(st, rd, divD(f[rs1], f[rs2], mode), rs1, rs2, rs2); break;
    case Op.FSQRT_D: putArithD(st, rd, sqrtD(f[rs1], mode), rs1, rs1, rs1); break;
    // The negated forms negate operands, which is exact and gives exact zeros the sign the
    // spec's formulas −(a×b)−c and −(a×b)+c call for.
    case Op.FMADD_D: putFmaD(st, rd, fmaD(f[rs1], f[rs2], f[rs3], mode), rs1, rs2, rs3); break;
    case Op.FMSUB_D: putFmaD(st, rd, fmaD(f[rs1], f[rs2], -f[rs3], mode), rs1, rs2, rs3); break;
    case Op.FNMSUB_D: putFmaD(st, rd, fmaD(-f[rs1], f[rs2], f[rs3], mode), rs1, rs2, rs3); break;
    case Op.FNMADD_D: putFmaD(st, rd, fmaD(-f[rs1], f[rs2], -f[rs3], mode), rs1, rs2, rs3); break;

    // ---- single arithmetic ----
    case Op.FADD_S: putArithS(st, rd, addS(readS(st, rs1), readS(st, rs2), mode), rs1, rs2, rs2); break;
    case Op.FSUB_S: putArithS(st, rd, addS(readS(st, rs1), -readS(st, rs2), mode), rs1, rs2, rs2); break;
    case Op.FMUL_S: putArithS(st, rd, mulS(readS(st, rs1), readS(st, rs2), mode), rs1, rs2, rs2); break;
    case Op.FDIV_S: putArithS(st, rd, divS(readS(st, rs1), readS(st, rs2), mode), rs1, rs2, rs2); break;
    case Op.FSQRT_S: putArithS(st, rd, sqrtS(readS(st, rs1), mode), rs1, rs1, rs1); break;
    case Op.FMADD_S: putFmaS(st, rd, fmaS(readS(st, rs1), readS(st, rs2), readS(st, rs3), mode), rs1, rs2, rs3); break;
    case Op.FMSUB_S: putFmaS(st, rd, fmaS(readS(st, rs1), readS(st, rs2), -readS(st, rs3), mode), rs1, rs2, rs3); break;
    case Op.FNMSUB_S: putFmaS(st, rd, fmaS(-readS(st, rs1), readS(st, rs2), readS(st, rs3), mode), rs1, rs2, rs3); break;
    case Op.FNMADD_S: putFmaS(st, rd, fmaS(-readS(st, rs1), readS(st, rs2), -readS(st, rs3), mode), rs1, rs2, rs3); break;

    // ---- sign injection: bitwise, no canonicalisation; singles NaN-box-checked first ----
    case Op.FSGNJ_D: putSignD(st, rd, rs1, fb[2 * rs2 + 1]); break;
    case Op.FSGNJN_D: putSignD(st, rd, rs1, ~fb[2 * rs2 + 1]); break;
    case Op.FSGNJX_D: putSignD(st, rd, rs1, fb[2 * rs1 + 1] ^ fb[2 * rs2 + 1]); break;
    case Op.FSGNJ_S: putBitsS(st, rd, (bitsS(st, rs1) & 0x7fffffff) | (bitsS(st, rs2) & 0x80000000)); break;
    case Op.FSGNJN_S: putBitsS(st, rd, (bitsS(st, rs1) & 0x7fffffff) | (~bitsS(st, rs2) & 0x80000000)); break;
    case Op.FSGNJX_S: putBitsS(st, rd, bitsS(st, rs1) ^ (bitsS(st, rs2) & 0x80000000)); break;

    // ---- min/max, comparisons, classification ----
    case Op.FMIN_D: putD(st, rd, minMax(f[rs1], f[rs2], false, isSignallingD(st, rs1) || isSignallingD(st, rs2))); break;
    case Op.FMAX_D: putD(st, rd, minMax(f[rs1], f[rs2], true, isSignallingD(st, rs1) || isSignallingD(st, rs2))); break;
    case Op.FMIN_S: putS(st, rd, minMax(readS(st, rs1), readS(st, rs2), false, isSignallingS(st, rs1) || isSignallingS(st, rs2))); break;
    case Op.FMAX_S: putS(st, rd, minMax(readS(st, rs1), readS(st, rs2), true, isSignallingS(st, rs1) || isSignallingS(st, rs2))); break;
    case Op.FEQ_D: putBool(st, rd, equal(f[rs1], f[rs2], isSignallingD(st, rs1) || isSignallingD(st, rs2))); break;
    case Op.FLT_D: putBool(st, rd, less(f[rs1], f[rs2])); break;
    case Op.FLE_D: putBool(st, rd, lessOrEqual(f[rs1], f[rs2])); break;
    case Op.FEQ_S: putBool(st, rd, equal(readS(st, rs1), readS(st, rs2), isSignallingS(st, rs1) || isSignallingS(st, rs2))); break;
    case Op.FLT_S: putBool(st, rd, less(readS(st, rs1), readS(st, rs2))); break;
    case Op.FLE_S: putBool(st, rd, lessOrEqual(readS(st, rs1), readS(st, rs2))); break;
    case Op.FCLASS_D: putX(st, rd, classify(fb[2 * rs1 + 1] >>> 31, (fb[2 * rs1 + 1] >>> 20) & 0x7ff, 0x7ff, (fb[2 * rs1 + 1] & 0xfffff) | fb[2 * rs1], fb[2 * rs1 + 1] & 0x80000), 0); break;
    case Op.FCLASS_S: {
      const b = bitsS(st, rs1);
      putX(st, rd, classify(b >>> 31, (b >>> 23) & 0xff, 0xff, b & 0x7fffff, b & 0x400000), 0);
      break;
    }

    // ---- moves: raw bits; fmv.x.w sign-extends, fmv.w.x NaN-boxes ----
    case Op.FMV_X_W: putX(st, rd, fb[2 * rs1], fb[2 * rs1] >> 31); break;
    case Op.FMV_W_X: putBitsS(st, rd, x[2 * rs1]); break;
    case Op.FMV_X_D: putX(st, rd, fb[2 * rs1], fb[2 * rs1 + 1]); break;
    case Op.FMV_D_X: fb[2 * rd] = x[2 * rs1]; fb[2 * rd + 1] = x[2 * rs1 + 1]; break;

    // ---- conversions between formats ----
    case Op.FCVT_S_D: putArithS(st, rd, narrow(f[rs1], mode), rs1, rs1, rs1, true); break;
    case Op.FCVT_D_S: putArithD(st, rd, readS(st, rs1), rs1, rs1, rs1, true); break;

    // ---- float → integer ----
    case Op.FCVT_W_D: toX(st, rd, f[rs1], W, mode); break;
    case Op.FCVT_WU_D: toX(st, rd, f[rs1], WU, mode); break;
    case Op.FCVT_L_D: toX(st, rd, f[rs1], L, mode); break;
    case Op.FCVT_LU_D: toX(st, rd, f[rs1], LU, mode); break;
    case Op.FCVT_W_S: toX(st, rd, readS(st, rs1), W, mode); break;
    case Op.FCVT_WU_S: toX(st, rd, readS(st, rs1), WU, mode); break;
    case Op.FCVT_L_S: toX(st, rd, readS(st, rs1), L, mode); break;
    case Op.FCVT_LU_S: toX(st, rd, readS(st, rs1), LU, mode); break;

    // ---- integer → float (32-bit sources use the low word only) ----
    case Op.FCVT_D_W: f[rd] = x[2 * rs1]; break;
    case Op.FCVT_D_WU: f[rd] = x[2 * rs1] >>> 0; break;
    case Op.FCVT_D_L: f[rd] = integerToDouble(x[2 * rs1 + 1], x[2 * rs1] >>> 0, mode); break;
    case Op.FCVT_D_LU: f[rd] = integerToDouble(x[2 * rs1 + 1] >>> 0, x[2 * rs1] >>> 0, mode); break;
    case Op.FCVT_S_W: putS(st, rd, integerToSingle(0, x[2 * rs1], mode)); break;
    case Op.FCVT_S_WU: putS(st, rd, integerToSingle(0, x[2 * rs1] >>> 0, mode)); break;
    case Op.FCVT_S_L: putS(st, rd, integerToSingle(x[2 * rs1 + 1], x[2 * rs1] >>> 0, mode)); break;
    case Op.FCVT_S_LU: putS(st, rd, integerToSingle(x[2 * rs1 + 1] >>> 0, x[2 * rs1] >>> 0, mode)); break;
    default: return false;
  }
  st.fflags |= status.flags;
  return true;
}

// ---- operand access ----------------------------------------------------------------------

/** The single in f<i>, NaN-box-checked: an improperly boxed value reads as the canonical NaN. */
function bitsS(st: CpuState, i: number): number {
  return st.fbits[2 * i + 1] === BOXED ? st.fbits[2 * i] : CANONICAL_NAN_S;
}

/** The single in f<i> as a double (NaN for every NaN, improperly boxed ones included). */
function readS(st: CpuState, i: number): number {
  return st.fbits[2 * i + 1] === BOXED ? f32Value(st.fbits[2 * i]) : NaN;
}

/** Signalling NaN: all-ones exponent, quiet bit clear, non-zero fraction. */
function isSignallingS(st: CpuState, i: number): boolean {
  const b = bitsS(st, i);
  return (b & 0x7fc00000) === 0x7f800000 && (b & 0x3fffff) !== 0;
}

function isSignallingD(st: CpuState, i: number): boolean {
  const hi = st.fbits[2 * i + 1];
  return (hi & 0x7ff80000) === 0x7ff00000 && ((hi & 0x7ffff) | st.fbits[2 * i]) !== 0;
}

// ---- results -----------------------------------------------------------------------------

function putD(st: CpuState, rd: number, v: number): void {
  if (v === v) {
    st.f64[rd] = v;
  } else {
    st.fbits[2 * rd] = 0;
    st.fbits[2 * rd + 1] = CANONICAL_NAN_D_HI;
  }
}

function putBitsS(st: CpuState, rd: number, bits: number): void {
  st.fbits[2 * rd] = bits;
  st.fbits[2 * rd + 1] = BOXED;
}

/** Writes a single's value (a double holding it exactly), NaN-boxed; NaN → canonical NaN. */
function putS(st: CpuState, rd: number, v: number): void {
  putBitsS(st, rd, v === v ? f32Bits(v) : CANONICAL_NAN_S);
}

/**
 * An arithmetic result is NaN because an operand is a NaN (quietly propagated, NV only if
 * one signals) or because the operation is invalid on non-NaN operands (∞ − ∞, 0 × ∞, 0/0,
 * ∞/∞, √negative).
 */
function nanFlags(anyNaN: boolean, signalling: boolean): void {
  if (!anyNaN || signalling) status.flags |= NV;
}

/**
 * Writes a double arithmetic result, raising NV as nanFlags says when it is NaN. rs1..rs3
 * may repeat for operations with fewer operands; `fromSingle` marks fcvt.d.s, whose operand
 * is a single.
 */
function putArithD(st: CpuState, rd: number, v: number, rs1: number, rs2: number, rs3: number, fromSingle = false): void {
  if (v !== v) {
    const f = st.f64;
    if (fromSingle) nanFlags(true, isSignallingS(st, rs1));
    else nanFlags(f[rs1] !== f[rs1] || f[rs2] !== f[rs2] || f[rs3] !== f[rs3], isSignallingD(st, rs1) || isSignallingD(st, rs2) || isSignallingD(st, rs3));
  }
  putD(st, rd, v);
}

/** The single-precision counterpart of putArithD (`fromDouble` marks fcvt.s.d). */
function putArithS(st: CpuState, rd: number, v: number, rs1: number, rs2: number, rs3: number, fromDouble = false): void {
  if (v !== v) {
    if (fromDouble) nanFlags(true, isSignallingD(st, rs1));
    else nanFlags(isNaNS(st, rs1) || isNaNS(st, rs2) || isNaNS(st, rs3), isSignallingS(st, rs1) || isSignallingS(st, rs2) || isSignallingS(st, rs3));
  }
  putS(st, rd, v);
}

function isNaNS(st: CpuState, i: number): boolean {
  return (bitsS(st, i) & 0x7fffffff) > 0x7f800000;
}

/** 0 × ∞ in an FMA is invalid even when the addend is a quiet NaN (the spec says so). */
function zeroTimesInfinity(a: number, b: number): boolean {
  return (a === 0 && (b === Infinity || b === -Infinity)) || (b === 0 && (a === Infinity || a === -Infinity));
}

function putFmaD(st: CpuState, rd: number, v: number, rs1: number, rs2: number, rs3: number): void {
  if (v !== v && zeroTimesInfinity(st.f64[rs1], st.f64[rs2])) status.flags |= NV;
  putArithD(st, rd, v, rs1, rs2, rs3);
}

function putFmaS(st: CpuState, rd: number, v: number, rs1: number, rs2: number, rs3: number): void {
  if (v !== v && zeroTimesInfinity(readS(st, rs1), readS(st, rs2))) status.flags |= NV;
  putArithS(st, rd, v, rs1, rs2, rs3);
}

/** fsgnj*.d: rs1's magnitude bits with the sign bit taken from `signWord`'s top bit. */
function putSignD(st: CpuState, rd: number, rs1: number, signWord: number): void {
  const fb = st.fbits;
  fb[2 * rd + 1] = (fb[2 * rs1 + 1] & 0x7fffffff) | (signWord & 0x80000000);
  fb[2 * rd] = fb[2 * rs1];
}

/** Writes x[rd] from two halves; x0 stays zero. */
function putX(st: CpuState, rd: number, lo: number, hi: number): void {
  if (rd === 0) return;
  st.x[2 * rd] = lo;
  st.x[2 * rd + 1] = hi;
}

function putBool(st: CpuState, rd: number, b: boolean): void {
  putX(st, rd, b ? 1 : 0, 0);
}

// ---- operations without rounding --------------------------------------------------------------

/**
 * fmin/fmax (spec 2.2, IEEE 754-2019 minimumNumber/maximumNumber): −0 is below +0, a single
 * NaN operand yields the other operand, two NaNs the canonical NaN; signalling NaNs raise NV.
 */
function minMax(a: number, b: number, max: boolean, signalling: boolean): number {
  if (signalling) status.flags |= NV;
  if (a !== a) return b;
  if (b !== b) return a;
  if (a === b) {
    // Equal, or zeros of different signs: pick by sign bit (−0 for min, +0 for max).
    const aNeg = a < 0 || 1 / a < 0;
    return aNeg === max ? b : a;
  }
  return a < b === max ? b : a;
}

/** feq is a quiet comparison: only signalling NaNs raise NV. */
function equal(a: number, b: number, signalling: boolean): boolean {
  if (signalling) status.flags |= NV;
  return a === b;
}

/** flt and fle are signalling comparisons: any NaN raises NV. */
function less(a: number, b: number): boolean {
  if (a !== a || b !== b) status.flags |= NV;
  return a < b;
}

function lessOrEqual(a: number, b: number): boolean {
  if (a !== a || b !== b) status.flags |= NV;
  return a <= b;
}

/**
 * fclass's one-hot mask from the encoding's fields: bit 0 −∞, 1 negative normal, 2 negative
 * subnormal, 3 −0, 4 +0, 5 positive subnormal, 6 positive normal, 7 +∞, 8 signalling NaN,
 * 9 quiet NaN. `fraction` is non-zero iff the fraction field is; `quiet` the quiet bit.
 */
function classify(sign: number, exponent: number, maxExponent: number, fraction: number, quiet: number): number {
  if (exponent === maxExponent) {
    if (fraction === 0) return sign ? 1 << 0 : 1 << 7;
    return quiet ? 1 << 9 : 1 << 8;
  }
  if (exponent === 0) {
    if (fraction === 0) return sign ? 1 << 3 : 1 << 4;
    return sign ? 1 << 2 : 1 << 5;
  }
  return sign ? 1 << 1 : 1 << 6;
}

// ---- conversions ----------------------------------------------------------------------------

/** fcvt.s.d: a double rounded to single (NaN → canonical NaN; zeros and infinities exact). */
function narrow(v: number, mode: number): number {
  if (v !== v || v === 0 || v - v !== 0) return v;
  return roundToSingle(v, 0, mode);
}

function toX(st: CpuState, rd: number, v: number, kind: number, mode: number): void {
  if (rd === 0) {
    // The result is discarded but the flags still count: convert into a scratch register.
    toInteger(scratchRegs, 0, v, kind, mode);
    return;
  }
  toInteger(st.x, rd, v, kind, mode);
}

const scratchRegs = new Int32Array(2);
