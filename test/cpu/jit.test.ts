import { strict as assert } from 'assert';
import { Op } from '../../src/isa/ops';
import { PAGE_SIZE } from '../../src/cpu/physmem';
import { HOT_ENTRIES } from '../../src/cpu/jit';
import { CAUSE_LOAD_PAGE_FAULT, CAUSE_USER_ECALL, STOP_BUDGET } from '../../src/cpu/trap';
import { asm, CODE, DATA, ECALL, Engine, ENGINES, Machine, RW, RX } from './machine';

const A0 = 10, A1 = 11, A2 = 12, A3 = 13, S0 = 8, T6 = 31;
const li = (rd: number, imm: number): number => asm(Op.ADDI, { rd, rs1: 0, imm });
const COMPILED = ENGINES[1];
const DEFAULT: Engine = { name: 'default threshold', hotEntries: HOT_ENTRIES };

describe('cpu/jit: compiled blocks', () => {
  it('reports a fault in the k-th pass of a looping block exactly', () => {
    for (const engine of [...ENGINES, DEFAULT]) {
      const m = new Machine(engine);
      m.map(DATA, RW);
      m.map(DATA + 0x1000, RW);
      // loop: ld a2, 0(a0); addi a0, a0, 8; addi a3, a3, 1; bne a0, a1, loop — until a0 leaves the pages
      m.load([asm(Op.LD, { rd: A2, rs1: A0, imm: 0 }), asm(Op.ADDI, { rd: A0, rs1: A0, imm: 8 }),
        asm(Op.ADDI, { rd: A3, rs1: A3, imm: 1 }), asm(Op.BNE, { rs1: A0, rs2: A1, imm: -12 }), ECALL]);
      m.setReg(A0, BigInt(DATA));
      m.setReg(A1, BigInt(DATA + 0x3000));
      assert.equal(m.run(), CAUSE_LOAD_PAGE_FAULT, engine.name);
      assert.equal(m.hart.tval, BigInt(DATA + 0x2000));
      assert.equal(m.hart.ctx.pc, CODE);
      assert.equal(m.reg(A3), 1024n, 'passes completed');
      assert.equal(m.hart.instret, 1024 * 4, 'the faulting load did not retire');
    }
  });

  it('stops a looping block exactly at the budget, in every slice size', () => {
    for (const slice of [1, 3, 4, 5, 7, 1000]) {
      const m = new Machine(COMPILED);
      // a0 = 100; loop: a1 += 2; a0 -= 1; bnez a0, loop; ecall
      m.load([li(A0, 100), asm(Op.ADDI, { rd: A1, rs1: A1, imm: 2 }), asm(Op.ADDI, { rd: A0, rs1: A0, imm: -1 }),
        asm(Op.BNE, { rs1: A0, rs2: 0, imm: -8 }), ECALL]);
      let stops = 0;
      while (m.run(slice) === STOP_BUDGET) stops++;
      assert.equal(m.reg(A1), 200n);
      assert.equal(m.hart.instret, 302);
      assert.equal(stops, Math.floor(301 / slice), `slice ${slice}`);
    }
  });

  it('computes pc-relative values for each virtual address of a shared code frame', () => {
    const m = new Machine(COMPILED);
    m.load([asm(Op.AUIPC, { rd: A0, imm: 0 }), asm(Op.JAL, { rd: A1, imm: 8 }), ECALL, ECALL]);
    const alias = CODE + 0x5000;
    m.map(alias, RX, Math.floor(m.phys(CODE) / PAGE_SIZE));
    for (const base of [CODE, alias, CODE]) {
      m.hart.ctx.pc = base;
      assert.equal(m.run(), CAUSE_USER_ECALL);
      assert.deepEqual([m.reg(A0), m.reg(A1), m.hart.ctx.pc], [BigInt(base), BigInt(base + 8), base + 12]);
    }
  });

  it('leaves a block by a branch out of its page', () => {
    const m = new Machine(COMPILED);
    m.load([li(A0, 1), asm(Op.BEQ, { rs1: 0, rs2: 0, imm: 0x800 })], CODE + 0xffc - 4);
    m.load([li(A1, 2), ECALL], CODE + 0x1000 + 0x7fc);
    m.hart.ctx.pc = CODE + 0xffc - 4;
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.deepEqual([m.reg(A0), m.reg(A1)], [1n, 2n]);
  });
});

/** A small deterministic generator (xorshift32). */
function rng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return (s >>> 0) % n;
  };
}

const REG_OPS = [Op.ADD, Op.SUB, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.SRA, Op.OR, Op.AND, Op.ADDW, Op.SUBW,
  Op.SLLW, Op.SRLW, Op.SRAW, Op.MUL, Op.MULH, Op.MULHU, Op.MULHSU, Op.DIV, Op.DIVU, Op.REM, Op.REMU, Op.MULW, Op.DIVW,
  Op.REMUW];
const IMM_OPS = [Op.ADDI, Op.SLTI, Op.SLTIU, Op.XORI, Op.ORI, Op.ANDI, Op.ADDIW];
const SHIFT_OPS: [Op, number][] = [[Op.SLLI, 64], [Op.SRLI, 64], [Op.SRAI, 64], [Op.SLLIW, 32], [Op.SRLIW, 32], [Op.SRAIW, 32]];
const LOADS = [Op.LB, Op.LBU, Op.LH, Op.LHU, Op.LW, Op.LWU, Op.LD];
const STORES = [Op.SB, Op.SH, Op.SW, Op.SD];
const BRANCHES = [Op.BEQ, Op.BNE, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];

/**
 * A random program: registers seeded with lui/addi, then a counted loop whose body mixes ALU,
 * M, loads and stores (s0 points at a data page; misaligned and page-crossing offsets included)
 * and forward branches and jumps over parts of itself. Neither s0 nor the counter t6 is ever
 * written.
 */
function randomProgram(seed: number): number[] {
  const r = rng(seed);
  const reg = (): number => [5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 28, 29, 30][r(15)];
  const src = (): number => (r(8) === 0 ? 0 : reg());
  const code: number[] = [asm(Op.LUI, { rd: S0, imm: DATA + 0x1000 }), li(T6, 1 + r(60))];
  for (let k = 0; k < 12; k++) {
    code.push(asm(Op.LUI, { rd: reg(), imm: (r(1 << 20) << 12) | 0 }), asm(Op.ADDI, { rd: reg(), rs1: src(), imm: r(4096) - 2048 }));
  }
  const body: number[] = [];
  const n = 5 + r(40);
  for (let k = 0; k < n; k++) {
    const kind = r(10);
    if (kind < 3) body.push(asm(REG_OPS[r(REG_OPS.length)], { rd: reg(), rs1: src(), rs2: src() }));
    else if (kind < 5) body.push(asm(IMM_OPS[r(IMM_OPS.length)], { rd: reg(), rs1: src(), imm: r(4096) - 2048 }));
    else if (kind < 6) {
      const [op, width] = SHIFT_OPS[r(SHIFT_OPS.length)];
      body.push(asm(op, { rd: reg(), rs1: src(), imm: r(width) }));
    } else if (kind < 7) body.push(asm(LOADS[r(LOADS.length)], { rd: reg(), rs1: S0, imm: r(4096) - 2048 }));
    else if (kind < 8) body.push(asm(STORES[r(STORES.length)], { rs1: S0, rs2: src(), imm: r(4096) - 2048 }));
    else if (kind < 9 && k + 2 < n) {
      // A forward branch, or a jal (which the block compiler follows), over part of the body.
      const imm = 4 * (1 + r(Math.min(4, n - k - 1)));
      body.push(r(3) === 0 ? asm(Op.JAL, { rd: r(2) === 0 ? 0 : reg(), imm })
        : asm(BRANCHES[r(BRANCHES.length)], { rs1: src(), rs2: src(), imm }));
    } else body.push(asm(Op.AUIPC, { rd: reg(), imm: (r(16) - 8) << 12 }));
  }
  code.push(...body, asm(Op.ADDI, { rd: T6, rs1: T6, imm: -1 }), asm(Op.BNE, { rs1: T6, rs2: 0, imm: -4 * (body.length + 1) }), ECALL);
  return code;
}

describe('cpu/jit: compiled blocks against the interpreter on random programs', () => {
  it('ends in the same registers, memory and instruction count', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const code = randomProgram(seed * 7919);
      const results = [...ENGINES, DEFAULT].map((engine) => {
        const m = new Machine(engine);
        m.map(DATA, RW);
        m.map(DATA + 0x1000, RW);
        m.load(code);
        assert.equal(m.run(), CAUSE_USER_ECALL, `seed ${seed} ${engine.name}`);
        return { x: [...m.hart.ctx.x], mem: Buffer.from(m.read(DATA, 0x2000)).toString('hex'), n: m.hart.instret };
      });
      assert.deepEqual(results[1], results[0], `seed ${seed}: compiled at once`);
      assert.deepEqual(results[2], results[0], `seed ${seed}: compiled when hot`);
    }
  });
});
