import { strict as assert } from 'assert';
import { Op } from '../../src/isa/ops';
import { PAGE_SIZE } from '../../src/cpu/physmem';
import { CpuState } from '../../src/cpu/state';
import { PTE_X } from '../../src/cpu/sv39';
import {
  CAUSE_BREAKPOINT, CAUSE_FETCH_PAGE_FAULT, CAUSE_ILLEGAL_INSTRUCTION, CAUSE_USER_ECALL,
  STOP_BREAKPOINT, STOP_BUDGET,
} from '../../src/cpu/trap';
import { asm, CODE, DATA, ECALL, Machine, RW, RWX, RX, describeEngines } from './machine';

const A0 = 10, A1 = 11, A2 = 12, A3 = 13;
const li = (rd: number, imm: number): number => asm(Op.ADDI, { rd, rs1: 0, imm });

// Compressed encodings, as GNU as 2.40 assembles them.
const C_LI_A0_5 = { c: 0x4515 };
const C_ADDI_A0_1 = { c: 0x0505 };
const C_MV_A1_A0 = { c: 0x85aa };
const C_ADD_A1_A0 = { c: 0x95aa };
const C_EBREAK = { c: 0x9002 };
const EBREAK = 0x00100073;

describeEngines('cpu/hart: instruction fetch and the decode cache', (engine) => {
  let m: Machine;
  beforeEach(() => {
    m = new Machine(engine);
  });

  it('runs compressed instructions mixed with 32-bit ones', () => {
    m.load([C_LI_A0_5, C_ADDI_A0_1, C_MV_A1_A0, li(A2, 1), C_ADD_A1_A0, ECALL]);
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.deepEqual([m.reg(A0), m.reg(A1), m.reg(A2)], [6n, 12n, 1n]);
    assert.equal(m.hart.ctx.pc, CODE + 12);
    assert.equal(m.hart.instret, 6);
  });

  it('single-steps with run(1), compressed or not', () => {
    m.load([C_LI_A0_5, li(A1, 2), C_ADDI_A0_1, ECALL]);
    const pcs: number[] = [];
    for (let i = 0; i < 3; i++) {
      assert.equal(m.run(1), STOP_BUDGET);
      pcs.push(m.hart.ctx.pc - CODE);
    }
    assert.deepEqual(pcs, [2, 6, 8]);
    assert.equal(m.run(1), CAUSE_USER_ECALL);
    assert.equal(m.hart.instret, 4);
  });

  it('sees code the program stored over an instruction it already ran, after fence.i', () => {
    m.load([
      li(A2, 1), // the target: runs twice
      asm(Op.BNE, { rs1: A3, rs2: 0, imm: 20 }), // the second time round: done
      li(A3, 1),
      asm(Op.SW, { rs1: A0, rs2: A1, imm: 0 }), // overwrite the target
      asm(Op.FENCE_I),
      asm(Op.JAL, { rd: 0, imm: -20 }),
      ECALL,
    ]);
    m.setPte(CODE, m.pte(CODE) | RWX);
    m.setReg(A0, BigInt(CODE));
    m.setReg(A1, BigInt(li(A2, 2)));
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 2n);
  });

  it('sees code the kernel wrote into a frame (PhysMem.wroteFrame)', () => {
    m.load([li(A0, 1), ECALL]);
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.reg(A0), 1n);
    m.writeCode(CODE, [li(A0, 2)]);
    m.hart.ctx.pc = CODE;
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.reg(A0), 2n);
  });

  it('drops the cache on a store through a writable alias, even one already in the write TLB', () => {
    // The code frame is also mapped writable at DATA, as a frame shared between mappings.
    m.load([li(A2, 1), ECALL]);
    const frame = Math.floor(m.phys(CODE) / PAGE_SIZE);
    m.map(DATA, RW, frame);
    const store = asm(Op.SW, { rs1: A0, rs2: A1, imm: 0 });
    // A second page runs the store; the alias enters the write TLB before the frame is decoded.
    m.load([store, asm(Op.JALR, { rd: 0, rs1: 5, imm: 0 })], CODE + 0x1000);
    m.setReg(A0, BigInt(DATA + 0x100));
    m.setReg(5, BigInt(CODE));
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 1n, 'first run: original code');
    // Now the frame is decoded: a store through the alias must reach the decode cache.
    m.setReg(A0, BigInt(DATA));
    m.setReg(A1, BigInt(li(A2, 3)));
    m.hart.ctx.pc = CODE + 0x1000;
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 3n);
  });

  it('runs a 4-byte instruction that straddles two pages', () => {
    m.load([li(A0, 7), ECALL], CODE + 0xffe);
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.reg(A0), 7n);
    assert.equal(m.hart.ctx.pc, CODE + 0x1002);
    // Its second half belongs to the next frame: the kernel rewriting that frame changes it.
    m.writeCode(CODE + 0xffe, [li(A0, 9)]);
    m.hart.ctx.pc = CODE + 0xffe;
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.reg(A0), 9n);
  });

  it('faults a straddling instruction whose second page is not executable at that page', () => {
    m.load([li(A0, 7), ECALL], CODE + 0xffe);
    m.setPte(CODE + 0x1000, m.pte(CODE + 0x1000) & ~PTE_X);
    m.hart.flushTlb();
    m.hart.ctx.pc = CODE + 0xffe;
    assert.equal(m.run(), CAUSE_FETCH_PAGE_FAULT);
    assert.equal(m.hart.ctx.pc, CODE + 0xffe, 'sepc: the instruction');
    assert.equal(m.hart.tval, BigInt(CODE + 0x1000), 'stval: the part that faulted');
    assert.equal(m.hart.instret, 0);
  });

  it('runs a compressed instruction in the last halfword of a page without touching the next', () => {
    m.load([C_LI_A0_5], CODE + 0xffe);
    m.hart.ctx.pc = CODE + 0xffe;
    assert.equal(m.run(), CAUSE_FETCH_PAGE_FAULT, 'the next page is not mapped');
    assert.equal(m.reg(A0), 5n);
    assert.equal(m.hart.ctx.pc, CODE + 0x1000);
    assert.equal(m.hart.tval, BigInt(CODE + 0x1000));
  });

  it('reports illegal instructions with their bits in tval and pc at them', () => {
    for (const [word, bits] of [[0xffffffff, 0xffffffffn], [0x34002573, 0x34002573n]] as const) {
      m.load([li(A0, 1), word, ECALL]);
      assert.equal(m.run(), CAUSE_ILLEGAL_INSTRUCTION);
      assert.equal(m.hart.tval, bits);
      assert.equal(m.hart.ctx.pc, CODE + 4);
    }
    // An all-zero halfword is the defined illegal compressed instruction: 16 bits of tval.
    m.load([li(A0, 1), { c: 0 }, { c: 0 }, ECALL]);
    assert.equal(m.run(), CAUSE_ILLEGAL_INSTRUCTION);
    assert.equal(m.hart.tval, 0n);
    assert.equal(m.hart.instret, 3, 'li retired three times, nothing else');
  });

  it('stops at ebreak and c.ebreak without retiring them, tval = pc', () => {
    m.load([li(A0, 1), EBREAK, C_EBREAK, ECALL]);
    assert.equal(m.run(), CAUSE_BREAKPOINT);
    assert.equal(m.hart.ctx.pc, CODE + 4);
    assert.equal(m.hart.tval, BigInt(CODE + 4));
    assert.equal(m.hart.instret, 1);
    m.hart.ctx.pc += 4; // as a debugger would step over it
    assert.equal(m.run(), CAUSE_BREAKPOINT);
    assert.equal(m.hart.ctx.pc, CODE + 8);
  });

  it('leaves pc at the ecall and counts it as retired', () => {
    m.load([li(A0, 1), ECALL, li(A0, 2), ECALL]);
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.hart.ctx.pc, CODE + 4);
    assert.equal(m.hart.instret, 2);
    assert.equal(m.hart.tval, 0n);
    m.hart.ctx.pc += 4; // the kernel's sepc += 4
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.equal(m.reg(A0), 2n);
    assert.equal(m.hart.instret, 4);
  });

  it('stops when the budget is spent, with pc at the next instruction', () => {
    m.load([li(A0, 0), asm(Op.ADDI, { rd: A0, rs1: A0, imm: 1 }), asm(Op.JAL, { rd: 0, imm: -4 })]);
    assert.equal(m.run(1002), STOP_BUDGET);
    assert.equal(m.reg(A0), 501n);
    assert.equal(m.hart.ctx.pc, CODE + 8, 'after li and 500 loops, the 501st addi');
    assert.equal(m.hart.instret, 1002);
  });

  it('refuses to start at an odd pc, retiring nothing', () => {
    m.load([ECALL]);
    m.hart.ctx.pc = CODE + 1;
    assert.equal(m.run(), 0);
    assert.equal(m.hart.tval, BigInt(CODE + 1));
    assert.equal(m.hart.ctx.pc, CODE + 1);
    assert.equal(m.hart.instret, 0);
  });
});

describeEngines('cpu/hart: the breakpoint hook', (engine) => {
  let m: Machine;
  beforeEach(() => {
    m = new Machine(engine);
    // a0 = 3; loop: a0 -= 1; a1 += 1; bne a0, x0, loop; ecall
    m.load([li(A0, 3), asm(Op.ADDI, { rd: A0, rs1: A0, imm: -1 }), asm(Op.ADDI, { rd: A1, rs1: A1, imm: 1 }),
      asm(Op.BNE, { rs1: A0, rs2: 0, imm: -8 }), ECALL]);
  });

  it('stops before a breakpointed instruction, each time it is reached, and resumes over it', () => {
    const loopBody = CODE + 8;
    assert.equal(m.run(), CAUSE_USER_ECALL, 'decode everything before the breakpoint is set');
    m.hart.ctx.pc = CODE;
    m.hart.ctx.x.fill(0);
    m.hart.setBreakpoints(new Set([loopBody]));
    const hits: bigint[] = [];
    let stop: number;
    while ((stop = m.run()) === STOP_BREAKPOINT) {
      assert.equal(m.hart.ctx.pc, loopBody);
      hits.push(m.reg(A1));
    }
    assert.equal(stop, CAUSE_USER_ECALL);
    assert.deepEqual(hits, [0n, 1n, 2n], 'before the instruction executed, three times');
    assert.equal(m.reg(A1), 3n);
  });

  it('does not stop once the hook is removed', () => {
    m.hart.setBreakpoints(new Set([CODE + 8]));
    assert.equal(m.run(), STOP_BREAKPOINT);
    m.hart.setBreakpoints(null);
    assert.equal(m.run(), CAUSE_USER_ECALL);
  });

  it('reports a breakpoint on an illegal instruction before the trap', () => {
    m.load([li(A0, 1), 0xffffffff]);
    m.hart.setBreakpoints(new Set([CODE + 4]));
    assert.equal(m.run(), STOP_BREAKPOINT);
    assert.equal(m.run(), CAUSE_ILLEGAL_INSTRUCTION);
  });
});

describeEngines('cpu/hart: code shared between address spaces', (engine) => {
  it('runs the same frame from two page tables (as after fork), swapping register contexts', () => {
    const m = new Machine(engine);
    m.load([asm(Op.ADDI, { rd: A0, rs1: A0, imm: 1 }), ECALL]);
    const frame = Math.floor(m.phys(CODE) / PAGE_SIZE);
    const parentRoot = m.root, parent = m.hart.ctx;
    const child = new CpuState();
    child.copyFrom(parent);
    child.setReg(A0, 100n);
    m.switchTo();
    m.map(CODE, RX, frame);
    m.hart.ctx = child;
    assert.equal(m.run(), CAUSE_USER_ECALL);
    m.switchTo(parentRoot);
    m.hart.ctx = parent;
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.deepEqual([parent.getReg(A0), child.getReg(A0)], [1n, 101n]);
    assert.equal(m.hart.instret, 4);
  });
});
