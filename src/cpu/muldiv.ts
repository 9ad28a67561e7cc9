/**
 * The M extension's multiplies and divisions on the register file (pairs of 32-bit halves).
 *
 * RISC-V never traps on division: x / 0 gives all ones (-1, or 2^64-1 unsigned) and x % 0
 * gives x; the signed overflow INT_MIN / -1 gives INT_MIN and remainder 0. The W forms work on
 * the low 32 bits and sign-extend their 32-bit result.
 */
import { Op } from '../isa/ops';
import { div64, divu64, mul64, mulh64, mulhsu64, mulhu64, out } from './int64';

/** Executes MUL…REMUW with rd/rs1/rs2 given as indices of low words in `x` (2 × register). */
export function executeMulDiv(op: Op, x: Int32Array, rd: number, rs1: number, rs2: number): void {
  const alo = x[rs1], ahi = x[rs1 + 1], blo = x[rs2], bhi = x[rs2 + 1];
  switch (op) {
    case Op.MUL: mul64(alo, ahi, blo, bhi); break;
    case Op.MULH: mulh64(alo, ahi, blo, bhi); break;
    case Op.MULHSU: mulhsu64(alo, ahi, blo, bhi); break;
    case Op.MULHU: mulhu64(alo, ahi, blo, bhi); break;
    case Op.DIV: case Op.REM:
    case Op.DIVU: case Op.REMU: {
      const rem = op === Op.REM || op === Op.REMU;
      if ((blo | bhi) === 0) {
        x[rd] = rem ? alo : -1;
        x[rd + 1] = rem ? ahi : -1;
        return;
      }
      if (op === Op.DIV || op === Op.REM) div64(alo, ahi, blo, bhi);
      else divu64(alo, ahi, blo, bhi);
      x[rd] = out[rem ? 2 : 0];
      x[rd + 1] = out[rem ? 3 : 1];
      return;
    }
    // 32-bit: a double quotient truncated by `| 0` is exact, and also wraps INT_MIN / -1
    // (2^31) back to INT_MIN; INT_MIN % -1 is -0, which `| 0` makes 0.
    case Op.MULW: setWord(x, rd, Math.imul(alo, blo)); return;
    case Op.DIVW: setWord(x, rd, blo === 0 ? -1 : (alo / blo) | 0); return;
    case Op.DIVUW: setWord(x, rd, blo === 0 ? -1 : ((alo >>> 0) / (blo >>> 0)) | 0); return;
    case Op.REMW: setWord(x, rd, blo === 0 ? alo : (alo % blo) | 0); return;
    case Op.REMUW: setWord(x, rd, blo === 0 ? alo : ((alo >>> 0) % (blo >>> 0)) | 0); return;
    default: throw new Error(`executeMulDiv: ${Op[op]} is not an M operation`);
  }
  x[rd] = out[0];
  x[rd + 1] = out[1];
}

/** Writes a 32-bit result sign-extended to 64 bits. */
function setWord(x: Int32Array, rd: number, word: number): void {
  x[rd] = word;
  x[rd + 1] = word >> 31;
}
