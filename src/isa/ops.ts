/**
 * The operations of user-mode RV64GC (RV64IMAFDC + Zicsr + Zifencei), one number each.
 *
 * Every decoded instruction — 32-bit or compressed — names one of these; a compressed
 * instruction decodes to the base operation it expands to (c.addi → ADDI) with `len` 2.
 * The CPU dispatches on these numbers, the disassembler and the assembler look them up in
 * the instruction table (isa/table.ts). ILLEGAL is 0 so that a zero-filled decode cache
 * slot reads as "not decoded yet / illegal".
 */
export enum Op {
  ILLEGAL = 0,
  // RV64I
  LUI, AUIPC, JAL, JALR,
  BEQ, BNE, BLT, BGE, BLTU, BGEU,
  LB, LH, LW, LD, LBU, LHU, LWU,
  SB, SH, SW, SD,
  ADDI, SLTI, SLTIU, XORI, ORI, ANDI, SLLI, SRLI, SRAI,
  ADD, SUB, SLL, SLT, SLTU, XOR, SRL, SRA, OR, AND,
  ADDIW, SLLIW, SRLIW, SRAIW,
  ADDW, SUBW, SLLW, SRLW, SRAW,
  FENCE, FENCE_I, ECALL, EBREAK,
  // Zicsr
  CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI,
  // M
  MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU,
  MULW, DIVW, DIVUW, REMW, REMUW,
  // A
  LR_W, SC_W, AMOSWAP_W, AMOADD_W, AMOXOR_W, AMOAND_W, AMOOR_W, AMOMIN_W, AMOMAX_W, AMOMINU_W, AMOMAXU_W,
  LR_D, SC_D, AMOSWAP_D, AMOADD_D, AMOXOR_D, AMOAND_D, AMOOR_D, AMOMIN_D, AMOMAX_D, AMOMINU_D, AMOMAXU_D,
  // F
  FLW, FSW,
  FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S,
  FADD_S, FSUB_S, FMUL_S, FDIV_S, FSQRT_S,
  FSGNJ_S, FSGNJN_S, FSGNJX_S, FMIN_S, FMAX_S,
  FCVT_W_S, FCVT_WU_S, FCVT_L_S, FCVT_LU_S,
  FCVT_S_W, FCVT_S_WU, FCVT_S_L, FCVT_S_LU,
  FMV_X_W, FMV_W_X, FEQ_S, FLT_S, FLE_S, FCLASS_S,
  // D
  FLD, FSD,
  FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D,
  FADD_D, FSUB_D, FMUL_D, FDIV_D, FSQRT_D,
  FSGNJ_D, FSGNJN_D, FSGNJX_D, FMIN_D, FMAX_D,
  FCVT_S_D, FCVT_D_S,
  FCVT_W_D, FCVT_WU_D, FCVT_L_D, FCVT_LU_D,
  FCVT_D_W, FCVT_D_WU, FCVT_D_L, FCVT_D_LU,
  FMV_X_D, FMV_D_X, FEQ_D, FLT_D, FLE_D, FCLASS_D,
  /** Number of operations (not an operation). */
  COUNT,
}

/**
 * One decoded instruction. `decode` fills a caller-owned object, so decoding allocates nothing.
 * Register fields are 0–31 (integer or floating point, as the operation says); `imm` is the
 * sign-extended immediate as a 32-bit integer (for CSR instructions `imm` is the CSR number and
 * `rs1` the zimm for the *I forms); `rm` is the rounding-mode field of F/D operations, and for
 * AMOs/LR/SC the aq/rl bits (aq<<1|rl); `len` is 2 for a compressed instruction, 4 otherwise.
 */
export interface Inst {
  op: Op;
  rd: number;
  rs1: number;
  rs2: number;
  rs3: number;
  rm: number;
  imm: number;
  len: number;
}

export function emptyInst(): Inst {
  return { op: Op.ILLEGAL, rd: 0, rs1: 0, rs2: 0, rs3: 0, rm: 0, imm: 0, len: 4 };
}
