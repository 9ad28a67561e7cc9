/**
 * The F and D extensions' computational instructions (everything but FLW/FSW/FLD/FSD),
 * exactly as the RISC-V unprivileged spec defines them: IEEE 754 results in all five
 * rounding modes with accrued flags, NaN-boxing of singles, canonical NaNs, and RISC-V's own
 * rules for fmin/fmax, comparisons, fclass and saturating conversions.
 *
 * executeFp is called from the CPU's main switch for every F/D instruction. The arithmetic
 * lives in fpu/ — double.ts and single.ts (with exact.ts behind them for the rare operands
 * where the fast paths cannot prove exactness) and convert.ts — and works on the register
 * file directly, so that the common cases run on plain double arithmetic without allocating.
 */
import { Op } from '../isa/ops';
import type { CpuState } from './state';
import { DYN, NV, RMM, status } from './fpu/bits';
import { fromInteger, L, LU, narrow, toInteger, W, widen, WU } from './fpu/convert';
import { fadd, fdiv, ffma, fmul, fsqrt } from './fpu/double';
import {
  bitsS, CANONICAL_NAN_S, isSignallingD, isSignallingS, readS, writeBitsS, writeCanonicalNaND,
} from './fpu/regs';
import { fadds, fdivs, ffmas, fmuls, fsqrts } from './fpu/single';

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

/** Comparison kinds for compare(). */
const EQ = 0;
const LT = 1;
const LE = 2;

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
  const fb = st.fbits;
  switch (op) {
    case Op.FADD_D: fadd(st, rd, rs1, rs2, false, mode); break;
    case Op.FSUB_D: fadd(st, rd, rs1, rs2, true, mode); break;
    case Op.FMUL_D: fmul(st, rd, rs1, rs2, mode); break;
    case Op.FDIV_D: fdiv(st, rd, rs1, rs2, mode); break;
    case Op.FSQRT_D: fsqrt(st, rd, rs1, mode); break;
    case Op.FMADD_D: ffma(st, rd, rs1, rs2, rs3, false, false, mode); break;
    case Op.FMSUB_D: ffma(st, rd, rs1, rs2, rs3, false, true, mode); break;
    case Op.FNMSUB_D: ffma(st, rd, rs1, rs2, rs3, true, false, mode); break;
    case Op.FNMADD_D: ffma(st, rd, rs1, rs2, rs3, true, true, mode); break;

    case Op.FADD_S: fadds(st, rd, rs1, rs2, false, mode); break;
    case Op.FSUB_S: fadds(st, rd, rs1, rs2, true, mode); break;
    case Op.FMUL_S: fmuls(st, rd, rs1, rs2, mode); break;
    case Op.FDIV_S: fdivs(st, rd, rs1, rs2, mode); break;
    case Op.FSQRT_S: fsqrts(st, rd, rs1, mode); break;
    case Op.FMADD_S: ffmas(st, rd, rs1, rs2, rs3, false, false, mode); break;
    case Op.FMSUB_S: ffmas(st, rd, rs1, rs2, rs3, false, true, mode); break;
    case Op.FNMSUB_S: ffmas(st, rd, rs1, rs2, rs3, true, false, mode); break;
    case Op.FNMADD_S: ffmas(st, rd, rs1, rs2, rs3, true, true, mode); break;

    // Sign injection works on bits, without canonicalising (singles are NaN-box-checked).
    case Op.FSGNJ_D: signD(fb, rd, rs1, fb[2 * rs2 + 1]); break;
    case Op.FSGNJN_D: signD(fb, rd, rs1, ~fb[2 * rs2 + 1]); break;
    case Op.FSGNJX_D: signD(fb, rd, rs1, fb[2 * rs1 + 1] ^ fb[2 * rs2 + 1]); break;
    case Op.FSGNJ_S: writeBitsS(fb, rd, (bitsS(fb, rs1) & 0x7fffffff) | (bitsS(fb, rs2) & 0x80000000)); break;
    case Op.FSGNJN_S: writeBitsS(fb, rd, (bitsS(fb, rs1) & 0x7fffffff) | (~bitsS(fb, rs2) & 0x80000000)); break;
    case Op.FSGNJX_S: writeBitsS(fb, rd, bitsS(fb, rs1) ^ (bitsS(fb, rs2) & 0x80000000)); break;

    case Op.FMIN_D: minMax(st, rd, rs1, rs2, false, false); break;
    case Op.FMAX_D: minMax(st, rd, rs1, rs2, true, false); break;
    case Op.FMIN_S: minMax(st, rd, rs1, rs2, false, true); break;
    case Op.FMAX_S: minMax(st, rd, rs1, rs2, true, true); break;
    case Op.FEQ_D: compare(st, rd, rs1, rs2, EQ, false); break;
    case Op.FLT_D: compare(st, rd, rs1, rs2, LT, false); break;
    case Op.FLE_D: compare(st, rd, rs1, rs2, LE, false); break;
    case Op.FEQ_S: compare(st, rd, rs1, rs2, EQ, true); break;
    case Op.FLT_S: compare(st, rd, rs1, rs2, LT, true); break;
    case Op.FLE_S: compare(st, rd, rs1, rs2, LE, true); break;
    case Op.FCLASS_D: {
      const hi = fb[2 * rs1 + 1];
      putX(st, rd, classify(hi < 0, (hi >>> 20) & 0x7ff, 0x7ff, (hi & 0xfffff) | fb[2 * rs1], hi & 0x80000), 0);
      break;
    }
    case Op.FCLASS_S: {
      const b = bitsS(fb, rs1);
      putX(st, rd, classify(b < 0, (b >>> 23) & 0xff, 0xff, b & 0x7fffff, b & 0x400000), 0);
      break;
    }

    // Moves copy raw bits: fmv.x.w sign-extends the low word, fmv.w.x NaN-boxes.
    case Op.FMV_X_W: putX(st, rd, fb[2 * rs1], fb[2 * rs1] >> 31); break;
    case Op.FMV_W_X: writeBitsS(fb, rd, st.x[2 * rs1]); break;
    case Op.FMV_X_D: putX(st, rd, fb[2 * rs1], fb[2 * rs1 + 1]); break;
    case Op.FMV_D_X: fb[2 * rd] = st.x[2 * rs1]; fb[2 * rd + 1] = st.x[2 * rs1 + 1]; break;

    case Op.FCVT_S_D: narrow(st, rd, rs1, mode); break;
    case Op.FCVT_D_S: widen(st, rd, rs1); break;
    case Op.FCVT_W_D: toInteger(st, rd, rs1, false, W, mode); break;
    case Op.FCVT_WU_D: toInteger(st, rd, rs1, false, WU, mode); break;
    case Op.FCVT_L_D: toInteger(st, rd, rs1, false, L, mode); break;
    case Op.FCVT_LU_D: toInteger(st, rd, rs1, false, LU, mode); break;
    case Op.FCVT_W_S: toInteger(st, rd, rs1, true, W, mode); break;
    case Op.FCVT_WU_S: toInteger(st, rd, rs1, true, WU, mode); break;
    case Op.FCVT_L_S: toInteger(st, rd, rs1, true, L, mode); break;
    case Op.FCVT_LU_S: toInteger(st, rd, rs1, true, LU, mode); break;
    case Op.FCVT_D_W: fromInteger(st, rd, rs1, W, false, mode); break;
    case Op.FCVT_D_WU: fromInteger(st, rd, rs1, WU, false, mode); break;
    case Op.FCVT_D_L: fromInteger(st, rd, rs1, L, false, mode); break;
    case Op.FCVT_D_LU: fromInteger(st, rd, rs1, LU, false, mode); break;
    case Op.FCVT_S_W: fromInteger(st, rd, rs1, W, true, mode); break;
    case Op.FCVT_S_WU: fromInteger(st, rd, rs1, WU, true, mode); break;
    case Op.FCVT_S_L: fromInteger(st, rd, rs1, L, true, mode); break;
    case Op.FCVT_S_LU: fromInteger(st, rd, rs1, LU, true, mode); break;
    default: return false;
  }
  st.fflags |= status.flags;
  return true;
}

/** Writes x[rd] from two halves; x0 stays zero. */
function putX(st: CpuState, rd: number, lo: number, hi: number): void {
  if (rd === 0) return;
  st.x[2 * rd] = lo;
  st.x[2 * rd + 1] = hi;
}

/** fsgnj*.d: rs1's bits with the sign bit taken from `signWord`'s top bit. */
function signD(fb: Int32Array, rd: number, rs1: number, signWord: number): void {
  fb[2 * rd + 1] = (fb[2 * rs1 + 1] & 0x7fffffff) | (signWord & 0x80000000);
  fb[2 * rd] = fb[2 * rs1];
}

/**
 * fmin/fmax (spec 2.2, IEEE 754-2019 minimumNumber/maximumNumber): −0 is below +0, a single
 * NaN operand yields the other operand, two NaNs the canonical NaN; signalling NaNs raise NV.
 * The chosen operand's bits are copied unchanged.
 */
function minMax(st: CpuState, rd: number, rs1: number, rs2: number, max: boolean, single: boolean): void {
  const fb = st.fbits;
  const a = single ? readS(fb, rs1) : st.f64[rs1];
  const b = single ? readS(fb, rs2) : st.f64[rs2];
  const signalling = single ? isSignallingS(fb, rs1) || isSignallingS(fb, rs2) : isSignallingD(fb, rs1) || isSignallingD(fb, rs2);
  if (signalling) status.flags |= NV;
  let pick: number; // the register whose value is the result, or −1 for the canonical NaN
  if (a !== a) pick = b !== b ? -1 : rs2;
  else if (b !== b) pick = rs1;
  else if (a === b) {
    // Equal, or zeros of opposite signs: pick by a's sign bit (−0 for min, +0 for max).
    const aNegative = single ? bitsS(fb, rs1) < 0 : fb[2 * rs1 + 1] < 0;
    pick = aNegative === max ? rs2 : rs1;
  } else pick = a < b === max ? rs2 : rs1;
  if (single) {
    writeBitsS(fb, rd, pick < 0 ? CANONICAL_NAN_S : bitsS(fb, pick));
  } else if (pick < 0) {
    writeCanonicalNaND(fb, rd);
  } else {
    fb[2 * rd] = fb[2 * pick];
    fb[2 * rd + 1] = fb[2 * pick + 1];
  }
}

/** feq is a quiet comparison (NV only for signalling NaNs); flt and fle signal on any NaN. */
function compare(st: CpuState, rd: number, rs1: number, rs2: number, kind: number, single: boolean): void {
  const fb = st.fbits;
  const a = single ? readS(fb, rs1) : st.f64[rs1];
  const b = single ? readS(fb, rs2) : st.f64[rs2];
  let result: boolean;
  if (a !== a || b !== b) {
    const signalling = single ? isSignallingS(fb, rs1) || isSignallingS(fb, rs2) : isSignallingD(fb, rs1) || isSignallingD(fb, rs2);
    if (kind !== EQ || signalling) status.flags |= NV;
    result = false;
  } else {
    result = kind === EQ ? a === b : kind === LT ? a < b : a <= b;
  }
  putX(st, rd, result ? 1 : 0, 0);
}

/**
 * fclass's one-hot mask from the encoding's fields: bit 0 −∞, 1 negative normal, 2 negative
 * subnormal, 3 −0, 4 +0, 5 positive subnormal, 6 positive normal, 7 +∞, 8 signalling NaN,
 * 9 quiet NaN. `fraction` is non-zero iff the fraction field is; `quiet` the quiet bit.
 */
function classify(negative: boolean, exponent: number, maxExponent: number, fraction: number, quiet: number): number {
  if (exponent === maxExponent) {
    if (fraction === 0) return negative ? 1 << 0 : 1 << 7;
    return quiet !== 0 ? 1 << 9 : 1 << 8;
  }
  if (exponent === 0) {
    if (fraction === 0) return negative ? 1 << 3 : 1 << 4;
    return negative ? 1 << 2 : 1 << 5;
  }
  return negative ? 1 << 1 : 1 << 6;
}
