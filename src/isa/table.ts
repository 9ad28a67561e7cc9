/**
 * The instruction table of user-mode RV64GC: the one place where the ISA is written down.
 *
 * `INSTRS` describes every 32-bit operation (its encoding as match/mask bits, the format that
 * says where its fields live, its assembler syntax and a one-line description); `COMPRESSED`
 * describes every RV64C encoding and how it expands to a base operation. The decoder
 * (decode.ts), encoder (encode.ts), disassembler (disasm.ts), the assembler, hovers and docs
 * are all built from these two tables, so the ISA cannot drift between them.
 *
 * Encodings follow the RISC-V unprivileged specification (20191213 + Zicsr/Zifencei chapters);
 * mnemonics are spelled the way GNU objdump prints them.
 */
import { Op } from './ops';

export type Ext = 'I' | 'M' | 'A' | 'F' | 'D' | 'Zicsr' | 'Zifencei';

/**
 * Where an encoding keeps its operands. The decoder extracts exactly the fields of the format
 * and zeroes the others; the encoder places them back.
 */
export enum Fmt {
  /** rd, rs1, rs2. */
  R,
  /** rd, rs1, rs2 and the rounding mode (funct3) in `rm`. */
  RM,
  /** rd, rs1 (rs2 is part of the opcode). */
  R2,
  /** rd, rs1 and the rounding mode (rs2 is part of the opcode). */
  R2M,
  /** rd, rs1, rs2, rs3 (bits 31:27) and the rounding mode. */
  R4,
  /** rd, rs1, rs2 and aq<<1|rl in `rm`. */
  AMO,
  /** rd, rs1 and aq<<1|rl in `rm` (rs2 must be 0). */
  LR,
  /** rd, rs1, 12-bit signed immediate (bits 31:20). */
  I,
  /** rd, rs1, 6-bit shift amount (RV64 shifts: bit 25 belongs to the shift amount). */
  SH6,
  /** rd, rs1, 5-bit shift amount (the *W shifts). */
  SH5,
  /** rs1, rs2, 12-bit signed store offset. */
  S,
  /** rs1, rs2, 13-bit signed even branch offset. */
  B,
  /** rd and the upper immediate: `imm` is the 32-bit value with its low 12 bits zero. */
  U,
  /** rd, 21-bit signed even jump offset. */
  J,
  /** rd, rs1 (a register, or the 5-bit zimm of the *I forms) and `imm` = CSR number (0–4095). */
  CSR,
  /** rd, rs1 and `imm` = bits 31:20 unsigned: fm<<8 | pred<<4 | succ. */
  FENCE,
  /** No operands (ecall, ebreak). */
  NONE,
}

/**
 * One operand of the assembler syntax, in the order it is written.
 * rd/rs1/rs2 are integer registers, fd/fs1/fs2/fs3 floating-point registers (same fields).
 */
export type Operand =
  | 'rd' | 'rs1' | 'rs2'
  | 'fd' | 'fs1' | 'fs2' | 'fs3'
  /** Signed decimal immediate. */
  | 'imm'
  /** Shift amount (printed in hex by objdump). */
  | 'shamt'
  /** The 20-bit upper immediate of lui/auipc (imm >>> 12, printed in hex). */
  | 'hi20'
  /** A memory operand `offset(rs1)`. */
  | 'off(rs1)'
  /** An AMO/LR/SC address `(rs1)`. */
  | '(rs1)'
  /** A pc-relative branch or jump target (pc + imm). */
  | 'target'
  /** A CSR number (imm), printed by name. */
  | 'csr'
  /** The 5-bit unsigned immediate of csrr*i, kept in rs1. */
  | 'zimm'
  /** The rounding mode; written only when it is not dynamic. */
  | 'rm'
  /** Fence predecessor and successor sets (from imm). */
  | 'pred' | 'succ';

export interface InstrDef {
  readonly op: Op;
  /** Mnemonic as objdump prints it (AMOs without their .aq/.rl suffix). */
  readonly name: string;
  readonly ext: Ext;
  readonly fmt: Fmt;
  /** The instruction matches when (word & mask) === match (both as signed 32-bit numbers). */
  readonly match: number;
  readonly mask: number;
  readonly operands: readonly Operand[];
  /** One line saying what the instruction does. */
  readonly desc: string;
}

// ---- Encoding helpers: build match/mask from the named fields of the spec. ----

interface Enc { match: number; mask: number }

const OPC = 0x7f;
const F3 = 0x7 << 12;
const F7 = 0x7f << 25;
const RS2 = 0x1f << 20;

/** Major opcode only. */
function op7(opcode: number): Enc {
  return { match: opcode, mask: OPC };
}
/** Opcode + funct3. */
function f3(opcode: number, funct3: number): Enc {
  return { match: opcode | (funct3 << 12), mask: OPC | F3 };
}
/** Opcode + funct3 + funct7. */
function f37(opcode: number, funct3: number, funct7: number): Enc {
  return { match: (opcode | (funct3 << 12) | (funct7 << 25)) | 0, mask: (OPC | F3 | F7) | 0 };
}
/** Opcode + funct3 + funct6 (bits 31:26): RV64 immediate shifts. */
function f36(opcode: number, funct3: number, funct6: number): Enc {
  return { match: (opcode | (funct3 << 12) | (funct6 << 26)) | 0, mask: (OPC | F3 | (0x3f << 26)) | 0 };
}
/** AMO: width in funct3 (2 = W, 3 = D) and funct5 (bits 31:27); LR also fixes rs2 = 0. */
function amo(funct3: number, funct5: number, lr = false): Enc {
  return {
    match: (0x2f | (funct3 << 12) | (funct5 << 27)) | 0,
    mask: (OPC | F3 | (0x1f << 27) | (lr ? RS2 : 0)) | 0,
  };
}
/** OP-FP with funct7; funct3 and rs2 are part of the opcode when given. */
function fp(funct7: number, funct3?: number, rs2?: number): Enc {
  let match = 0x53 | (funct7 << 25);
  let mask = OPC | F7;
  if (funct3 !== undefined) { match |= funct3 << 12; mask |= F3; }
  if (rs2 !== undefined) { match |= rs2 << 20; mask |= RS2; }
  return { match: match | 0, mask: mask | 0 };
}
/** Fused multiply-add: opcode + format (bits 26:25, 0 = S, 1 = D). */
function r4(opcode: number, fmt: number): Enc {
  return { match: opcode | (fmt << 25), mask: OPC | (0x3 << 25) };
}
/** A whole fixed word. */
function exact(word: number): Enc {
  return { match: word | 0, mask: -1 };
}

const OPERANDS: ReadonlySet<string> = new Set<Operand>([
  'rd', 'rs1', 'rs2', 'fd', 'fs1', 'fs2', 'fs3', 'imm', 'shamt', 'hi20', 'off(rs1)', '(rs1)',
  'target', 'csr', 'zimm', 'rm', 'pred', 'succ',
]);

/** Parses a comma-separated operand list, refusing unknown operand names at module load. */
function syntax(text: string): Operand[] {
  if (text === '') return [];
  return text.split(',').map((s) => {
    if (!OPERANDS.has(s)) throw new Error(`isa/table: unknown operand '${s}'`);
    return s as Operand;
  });
}

function def(op: Op, name: string, ext: Ext, fmt: Fmt, enc: Enc, ops: string, desc: string): InstrDef {
  return { op, name, ext, fmt, match: enc.match, mask: enc.mask, operands: syntax(ops), desc };
}

export type Field = 'rd' | 'rs1' | 'rs2' | 'imm';

/** One condition on decoded fields: `field = value`, `field != value` or `field = other field`. */
export interface Cond {
  readonly field: Field;
  readonly ne: boolean;
  readonly value: number | Field;
}

/**
 * An alias: the name and syntax used for an operation when its fields satisfy every condition
 * (nop, li, mv, ret, csrr, fmv.d …). The disassembler takes the first alias of an operation
 * whose conditions hold, else the base syntax; an assembler reads the conditions backwards to
 * fill in the fields the alias leaves out.
 */
export interface AliasDef {
  readonly name: string;
  readonly op: Op;
  readonly when: readonly Cond[];
  readonly operands: readonly Operand[];
}

const FIELDS: ReadonlySet<string> = new Set<Field>(['rd', 'rs1', 'rs2', 'imm']);

/** Parses 'rd=0&imm!=0&rs1=rs2' (numbers may be negative or 0x-hex). */
function conditions(text: string): Cond[] {
  if (text === '') return [];
  return text.split('&').map((c) => {
    const m = /^(\w+)(!?=)(-?\w+)$/.exec(c);
    if (m === null || !FIELDS.has(m[1])) throw new Error(`isa/table: bad condition '${c}'`);
    const rhs = m[3];
    const value = FIELDS.has(rhs) ? (rhs as Field) : Number(rhs);
    if (typeof value === 'number' && Number.isNaN(value)) throw new Error(`isa/table: bad condition '${c}'`);
    return { field: m[1] as Field, ne: m[2] === '!=', value };
  });
}

function alias(op: Op, name: string, when: string, ops: string): AliasDef {
  return { name, op, when: conditions(when), operands: syntax(ops) };
}

/** Does `c` hold for the fields `f`? */
export function holds(c: Cond, f: Readonly<Record<Field, number>>): boolean {
  const rhs = typeof c.value === 'number' ? c.value : f[c.value];
  return (f[c.field] === rhs) !== c.ne;
}

const LOAD = 0x03, LOAD_FP = 0x07, MISC_MEM = 0x0f, OP_IMM = 0x13, AUIPC = 0x17, OP_IMM_32 = 0x1b;
const STORE = 0x23, STORE_FP = 0x27, OP = 0x33, LUI = 0x37, OP_32 = 0x3b;
const MADD = 0x43, MSUB = 0x47, NMSUB = 0x4b, NMADD = 0x4f;
const BRANCH = 0x63, JALR = 0x67, JAL = 0x6f, SYSTEM = 0x73;

/** Every 32-bit operation of RV64GC, in `Op` order. */
export const INSTRS: readonly InstrDef[] = [
  // ---- RV64I ----
  def(Op.LUI, 'lui', 'I', Fmt.U, op7(LUI), 'rd,hi20', 'Load upper immediate: rd = imm20 << 12, sign-extended to 64 bits.'),
  def(Op.AUIPC, 'auipc', 'I', Fmt.U, op7(AUIPC), 'rd,hi20', 'Add upper immediate to pc: rd = pc + (imm20 << 12).'),
  def(Op.JAL, 'jal', 'I', Fmt.J, op7(JAL), 'rd,target', 'Jump and link: rd = pc + length, then jump to pc + offset.'),
  def(Op.JALR, 'jalr', 'I', Fmt.I, f3(JALR, 0), 'rd,off(rs1)', 'Jump and link register: rd = pc + length, jump to (rs1 + offset) with bit 0 cleared.'),
  def(Op.BEQ, 'beq', 'I', Fmt.B, f3(BRANCH, 0), 'rs1,rs2,target', 'Branch if rs1 equals rs2.'),
  def(Op.BNE, 'bne', 'I', Fmt.B, f3(BRANCH, 1), 'rs1,rs2,target', 'Branch if rs1 differs from rs2.'),
  def(Op.BLT, 'blt', 'I', Fmt.B, f3(BRANCH, 4), 'rs1,rs2,target', 'Branch if rs1 < rs2 as signed numbers.'),
  def(Op.BGE, 'bge', 'I', Fmt.B, f3(BRANCH, 5), 'rs1,rs2,target', 'Branch if rs1 >= rs2 as signed numbers.'),
  def(Op.BLTU, 'bltu', 'I', Fmt.B, f3(BRANCH, 6), 'rs1,rs2,target', 'Branch if rs1 < rs2 as unsigned numbers.'),
  def(Op.BGEU, 'bgeu', 'I', Fmt.B, f3(BRANCH, 7), 'rs1,rs2,target', 'Branch if rs1 >= rs2 as unsigned numbers.'),
  def(Op.LB, 'lb', 'I', Fmt.I, f3(LOAD, 0), 'rd,off(rs1)', 'Load a byte and sign-extend it.'),
  def(Op.LH, 'lh', 'I', Fmt.I, f3(LOAD, 1), 'rd,off(rs1)', 'Load a 16-bit halfword and sign-extend it.'),
  def(Op.LW, 'lw', 'I', Fmt.I, f3(LOAD, 2), 'rd,off(rs1)', 'Load a 32-bit word and sign-extend it.'),
  def(Op.LD, 'ld', 'I', Fmt.I, f3(LOAD, 3), 'rd,off(rs1)', 'Load a 64-bit doubleword.'),
  def(Op.LBU, 'lbu', 'I', Fmt.I, f3(LOAD, 4), 'rd,off(rs1)', 'Load a byte and zero-extend it.'),
  def(Op.LHU, 'lhu', 'I', Fmt.I, f3(LOAD, 5), 'rd,off(rs1)', 'Load a 16-bit halfword and zero-extend it.'),
  def(Op.LWU, 'lwu', 'I', Fmt.I, f3(LOAD, 6), 'rd,off(rs1)', 'Load a 32-bit word and zero-extend it.'),
  def(Op.SB, 'sb', 'I', Fmt.S, f3(STORE, 0), 'rs2,off(rs1)', 'Store the low byte of rs2.'),
  def(Op.SH, 'sh', 'I', Fmt.S, f3(STORE, 1), 'rs2,off(rs1)', 'Store the low 16 bits of rs2.'),
  def(Op.SW, 'sw', 'I', Fmt.S, f3(STORE, 2), 'rs2,off(rs1)', 'Store the low 32 bits of rs2.'),
  def(Op.SD, 'sd', 'I', Fmt.S, f3(STORE, 3), 'rs2,off(rs1)', 'Store all 64 bits of rs2.'),
  def(Op.ADDI, 'addi', 'I', Fmt.I, f3(OP_IMM, 0), 'rd,rs1,imm', 'rd = rs1 + imm.'),
  def(Op.SLTI, 'slti', 'I', Fmt.I, f3(OP_IMM, 2), 'rd,rs1,imm', 'rd = 1 if rs1 < imm (signed), else 0.'),
  def(Op.SLTIU, 'sltiu', 'I', Fmt.I, f3(OP_IMM, 3), 'rd,rs1,imm', 'rd = 1 if rs1 < imm (unsigned, imm sign-extended first), else 0.'),
  def(Op.XORI, 'xori', 'I', Fmt.I, f3(OP_IMM, 4), 'rd,rs1,imm', 'rd = rs1 ^ imm.'),
  def(Op.ORI, 'ori', 'I', Fmt.I, f3(OP_IMM, 6), 'rd,rs1,imm', 'rd = rs1 | imm.'),
  def(Op.ANDI, 'andi', 'I', Fmt.I, f3(OP_IMM, 7), 'rd,rs1,imm', 'rd = rs1 & imm.'),
  def(Op.SLLI, 'slli', 'I', Fmt.SH6, f36(OP_IMM, 1, 0x00), 'rd,rs1,shamt', 'Shift rs1 left by a 6-bit amount.'),
  def(Op.SRLI, 'srli', 'I', Fmt.SH6, f36(OP_IMM, 5, 0x00), 'rd,rs1,shamt', 'Shift rs1 right by a 6-bit amount, filling with zeros.'),
  def(Op.SRAI, 'srai', 'I', Fmt.SH6, f36(OP_IMM, 5, 0x10), 'rd,rs1,shamt', 'Shift rs1 right by a 6-bit amount, copying the sign bit.'),
  def(Op.ADD, 'add', 'I', Fmt.R, f37(OP, 0, 0x00), 'rd,rs1,rs2', 'rd = rs1 + rs2.'),
  def(Op.SUB, 'sub', 'I', Fmt.R, f37(OP, 0, 0x20), 'rd,rs1,rs2', 'rd = rs1 - rs2.'),
  def(Op.SLL, 'sll', 'I', Fmt.R, f37(OP, 1, 0x00), 'rd,rs1,rs2', 'Shift rs1 left by the low 6 bits of rs2.'),
  def(Op.SLT, 'slt', 'I', Fmt.R, f37(OP, 2, 0x00), 'rd,rs1,rs2', 'rd = 1 if rs1 < rs2 (signed), else 0.'),
  def(Op.SLTU, 'sltu', 'I', Fmt.R, f37(OP, 3, 0x00), 'rd,rs1,rs2', 'rd = 1 if rs1 < rs2 (unsigned), else 0.'),
  def(Op.XOR, 'xor', 'I', Fmt.R, f37(OP, 4, 0x00), 'rd,rs1,rs2', 'rd = rs1 ^ rs2.'),
  def(Op.SRL, 'srl', 'I', Fmt.R, f37(OP, 5, 0x00), 'rd,rs1,rs2', 'Shift rs1 right (zero fill) by the low 6 bits of rs2.'),
  def(Op.SRA, 'sra', 'I', Fmt.R, f37(OP, 5, 0x20), 'rd,rs1,rs2', 'Shift rs1 right (sign fill) by the low 6 bits of rs2.'),
  def(Op.OR, 'or', 'I', Fmt.R, f37(OP, 6, 0x00), 'rd,rs1,rs2', 'rd = rs1 | rs2.'),
  def(Op.AND, 'and', 'I', Fmt.R, f37(OP, 7, 0x00), 'rd,rs1,rs2', 'rd = rs1 & rs2.'),
  def(Op.ADDIW, 'addiw', 'I', Fmt.I, f3(OP_IMM_32, 0), 'rd,rs1,imm', 'Add imm to the low 32 bits of rs1; rd = the 32-bit sum sign-extended.'),
  def(Op.SLLIW, 'slliw', 'I', Fmt.SH5, f37(OP_IMM_32, 1, 0x00), 'rd,rs1,shamt', 'Shift the low 32 bits of rs1 left; sign-extend the 32-bit result.'),
  def(Op.SRLIW, 'srliw', 'I', Fmt.SH5, f37(OP_IMM_32, 5, 0x00), 'rd,rs1,shamt', 'Shift the low 32 bits of rs1 right (zero fill); sign-extend the 32-bit result.'),
  def(Op.SRAIW, 'sraiw', 'I', Fmt.SH5, f37(OP_IMM_32, 5, 0x20), 'rd,rs1,shamt', 'Shift the low 32 bits of rs1 right (sign fill); sign-extend the 32-bit result.'),
  def(Op.ADDW, 'addw', 'I', Fmt.R, f37(OP_32, 0, 0x00), 'rd,rs1,rs2', '32-bit add; the result is sign-extended to 64 bits.'),
  def(Op.SUBW, 'subw', 'I', Fmt.R, f37(OP_32, 0, 0x20), 'rd,rs1,rs2', '32-bit subtract; the result is sign-extended to 64 bits.'),
  def(Op.SLLW, 'sllw', 'I', Fmt.R, f37(OP_32, 1, 0x00), 'rd,rs1,rs2', '32-bit shift left by the low 5 bits of rs2; result sign-extended.'),
  def(Op.SRLW, 'srlw', 'I', Fmt.R, f37(OP_32, 5, 0x00), 'rd,rs1,rs2', '32-bit logical shift right by the low 5 bits of rs2; result sign-extended.'),
  def(Op.SRAW, 'sraw', 'I', Fmt.R, f37(OP_32, 5, 0x20), 'rd,rs1,rs2', '32-bit arithmetic shift right by the low 5 bits of rs2; result sign-extended.'),
  // fm/pred/succ settings and the rd/rs1 fields the spec reserves are ignored: every such
  // encoding executes as an ordinary fence.
  def(Op.FENCE, 'fence', 'I', Fmt.FENCE, f3(MISC_MEM, 0), 'pred,succ', 'Order the predecessor set of memory/IO accesses before the successor set.'),
  def(Op.FENCE_I, 'fence.i', 'Zifencei', Fmt.I, f3(MISC_MEM, 1), '', 'Make earlier stores visible to later instruction fetches of this hart.'),
  def(Op.ECALL, 'ecall', 'I', Fmt.NONE, exact(0x00000073), '', 'Call the kernel (system call: number in a7, arguments in a0–a5).'),
  def(Op.EBREAK, 'ebreak', 'I', Fmt.NONE, exact(0x00100073), '', 'Breakpoint: trap to the debugger.'),
  // ---- Zicsr ----
  def(Op.CSRRW, 'csrrw', 'Zicsr', Fmt.CSR, f3(SYSTEM, 1), 'rd,csr,rs1', 'Atomically rd = csr, csr = rs1.'),
  def(Op.CSRRS, 'csrrs', 'Zicsr', Fmt.CSR, f3(SYSTEM, 2), 'rd,csr,rs1', 'Atomically rd = csr, then set the csr bits that are set in rs1.'),
  def(Op.CSRRC, 'csrrc', 'Zicsr', Fmt.CSR, f3(SYSTEM, 3), 'rd,csr,rs1', 'Atomically rd = csr, then clear the csr bits that are set in rs1.'),
  def(Op.CSRRWI, 'csrrwi', 'Zicsr', Fmt.CSR, f3(SYSTEM, 5), 'rd,csr,zimm', 'Atomically rd = csr, csr = a 5-bit unsigned immediate.'),
  def(Op.CSRRSI, 'csrrsi', 'Zicsr', Fmt.CSR, f3(SYSTEM, 6), 'rd,csr,zimm', 'Atomically rd = csr, then set the csr bits given by a 5-bit immediate.'),
  def(Op.CSRRCI, 'csrrci', 'Zicsr', Fmt.CSR, f3(SYSTEM, 7), 'rd,csr,zimm', 'Atomically rd = csr, then clear the csr bits given by a 5-bit immediate.'),
  // ---- M ----
  def(Op.MUL, 'mul', 'M', Fmt.R, f37(OP, 0, 0x01), 'rd,rs1,rs2', 'Low 64 bits of rs1 * rs2.'),
  def(Op.MULH, 'mulh', 'M', Fmt.R, f37(OP, 1, 0x01), 'rd,rs1,rs2', 'High 64 bits of the 128-bit product, both operands signed.'),
  def(Op.MULHSU, 'mulhsu', 'M', Fmt.R, f37(OP, 2, 0x01), 'rd,rs1,rs2', 'High 64 bits of the 128-bit product, rs1 signed and rs2 unsigned.'),
  def(Op.MULHU, 'mulhu', 'M', Fmt.R, f37(OP, 3, 0x01), 'rd,rs1,rs2', 'High 64 bits of the 128-bit product, both operands unsigned.'),
  def(Op.DIV, 'div', 'M', Fmt.R, f37(OP, 4, 0x01), 'rd,rs1,rs2', 'Signed division rounding toward zero; x/0 = -1, overflow gives the dividend.'),
  def(Op.DIVU, 'divu', 'M', Fmt.R, f37(OP, 5, 0x01), 'rd,rs1,rs2', 'Unsigned division; x/0 = all ones.'),
  def(Op.REM, 'rem', 'M', Fmt.R, f37(OP, 6, 0x01), 'rd,rs1,rs2', 'Signed remainder (sign of the dividend); x%0 = x.'),
  def(Op.REMU, 'remu', 'M', Fmt.R, f37(OP, 7, 0x01), 'rd,rs1,rs2', 'Unsigned remainder; x%0 = x.'),
  def(Op.MULW, 'mulw', 'M', Fmt.R, f37(OP_32, 0, 0x01), 'rd,rs1,rs2', 'Low 32 bits of rs1 * rs2, sign-extended.'),
  def(Op.DIVW, 'divw', 'M', Fmt.R, f37(OP_32, 4, 0x01), 'rd,rs1,rs2', '32-bit signed division; result sign-extended.'),
  def(Op.DIVUW, 'divuw', 'M', Fmt.R, f37(OP_32, 5, 0x01), 'rd,rs1,rs2', '32-bit unsigned division; result sign-extended.'),
  def(Op.REMW, 'remw', 'M', Fmt.R, f37(OP_32, 6, 0x01), 'rd,rs1,rs2', '32-bit signed remainder; result sign-extended.'),
  def(Op.REMUW, 'remuw', 'M', Fmt.R, f37(OP_32, 7, 0x01), 'rd,rs1,rs2', '32-bit unsigned remainder; result sign-extended.'),
  // ---- A ----
  def(Op.LR_W, 'lr.w', 'A', Fmt.LR, amo(2, 0x02, true), 'rd,(rs1)', 'Load-reserved word: load and sign-extend, and reserve the address.'),
  def(Op.SC_W, 'sc.w', 'A', Fmt.AMO, amo(2, 0x03), 'rd,rs2,(rs1)', 'Store-conditional word: store if the reservation holds; rd = 0 on success, 1 on failure.'),
  def(Op.AMOSWAP_W, 'amoswap.w', 'A', Fmt.AMO, amo(2, 0x01), 'rd,rs2,(rs1)', 'Atomically rd = mem32, mem32 = rs2.'),
  def(Op.AMOADD_W, 'amoadd.w', 'A', Fmt.AMO, amo(2, 0x00), 'rd,rs2,(rs1)', 'Atomically rd = mem32, mem32 += rs2.'),
  def(Op.AMOXOR_W, 'amoxor.w', 'A', Fmt.AMO, amo(2, 0x04), 'rd,rs2,(rs1)', 'Atomically rd = mem32, mem32 ^= rs2.'),
  def(Op.AMOAND_W, 'amoand.w', 'A', Fmt.AMO, amo(2, 0x0c), 'rd,rs2,(rs1)', 'Atomically rd = mem32, mem32 &= rs2.'),
  def(Op.AMOOR_W, 'amoor.w', 'A', Fmt.AMO, amo(2, 0x08), 'rd,rs2,(rs1)', 'Atomically rd = mem32, mem32 |= rs2.'),
  def(Op.AMOMIN_W, 'amomin.w', 'A', Fmt.AMO, amo(2, 0x10), 'rd,rs2,(rs1)', 'Atomically rd = mem32, mem32 = signed minimum of mem32 and rs2.'),
  def(Op.AMOMAX_W, 'amomax.w', 'A', Fmt.AMO, amo(2, 0x14), 'rd,rs2,(rs1)', 'Atomically rd = mem32, mem32 = signed maximum of mem32 and rs2.'),
  def(Op.AMOMINU_W, 'amominu.w', 'A', Fmt.AMO, amo(2, 0x18), 'rd,rs2,(rs1)', 'Atomically rd = mem32, mem32 = unsigned minimum of mem32 and rs2.'),
  def(Op.AMOMAXU_W, 'amomaxu.w', 'A', Fmt.AMO, amo(2, 0x1c), 'rd,rs2,(rs1)', 'Atomically rd = mem32, mem32 = unsigned maximum of mem32 and rs2.'),
  def(Op.LR_D, 'lr.d', 'A', Fmt.LR, amo(3, 0x02, true), 'rd,(rs1)', 'Load-reserved doubleword: load and reserve the address.'),
  def(Op.SC_D, 'sc.d', 'A', Fmt.AMO, amo(3, 0x03), 'rd,rs2,(rs1)', 'Store-conditional doubleword: store if the reservation holds; rd = 0 on success, 1 on failure.'),
  def(Op.AMOSWAP_D, 'amoswap.d', 'A', Fmt.AMO, amo(3, 0x01), 'rd,rs2,(rs1)', 'Atomically rd = mem64, mem64 = rs2.'),
  def(Op.AMOADD_D, 'amoadd.d', 'A', Fmt.AMO, amo(3, 0x00), 'rd,rs2,(rs1)', 'Atomically rd = mem64, mem64 += rs2.'),
  def(Op.AMOXOR_D, 'amoxor.d', 'A', Fmt.AMO, amo(3, 0x04), 'rd,rs2,(rs1)', 'Atomically rd = mem64, mem64 ^= rs2.'),
  def(Op.AMOAND_D, 'amoand.d', 'A', Fmt.AMO, amo(3, 0x0c), 'rd,rs2,(rs1)', 'Atomically rd = mem64, mem64 &= rs2.'),
  def(Op.AMOOR_D, 'amoor.d', 'A', Fmt.AMO, amo(3, 0x08), 'rd,rs2,(rs1)', 'Atomically rd = mem64, mem64 |= rs2.'),
  def(Op.AMOMIN_D, 'amomin.d', 'A', Fmt.AMO, amo(3, 0x10), 'rd,rs2,(rs1)', 'Atomically rd = mem64, mem64 = signed minimum of mem64 and rs2.'),
  def(Op.AMOMAX_D, 'amomax.d', 'A', Fmt.AMO, amo(3, 0x14), 'rd,rs2,(rs1)', 'Atomically rd = mem64, mem64 = signed maximum of mem64 and rs2.'),
  def(Op.AMOMINU_D, 'amominu.d', 'A', Fmt.AMO, amo(3, 0x18), 'rd,rs2,(rs1)', 'Atomically rd = mem64, mem64 = unsigned minimum of mem64 and rs2.'),
  def(Op.AMOMAXU_D, 'amomaxu.d', 'A', Fmt.AMO, amo(3, 0x1c), 'rd,rs2,(rs1)', 'Atomically rd = mem64, mem64 = unsigned maximum of mem64 and rs2.'),
  // ---- F ----
  def(Op.FLW, 'flw', 'F', Fmt.I, f3(LOAD_FP, 2), 'fd,off(rs1)', 'Load a single-precision value into fd (NaN-boxed).'),
  def(Op.FSW, 'fsw', 'F', Fmt.S, f3(STORE_FP, 2), 'fs2,off(rs1)', 'Store the low 32 bits of fs2.'),
  def(Op.FMADD_S, 'fmadd.s', 'F', Fmt.R4, r4(MADD, 0), 'fd,fs1,fs2,fs3,rm', 'fd = fs1 * fs2 + fs3, rounded once (single).'),
  def(Op.FMSUB_S, 'fmsub.s', 'F', Fmt.R4, r4(MSUB, 0), 'fd,fs1,fs2,fs3,rm', 'fd = fs1 * fs2 - fs3, rounded once (single).'),
  def(Op.FNMSUB_S, 'fnmsub.s', 'F', Fmt.R4, r4(NMSUB, 0), 'fd,fs1,fs2,fs3,rm', 'fd = -(fs1 * fs2) + fs3, rounded once (single).'),
  def(Op.FNMADD_S, 'fnmadd.s', 'F', Fmt.R4, r4(NMADD, 0), 'fd,fs1,fs2,fs3,rm', 'fd = -(fs1 * fs2) - fs3, rounded once (single).'),
  def(Op.FADD_S, 'fadd.s', 'F', Fmt.RM, fp(0x00), 'fd,fs1,fs2,rm', 'Single-precision fd = fs1 + fs2.'),
  def(Op.FSUB_S, 'fsub.s', 'F', Fmt.RM, fp(0x04), 'fd,fs1,fs2,rm', 'Single-precision fd = fs1 - fs2.'),
  def(Op.FMUL_S, 'fmul.s', 'F', Fmt.RM, fp(0x08), 'fd,fs1,fs2,rm', 'Single-precision fd = fs1 * fs2.'),
  def(Op.FDIV_S, 'fdiv.s', 'F', Fmt.RM, fp(0x0c), 'fd,fs1,fs2,rm', 'Single-precision fd = fs1 / fs2.'),
  def(Op.FSQRT_S, 'fsqrt.s', 'F', Fmt.R2M, fp(0x2c, undefined, 0), 'fd,fs1,rm', 'Single-precision square root of fs1.'),
  def(Op.FSGNJ_S, 'fsgnj.s', 'F', Fmt.R, fp(0x10, 0), 'fd,fs1,fs2', 'fs1 with the sign of fs2 (single).'),
  def(Op.FSGNJN_S, 'fsgnjn.s', 'F', Fmt.R, fp(0x10, 1), 'fd,fs1,fs2', 'fs1 with the opposite of the sign of fs2 (single).'),
  def(Op.FSGNJX_S, 'fsgnjx.s', 'F', Fmt.R, fp(0x10, 2), 'fd,fs1,fs2', 'fs1 with its sign xored with the sign of fs2 (single).'),
  def(Op.FMIN_S, 'fmin.s', 'F', Fmt.R, fp(0x14, 0), 'fd,fs1,fs2', 'Smaller of fs1 and fs2 (single); a NaN operand loses to a number.'),
  def(Op.FMAX_S, 'fmax.s', 'F', Fmt.R, fp(0x14, 1), 'fd,fs1,fs2', 'Larger of fs1 and fs2 (single); a NaN operand loses to a number.'),
  def(Op.FCVT_W_S, 'fcvt.w.s', 'F', Fmt.R2M, fp(0x60, undefined, 0), 'rd,fs1,rm', 'Convert single to signed 32-bit integer (saturating), sign-extended into rd.'),
  def(Op.FCVT_WU_S, 'fcvt.wu.s', 'F', Fmt.R2M, fp(0x60, undefined, 1), 'rd,fs1,rm', 'Convert single to unsigned 32-bit integer (saturating), sign-extended into rd.'),
  def(Op.FCVT_L_S, 'fcvt.l.s', 'F', Fmt.R2M, fp(0x60, undefined, 2), 'rd,fs1,rm', 'Convert single to signed 64-bit integer (saturating).'),
  def(Op.FCVT_LU_S, 'fcvt.lu.s', 'F', Fmt.R2M, fp(0x60, undefined, 3), 'rd,fs1,rm', 'Convert single to unsigned 64-bit integer (saturating).'),
  def(Op.FCVT_S_W, 'fcvt.s.w', 'F', Fmt.R2M, fp(0x68, undefined, 0), 'fd,rs1,rm', 'Convert the signed 32-bit integer in rs1 to single.'),
  def(Op.FCVT_S_WU, 'fcvt.s.wu', 'F', Fmt.R2M, fp(0x68, undefined, 1), 'fd,rs1,rm', 'Convert the unsigned 32-bit integer in rs1 to single.'),
  def(Op.FCVT_S_L, 'fcvt.s.l', 'F', Fmt.R2M, fp(0x68, undefined, 2), 'fd,rs1,rm', 'Convert the signed 64-bit integer in rs1 to single.'),
  def(Op.FCVT_S_LU, 'fcvt.s.lu', 'F', Fmt.R2M, fp(0x68, undefined, 3), 'fd,rs1,rm', 'Convert the unsigned 64-bit integer in rs1 to single.'),
  def(Op.FMV_X_W, 'fmv.x.w', 'F', Fmt.R2, fp(0x70, 0, 0), 'rd,fs1', 'Copy the low 32 bits of fs1 into rd, sign-extended (no conversion).'),
  def(Op.FMV_W_X, 'fmv.w.x', 'F', Fmt.R2, fp(0x78, 0, 0), 'fd,rs1', 'Copy the low 32 bits of rs1 into fd, NaN-boxed (no conversion).'),
  def(Op.FEQ_S, 'feq.s', 'F', Fmt.R, fp(0x50, 2), 'rd,fs1,fs2', 'rd = 1 if fs1 == fs2 (single, quiet comparison), else 0.'),
  def(Op.FLT_S, 'flt.s', 'F', Fmt.R, fp(0x50, 1), 'rd,fs1,fs2', 'rd = 1 if fs1 < fs2 (single, signalling comparison), else 0.'),
  def(Op.FLE_S, 'fle.s', 'F', Fmt.R, fp(0x50, 0), 'rd,fs1,fs2', 'rd = 1 if fs1 <= fs2 (single, signalling comparison), else 0.'),
  def(Op.FCLASS_S, 'fclass.s', 'F', Fmt.R2, fp(0x70, 1, 0), 'rd,fs1', 'rd = a one-hot mask saying which class of number fs1 is (single).'),
  // ---- D ----
  def(Op.FLD, 'fld', 'D', Fmt.I, f3(LOAD_FP, 3), 'fd,off(rs1)', 'Load a double-precision value into fd.'),
  def(Op.FSD, 'fsd', 'D', Fmt.S, f3(STORE_FP, 3), 'fs2,off(rs1)', 'Store the 64 bits of fs2.'),
  def(Op.FMADD_D, 'fmadd.d', 'D', Fmt.R4, r4(MADD, 1), 'fd,fs1,fs2,fs3,rm', 'fd = fs1 * fs2 + fs3, rounded once (double).'),
  def(Op.FMSUB_D, 'fmsub.d', 'D', Fmt.R4, r4(MSUB, 1), 'fd,fs1,fs2,fs3,rm', 'fd = fs1 * fs2 - fs3, rounded once (double).'),
  def(Op.FNMSUB_D, 'fnmsub.d', 'D', Fmt.R4, r4(NMSUB, 1), 'fd,fs1,fs2,fs3,rm', 'fd = -(fs1 * fs2) + fs3, rounded once (double).'),
  def(Op.FNMADD_D, 'fnmadd.d', 'D', Fmt.R4, r4(NMADD, 1), 'fd,fs1,fs2,fs3,rm', 'fd = -(fs1 * fs2) - fs3, rounded once (double).'),
  def(Op.FADD_D, 'fadd.d', 'D', Fmt.RM, fp(0x01), 'fd,fs1,fs2,rm', 'Double-precision fd = fs1 + fs2.'),
  def(Op.FSUB_D, 'fsub.d', 'D', Fmt.RM, fp(0x05), 'fd,fs1,fs2,rm', 'Double-precision fd = fs1 - fs2.'),
  def(Op.FMUL_D, 'fmul.d', 'D', Fmt.RM, fp(0x09), 'fd,fs1,fs2,rm', 'Double-precision fd = fs1 * fs2.'),
  def(Op.FDIV_D, 'fdiv.d', 'D', Fmt.RM, fp(0x0d), 'fd,fs1,fs2,rm', 'Double-precision fd = fs1 / fs2.'),
  def(Op.FSQRT_D, 'fsqrt.d', 'D', Fmt.R2M, fp(0x2d, undefined, 0), 'fd,fs1,rm', 'Double-precision square root of fs1.'),
  def(Op.FSGNJ_D, 'fsgnj.d', 'D', Fmt.R, fp(0x11, 0), 'fd,fs1,fs2', 'fs1 with the sign of fs2 (double).'),
  def(Op.FSGNJN_D, 'fsgnjn.d', 'D', Fmt.R, fp(0x11, 1), 'fd,fs1,fs2', 'fs1 with the opposite of the sign of fs2 (double).'),
  def(Op.FSGNJX_D, 'fsgnjx.d', 'D', Fmt.R, fp(0x11, 2), 'fd,fs1,fs2', 'fs1 with its sign xored with the sign of fs2 (double).'),
  def(Op.FMIN_D, 'fmin.d', 'D', Fmt.R, fp(0x15, 0), 'fd,fs1,fs2', 'Smaller of fs1 and fs2 (double); a NaN operand loses to a number.'),
  def(Op.FMAX_D, 'fmax.d', 'D', Fmt.R, fp(0x15, 1), 'fd,fs1,fs2', 'Larger of fs1 and fs2 (double); a NaN operand loses to a number.'),
  def(Op.FCVT_S_D, 'fcvt.s.d', 'D', Fmt.R2M, fp(0x20, undefined, 1), 'fd,fs1,rm', 'Round a double to single precision.'),
  // Widening conversions are exact: the rm field exists but assemblers write 0 and objdump
  // shows no rounding mode (it does not recognise other values).
  def(Op.FCVT_D_S, 'fcvt.d.s', 'D', Fmt.R2M, fp(0x21, undefined, 0), 'fd,fs1', 'Widen a single to double precision (exact).'),
  def(Op.FCVT_W_D, 'fcvt.w.d', 'D', Fmt.R2M, fp(0x61, undefined, 0), 'rd,fs1,rm', 'Convert double to signed 32-bit integer (saturating), sign-extended into rd.'),
  def(Op.FCVT_WU_D, 'fcvt.wu.d', 'D', Fmt.R2M, fp(0x61, undefined, 1), 'rd,fs1,rm', 'Convert double to unsigned 32-bit integer (saturating), sign-extended into rd.'),
  def(Op.FCVT_L_D, 'fcvt.l.d', 'D', Fmt.R2M, fp(0x61, undefined, 2), 'rd,fs1,rm', 'Convert double to signed 64-bit integer (saturating).'),
  def(Op.FCVT_LU_D, 'fcvt.lu.d', 'D', Fmt.R2M, fp(0x61, undefined, 3), 'rd,fs1,rm', 'Convert double to unsigned 64-bit integer (saturating).'),
  def(Op.FCVT_D_W, 'fcvt.d.w', 'D', Fmt.R2M, fp(0x69, undefined, 0), 'fd,rs1', 'Convert the signed 32-bit integer in rs1 to double (exact).'),
  def(Op.FCVT_D_WU, 'fcvt.d.wu', 'D', Fmt.R2M, fp(0x69, undefined, 1), 'fd,rs1', 'Convert the unsigned 32-bit integer in rs1 to double (exact).'),
  def(Op.FCVT_D_L, 'fcvt.d.l', 'D', Fmt.R2M, fp(0x69, undefined, 2), 'fd,rs1,rm', 'Convert the signed 64-bit integer in rs1 to double.'),
  def(Op.FCVT_D_LU, 'fcvt.d.lu', 'D', Fmt.R2M, fp(0x69, undefined, 3), 'fd,rs1,rm', 'Convert the unsigned 64-bit integer in rs1 to double.'),
  def(Op.FMV_X_D, 'fmv.x.d', 'D', Fmt.R2, fp(0x71, 0, 0), 'rd,fs1', 'Copy the 64 bits of fs1 into rd (no conversion).'),
  def(Op.FMV_D_X, 'fmv.d.x', 'D', Fmt.R2, fp(0x79, 0, 0), 'fd,rs1', 'Copy the 64 bits of rs1 into fd (no conversion).'),
  def(Op.FEQ_D, 'feq.d', 'D', Fmt.R, fp(0x51, 2), 'rd,fs1,fs2', 'rd = 1 if fs1 == fs2 (double, quiet comparison), else 0.'),
  def(Op.FLT_D, 'flt.d', 'D', Fmt.R, fp(0x51, 1), 'rd,fs1,fs2', 'rd = 1 if fs1 < fs2 (double, signalling comparison), else 0.'),
  def(Op.FLE_D, 'fle.d', 'D', Fmt.R, fp(0x51, 0), 'rd,fs1,fs2', 'rd = 1 if fs1 <= fs2 (double, signalling comparison), else 0.'),
  def(Op.FCLASS_D, 'fclass.d', 'D', Fmt.R2, fp(0x71, 1, 0), 'rd,fs1', 'rd = a one-hot mask saying which class of number fs1 is (double).'),
];

/** INSTR_BY_OP[op] is the definition of `op` (undefined for ILLEGAL). */
export const INSTR_BY_OP: readonly (InstrDef | undefined)[] = (() => {
  const byOp: (InstrDef | undefined)[] = new Array<InstrDef | undefined>(Op.COUNT).fill(undefined);
  for (const d of INSTRS) {
    if (byOp[d.op] !== undefined) throw new Error(`isa/table: ${d.name} defined twice`);
    byOp[d.op] = d;
  }
  for (let op = 1; op < Op.COUNT; op++) {
    if (byOp[op] === undefined) throw new Error(`isa/table: no definition for ${Op[op]}`);
  }
  return byOp;
})();

// ---------------------------------------------------------------------------------------------
// RV64C: the compressed encodings.
// ---------------------------------------------------------------------------------------------

/** How a compressed encoding scatters its immediate (the spec's CI/CSS/CIW/CL/CS/CB/CJ variants). */
export enum CImm {
  NONE,
  /** Signed 6 bits: [5] = bit 12, [4:0] = bits 6:2 (c.addi, c.li, c.andi, c.addiw). */
  CI,
  /** Unsigned 6-bit shift amount in the same bits as CI. */
  SHAMT,
  /** CI's signed 6 bits shifted left by 12 (c.lui); `imm` is the resulting 32-bit value. */
  LUI,
  /** Signed multiple of 16 (c.addi16sp): [9] = 12, [4] = 6, [6] = 5, [8:7] = 4:3, [5] = 2. */
  ADDI16SP,
  /** Unsigned multiple of 4 (c.addi4spn): [5:4] = 12:11, [9:6] = 10:7, [2] = 6, [3] = 5. */
  ADDI4SPN,
  /** Word offset of c.lw/c.sw: [5:3] = 12:10, [2] = 6, [6] = 5. */
  CLW,
  /** Doubleword offset of c.ld/c.sd/c.fld/c.fsd: [5:3] = 12:10, [7:6] = 6:5. */
  CLD,
  /** c.lwsp: [5] = 12, [4:2] = 6:4, [7:6] = 3:2. */
  LWSP,
  /** c.ldsp/c.fldsp: [5] = 12, [4:3] = 6:5, [8:6] = 4:2. */
  LDSP,
  /** c.swsp: [5:2] = 12:9, [7:6] = 8:7. */
  SWSP,
  /** c.sdsp/c.fsdsp: [5:3] = 12:10, [8:6] = 9:7. */
  SDSP,
  /** c.j: signed 12-bit offset [11|4|9:8|10|6|7|3:1|5] in bits 12:2. */
  CJ,
  /** c.beqz/c.bnez: signed 9-bit offset [8|4:3] in 12:10, [7:6|2:1|5] in 6:2. */
  CB,
}

/**
 * Where a register of the expansion comes from: a full 5-bit field (bits 11:7 or 6:2), a
 * 3-bit "prime" field naming x8–x15/f8–f15 (bits 9:7 or 4:2), or a fixed register number.
 */
export type CReg = 'r11_7' | 'r6_2' | 'p9_7' | 'p4_2' | number;

export interface CDef {
  /** The spec's name (c.addi4spn …); objdump's spelling is chosen by the disassembler. */
  readonly name: string;
  /** 16-bit match/mask. Earlier entries win, so special cases precede general ones. */
  readonly match: number;
  readonly mask: number;
  /** The base operation it expands to. */
  readonly op: Op;
  readonly rd: CReg;
  readonly rs1: CReg;
  readonly rs2: CReg;
  readonly imm: CImm;
  /** Reserved when the rd field (bits 11:7) is zero. */
  readonly nzRd: boolean;
  /** Reserved when the immediate is zero. */
  readonly nzImm: boolean;
  /**
   * How objdump spells this encoding when it differs from the expanded instruction (hints
   * keep their c. name, c.mv is `mv`…): the first form whose conditions hold on the expanded
   * fields wins; with none, the expansion is printed like a 32-bit instruction.
   */
  readonly forms: readonly AliasDef[];
  readonly desc: string;
}

interface COpts {
  rd?: CReg; rs1?: CReg; rs2?: CReg; imm?: CImm; nzRd?: boolean; nzImm?: boolean;
  /** [conditions, name, operands] triples, see CDef.forms. */
  forms?: readonly (readonly [string, string, string])[];
}

function cdef(name: string, match: number, mask: number, op: Op, o: COpts, desc: string): CDef {
  return {
    name, match, mask, op,
    rd: o.rd ?? 0, rs1: o.rs1 ?? 0, rs2: o.rs2 ?? 0, imm: o.imm ?? CImm.NONE,
    nzRd: o.nzRd ?? false, nzImm: o.nzImm ?? false,
    forms: (o.forms ?? []).map(([when, n, ops]) => alias(op, n, when, ops)),
    desc,
  };
}

// Masks: quadrant (bits 1:0) + funct3 (15:13), plus the extra selector bits some encodings use.
const Q = 0xe003;
const SP = 2, RA = 1;

/**
 * Every RV64C encoding with the base instruction it stands for. Encodings that the spec calls
 * HINTs (c.nop with an immediate, c.li/c.mv/c.add/c.slli/c.lui with rd = x0, shift amounts of
 * zero) are listed too: they decode to their base operation and do nothing harmful.
 */
export const COMPRESSED: readonly CDef[] = [
  // ---- Quadrant 0 ----
  cdef('c.addi4spn', 0x0000, Q, Op.ADDI, { rd: 'p4_2', rs1: SP, imm: CImm.ADDI4SPN, nzImm: true }, 'rd\' = sp + a non-zero multiple of 4.'),
  cdef('c.fld', 0x2000, Q, Op.FLD, { rd: 'p4_2', rs1: 'p9_7', imm: CImm.CLD }, 'Load a double into fd\' from offset(rs1\').'),
  cdef('c.lw', 0x4000, Q, Op.LW, { rd: 'p4_2', rs1: 'p9_7', imm: CImm.CLW }, 'Load a sign-extended word into rd\' from offset(rs1\').'),
  cdef('c.ld', 0x6000, Q, Op.LD, { rd: 'p4_2', rs1: 'p9_7', imm: CImm.CLD }, 'Load a doubleword into rd\' from offset(rs1\').'),
  cdef('c.fsd', 0xa000, Q, Op.FSD, { rs1: 'p9_7', rs2: 'p4_2', imm: CImm.CLD }, 'Store the double fs2\' at offset(rs1\').'),
  cdef('c.sw', 0xc000, Q, Op.SW, { rs1: 'p9_7', rs2: 'p4_2', imm: CImm.CLW }, 'Store the low word of rs2\' at offset(rs1\').'),
  cdef('c.sd', 0xe000, Q, Op.SD, { rs1: 'p9_7', rs2: 'p4_2', imm: CImm.CLD }, 'Store the doubleword rs2\' at offset(rs1\').'),
  // ---- Quadrant 1 ----
  cdef('c.nop', 0x0001, 0xef83, Op.ADDI, { imm: CImm.CI, forms: [['imm!=0', 'c.nop', 'imm']] }, 'Do nothing (with a non-zero immediate: a hint).'),
  cdef('c.addi', 0x0001, Q, Op.ADDI, { rd: 'r11_7', rs1: 'r11_7', imm: CImm.CI, forms: [['', 'add', 'rd,rs1,imm']] }, 'rd += a 6-bit signed immediate.'),
  cdef('c.addiw', 0x2001, Q, Op.ADDIW, { rd: 'r11_7', rs1: 'r11_7', imm: CImm.CI, nzRd: true }, 'rd = sign-extended 32-bit (rd + imm).'),
  cdef('c.li', 0x4001, Q, Op.ADDI, { rd: 'r11_7', rs1: 0, imm: CImm.CI, forms: [['rd=0', 'c.li', 'rd,imm']] }, 'rd = a 6-bit signed immediate.'),
  cdef('c.addi16sp', 0x6101, 0xef83, Op.ADDI, { rd: SP, rs1: SP, imm: CImm.ADDI16SP, nzImm: true }, 'sp += a non-zero multiple of 16 (stack frame set-up and tear-down).'),
  cdef('c.lui', 0x6001, Q, Op.LUI, { rd: 'r11_7', imm: CImm.LUI, nzImm: true, forms: [['rd=0', 'c.lui', 'rd,hi20']] }, 'rd = a non-zero 6-bit signed immediate << 12.'),
  cdef('c.srli', 0x8001, 0xec03, Op.SRLI, { rd: 'p9_7', rs1: 'p9_7', imm: CImm.SHAMT, forms: [['imm=0', 'c.srli64', 'rd']] }, 'Logical right shift of rd\' by a 6-bit amount.'),
  cdef('c.srai', 0x8401, 0xec03, Op.SRAI, { rd: 'p9_7', rs1: 'p9_7', imm: CImm.SHAMT, forms: [['imm=0', 'c.srai64', 'rd']] }, 'Arithmetic right shift of rd\' by a 6-bit amount.'),
  cdef('c.andi', 0x8801, 0xec03, Op.ANDI, { rd: 'p9_7', rs1: 'p9_7', imm: CImm.CI }, 'rd\' &= a 6-bit signed immediate.'),
  cdef('c.sub', 0x8c01, 0xfc63, Op.SUB, { rd: 'p9_7', rs1: 'p9_7', rs2: 'p4_2' }, 'rd\' -= rs2\'.'),
  cdef('c.xor', 0x8c21, 0xfc63, Op.XOR, { rd: 'p9_7', rs1: 'p9_7', rs2: 'p4_2' }, 'rd\' ^= rs2\'.'),
  cdef('c.or', 0x8c41, 0xfc63, Op.OR, { rd: 'p9_7', rs1: 'p9_7', rs2: 'p4_2' }, 'rd\' |= rs2\'.'),
  cdef('c.and', 0x8c61, 0xfc63, Op.AND, { rd: 'p9_7', rs1: 'p9_7', rs2: 'p4_2' }, 'rd\' &= rs2\'.'),
  cdef('c.subw', 0x9c01, 0xfc63, Op.SUBW, { rd: 'p9_7', rs1: 'p9_7', rs2: 'p4_2' }, 'rd\' = sign-extended 32-bit (rd\' - rs2\').'),
  cdef('c.addw', 0x9c21, 0xfc63, Op.ADDW, { rd: 'p9_7', rs1: 'p9_7', rs2: 'p4_2' }, 'rd\' = sign-extended 32-bit (rd\' + rs2\').'),
  cdef('c.j', 0xa001, Q, Op.JAL, { rd: 0, imm: CImm.CJ }, 'Jump to pc + a signed 12-bit offset.'),
  cdef('c.beqz', 0xc001, Q, Op.BEQ, { rs1: 'p9_7', rs2: 0, imm: CImm.CB }, 'Branch if rs1\' is zero.'),
  cdef('c.bnez', 0xe001, Q, Op.BNE, { rs1: 'p9_7', rs2: 0, imm: CImm.CB }, 'Branch if rs1\' is not zero.'),
  // ---- Quadrant 2 ----
  cdef('c.slli', 0x0002, Q, Op.SLLI, { rd: 'r11_7', rs1: 'r11_7', imm: CImm.SHAMT, forms: [['imm=0', 'c.slli64', 'rd'], ['rd=0', 'c.slli', 'rd,shamt']] }, 'Left shift of rd by a 6-bit amount.'),
  cdef('c.fldsp', 0x2002, Q, Op.FLD, { rd: 'r11_7', rs1: SP, imm: CImm.LDSP }, 'Load a double into fd from offset(sp).'),
  cdef('c.lwsp', 0x4002, Q, Op.LW, { rd: 'r11_7', rs1: SP, imm: CImm.LWSP, nzRd: true }, 'Load a sign-extended word into rd from offset(sp).'),
  cdef('c.ldsp', 0x6002, Q, Op.LD, { rd: 'r11_7', rs1: SP, imm: CImm.LDSP, nzRd: true }, 'Load a doubleword into rd from offset(sp).'),
  cdef('c.jr', 0x8002, 0xf07f, Op.JALR, { rd: 0, rs1: 'r11_7', nzRd: true }, 'Jump to the address in rs1.'),
  cdef('c.mv', 0x8002, 0xf003, Op.ADD, { rd: 'r11_7', rs1: 0, rs2: 'r6_2', forms: [['rd=0', 'c.mv', 'rd,rs2'], ['', 'mv', 'rd,rs2']] }, 'rd = rs2.'),
  cdef('c.ebreak', 0x9002, 0xffff, Op.EBREAK, {}, 'Breakpoint: trap to the debugger.'),
  cdef('c.jalr', 0x9002, 0xf07f, Op.JALR, { rd: RA, rs1: 'r11_7' }, 'Call the address in rs1 (ra = return address).'),
  cdef('c.add', 0x9002, 0xf003, Op.ADD, { rd: 'r11_7', rs1: 'r11_7', rs2: 'r6_2', forms: [['rd=0', 'c.add', 'rd,rs2']] }, 'rd += rs2.'),
  cdef('c.fsdsp', 0xa002, Q, Op.FSD, { rs1: SP, rs2: 'r6_2', imm: CImm.SDSP }, 'Store the double fs2 at offset(sp).'),
  cdef('c.swsp', 0xc002, Q, Op.SW, { rs1: SP, rs2: 'r6_2', imm: CImm.SWSP }, 'Store the low word of rs2 at offset(sp).'),
  cdef('c.sdsp', 0xe002, Q, Op.SD, { rs1: SP, rs2: 'r6_2', imm: CImm.SDSP }, 'Store the doubleword rs2 at offset(sp).'),
];

// ---------------------------------------------------------------------------------------------
// Register names and aliases (the spellings objdump prints and GNU as accepts).
// ---------------------------------------------------------------------------------------------

/** ABI names of the integer registers x0–x31. */
export const X_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1',
  'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11',
  't3', 't4', 't5', 't6',
];

/** ABI names of the floating-point registers f0–f31. */
export const F_NAMES: readonly string[] = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1',
  'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5', 'fa6', 'fa7',
  'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11',
  'ft8', 'ft9', 'ft10', 'ft11',
];

/** Rounding-mode names by rm value; 5 and 6 are reserved (objdump prints "unknown"). */
export const RM_NAMES: readonly string[] = ['rne', 'rtz', 'rdn', 'rup', 'rmm', 'unknown', 'unknown', 'dyn'];
export const RM_DYN = 7;

/**
 * Aliases of the 32-bit operations, in objdump's order of preference within each operation.
 * Note objdump 2.40's habit of naming the immediate forms after the register forms
 * (`add a0,a0,8` for addi, `sll` for slli, `csrrw` for csrrwi).
 */
export const ALIASES: readonly AliasDef[] = [
  alias(Op.JAL, 'j', 'rd=0', 'target'),
  alias(Op.JAL, 'jal', 'rd=1', 'target'),
  alias(Op.JALR, 'ret', 'rd=0&rs1=1&imm=0', ''),
  alias(Op.JALR, 'jr', 'rd=0&imm=0', 'rs1'),
  alias(Op.JALR, 'jr', 'rd=0', 'off(rs1)'),
  alias(Op.JALR, 'jalr', 'rd=1&imm=0', 'rs1'),
  alias(Op.JALR, 'jalr', 'rd=1', 'off(rs1)'),
  alias(Op.JALR, 'jalr', 'imm=0', 'rd,rs1'),
  alias(Op.BEQ, 'beqz', 'rs2=0', 'rs1,target'),
  alias(Op.BNE, 'bnez', 'rs2=0', 'rs1,target'),
  alias(Op.BLT, 'bltz', 'rs2=0', 'rs1,target'),
  alias(Op.BLT, 'bgtz', 'rs1=0', 'rs2,target'),
  alias(Op.BGE, 'blez', 'rs1=0', 'rs2,target'),
  alias(Op.BGE, 'bgez', 'rs2=0', 'rs1,target'),
  alias(Op.ADDI, 'nop', 'rd=0&rs1=0&imm=0', ''),
  alias(Op.ADDI, 'li', 'rs1=0', 'rd,imm'),
  alias(Op.ADDI, 'mv', 'imm=0', 'rd,rs1'),
  alias(Op.ADDI, 'add', '', 'rd,rs1,imm'),
  alias(Op.SLTIU, 'seqz', 'imm=1', 'rd,rs1'),
  alias(Op.XORI, 'not', 'imm=-1', 'rd,rs1'),
  alias(Op.XORI, 'xor', '', 'rd,rs1,imm'),
  alias(Op.ORI, 'or', '', 'rd,rs1,imm'),
  alias(Op.ANDI, 'zext.b', 'imm=255', 'rd,rs1'),
  alias(Op.ANDI, 'and', '', 'rd,rs1,imm'),
  alias(Op.SLLI, 'sll', '', 'rd,rs1,shamt'),
  alias(Op.SRLI, 'srl', '', 'rd,rs1,shamt'),
  alias(Op.SRAI, 'sra', '', 'rd,rs1,shamt'),
  alias(Op.SUB, 'neg', 'rs1=0', 'rd,rs2'),
  alias(Op.SLT, 'sltz', 'rs2=0', 'rd,rs1'),
  alias(Op.SLT, 'sgtz', 'rs1=0', 'rd,rs2'),
  alias(Op.SLTU, 'snez', 'rs1=0', 'rd,rs2'),
  alias(Op.ADDIW, 'sext.w', 'imm=0', 'rd,rs1'),
  alias(Op.ADDIW, 'addw', '', 'rd,rs1,imm'),
  alias(Op.SLLIW, 'sllw', '', 'rd,rs1,shamt'),
  alias(Op.SRLIW, 'srlw', '', 'rd,rs1,shamt'),
  alias(Op.SRAIW, 'sraw', '', 'rd,rs1,shamt'),
  alias(Op.SUBW, 'negw', 'rs1=0', 'rd,rs2'),
  alias(Op.FENCE, 'fence.tso', 'imm=0x833', ''),
  alias(Op.FENCE, 'fence', 'imm=0x0ff', ''),
  // The canonical 32-bit "unimplemented instruction": a write of x0 to the read-only cycle CSR.
  alias(Op.CSRRW, 'unimp', 'rd=0&rs1=0&imm=0xc00', ''),
  alias(Op.CSRRW, 'fsflags', 'rd=0&imm=1', 'rs1'),
  alias(Op.CSRRW, 'fsflags', 'imm=1', 'rd,rs1'),
  alias(Op.CSRRW, 'fsrm', 'rd=0&imm=2', 'rs1'),
  alias(Op.CSRRW, 'fsrm', 'imm=2', 'rd,rs1'),
  alias(Op.CSRRW, 'fscsr', 'rd=0&imm=3', 'rs1'),
  alias(Op.CSRRW, 'fscsr', 'imm=3', 'rd,rs1'),
  alias(Op.CSRRW, 'csrw', 'rd=0', 'csr,rs1'),
  alias(Op.CSRRS, 'frflags', 'rs1=0&imm=1', 'rd'),
  alias(Op.CSRRS, 'frrm', 'rs1=0&imm=2', 'rd'),
  alias(Op.CSRRS, 'frcsr', 'rs1=0&imm=3', 'rd'),
  alias(Op.CSRRS, 'rdcycle', 'rs1=0&imm=0xc00', 'rd'),
  alias(Op.CSRRS, 'rdtime', 'rs1=0&imm=0xc01', 'rd'),
  alias(Op.CSRRS, 'rdinstret', 'rs1=0&imm=0xc02', 'rd'),
  alias(Op.CSRRS, 'csrr', 'rs1=0', 'rd,csr'),
  alias(Op.CSRRS, 'csrs', 'rd=0', 'csr,rs1'),
  alias(Op.CSRRC, 'csrc', 'rd=0', 'csr,rs1'),
  alias(Op.CSRRWI, 'fsflagsi', 'imm=1', 'rd,zimm'),
  alias(Op.CSRRWI, 'fsrmi', 'imm=2', 'rd,zimm'),
  alias(Op.CSRRWI, 'csrw', 'rd=0', 'csr,zimm'),
  alias(Op.CSRRWI, 'csrrw', '', 'rd,csr,zimm'),
  alias(Op.CSRRSI, 'csrs', 'rd=0', 'csr,zimm'),
  alias(Op.CSRRSI, 'csrrs', '', 'rd,csr,zimm'),
  alias(Op.CSRRCI, 'csrc', 'rd=0', 'csr,zimm'),
  alias(Op.CSRRCI, 'csrrc', '', 'rd,csr,zimm'),
  alias(Op.FSGNJ_S, 'fmv.s', 'rs1=rs2', 'fd,fs1'),
  alias(Op.FSGNJN_S, 'fneg.s', 'rs1=rs2', 'fd,fs1'),
  alias(Op.FSGNJX_S, 'fabs.s', 'rs1=rs2', 'fd,fs1'),
  alias(Op.FSGNJ_D, 'fmv.d', 'rs1=rs2', 'fd,fs1'),
  alias(Op.FSGNJN_D, 'fneg.d', 'rs1=rs2', 'fd,fs1'),
  alias(Op.FSGNJX_D, 'fabs.d', 'rs1=rs2', 'fd,fs1'),
];

/** ALIASES_BY_OP[op] lists the aliases of `op` in order of preference. */
export const ALIASES_BY_OP: readonly (readonly AliasDef[])[] = (() => {
  const byOp: AliasDef[][] = Array.from({ length: Op.COUNT }, () => []);
  for (const a of ALIASES) byOp[a.op].push(a);
  return byOp;
})();

/**
 * Privileged instructions. User mode cannot execute them (they decode as ILLEGAL and trap),
 * but objdump names them, so the disassembler does too. Earlier entries win.
 */
export interface PrivilegedDef {
  readonly name: string;
  readonly match: number;
  readonly mask: number;
  /** Only register operands: rs1 (bits 19:15) and rs2 (bits 24:20). */
  readonly operands: readonly Operand[];
  readonly desc: string;
}

function priv(name: string, match: number, mask: number, ops: string, desc: string): PrivilegedDef {
  return { name, match: match | 0, mask: mask | 0, operands: syntax(ops), desc };
}

export const PRIVILEGED: readonly PrivilegedDef[] = [
  priv('uret', 0x00200073, -1, '', 'Return from a user-mode trap handler (withdrawn N extension).'),
  priv('sret', 0x10200073, -1, '', 'Return from a supervisor-mode trap handler.'),
  priv('mret', 0x30200073, -1, '', 'Return from a machine-mode trap handler.'),
  priv('dret', 0x7b200073, -1, '', 'Return from debug mode.'),
  priv('wfi', 0x10500073, -1, '', 'Wait for an interrupt.'),
  priv('sfence.vm', 0x10400073, -1, '', 'Flush address translations (privileged spec 1.9.1, before sfence.vma).'),
  priv('sfence.vm', 0x10400073, 0xfff07fff, 'rs1', 'Flush the translations of one address (privileged spec 1.9.1).'),
  priv('sfence.vma', 0x12000073, -1, '', 'Flush every address translation of every address space.'),
  priv('sfence.vma', 0x12000073, 0xfff07fff, 'rs1', 'Flush the address translations of one virtual address.'),
  priv('sfence.vma', 0x12000073, 0xfe007fff, 'rs1,rs2', 'Flush the translations of one address (rs1) in one address space (rs2).'),
];
