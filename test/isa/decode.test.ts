import { strict as assert } from 'assert';
import { decode } from '../../src/isa/decode';
import { emptyInst, Inst, Op } from '../../src/isa/ops';

type Expect = Partial<Inst> & { op: Op };

/** Decodes `word` and checks op, len and every field (unnamed fields must be 0). */
function check(word: number, want: Expect, len = (word & 3) === 3 ? 4 : 2): void {
  const got = emptyInst();
  // Dirty the object first: decode must overwrite every field.
  Object.assign(got, { rd: 9, rs1: 9, rs2: 9, rs3: 9, rm: 9, imm: 9, len: 9 });
  decode(word, got);
  const full: Inst = { rd: 0, rs1: 0, rs2: 0, rs3: 0, rm: 0, imm: 0, len, ...want };
  assert.deepEqual(
    { ...got, op: Op[got.op] }, { ...full, op: Op[full.op] },
    `decode 0x${(word >>> 0).toString(16)}`,
  );
}

function illegal(word: number): void {
  const got = emptyInst();
  decode(word, got);
  assert.equal(Op[got.op], 'ILLEGAL', `0x${(word >>> 0).toString(16)} should be illegal`);
}

// The words below were assembled by GNU as 2.40; the expected fields are the operands written
// in the assembly source (see the comments).
describe('isa/decode: 32-bit instructions', () => {
  it('decodes U and J formats with sign-extended immediates', () => {
    check(0x80000537, { op: Op.LUI, rd: 10, imm: 0x80000000 | 0 }); // lui a0,0x80000
    check(0xfffff317, { op: Op.AUIPC, rd: 6, imm: -4096 }); // auipc t1,0xfffff
    check(0x7ff7f0ef, { op: Op.JAL, rd: 1, imm: 0x7fffe }); // jal ra,.+0x7fffe
    check(0x8000006f, { op: Op.JAL, rd: 0, imm: -0x100000 }); // jal zero,.-0x100000
  });

  it('decodes I, S and B formats', () => {
    check(0x800782e7, { op: Op.JALR, rd: 5, rs1: 15, imm: -2048 }); // jalr t0,-2048(a5)
    check(0x80b50063, { op: Op.BEQ, rs1: 10, rs2: 11, imm: -4096 }); // beq a0,a1,.-4096
    check(0x7ffdffe3, { op: Op.BGEU, rs1: 27, rs2: 31, imm: 4094 }); // bgeu s11,t6,.+4094
    check(0xfff10503, { op: Op.LB, rd: 10, rs1: 2, imm: -1 }); // lb a0,-1(sp)
    check(0x7ff56483, { op: Op.LWU, rd: 9, rs1: 10, imm: 2047 }); // lwu s1,2047(a0)
    check(0xfe113c23, { op: Op.SD, rs1: 2, rs2: 1, imm: -8 }); // sd ra,-8(sp)
    check(0x7ffd8fa3, { op: Op.SB, rs1: 27, rs2: 31, imm: 2047 }); // sb t6,2047(s11)
    check(0x80058513, { op: Op.ADDI, rd: 10, rs1: 11, imm: -2048 }); // addi a0,a1,-2048
  });

  it('decodes RV64 shifts and the W forms', () => {
    check(0x03f59513, { op: Op.SLLI, rd: 10, rs1: 11, imm: 63 }); // slli a0,a1,63
    check(0x42135293, { op: Op.SRAI, rd: 5, rs1: 6, imm: 33 }); // srai t0,t1,33
    check(0x41f5551b, { op: Op.SRAIW, rd: 10, rs1: 10, imm: 31 }); // sraiw a0,a0,31
    check(0x40c5853b, { op: Op.SUBW, rd: 10, rs1: 11, rs2: 12 }); // subw a0,a1,a2
  });

  it('decodes fences, system and CSR instructions', () => {
    check(0x0330000f, { op: Op.FENCE, imm: 0x033 }); // fence rw,rw
    check(0x8330000f, { op: Op.FENCE, imm: 0x833 }); // fence.tso
    check(0x0000100f, { op: Op.FENCE_I }); // fence.i
    check(0x00000073, { op: Op.ECALL });
    check(0x00100073, { op: Op.EBREAK });
    check(0x00359573, { op: Op.CSRRW, rd: 10, rs1: 11, imm: 3 }); // csrrw a0,fcsr,a1
    check(0xfffff573, { op: Op.CSRRCI, rd: 10, rs1: 31, imm: 0xfff }); // csrrci a0,0xfff,31
  });

  it('decodes M and A, with aq/rl in rm', () => {
    check(0x02c5a533, { op: Op.MULHSU, rd: 10, rs1: 11, rs2: 12 });
    check(0x027372bb, { op: Op.REMUW, rd: 5, rs1: 6, rs2: 7 });
    check(0x1605b52f, { op: Op.LR_D, rd: 10, rs1: 11, rm: 3 }); // lr.d.aqrl a0,(a1)
    check(0x1cc5a52f, { op: Op.SC_W, rd: 10, rs1: 11, rs2: 12, rm: 2 }); // sc.w.aq a0,a2,(a1)
    check(0xe263b2af, { op: Op.AMOMAXU_D, rd: 5, rs1: 7, rs2: 6, rm: 1 }); // amomaxu.d.rl t0,t1,(t2)
  });

  it('decodes F and D with their rounding modes', () => {
    check(0x6ac5c543, { op: Op.FMADD_D, rd: 10, rs1: 11, rs2: 12, rs3: 13, rm: 4 }); // rmm
    check(0x1820f04b, { op: Op.FNMSUB_S, rd: 0, rs1: 1, rs2: 2, rs3: 3, rm: 7 });
    check(0x5a05a553, { op: Op.FSQRT_D, rd: 10, rs1: 11, rm: 2 }); // rdn
    check(0xc0353553, { op: Op.FCVT_LU_S, rd: 10, rs1: 10, rm: 3 }); // rup
    check(0xf20f8fd3, { op: Op.FMV_D_X, rd: 31, rs1: 31 });
    check(0xe20d9553, { op: Op.FCLASS_D, rd: 10, rs1: 27 });
    check(0xa0b50553, { op: Op.FLE_S, rd: 10, rs1: 10, rs2: 11 });
    check(0xfef52e27, { op: Op.FSW, rs1: 10, rs2: 15, imm: -4 });
    check(0x00813407, { op: Op.FLD, rd: 8, rs1: 2, imm: 8 });
    check(0x02c5d553, { op: Op.FADD_D, rd: 10, rs1: 11, rs2: 12, rm: 5 }); // rm 5: the CPU rejects it
    check(0xd2051553, { op: Op.FCVT_D_W, rd: 10, rs1: 10, rm: 1 }); // exact op, rm still reported
  });

  it('treats hint encodings as their base operation', () => {
    check(0x00500013, { op: Op.ADDI, imm: 5 }); // addi x0,x0,5
    check(0x0100000f, { op: Op.FENCE, imm: 0x010 }); // fence w,0 (pause)
    check(0x0000128f, { op: Op.FENCE_I, rd: 5 }); // fence.i's reserved fields are ignored
  });

  it('rejects unknown and reserved encodings', () => {
    illegal(0xffffffff);
    illegal(0x00000003 | (7 << 12)); // LOAD funct3 7
    illegal(0x00000023 | (4 << 12)); // STORE funct3 4
    illegal(0x0200101b); // slliw with bit 25 set
    illegal(0x0200501b); // srliw with bit 25 set
    illegal(0x4200501b); // sraiw with bit 25 set
    illegal(0x80059513); // slli with funct6 = 0x20
    illegal(0x20059513); // slli with funct6 = 0x08
    illegal(0x80055513); // srli/srai with funct6 = 0x20
    illegal(0x4000c533); // xor with funct7 0x20
    illegal(0x0000403b); // OP-32 funct3 4 without M
    illegal(0x02c5953b); // OP-32 with funct7 1 and funct3 1 (no mulhw in RV64M)
    illegal(0x1005b52f | (1 << 20)); // lr.d with rs2 != 0
    illegal(0x0000502f); // AMO width 5
    illegal(0x0000202f | (0x05 << 27)); // unknown funct5
    illegal(0x04c58553); // OP-FP funct7 0x02 (fadd.q-space without Q)
    illegal(0x5805a553 | (1 << 20)); // fsqrt.s with rs2 != 0
    illegal(0xe0050553 | (2 << 12)); // fmv.x.w space with funct3 2
    illegal(0x00000073 | (1 << 20) | (1 << 7)); // ebreak with rd != 0
    illegal(0x10500073); // wfi: privileged
    illegal(0x00004073); // SYSTEM funct3 4
    illegal(0x00004007); // flq: LOAD-FP funct3 4 (no Q extension)
    illegal(0x0000000b); // custom-0
    illegal(0x0000001f); // a 48-bit encoding's first parcel
    illegal(0x0000003f); // a 64-bit encoding's first parcel
  });
});

describe('isa/decode: compressed instructions', () => {
  it('decodes every RV64C encoding to its base operation', () => {
    check(0x1fe8, { op: Op.ADDI, rd: 10, rs1: 2, imm: 1020 }); // c.addi4spn a0,sp,1020
    check(0x3fe8, { op: Op.FLD, rd: 10, rs1: 15, imm: 248 }); // c.fld fa0,248(a5)
    check(0x5cfc, { op: Op.LW, rd: 15, rs1: 9, imm: 124 }); // c.lw a5,124(s1)
    check(0xffe0, { op: Op.SD, rs1: 15, rs2: 8, imm: 248 }); // c.sd s0,248(a5)
    check(0x1501, { op: Op.ADDI, rd: 10, rs1: 10, imm: -32 }); // c.addi a0,-32
    check(0x257d, { op: Op.ADDIW, rd: 10, rs1: 10, imm: 31 }); // c.addiw a0,31
    check(0x52fd, { op: Op.ADDI, rd: 5, rs1: 0, imm: -1 }); // c.li t0,-1
    check(0x7101, { op: Op.ADDI, rd: 2, rs1: 2, imm: -512 }); // c.addi16sp sp,-512
    check(0x7401, { op: Op.LUI, rd: 8, imm: 0xfffe0000 | 0 }); // c.lui s0,0xfffe0
    check(0x93fd, { op: Op.SRLI, rd: 15, rs1: 15, imm: 63 }); // c.srli a5,63
    check(0x8405, { op: Op.SRAI, rd: 8, rs1: 8, imm: 1 }); // c.srai s0,1
    check(0x997d, { op: Op.ANDI, rd: 10, rs1: 10, imm: -1 }); // c.andi a0,-1
    check(0x9d1d, { op: Op.SUBW, rd: 10, rs1: 10, rs2: 15 }); // c.subw a0,a5
    check(0xb001, { op: Op.JAL, rd: 0, imm: -2048 }); // c.j .-2048
    check(0xd101, { op: Op.BEQ, rs1: 10, rs2: 0, imm: -256 }); // c.beqz a0,.-256
    check(0xecfd, { op: Op.BNE, rs1: 9, rs2: 0, imm: 254 }); // c.bnez s1,.+254
    check(0x0f86, { op: Op.SLLI, rd: 31, rs1: 31, imm: 1 }); // c.slli t6,1
    check(0x347e, { op: Op.FLD, rd: 8, rs1: 2, imm: 504 }); // c.fldsp fs0,504(sp)
    check(0x50fe, { op: Op.LW, rd: 1, rs1: 2, imm: 252 }); // c.lwsp ra,252(sp)
    check(0x8282, { op: Op.JALR, rd: 0, rs1: 5 }); // c.jr t0
    check(0x857e, { op: Op.ADD, rd: 10, rs1: 0, rs2: 31 }); // c.mv a0,t6
    check(0x9002, { op: Op.EBREAK }); // c.ebreak
    check(0x9502, { op: Op.JALR, rd: 1, rs1: 10 }); // c.jalr a0
    check(0x952a, { op: Op.ADD, rd: 10, rs1: 10, rs2: 10 }); // c.add a0,a0
    check(0xbffe, { op: Op.FSD, rs1: 2, rs2: 31, imm: 504 }); // c.fsdsp ft11,504(sp)
    check(0xdf86, { op: Op.SW, rs1: 2, rs2: 1, imm: 252 }); // c.swsp ra,252(sp)
    check(0xe07e, { op: Op.SD, rs1: 2, rs2: 31, imm: 0 }); // c.sdsp t6,0(sp)
  });

  it('ignores the upper half of the word for a compressed instruction', () => {
    check(0x12340001 | 0x1501, { op: Op.ADDI, rd: 10, rs1: 10, imm: -32 });
  });

  it('treats compressed hints as their base operation', () => {
    check(0x0001, { op: Op.ADDI }); // c.nop
    check(0x0005, { op: Op.ADDI, imm: 1 }); // c.nop 1
    check(0x0501, { op: Op.ADDI, rd: 10, rs1: 10 }); // c.addi a0,0
    check(0x4081, { op: Op.ADDI, rd: 1 }); // c.li ra,0
    check(0x4015, { op: Op.ADDI, imm: 5 }); // c.li zero,5
    check(0x6005, { op: Op.LUI, imm: 0x1000 }); // c.lui zero,1
    check(0x0082, { op: Op.SLLI, rd: 1, rs1: 1 }); // c.slli64 ra
    check(0x8001, { op: Op.SRLI, rd: 8, rs1: 8 }); // c.srli64 s0
    check(0x802a, { op: Op.ADD, rs2: 10 }); // c.mv zero,a0
    check(0x902a, { op: Op.ADD, rs2: 10 }); // c.add zero,a0
  });

  it('rejects reserved compressed encodings', () => {
    illegal(0x0000); // all-zero halfword
    illegal(0x0004); // c.addi4spn with nzuimm = 0
    illegal(0x8000); // quadrant 0, funct3 100
    illegal(0x2001); // c.addiw rd = 0
    illegal(0x6101); // c.addi16sp with imm 0
    illegal(0x6501); // c.lui a0,0
    illegal(0x6001); // c.lui zero,0
    illegal(0x9c41); // reserved RV64C arithmetic
    illegal(0x9c61);
    illegal(0x4002); // c.lwsp rd = 0
    illegal(0x6002); // c.ldsp rd = 0
    illegal(0x8002); // c.jr rs1 = 0
  });
});
