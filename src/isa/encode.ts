/**
 * The instruction encoder: the inverse of decode() for 32-bit instructions, driven by the same
 * table. Used by CPU tests and the assembler, so it checks its inputs and throws a RangeError
 * naming the field rather than silently truncating.
 */
import { Inst, Op } from './ops';
import { Fmt, INSTR_BY_OP } from './table';

/** The operand fields of an instruction; fields the operation's format does not use are ignored. */
export type Fields = Partial<Pick<Inst, 'rd' | 'rs1' | 'rs2' | 'rs3' | 'rm' | 'imm'>>;

function field(fields: Fields, name: keyof Fields, op: Op, min: number, max: number): number {
  const v = fields[name] ?? 0;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`encode ${Op[op]}: ${name} = ${v} is outside ${min}..${max}`);
  }
  return v;
}

function evenImm(fields: Fields, op: Op, bits: number): number {
  const v = field(fields, 'imm', op, -(2 ** (bits - 1)), 2 ** (bits - 1) - 2);
  if (v & 1) throw new RangeError(`encode ${Op[op]}: offset ${v} is odd`);
  return v;
}

/** Encodes `op` with `fields` as a 32-bit instruction word (returned as an unsigned number). */
export function encode(op: Op, fields: Fields = {}): number {
  const d = INSTR_BY_OP[op];
  if (d === undefined) throw new RangeError(`encode: ${Op[op]} has no encoding`);
  const reg = (name: 'rd' | 'rs1' | 'rs2' | 'rs3'): number => field(fields, name, op, 0, 31);
  const rd = (): number => reg('rd') << 7;
  const rs1 = (): number => reg('rs1') << 15;
  const rs2 = (): number => reg('rs2') << 20;
  const rm = (): number => field(fields, 'rm', op, 0, 7) << 12;
  const aqrl = (): number => field(fields, 'rm', op, 0, 3) << 25;
  let w: number;
  switch (d.fmt) {
    case Fmt.R: w = rd() | rs1() | rs2(); break;
    case Fmt.RM: w = rd() | rs1() | rs2() | rm(); break;
    case Fmt.R2: w = rd() | rs1(); break;
    case Fmt.R2M: w = rd() | rs1() | rm(); break;
    case Fmt.R4: w = rd() | rs1() | rs2() | (reg('rs3') << 27) | rm(); break;
    case Fmt.AMO: w = rd() | rs1() | rs2() | aqrl(); break;
    case Fmt.LR: w = rd() | rs1() | aqrl(); break;
    case Fmt.I: w = rd() | rs1() | (field(fields, 'imm', op, -2048, 2047) << 20); break;
    case Fmt.SH6: w = rd() | rs1() | (field(fields, 'imm', op, 0, 63) << 20); break;
    case Fmt.SH5: w = rd() | rs1() | (field(fields, 'imm', op, 0, 31) << 20); break;
    case Fmt.S: {
      const imm = field(fields, 'imm', op, -2048, 2047);
      w = rs1() | rs2() | ((imm & 0x1f) << 7) | ((imm >> 5) << 25);
      break;
    }
    case Fmt.B: {
      const imm = evenImm(fields, op, 13);
      w = rs1() | rs2() | (((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) |
        (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7);
      break;
    }
    case Fmt.U: {
      // Accept the value either as a signed or as an unsigned 32-bit number.
      const imm = field(fields, 'imm', op, -(2 ** 31), 2 ** 32 - 1);
      if (imm & 0xfff) throw new RangeError(`encode ${Op[op]}: imm ${imm} has low 12 bits set`);
      w = rd() | (imm & 0xfffff000);
      break;
    }
    case Fmt.J: {
      const imm = evenImm(fields, op, 21);
      w = rd() | (((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) |
        (((imm >> 11) & 1) << 20) | (imm & 0xff000);
      break;
    }
    case Fmt.CSR:
    case Fmt.FENCE:
      w = rd() | rs1() | (field(fields, 'imm', op, 0, 4095) << 20);
      break;
    case Fmt.NONE: w = 0; break;
  }
  return (w | d.match) >>> 0;
}
