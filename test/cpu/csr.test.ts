import { strict as assert } from 'assert';
import { Op } from '../../src/isa/ops';
import { CSR_CYCLE, CSR_FCSR, CSR_FFLAGS, CSR_FRM, CSR_INSTRET, CSR_TIME, INSNS_PER_TIME_TICK, TIMEBASE_HZ } from '../../src/cpu/csr';
import { CAUSE_ILLEGAL_INSTRUCTION, CAUSE_USER_ECALL } from '../../src/cpu/trap';
import { asm, CODE, ECALL, Machine, describeEngines } from './machine';

const A0 = 10, A1 = 11, A2 = 12, A3 = 13;
const li = (rd: number, imm: number): number => asm(Op.ADDI, { rd, rs1: 0, imm });
const csr = (op: Op, rd: number, csrNum: number, rs1 = 0): number => asm(op, { rd, rs1, imm: csrNum });

describeEngines('cpu/hart: counters and time', (engine) => {
  it('ticks time at 10 MHz with one nanosecond per instruction', () => {
    assert.equal(TIMEBASE_HZ, 10_000_000);
    assert.equal(INSNS_PER_TIME_TICK, 100);
  });

  it('reads cycle = instret = instructions retired before the read, and time from them', () => {
    const m = new Machine(engine);
    m.load([
      li(A3, 0), li(A3, 0), li(A3, 0),
      csr(Op.CSRRS, A0, CSR_CYCLE), csr(Op.CSRRS, A1, CSR_INSTRET), csr(Op.CSRRS, A2, CSR_TIME), ECALL,
    ]);
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.deepEqual([m.reg(A0), m.reg(A1), m.reg(A2)], [3n, 4n, 0n]);
  });

  it('counts across runs, budgets and register contexts', () => {
    const m = new Machine(engine);
    // 0: a0 -= 1; bne a0, x0, 0; rdtime a1; rdinstret a2; ecall
    m.load([asm(Op.ADDI, { rd: A0, rs1: A0, imm: -1 }), asm(Op.BNE, { rs1: A0, rs2: 0, imm: -4 }),
      csr(Op.CSRRS, A1, CSR_TIME), csr(Op.CSRRS, A2, CSR_INSTRET), ECALL]);
    m.hart.instret = 1_000_000_000; // as if other tasks had run for a second
    m.setReg(A0, 1000n);
    for (let stop = m.run(7); stop !== CAUSE_USER_ECALL; stop = m.run(7)) { /* slices of 7 */ }
    const retiredBefore = 1_000_000_000 + 2000 + 1;
    assert.equal(m.reg(A2), BigInt(retiredBefore));
    assert.equal(m.reg(A1), BigInt(Math.floor((retiredBefore - 1) / 100)));
    assert.equal(m.hart.instret, retiredBefore + 2);
  });

  it('handles counters beyond 2^32 in both halves', () => {
    const m = new Machine(engine);
    m.load([csr(Op.CSRRS, A0, CSR_CYCLE), ECALL]);
    m.hart.instret = 2 ** 40 + 5;
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.reg(A0), 2n ** 40n + 5n);
  });

  it('treats any write to a counter as illegal, but not reads by csrrs/csrrc with x0 or zero', () => {
    const m = new Machine(engine);
    const reads = [csr(Op.CSRRS, A0, CSR_TIME), csr(Op.CSRRC, A0, CSR_CYCLE), csr(Op.CSRRSI, A0, CSR_INSTRET),
      csr(Op.CSRRCI, A0, CSR_CYCLE)];
    for (const insn of reads) {
      m.load([insn, ECALL]);
      assert.equal(m.run(), CAUSE_USER_ECALL, `0x${insn.toString(16)}`);
    }
    const writes = [csr(Op.CSRRW, 0, CSR_CYCLE, A0), csr(Op.CSRRS, A0, CSR_CYCLE, A1), csr(Op.CSRRC, A0, CSR_TIME, A1),
      csr(Op.CSRRWI, A0, CSR_INSTRET, 0), csr(Op.CSRRSI, A0, CSR_INSTRET, 1)];
    for (const insn of writes) {
      m.load([insn, ECALL]);
      m.setReg(A0, 77n);
      assert.equal(m.run(), CAUSE_ILLEGAL_INSTRUCTION, `0x${insn.toString(16)}`);
      assert.equal(m.hart.tval, BigInt(insn));
      assert.equal(m.hart.ctx.pc, CODE);
      assert.equal(m.reg(A0), 77n, 'nothing written');
    }
  });

  it('treats every other CSR as illegal', () => {
    const m = new Machine(engine);
    for (const n of [0x000, 0x004, 0x100, 0x180, 0x340, 0xc03, 0xc80, 0xc81, 0xf14]) {
      m.load([csr(Op.CSRRS, A0, n), ECALL]);
      assert.equal(m.run(), CAUSE_ILLEGAL_INSTRUCTION, `csr 0x${n.toString(16)}`);
    }
  });
});

describeEngines('cpu/hart: FP CSRs and the FP unit', (engine) => {
  let m: Machine;
  beforeEach(() => {
    m = new Machine(engine);
  });

  function run(code: number[], regs: Record<number, number> = {}): number {
    m.load([...code, ECALL]);
    for (const [r, v] of Object.entries(regs)) m.setReg(Number(r), BigInt(v));
    return m.run();
  }

  it('splits fcsr into fflags and frm and masks what is written', () => {
    assert.equal(run([csr(Op.CSRRW, A0, CSR_FCSR, A1)], { [A1]: 0x1ff }), CAUSE_USER_ECALL);
    assert.deepEqual([m.hart.ctx.fflags, m.hart.ctx.frm, m.reg(A0)], [0x1f, 7, 0n]);
    assert.equal(run([csr(Op.CSRRS, A0, CSR_FRM), csr(Op.CSRRS, A1, CSR_FFLAGS), csr(Op.CSRRS, A2, CSR_FCSR)]),
      CAUSE_USER_ECALL);
    assert.deepEqual([m.reg(A0), m.reg(A1), m.reg(A2)], [7n, 0x1fn, 0xffn]);
    assert.equal(run([csr(Op.CSRRCI, A0, CSR_FFLAGS, 0x3), csr(Op.CSRRWI, A1, CSR_FRM, 0x1a)]), CAUSE_USER_ECALL);
    assert.deepEqual([m.reg(A0), m.hart.ctx.fflags, m.reg(A1), m.hart.ctx.frm], [0x1fn, 0x1c, 7n, 2]);
    assert.equal(run([csr(Op.CSRRSI, A0, CSR_FFLAGS, 0x1), csr(Op.CSRRC, A1, CSR_FCSR, A2)], { [A2]: 0xe0 }),
      CAUSE_USER_ECALL);
    assert.deepEqual([m.hart.ctx.fflags, m.hart.ctx.frm, m.reg(A1)], [0x1d, 0, 0x5dn]);
  });

  it('reads the old value before writing when rd is the source register', () => {
    m.hart.ctx.fflags = 0x3;
    assert.equal(run([csr(Op.CSRRW, A0, CSR_FFLAGS, A0)], { [A0]: 0x10 }), CAUSE_USER_ECALL);
    assert.deepEqual([m.reg(A0), m.hart.ctx.fflags], [3n, 0x10]);
  });

  it('runs F/D arithmetic through the FP unit and accrues its flags', () => {
    const one = 0x3ff0000000000000n, three = 0x4008000000000000n;
    m.hart.ctx.setReg(A0, one);
    m.hart.ctx.setReg(A1, three);
    // fmv.d.x f1, a0; fmv.d.x f2, a1; fdiv.d f3, f1, f2 (dynamic rm); fmv.x.d a2, f3
    assert.equal(run([asm(Op.FMV_D_X, { rd: 1, rs1: A0 }), asm(Op.FMV_D_X, { rd: 2, rs1: A1 }),
      asm(Op.FDIV_D, { rd: 3, rs1: 1, rs2: 2, rm: 7 }), asm(Op.FMV_X_D, { rd: A2, rs1: 3 })]), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 0x3fd5555555555555n);
    assert.equal(m.hart.ctx.fflags, 1, 'inexact');
  });

  it('makes reserved rounding modes illegal, static or through frm', () => {
    const fadd = (rm: number): number => asm(Op.FADD_D, { rd: 1, rs1: 2, rs2: 3, rm });
    assert.equal(run([fadd(5)]), CAUSE_ILLEGAL_INSTRUCTION);
    assert.equal(m.hart.tval, BigInt(fadd(5)));
    assert.equal(run([fadd(6)]), CAUSE_ILLEGAL_INSTRUCTION);
    m.hart.ctx.frm = 5;
    assert.equal(run([fadd(7)]), CAUSE_ILLEGAL_INSTRUCTION);
    assert.equal(run([fadd(0)]), CAUSE_USER_ECALL, 'a static mode ignores frm');
  });

  it('keeps x0 zero when an FP compare or move targets it', () => {
    m.hart.ctx.f64[1] = 2;
    assert.equal(run([asm(Op.FEQ_D, { rd: 0, rs1: 1, rs2: 1 }), asm(Op.FMV_X_D, { rd: 0, rs1: 1 })]),
      CAUSE_USER_ECALL);
    assert.equal(m.reg(0), 0n);
  });
});
