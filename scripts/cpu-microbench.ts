/**
 * CPU micro benchmark: runs RV64 code on a bare Hart (page tables built here, no kernel) and
 * prints millions of instructions per CPU-second. Not a test — timings vary.
 *
 * Three hand-encoded loops (ALU, memory, calls) and, when riscv64-linux-gnu-gcc is installed,
 * `guest`: cpu-microbench-guest.c (SHA-256, sieve, FP) compiled freestanding, whose compiled
 * code has the instruction mix of real programs (compressed instructions, calls, FP).
 *
 * Measure the bundle, where esbuild inlines the Op enum into literal case labels:
 *   npx esbuild scripts/cpu-microbench.ts --bundle --platform=node --outfile=/tmp/mb.js
 *   node /tmp/mb.js [alu|memory|calls|guest]...   (from the repository root; --cpu-prof to profile)
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Hart } from '../src/cpu/hart';
import { PAGE_SIZE, PhysMem } from '../src/cpu/physmem';
import { makePte, ptePfn, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, vpnIndex } from '../src/cpu/sv39';
import { CAUSE_USER_ECALL } from '../src/cpu/trap';
import { parseElf, PF_R, PF_W, PF_X, PT_LOAD } from '../src/elf';
import { encode, Fields } from '../src/isa/encode';
import { Op } from '../src/isa/ops';

const CODE = 0x10000;
const DATA = 0x100000;
const STACK_TOP = 0x3f_ffff_f000;

/** Physical memory with one address space, as the kernel would set it up. */
class Bare {
  readonly mem = new PhysMem(32 << 20);
  readonly hart = new Hart(this.mem);
  private nextFrame = 1;
  private readonly root = this.nextFrame++;

  constructor() {
    this.hart.setRootTable(this.root);
  }

  map(va: number, perms: number): void {
    const vpn = Math.floor(va / PAGE_SIZE);
    let table = this.root;
    for (let level = 2; level > 0; level--) {
      const at = table * PAGE_SIZE + vpnIndex(vpn, level) * 8;
      if ((this.mem.view.getUint32(at, true) & PTE_V) === 0) this.mem.view.setUint32(at, makePte(this.nextFrame++, PTE_V), true);
      table = ptePfn(this.mem.view.getUint32(at, true));
    }
    this.mem.view.setUint32(table * PAGE_SIZE + (vpn & 511) * 8, makePte(this.nextFrame++, perms | PTE_V | PTE_U), true);
  }

  mapRange(va: number, size: number, perms: number): void {
    for (let page = va - (va % PAGE_SIZE); page < va + size; page += PAGE_SIZE) this.map(page, perms);
  }

  /** Copies bytes to virtual `va` through the page tables (mapped pages only). */
  write(va: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const vpn = Math.floor((va + i) / PAGE_SIZE);
      let table = this.root;
      for (let level = 2; level > 0; level--) table = ptePfn(this.mem.view.getUint32(table * PAGE_SIZE + vpnIndex(vpn, level) * 8, true));
      const pfn = ptePfn(this.mem.view.getUint32(table * PAGE_SIZE + (vpn & 511) * 8, true));
      this.mem.bytes[pfn * PAGE_SIZE + ((va + i) % PAGE_SIZE)] = bytes[i];
    }
  }
}

const i = (op: Op, f: Fields = {}): number => encode(op, f);
// Registers: ra=1 sp=2 t0=5 t1=6 t2=7 s0=8 s1=9 a0=10 a1=11 a2=12 a3=13 a4=14 a5=15.

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
  i(Op.ECALL),
];

/** Memory: word and byte loads and stores over a buffer, a doubleword load, a branch. */
const memory = [
  i(Op.LUI, { rd: 8, imm: DATA }), // s0 = data base
  i(Op.LUI, { rd: 9, imm: 0x40000 }), // s1 = passes
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
  i(Op.ECALL),
];

/** Calls: a small leaf function called in a loop (jal/jalr, sp-relative sd/ld). */
const calls = [
  i(Op.LUI, { rd: 2, imm: DATA + 0x10000 }), // sp
  i(Op.LUI, { rd: 9, imm: 0x800000 }), // s1 = iterations
  // loop:
  i(Op.JAL, { rd: 1, imm: 16 }),
  i(Op.ADDI, { rd: 9, rs1: 9, imm: -1 }),
  i(Op.BNE, { rs1: 9, rs2: 0, imm: -8 }),
  i(Op.ECALL),
  // leaf:
  i(Op.ADDI, { rd: 2, rs1: 2, imm: -16 }),
  i(Op.SD, { rs1: 2, rs2: 1, imm: 8 }),
  i(Op.ADDI, { rd: 10, rs1: 10, imm: 1 }),
  i(Op.LD, { rd: 1, rs1: 2, imm: 8 }),
  i(Op.ADDI, { rd: 2, rs1: 2, imm: 16 }),
  i(Op.JALR, { rd: 0, rs1: 1, imm: 0 }),
];

function loopMachine(code: number[]): Bare {
  const m = new Bare();
  m.map(CODE, PTE_R | PTE_X);
  m.mapRange(DATA, 0x11000, PTE_R | PTE_W);
  const bytes = new Uint8Array(code.length * 4);
  code.forEach((w, k) => new DataView(bytes.buffer).setUint32(4 * k, w, true));
  m.write(CODE, bytes);
  m.hart.ctx.pc = CODE;
  return m;
}

/** The compiled guest, loaded like a static ELF (segments and a stack), or undefined without gcc. */
function guestMachine(): Bare | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'cpu-mb-'));
  try {
    const exe = join(dir, 'guest');
    try {
      // Run from the repository root (the bundle lives elsewhere).
      execFileSync('riscv64-linux-gnu-gcc', ['-O2', '-nostdlib', '-static', '-ffreestanding', '-fno-builtin',
        '-o', exe, join('scripts', 'cpu-microbench-guest.c')], { stdio: 'pipe' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      console.log('guest    skipped: riscv64-linux-gnu-gcc is not installed');
      return undefined;
    }
    const elf = parseElf(readFileSync(exe));
    const m = new Bare();
    for (const ph of elf.programHeaders) {
      if (ph.p_type !== PT_LOAD) continue;
      const perms = (ph.p_flags & PF_R ? PTE_R : 0) | (ph.p_flags & PF_W ? PTE_W : 0) | (ph.p_flags & PF_X ? PTE_X : 0);
      m.mapRange(ph.p_vaddr, ph.p_memsz, perms);
      m.write(ph.p_vaddr, elf.bytes.subarray(ph.p_offset, ph.p_offset + ph.p_filesz));
    }
    m.mapRange(STACK_TOP - 0x10000, 0x10000, PTE_R | PTE_W);
    m.hart.ctx.setRegNum(2, STACK_TOP);
    m.hart.ctx.pc = elf.header.e_entry;
    return m;
  } finally {
    rmSync(dir, { recursive: true });
  }
}

function bench(name: string, make: () => Bare | undefined): void {
  let best = 0, insns = 0;
  for (let round = 0; round < 5; round++) {
    const m = make();
    if (m === undefined) return;
    // CPU time, not wall time: the machine is shared, and a waiting process retires nothing.
    const t0 = process.cpuUsage();
    const cause = m.hart.run(1e12);
    const used = process.cpuUsage(t0);
    if (cause !== CAUSE_USER_ECALL) throw new Error(`${name}: stopped with cause ${cause} at 0x${m.hart.ctx.pc.toString(16)}`);
    insns = m.hart.instret;
    best = Math.max(best, insns / (used.user + used.system));
  }
  console.log(`${name.padEnd(8)} ${(insns / 1e6).toFixed(1).padStart(7)} M insns   best ${best.toFixed(0)} MIPS`);
}

const benches: Record<string, () => Bare | undefined> = {
  alu: () => loopMachine(alu),
  memory: () => loopMachine(memory),
  calls: () => loopMachine(calls),
  guest: guestMachine,
};
// `node mb.js memory` runs one benchmark (for profiling); no argument runs them all.
for (const name of process.argv.length > 2 ? process.argv.slice(2) : Object.keys(benches)) bench(name, benches[name]);
