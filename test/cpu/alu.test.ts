import { strict as assert } from 'assert';
import { Fields } from '../../src/isa/encode';
import { Op } from '../../src/isa/ops';
import { CAUSE_USER_ECALL } from '../../src/cpu/trap';
import { asm, CODE, ECALL, Machine, describeEngines } from './machine';

const A0 = 10, A1 = 11, A2 = 12;
const M64 = (1n << 64n) - 1n;
const INT64_MIN = 1n << 63n;

/** Runs one instruction (then an ecall) with the given register values; returns the machine. */
function exec(m: Machine, op: Op, fields: Fields, regs: Record<number, bigint> = {}): Machine {
  m.writeCode(CODE, [asm(op, fields), ECALL]);
  m.hart.ctx.x.fill(0);
  for (const [r, v] of Object.entries(regs)) m.setReg(Number(r), v);
  m.hart.ctx.pc = CODE;
  assert.equal(m.run(), CAUSE_USER_ECALL);
  return m;
}

/** rd = op(a0 = a, a1 = b) as an unsigned 64-bit value. */
function rr(m: Machine, op: Op, a: bigint, b: bigint): bigint {
  return exec(m, op, { rd: A2, rs1: A0, rs2: A1 }, { [A0]: a, [A1]: b }).reg(A2);
}

/** rd = op(a0 = a, imm) as an unsigned 64-bit value. */
function ri(m: Machine, op: Op, a: bigint, imm: number): bigint {
  return exec(m, op, { rd: A2, rs1: A0, imm }, { [A0]: a }).reg(A2);
}

const u = (v: bigint): bigint => BigInt.asUintN(64, v);

describeEngines('cpu/hart: RV64I integer instructions', (engine) => {
  let m: Machine;
  before(() => {
    m = new Machine(engine);
    m.load([ECALL]);
  });

  it('adds and subtracts with carries across the 32-bit halves', () => {
    assert.equal(rr(m, Op.ADD, 0xffffffffn, 1n), 0x100000000n);
    assert.equal(rr(m, Op.ADD, M64, 1n), 0n);
    assert.equal(rr(m, Op.ADD, 0x7fffffffffffffffn, 1n), INT64_MIN);
    assert.equal(rr(m, Op.ADD, 0x80000000n, 0x80000000n), 0x100000000n);
    assert.equal(rr(m, Op.SUB, 0x100000000n, 1n), 0xffffffffn);
    assert.equal(rr(m, Op.SUB, 0n, 1n), M64);
    assert.equal(rr(m, Op.SUB, INT64_MIN, 1n), 0x7fffffffffffffffn);
    assert.equal(rr(m, Op.SUB, 5n, 5n), 0n);
    assert.equal(ri(m, Op.ADDI, 0xffffffffn, 1), 0x100000000n);
    assert.equal(ri(m, Op.ADDI, 0x100000000n, -1), 0xffffffffn);
    assert.equal(ri(m, Op.ADDI, 0n, -2048), u(-2048n));
    assert.equal(ri(m, Op.ADDI, 5n, 2047), 2052n);
  });

  it('computes logic operations with sign-extended immediates', () => {
    assert.equal(rr(m, Op.XOR, 0xff00ff00ff00ff00n, 0x0ff00ff00ff00ff0n), 0xf0f0f0f0f0f0f0f0n);
    assert.equal(rr(m, Op.OR, 0xff00000000000000n, 0x1n), 0xff00000000000001n);
    assert.equal(rr(m, Op.AND, 0xffff0000ffff0000n, 0x0ff00ff00ff00ff0n), 0x0ff000000ff00000n);
    assert.equal(ri(m, Op.XORI, 0x1234567800000000n, -1), 0xedcba987ffffffffn);
    assert.equal(ri(m, Op.ORI, 0n, -2048), u(-2048n));
    assert.equal(ri(m, Op.ANDI, M64, 0x7ff), 0x7ffn);
    assert.equal(ri(m, Op.ANDI, 0x123456789abcdef0n, -16), 0x123456789abcdef0n);
  });

  it('shifts by every class of amount, using only the low 6 bits of rs2', () => {
    const v = 0x8123456789abcdefn;
    for (const s of [0, 1, 4, 31, 32, 33, 36, 63]) {
      const n = BigInt(s);
      assert.equal(rr(m, Op.SLL, v, n), u(v << n), `sll ${s}`);
      assert.equal(rr(m, Op.SRL, v, n), v >> n, `srl ${s}`);
      assert.equal(rr(m, Op.SRA, v, n), u(BigInt.asIntN(64, v) >> n), `sra ${s}`);
      assert.equal(ri(m, Op.SLLI, v, s), u(v << n), `slli ${s}`);
      assert.equal(ri(m, Op.SRLI, v, s), v >> n, `srli ${s}`);
      assert.equal(ri(m, Op.SRAI, v, s), u(BigInt.asIntN(64, v) >> n), `srai ${s}`);
    }
    assert.equal(rr(m, Op.SLL, 1n, 64n + 3n), 8n);
    assert.equal(rr(m, Op.SRL, INT64_MIN, u(-1n)), 1n);
    assert.equal(rr(m, Op.SRA, INT64_MIN, 0x7fn), M64);
  });

  it('compares signed and unsigned (slt, sltu, slti, sltiu)', () => {
    assert.equal(rr(m, Op.SLT, M64, 0n), 1n);
    assert.equal(rr(m, Op.SLTU, M64, 0n), 0n);
    assert.equal(rr(m, Op.SLT, 0x100000000n, 0xffffffffn), 0n);
    assert.equal(rr(m, Op.SLTU, 0xffffffffn, 0x100000000n), 1n);
    assert.equal(rr(m, Op.SLT, INT64_MIN, 0x7fffffffffffffffn), 1n);
    assert.equal(rr(m, Op.SLT, 7n, 7n), 0n);
    assert.equal(rr(m, Op.SLT, 0x1_80000000n, 0x1_7fffffffn), 0n);
    assert.equal(rr(m, Op.SLTU, 0x1_7fffffffn, 0x1_80000000n), 1n);
    assert.equal(ri(m, Op.SLTI, u(-5n), -4), 1n);
    assert.equal(ri(m, Op.SLTI, 0n, -1), 0n);
    // sltiu compares with the sign-extended immediate as unsigned: x < 2^64-1 unless x is -1.
    assert.equal(ri(m, Op.SLTIU, 0xfffffffffffffffen, -1), 1n);
    assert.equal(ri(m, Op.SLTIU, M64, -1), 0n);
    assert.equal(ri(m, Op.SLTIU, 0n, 1), 1n); // seqz
  });

  it('sign-extends every W-form result from bit 31', () => {
    assert.equal(rr(m, Op.ADDW, 0x7fffffffn, 1n), u(-0x80000000n));
    assert.equal(rr(m, Op.ADDW, 0xffffffff_00000001n, 0x12345678_00000001n), 2n);
    assert.equal(rr(m, Op.SUBW, 0n, 1n), M64);
    assert.equal(rr(m, Op.SUBW, 0x80000000n, 1n), 0x7fffffffn);
    assert.equal(ri(m, Op.ADDIW, 0x7fffffffn, 1), u(-0x80000000n));
    assert.equal(ri(m, Op.ADDIW, 0x1_00000000n, 0), 0n); // sext.w drops the high word
    assert.equal(ri(m, Op.ADDIW, 0xffffffffn, 0), M64);
    assert.equal(rr(m, Op.SLLW, 1n, 31n), u(-0x80000000n));
    assert.equal(rr(m, Op.SLLW, 1n, 32n + 4n), 16n); // only 5 bits of the amount
    assert.equal(rr(m, Op.SRLW, 0x80000000n, 0n), u(-0x80000000n));
    assert.equal(rr(m, Op.SRLW, 0xffffffff_80000000n, 4n), 0x08000000n);
    assert.equal(rr(m, Op.SRAW, 0x80000000n, 4n), u(-0x08000000n));
    assert.equal(rr(m, Op.SRAW, 0x7fffffff_00000010n, 36n), 1n);
    assert.equal(ri(m, Op.SLLIW, 0x3n, 31), u(-0x80000000n));
    assert.equal(ri(m, Op.SRLIW, 0xffffffffn, 31), 1n);
    assert.equal(ri(m, Op.SRLIW, 0xffffffffn, 0), M64);
    assert.equal(ri(m, Op.SRAIW, 0x80000000n, 31), M64);
  });

  it('builds constants with lui and pc-relative addresses with auipc', () => {
    assert.equal(exec(m, Op.LUI, { rd: A2, imm: 0x80000000 | 0 }).reg(A2), 0xffffffff80000000n);
    assert.equal(exec(m, Op.LUI, { rd: A2, imm: 0x7ffff000 }).reg(A2), 0x7ffff000n);
    assert.equal(exec(m, Op.AUIPC, { rd: A2, imm: 0x1000 }).reg(A2), BigInt(CODE + 0x1000));
    assert.equal(exec(m, Op.AUIPC, { rd: A2, imm: -0x80000000 }).reg(A2), u(BigInt(CODE) - 0x80000000n));
  });

  it('keeps x0 zero whatever is written to it', () => {
    exec(m, Op.ADDI, { rd: 0, rs1: A0, imm: 5 }, { [A0]: 7n });
    assert.equal(m.reg(0), 0n);
    exec(m, Op.LUI, { rd: 0, imm: 0x1000 });
    assert.equal(m.reg(0), 0n);
    exec(m, Op.MUL, { rd: 0, rs1: A0, rs2: A0 }, { [A0]: 7n });
    assert.equal(m.reg(0), 0n);
    assert.equal(rr(m, Op.ADD, 0n, 0n), 0n);
    // Reading x0 gives 0 even where the ISA uses it as a source.
    assert.equal(exec(m, Op.SUB, { rd: A2, rs1: 0, rs2: A0 }, { [A0]: 1n }).reg(A2), M64);
  });
});

describeEngines('cpu/hart: jumps and branches', (engine) => {
  let m: Machine;
  beforeEach(() => {
    m = new Machine(engine);
  });

  /** Runs `code` from CODE until its ecall; returns the pc of that ecall. */
  function runToEcall(code: number[], regs: Record<number, bigint> = {}): number {
    m.load(code);
    m.hart.ctx.x.fill(0);
    for (const [r, v] of Object.entries(regs)) m.setReg(Number(r), v);
    assert.equal(m.run(), CAUSE_USER_ECALL);
    return m.hart.ctx.pc;
  }

  const li = (rd: number, imm: number): number => asm(Op.ADDI, { rd, rs1: 0, imm });

  it('takes each branch exactly when its signed or unsigned comparison holds', () => {
    const cases: [Op, bigint, bigint, boolean][] = [
      [Op.BEQ, 5n, 5n, true], [Op.BEQ, 5n, 5n | (1n << 32n), false],
      [Op.BNE, 5n, 5n | (1n << 32n), true], [Op.BNE, M64, M64, false],
      [Op.BLT, M64, 0n, true], [Op.BLT, 0n, M64, false], [Op.BLT, 3n, 3n, false],
      [Op.BLT, 0x1_00000000n, 0x1_80000000n, true],
      [Op.BGE, 3n, 3n, true], [Op.BGE, M64, 0n, false], [Op.BGE, 0n, INT64_MIN, true],
      [Op.BLTU, 0n, M64, true], [Op.BLTU, M64, 0n, false], [Op.BLTU, 0xffffffffn, 0x1_00000000n, true],
      [Op.BGEU, M64, 0n, true], [Op.BGEU, 2n, 2n, true], [Op.BGEU, 0x80000000n, 0x1_00000000n, false],
    ];
    for (const [op, a, b, taken] of cases) {
      // taken: skip the a2 = 1; not taken: fall into it.
      runToEcall([asm(op, { rs1: A0, rs2: A1, imm: 8 }), li(A2, 1), ECALL], { [A0]: a, [A1]: b });
      assert.equal(m.reg(A2), taken ? 0n : 1n, `${Op[op]} ${a} ${b}`);
    }
  });

  it('branches backwards and links jal/jalr return addresses', () => {
    // a0 = 3; loop: a0 -= 1; bne a0, x0, loop; jal ra, +8; (skipped); ecall
    const pc = runToEcall([
      li(A0, 3), asm(Op.ADDI, { rd: A0, rs1: A0, imm: -1 }), asm(Op.BNE, { rs1: A0, rs2: 0, imm: -4 }),
      asm(Op.JAL, { rd: 1, imm: 8 }), li(A2, 9), ECALL,
    ]);
    assert.equal(pc, CODE + 20);
    assert.equal(m.reg(A0), 0n);
    assert.equal(m.reg(A2), 0n);
    assert.equal(m.reg(1), BigInt(CODE + 16));
    assert.equal(m.hart.instret, 1 + 3 * 2 + 1 + 1);
  });

  it('jalr adds the offset, clears bit 0 and reads rs1 before writing rd', () => {
    // a0 = CODE + 13; jalr a0, 0(a0) → jumps to CODE + 12, a0 = CODE + 8 (return address)
    const pc = runToEcall([
      asm(Op.LUI, { rd: A0, imm: CODE }), asm(Op.JALR, { rd: A0, rs1: A0, imm: 13 }), ECALL, ECALL,
    ]);
    assert.equal(pc, CODE + 12);
    assert.equal(m.reg(A0), BigInt(CODE + 8));
  });

  it('jumps across pages, forwards and backwards', () => {
    const far = CODE + 0x3000;
    m.load([ECALL], far);
    m.writeCode(far, [asm(Op.ADDI, { rd: A1, rs1: 0, imm: 7 }), asm(Op.JALR, { rd: 0, rs1: 1, imm: 0 })]);
    // call far (in another page), come back, ecall
    const pc = runToEcall([asm(Op.JAL, { rd: 1, imm: 0x3000 }), ECALL]);
    assert.equal(pc, CODE + 4);
    assert.equal(m.reg(A1), 7n);
    // a branch off the end of a page into the next
    m.load([asm(Op.BEQ, { rs1: 0, rs2: 0, imm: 8 })], CODE + 0xffc);
    m.load([ECALL, ECALL], CODE + 0x1000);
    m.hart.ctx.pc = CODE + 0xffc;
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.hart.ctx.pc, CODE + 0x1004);
  });

  it('falls through from the end of one page into the next', () => {
    m.load([li(A0, 1)], CODE + 0xffc);
    m.load([li(A1, 2), ECALL], CODE + 0x1000);
    m.hart.ctx.pc = CODE + 0xffc;
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.reg(A0) + m.reg(A1), 3n);
  });
});
