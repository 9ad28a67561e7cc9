/**
 * CPU micro benchmark: runs hand-encoded RV64 loops on a bare Hart (page tables built here, no
 * kernel) and prints millions of instructions per CPU-second. Not a test — timings vary.
 *
 * Measure the bundle, where esbuild inlines the Op enum into literal case labels:
 *   npx esbuild scripts/cpu-microbench.ts --bundle --platform=node --outfile=/tmp/mb.js
 *   node /tmp/mb.js            (add --cpu-prof to profile)
 */
import { Hart } from '../src/cpu/hart';
import { PAGE_SIZE, PhysMem } from '../src/cpu/physmem';
import { makePte, ptePfn, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, vpnIndex } from '../src/cpu/sv39';
import { CAUSE_USER_ECALL } from '../src/cpu/trap';
import { encode, Fields } from '../src/isa/encode';
import { Op } from '../src/isa/ops';

const CODE = 0x10000;
const DATA = 0x100000;
const DATA_PAGES = 64;

const mem = new PhysMem(16 << 20);
let nextFrame = 1;
const root = nextFrame++;

function map(va: number, perms: number): void {
  const vpn = va / PAGE_SIZE;
  let table = root;
  for (let level = 2; level > 0; level--) {
    const at = table * PAGE_SIZE + vpnIndex(vpn, level) * 8;
    if ((mem.view.getUint32(at, true) & PTE_V) === 0) mem.view.setUint32(at, makePte(nextFrame++, PTE_V), true);
    table = ptePfn(mem.view.getUint32(at, true));
  }
  mem.view.setUint32(table * PAGE_SIZE + (vpn & 511) * 8, makePte(nextFrame++, perms | PTE_V | PTE_U), true);
}

map(CODE, PTE_R | PTE_X);
for (let i = 0; i < DATA_PAGES; i++) map(DATA + i * PAGE_SIZE, PTE_R | PTE_W);

const i = (op: Op, f: Fields): number => encode(op, f);
// Registers: a0=10 a1=11 a2=12 a3=13 a4=14 a5=15 t0=5 t1=6 t2=7 s0=8 s1=9.

/** Integer ALU: a mixing hash over a counter (add, xor, shifts, W forms, a branch). */
const alu = [
  i(Op.LUI, { rd: 11, imm: 0x1000000 }), // a1 = iterations
  i(Op.ADDI, { rd: 10, rs1: 0, imm: 1 }),
  // loop:
  i(Op.SLLI, { rd: 5, rs1: 10, imm: 13 }),
  i(Op.XOR, { rd: 10, rs1: 10, rs2: 5 }),
  i(Op.SRLI, { rd: 5, rs1: 10, imm: 7 }),
  i(Op.XOR, { rd: 10, rs1: 10, rs2: 5 }),
  i(Op.ADDW, { rd: 6, rs1: 10, rs2: 11 }),
  i(Op.SRLIW, { rd: 7, rs1: 6, imm: 3 }),
  i(Op.ADD, { rd: 12, rs1: 12, rs2: 7 }),
  i(Op.ADDI, { rd: 11, rs1: 11, imm: -1 }),
  i(Op.BNE, { rs1: 11, rs2: 0, imm: -32 }),
  i(Op.ECALL, {}),
];

/** Memory: a sieve-like pass — byte stores with a stride, word loads and stores, a branch. */
const memory = [
  i(Op.LUI, { rd: 8, imm: DATA }), // s0 = data base
  i(Op.LUI, { rd: 9, imm: 0x40 << 12 }), // s1 = passes (0x40000)
  // outer: a0 = s0, a1 = end
  i(Op.ADDI, { rd: 10, rs1: 8, imm: 0 }),
  i(Op.ADDI, { rd: 11, rs1: 8, imm: 2000 }),
  // inner:
  i(Op.LW, { rd: 12, rs1: 10, imm: 0 }),
  i(Op.ADDI, { rd: 12, rs1: 12, imm: 3 }),
  i(Op.SW, { rs1: 10, rs2: 12, imm: 0 }),
  i(Op.LBU, { rd: 13, rs1: 10, imm: 5 }),
  i(Op.SB, { rs1: 10, rs2: 13, imm: 6 }),
  i(Op.LD, { rd: 14, rs1: 10, imm: 8 }),
  i(Op.ADD, { rd: 15, rs1: 15, rs2: 14 }),
  i(Op.ADDI, { rd: 10, rs1: 10, imm: 16 }),
  i(Op.BLTU, { rs1: 10, rs2: 11, imm: -32 }),
  i(Op.ADDI, { rd: 9, rs1: 9, imm: -1 }),
  i(Op.BNE, { rs1: 9, rs2: 0, imm: -48 }),
  i(Op.ECALL, {}),
];

/** Calls: a small leaf function called in a loop (jal/jalr, sp-relative sd/ld). */
const calls = [
  i(Op.LUI, { rd: 2, imm: DATA + 0x10000 }), // sp
  i(Op.LUI, { rd: 9, imm: 0x800 << 12 }), // s1 = iterations
  // loop:
  i(Op.JAL, { rd: 1, imm: 16 }),
  i(Op.ADDI, { rd: 9, rs1: 9, imm: -1 }),
  i(Op.BNE, { rs1: 9, rs2: 0, imm: -8 }),
  i(Op.ECALL, {}),
  // leaf:
  i(Op.ADDI, { rd: 2, rs1: 2, imm: -16 }),
  i(Op.SD, { rs1: 2, rs2: 1, imm: 8 }),
  i(Op.ADDI, { rd: 10, rs1: 10, imm: 1 }),
  i(Op.LD, { rd: 1, rs1: 2, imm: 8 }),
  i(Op.ADDI, { rd: 2, rs1: 2, imm: 16 }),
  i(Op.JALR, { rd: 0, rs1: 1, imm: 0 }),
];

function bench(name: string, code: number[]): void {
  const pa = ptePfnOf(CODE) * PAGE_SIZE;
  code.forEach((w, k) => mem.view.setUint32(pa + 4 * k, w, true));
  mem.wroteFrame(ptePfnOf(CODE));
  const hart = new Hart(mem);
  hart.setRootTable(root);
  let best = 0;
  for (let round = 0; round < 5; round++) {
    hart.ctx.x.fill(0);
    hart.ctx.pc = CODE;
    const before = hart.instret;
    // CPU time, not wall time: the machine is shared, and a waiting process retires nothing.
    const t0 = process.cpuUsage();
    const cause = hart.run(1e12);
    const used = process.cpuUsage(t0);
    const ns = (used.user + used.system) * 1000;
    if (cause !== CAUSE_USER_ECALL) throw new Error(`${name}: stopped with cause ${cause}`);
    const n = hart.instret - before;
    best = Math.max(best, (n / ns) * 1000);
    if (round === 4) console.log(`${name.padEnd(8)} ${(n / 1e6).toFixed(1).padStart(7)} M insns   best ${best.toFixed(0)} MIPS`);
  }
}

function ptePfnOf(va: number): number {
  const vpn = va / PAGE_SIZE;
  let table = root;
  for (let level = 2; level > 0; level--) table = ptePfn(mem.view.getUint32(table * PAGE_SIZE + vpnIndex(vpn, level) * 8, true));
  return ptePfn(mem.view.getUint32(table * PAGE_SIZE + (vpn & 511) * 8, true));
}

const benches: Record<string, number[]> = { alu, memory, calls };
// `node mb.js memory` runs one benchmark (for profiling); no argument runs them all.
for (const name of process.argv.length > 2 ? process.argv.slice(2) : Object.keys(benches)) bench(name, benches[name]);
