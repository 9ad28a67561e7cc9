import { strict as assert } from 'assert';
import { Op } from '../../src/isa/ops';
import { PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, makePte, ptePfn } from '../../src/cpu/sv39';
import {
  CAUSE_FETCH_PAGE_FAULT, CAUSE_LOAD_PAGE_FAULT, CAUSE_STORE_PAGE_FAULT, CAUSE_USER_ECALL,
} from '../../src/cpu/trap';
import { asm, CODE, DATA, ECALL, Machine, RW, RX, describeEngines } from './machine';

const A0 = 10, A1 = 11, A2 = 12;
const M64 = (1n << 64n) - 1n;

/** Loads `code` at CODE with a0 = `base`, a1 = `value`, and runs it. */
function run(m: Machine, code: number[], base: number | bigint, value = 0n): number {
  m.load([...code, ECALL]);
  m.hart.ctx.x.fill(0);
  m.setReg(A0, BigInt(base));
  m.setReg(A1, value);
  return m.run();
}

const ld = (op: Op, imm = 0): number => asm(op, { rd: A2, rs1: A0, imm });
const st = (op: Op, imm = 0): number => asm(op, { rs1: A0, rs2: A1, imm });

describeEngines('cpu/hart: loads and stores', (engine) => {
  let m: Machine;
  beforeEach(() => {
    m = new Machine(engine);
    m.map(DATA, RW);
    m.map(DATA + 0x1000, RW);
    m.write(DATA, Uint8Array.from([0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x7f, 0x7f, 0x7f, 0x7f]));
  });

  it('sign- or zero-extends each load width', () => {
    const cases: [Op, bigint][] = [
      [Op.LB, 0xffffffffffffff81n], [Op.LBU, 0x81n], [Op.LH, 0xffffffffffff8281n], [Op.LHU, 0x8281n],
      [Op.LW, 0xffffffff84838281n], [Op.LWU, 0x84838281n], [Op.LD, 0x8887868584838281n],
    ];
    for (const [op, want] of cases) {
      assert.equal(run(m, [ld(op)], DATA), CAUSE_USER_ECALL);
      assert.equal(m.reg(A2), want, Op[op]);
    }
    assert.equal(run(m, [ld(Op.LW, 8)], DATA), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 0x7f7f7f7fn);
  });

  it('stores the low bytes of each width', () => {
    const v = 0x1122334455667788n;
    for (const [op, n] of [[Op.SB, 1], [Op.SH, 2], [Op.SW, 4], [Op.SD, 8]] as const) {
      m.write(DATA + 0x100, new Uint8Array(9).fill(0xee));
      assert.equal(run(m, [st(op, 0x100)], DATA, v), CAUSE_USER_ECALL);
      const want = [0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11].slice(0, n);
      assert.deepEqual([...m.read(DATA + 0x100, 9)], [...want, ...new Array(9 - n).fill(0xee)], Op[op]);
    }
  });

  it('handles negative offsets and base registers with carries into the high word', () => {
    assert.equal(run(m, [ld(Op.LBU, -1)], DATA + 1), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 0x81n);
    assert.equal(run(m, [ld(Op.LBU, 0x7ff)], DATA - 0x7ff), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 0x81n);
  });

  it('makes misaligned accesses just work inside a page', () => {
    assert.equal(run(m, [ld(Op.LW, 1)], DATA), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 0xffffffff85848382n);
    assert.equal(run(m, [ld(Op.LD, 3)], DATA), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 0x7f7f7f8887868584n);
    assert.equal(run(m, [ld(Op.LHU, 7)], DATA), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 0x7f88n);
    assert.equal(run(m, [st(Op.SD, 0x201)], DATA, 0x0102030405060708n), CAUSE_USER_ECALL);
    assert.deepEqual([...m.read(DATA + 0x200, 10)], [0, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('makes misaligned accesses work across a page boundary, both ways', () => {
    const edge = DATA + 0x1000;
    m.write(edge - 3, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
    assert.equal(run(m, [ld(Op.LD, -3)], edge), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 0x0807060504030201n);
    assert.equal(run(m, [ld(Op.LW, -1)], edge), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 0x06050403n);
    assert.equal(run(m, [ld(Op.LH, -1)], edge), CAUSE_USER_ECALL);
    assert.equal(m.reg(A2), 0x0403n);
    assert.equal(run(m, [st(Op.SD, -5)], edge, 0x1112131415161718n), CAUSE_USER_ECALL);
    assert.deepEqual([...m.read(edge - 5, 8)], [0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11]);
    assert.equal(run(m, [st(Op.SW, -2)], edge, 0xa1a2a3a4n), CAUSE_USER_ECALL);
    assert.deepEqual([...m.read(edge - 2, 4)], [0xa4, 0xa3, 0xa2, 0xa1]);
  });

  it('loads and stores FP registers as raw bits, NaN-boxing flw', () => {
    m.write(DATA + 0x300, Uint8Array.from([0x00, 0x00, 0xc0, 0x7f, 0x11, 0x22, 0x33, 0x44]));
    assert.equal(run(m, [
      asm(Op.FLW, { rd: 1, rs1: A0, imm: 0x300 }), asm(Op.FLD, { rd: 2, rs1: A0, imm: 0x300 }),
      asm(Op.FSD, { rs1: A0, rs2: 1, imm: 0x310 }), asm(Op.FSW, { rs1: A0, rs2: 2, imm: 0x31a }),
    ], DATA), CAUSE_USER_ECALL);
    const f = m.hart.ctx.fbits;
    assert.deepEqual([f[2] >>> 0, f[3] >>> 0], [0x7fc00000, 0xffffffff]);
    assert.deepEqual([f[4] >>> 0, f[5] >>> 0], [0x7fc00000, 0x44332211]);
    assert.deepEqual([...m.read(DATA + 0x310, 8)], [0, 0, 0xc0, 0x7f, 0xff, 0xff, 0xff, 0xff]);
    assert.deepEqual([...m.read(DATA + 0x31a, 4)], [0, 0, 0xc0, 0x7f]);
  });

  it('discards a load into x0 but still performs it', () => {
    assert.equal(run(m, [asm(Op.LD, { rd: 0, rs1: A0, imm: 0 })], DATA), CAUSE_USER_ECALL);
    assert.equal(m.reg(0), 0n);
    assert.equal(run(m, [asm(Op.LD, { rd: 0, rs1: A0, imm: 0 })], DATA + 0x10000), CAUSE_LOAD_PAGE_FAULT);
  });
});

describeEngines('cpu/hart: page faults', (engine) => {
  let m: Machine;
  beforeEach(() => {
    m = new Machine(engine);
    m.map(DATA, RW);
  });

  /** Expects `code` (after one addi) to stop at its second instruction with `cause` and `tval`. */
  function faults(code: number[], base: number | bigint, cause: number, tval: bigint): void {
    const before = m.hart.instret;
    const r = run(m, [asm(Op.ADDI, { rd: 5, rs1: 0, imm: 1 }), ...code], base, 0x55n);
    assert.equal(r, cause, 'cause');
    assert.equal(m.hart.tval, tval, 'tval');
    assert.equal(m.hart.ctx.pc, CODE + 4, 'pc at the faulting instruction');
    assert.equal(m.hart.instret - before, 1, 'the faulting instruction did not retire');
  }

  it('reports a load from an unmapped page with the exact address', () => {
    faults([ld(Op.LD, 8)], DATA + 0x5000, CAUSE_LOAD_PAGE_FAULT, BigInt(DATA + 0x5008));
    assert.equal(m.reg(A2), 0n, 'rd untouched');
  });

  it('reports stores to unmapped and read-only pages as store faults, writing nothing', () => {
    faults([st(Op.SW)], DATA + 0x5000, CAUSE_STORE_PAGE_FAULT, BigInt(DATA + 0x5000));
    m.map(DATA + 0x6000, PTE_R);
    faults([st(Op.SB, 3)], DATA + 0x6000, CAUSE_STORE_PAGE_FAULT, BigInt(DATA + 0x6003));
    assert.deepEqual([...m.read(DATA + 0x6000, 4)], [0, 0, 0, 0]);
  });

  it('names the faulting part of an access that crosses into a bad page, and writes nothing', () => {
    const edge = DATA + 0x1000; // DATA is mapped, the next page is not
    faults([ld(Op.LD, -4)], edge, CAUSE_LOAD_PAGE_FAULT, BigInt(edge));
    faults([st(Op.SD, -2)], edge, CAUSE_STORE_PAGE_FAULT, BigInt(edge));
    assert.deepEqual([...m.read(edge - 2, 2)], [0, 0], 'no partial store');
    // The first page faulting names the access's own address.
    faults([ld(Op.LW, -2)], DATA, CAUSE_LOAD_PAGE_FAULT, BigInt(DATA - 2));
  });

  it('applies the U-mode permission rules of the privileged spec', () => {
    const page = DATA + 0x8000;
    const setPerm = (bits: number): void => {
      m.setPte(page, bits === 0 ? 0 : makePte(ptePfn(m.pte(page)) || m.allocFrame(), bits | PTE_V));
      m.hart.flushTlb();
    };
    // Not a user page.
    setPerm(PTE_R | PTE_W);
    faults([ld(Op.LB)], page, CAUSE_LOAD_PAGE_FAULT, BigInt(page));
    // W without R is reserved: both loads and stores fault.
    setPerm(PTE_W | PTE_U);
    faults([ld(Op.LB)], page, CAUSE_LOAD_PAGE_FAULT, BigInt(page));
    faults([st(Op.SB)], page, CAUSE_STORE_PAGE_FAULT, BigInt(page));
    // Execute-only: no MXR, so not readable.
    setPerm(PTE_X | PTE_U);
    faults([ld(Op.LB)], page, CAUSE_LOAD_PAGE_FAULT, BigInt(page));
    // Read-only: loads work.
    setPerm(PTE_R | PTE_U);
    assert.equal(run(m, [ld(Op.LB)], page), CAUSE_USER_ECALL);
  });

  it('refuses addresses outside user space with their exact 64-bit value', () => {
    faults([ld(Op.LB)], 0x40_0000_0000, CAUSE_LOAD_PAGE_FAULT, 0x40_0000_0000n);
    faults([ld(Op.LB, -8)], 0n, CAUSE_LOAD_PAGE_FAULT, M64 - 7n);
    faults([st(Op.SD)], 0x8000_0000_0000_1000n, CAUSE_STORE_PAGE_FAULT, 0x8000_0000_0000_1000n);
    faults([ld(Op.LD, 16)], 0xffff_ffff_ffff_fff8n, CAUSE_LOAD_PAGE_FAULT, 8n);
  });

  it('raises an instruction page fault with tval = pc on jumping to a non-executable page', () => {
    m.load([asm(Op.JALR, { rd: 0, rs1: A0, imm: 0 })]);
    m.hart.ctx.x.fill(0);
    m.setReg(A0, BigInt(DATA + 0x10));
    assert.equal(m.run(), CAUSE_FETCH_PAGE_FAULT);
    assert.equal(m.hart.ctx.pc, DATA + 0x10);
    assert.equal(m.hart.tval, BigInt(DATA + 0x10));
    assert.equal(m.hart.instret, 1, 'the jump retired, the fetch did not');
    // Out of user space altogether.
    m.hart.ctx.pc = CODE;
    m.setReg(A0, 0x40_0000_0000n);
    assert.equal(m.run(), CAUSE_FETCH_PAGE_FAULT);
    assert.equal(m.hart.tval, 0x40_0000_0000n);
  });

  it('sets A on any access and D on a write, in the PTE', () => {
    const page = DATA + 0x9000;
    m.map(page, RW);
    assert.equal(m.pte(page) & (PTE_A | PTE_D), 0);
    assert.equal(run(m, [ld(Op.LB)], page), CAUSE_USER_ECALL);
    assert.equal(m.pte(page) & (PTE_A | PTE_D), PTE_A);
    assert.equal(run(m, [st(Op.SB)], page), CAUSE_USER_ECALL);
    assert.equal(m.pte(page) & (PTE_A | PTE_D), PTE_A | PTE_D);
    assert.equal(m.pte(CODE) & (PTE_A | PTE_D), PTE_A, 'code page: fetched, never written');
  });
});

describeEngines('cpu/hart: TLB', (engine) => {
  let m: Machine;
  let frameA: number, frameB: number;
  beforeEach(() => {
    m = new Machine(engine);
    frameA = m.map(DATA, RW);
    frameB = m.allocFrame();
    m.mem.bytes[frameA * 4096] = 0xa;
    m.mem.bytes[frameB * 4096] = 0xb;
  });

  const readByte = (): bigint => {
    assert.equal(run(m, [ld(Op.LBU)], DATA), CAUSE_USER_ECALL);
    return m.reg(A2);
  };
  const remap = (pfn: number, perms = RW): void => m.setPte(DATA, makePte(pfn, perms | PTE_V | PTE_U));

  it('keeps using a cached translation until that page is flushed', () => {
    assert.equal(readByte(), 0xan);
    remap(frameB);
    assert.equal(readByte(), 0xan, 'stale without sfence.vma, as on hardware');
    m.hart.flushTlbPage(DATA / 4096 + 1);
    assert.equal(readByte(), 0xan, 'flushing another page changes nothing');
    m.hart.flushTlbPage(DATA / 4096);
    assert.equal(readByte(), 0xbn);
  });

  it('forgets everything on flushTlb and on setRootTable', () => {
    assert.equal(readByte(), 0xan);
    remap(frameB);
    m.hart.flushTlb();
    assert.equal(readByte(), 0xbn);
    remap(frameA);
    m.hart.setRootTable(m.root);
    assert.equal(readByte(), 0xan);
  });

  it('drops write permission after the PTE loses W and the page is flushed', () => {
    assert.equal(run(m, [st(Op.SB)], DATA, 1n), CAUSE_USER_ECALL);
    remap(frameA, PTE_R); // e.g. fork making the page copy-on-write
    m.hart.flushTlbPage(DATA / 4096);
    assert.equal(run(m, [st(Op.SB)], DATA, 2n), CAUSE_STORE_PAGE_FAULT);
    assert.equal(m.mem.bytes[frameA * 4096], 1);
  });

  it('faults everything with no root table', () => {
    m.hart.setRootTable(0);
    m.hart.ctx.pc = CODE;
    assert.equal(m.run(), CAUSE_FETCH_PAGE_FAULT);
  });

  it('evicts entries of pages that share a TLB slot and still translates both', () => {
    // Pages 1024 pages apart land in the same slot of a 1024-entry direct-mapped TLB.
    const other = DATA + 1024 * 4096;
    m.map(other, RW);
    m.write(other, Uint8Array.from([0xc]));
    const code = [ld(Op.LBU), asm(Op.LBU, { rd: A1, rs1: 13, imm: 0 }), ld(Op.LBU)];
    m.load([...code, ECALL]);
    m.hart.ctx.x.fill(0);
    m.setReg(A0, BigInt(DATA));
    m.setReg(13, BigInt(other));
    assert.equal(m.run(), CAUSE_USER_ECALL);
    assert.deepEqual([m.reg(A2), m.reg(A1)], [0xan, 0xcn]);
  });
});

describeEngines('cpu/hart: code pages', (engine) => {
  it('needs X to fetch and R to read', () => {
    const m = new Machine(engine);
    m.load([ld(Op.LW), ECALL]);
    m.setReg(A0, BigInt(CODE));
    assert.equal(m.run(), CAUSE_USER_ECALL, 'an R+X page can be read');
    assert.equal(m.reg(A2), BigInt(ld(Op.LW)));
    m.setPte(CODE, makePte(ptePfn(m.pte(CODE)), RX & ~PTE_R | PTE_V | PTE_U));
    m.hart.flushTlb();
    m.hart.ctx.pc = CODE;
    assert.equal(m.run(), CAUSE_LOAD_PAGE_FAULT, 'an X-only page executes but cannot be read');
  });
});
