import { strict as assert } from 'assert';
import { Op } from '../../src/isa/ops';
import { PTE_R } from '../../src/cpu/sv39';
import {
  CAUSE_LOAD_PAGE_FAULT, CAUSE_MISALIGNED_LOAD, CAUSE_MISALIGNED_STORE, CAUSE_STORE_PAGE_FAULT,
  CAUSE_USER_ECALL, STOP_BUDGET,
} from '../../src/cpu/trap';
import { asm, CODE, DATA, ECALL, Machine, RW, describeEngines } from './machine';

const A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14;

describeEngines('cpu/hart: LR/SC and AMOs', (engine) => {
  let m: Machine;
  beforeEach(() => {
    m = new Machine(engine);
    m.map(DATA, RW);
    m.map(DATA + 0x1000, PTE_R);
  });

  /** Runs `code` with a0 = address, a1 = value; returns the stop cause. */
  function run(code: number[], address: number | bigint = DATA, value = 0n): number {
    m.load([...code, ECALL]);
    m.hart.ctx.x.fill(0);
    m.setReg(A0, BigInt(address));
    m.setReg(A1, value);
    return m.run();
  }

  const lr = (op: Op, rd = A2): number => asm(op, { rd, rs1: A0 });
  const sc = (op: Op, rd = A3, rs1 = A0): number => asm(op, { rd, rs1, rs2: A1 });

  it('succeeds an SC (rd = 0) after an LR of the same address, and stores', () => {
    m.write64(DATA, 0x1122334455667788n);
    assert.equal(run([lr(Op.LR_D), sc(Op.SC_D)], DATA, 42n), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 0x1122334455667788n);
    assert.equal(m.reg(A3), 0n);
    assert.equal(m.read64(DATA), 42n);
  });

  it('sign-extends LR.W and stores only a word with SC.W', () => {
    m.write64(DATA, 0x11111111_80000001n);
    assert.equal(run([lr(Op.LR_W), sc(Op.SC_W)], DATA, 0x2222222233333333n), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 0xffffffff80000001n);
    assert.equal(m.reg(A3), 0n);
    assert.equal(m.read64(DATA), 0x11111111_33333333n);
  });

  it('fails an SC (rd = 1, memory untouched) without a reservation', () => {
    m.write64(DATA, 7n);
    assert.equal(run([sc(Op.SC_D)], DATA, 9n), CAUSE_USER_ECALL);
    assert.equal(m.reg(A3), 1n);
    assert.equal(m.read64(DATA), 7n);
  });

  it('fails an SC to another address than the reservation', () => {
    assert.equal(run([lr(Op.LR_D), asm(Op.ADDI, { rd: A4, rs1: A0, imm: 8 }), sc(Op.SC_D, A3, A4)], DATA, 9n),
      CAUSE_USER_ECALL);
    assert.equal(m.reg(A3), 1n);
    assert.equal(m.read64(DATA + 8), 0n);
  });

  it('clears the reservation on every SC, successful or not', () => {
    assert.equal(run([lr(Op.LR_D), sc(Op.SC_D), sc(Op.SC_D, A4)], DATA, 5n), CAUSE_USER_ECALL);
    assert.deepEqual([m.reg(A3), m.reg(A4)], [0n, 1n]);
  });

  it('keeps the reservation over a return for the budget (single-stepping), breaks it on a trap', () => {
    m.load([lr(Op.LR_D), sc(Op.SC_D), ECALL]);
    m.setReg(A0, BigInt(DATA));
    m.setReg(A1, 6n);
    assert.equal(m.run(1), STOP_BUDGET);
    assert.equal(m.hart.ctx.reservation, m.phys(DATA), 'the emulator pausing is invisible to the guest');
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.reg(A3), 0n, 'the SC after a single step succeeds');
    assert.equal(m.read64(DATA), 6n);
    m.load([lr(Op.LR_D), ECALL]);
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.hart.ctx.reservation, -1, 'the ecall entered the kernel');
  });

  it('keeps the reservation by physical address: an alias of the frame succeeds', () => {
    const alias = DATA + 0x5000;
    m.map(alias, RW, Math.floor(m.phys(DATA) / 4096));
    assert.equal(run([lr(Op.LR_D), asm(Op.LUI, { rd: A4, imm: alias }), sc(Op.SC_D, A3, A4)], DATA, 3n),
      CAUSE_USER_ECALL);
    assert.equal(m.reg(A3), 0n);
    assert.equal(m.read64(DATA), 3n);
  });

  it('raises address-misaligned for LR (load) and for SC and AMOs (store/AMO)', () => {
    for (const [code, cause] of [
      [lr(Op.LR_W), CAUSE_MISALIGNED_LOAD], [lr(Op.LR_D), CAUSE_MISALIGNED_LOAD],
      [sc(Op.SC_W), CAUSE_MISALIGNED_STORE], [sc(Op.SC_D), CAUSE_MISALIGNED_STORE],
      [asm(Op.AMOADD_W, { rd: A2, rs1: A0, rs2: A1 }), CAUSE_MISALIGNED_STORE],
      [asm(Op.AMOSWAP_D, { rd: A2, rs1: A0, rs2: A1 }), CAUSE_MISALIGNED_STORE],
    ] as const) {
      assert.equal(run([code], DATA + 4 + 2), cause, `0x${code.toString(16)}`);
      assert.equal(m.hart.tval, BigInt(DATA + 6));
      assert.equal(m.hart.ctx.pc, CODE);
    }
    // Word alignment is enough for the W forms.
    assert.equal(run([lr(Op.LR_W)], DATA + 4), CAUSE_USER_ECALL);
  });

  it('checks the misalignment before the page (as the spec orders them)', () => {
    assert.equal(run([sc(Op.SC_D)], DATA + 0x9001), CAUSE_MISALIGNED_STORE);
  });

  it('faults an LR as a load, and an SC or AMO as a store, on a read-only page', () => {
    const ro = DATA + 0x1000;
    assert.equal(run([lr(Op.LR_D)], ro), CAUSE_USER_ECALL);
    assert.equal(run([sc(Op.SC_D)], ro), CAUSE_STORE_PAGE_FAULT);
    assert.equal(m.hart.tval, BigInt(ro));
    assert.equal(run([asm(Op.AMOOR_W, { rd: A2, rs1: A0, rs2: A1 })], ro), CAUSE_STORE_PAGE_FAULT);
    assert.equal(m.reg(A2), 0n, 'rd untouched');
    assert.equal(run([lr(Op.LR_W)], DATA + 0x8000), CAUSE_LOAD_PAGE_FAULT);
  });

  it('returns the old value in rd even when rd is the source register', () => {
    m.write64(DATA, 10n);
    assert.equal(run([asm(Op.AMOADD_D, { rd: A1, rs1: A0, rs2: A1 })], DATA, 5n), CAUSE_USER_ECALL);
    assert.equal(m.reg(A1), 10n);
    assert.equal(m.read64(DATA), 15n);
  });

  it('performs an AMO with rd = x0 (its memory effect is the point)', () => {
    m.write64(DATA, 1n);
    assert.equal(run([asm(Op.AMOADD_D, { rd: 0, rs1: A0, rs2: A1 })], DATA, 2n), CAUSE_USER_ECALL);
    assert.equal(m.read64(DATA), 3n);
    assert.equal(m.reg(0), 0n);
  });
});
