/**
 * A tiny machine for CPU tests: physical memory, one hart, and hand-made Sv39 page tables.
 * It plays the kernel's part — allocating frames, mapping pages, writing code and data behind
 * the CPU's back (and telling the decode cache, as the kernel must).
 */
import { encode, Fields } from '../../src/isa/encode';
import { Op } from '../../src/isa/ops';
import { Hart } from '../../src/cpu/hart';
import { PAGE_SIZE, PhysMem } from '../../src/cpu/physmem';
import { makePte, ptePfn, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X, vpnIndex } from '../../src/cpu/sv39';

export const RW = PTE_R | PTE_W;
export const RX = PTE_R | PTE_X;
export const RWX = PTE_R | PTE_W | PTE_X;

/** Where test programs start unless they say otherwise. */
export const CODE = 0x10000;
/** A read-write data page. */
export const DATA = 0x200000;

/** One of the hart's two ways of executing code. */
export interface Engine {
  readonly name: string;
  readonly hotEntries: number;
}

/**
 * The pure interpreter, and compiled blocks at their first entry (so that nearly everything a
 * test runs goes through the block compiler). Every CPU test runs on both.
 */
export const ENGINES: readonly Engine[] = [
  { name: 'interpreter', hotEntries: 0 },
  { name: 'compiled blocks', hotEntries: 1 },
];

/** `describe`, once per engine. */
export function describeEngines(title: string, body: (engine: Engine) => void): void {
  for (const engine of ENGINES) describe(`${title} [${engine.name}]`, () => body(engine));
}

export class Machine {
  readonly mem: PhysMem;
  readonly hart: Hart;
  /** Root table of the current address space. */
  root: number;
  private nextFrame = 1;

  constructor(engine: Engine, memBytes = 4 << 20) {
    this.mem = new PhysMem(memBytes);
    this.hart = new Hart(this.mem, { hotEntries: engine.hotEntries });
    this.root = this.allocFrame();
    this.hart.setRootTable(this.root);
  }

  /** Makes `root` (a fresh, empty address space when omitted) current; returns it. */
  switchTo(root = this.allocFrame()): number {
    this.root = root;
    this.hart.setRootTable(root);
    return root;
  }

  allocFrame(): number {
    const pfn = this.nextFrame++;
    this.mem.bytes.fill(0, pfn * PAGE_SIZE, (pfn + 1) * PAGE_SIZE);
    return pfn;
  }

  /** Physical address of the leaf PTE of `va`, creating the upper tables. */
  pteAddress(va: number): number {
    const vpn = Math.floor(va / PAGE_SIZE);
    let table = this.root;
    for (let level = 2; level > 0; level--) {
      const at = table * PAGE_SIZE + vpnIndex(vpn, level) * 8;
      let pte = this.mem.view.getUint32(at, true);
      if ((pte & PTE_V) === 0) {
        pte = makePte(this.allocFrame(), PTE_V);
        this.mem.view.setUint32(at, pte, true);
      }
      table = ptePfn(pte);
    }
    return table * PAGE_SIZE + (vpn & 511) * 8;
  }

  /** Maps the page of `va` to a fresh frame (or `pfn`) with permissions `perms` (+V, U). */
  map(va: number, perms: number, pfn = this.allocFrame()): number {
    this.setPte(va, makePte(pfn, perms | PTE_V | PTE_U));
    return pfn;
  }

  pte(va: number): number {
    return this.mem.view.getUint32(this.pteAddress(va), true);
  }

  setPte(va: number, pte: number): void {
    this.mem.view.setUint32(this.pteAddress(va), pte, true);
  }

  /** Physical address of `va` by the page tables (the mapping must exist). */
  phys(va: number): number {
    const pte = this.pte(va);
    if ((pte & PTE_V) === 0) throw new Error(`test bug: 0x${va.toString(16)} is not mapped`);
    return ptePfn(pte) * PAGE_SIZE + (va % PAGE_SIZE);
  }

  /** Writes bytes at `va` as the kernel would (page by page, telling the decode cache). */
  write(va: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const pa = this.phys(va + i);
      this.mem.bytes[pa] = bytes[i];
      this.mem.wroteFrame(Math.floor(pa / PAGE_SIZE));
    }
  }

  read(va: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.mem.bytes[this.phys(va + i)];
    return out;
  }

  write64(va: number, v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.write(va, b);
  }

  read64(va: number): bigint {
    return new DataView(this.read(va, 8).buffer).getBigUint64(0, true);
  }

  /** Writes instruction words (32-bit numbers, or `{ c: halfword }` for compressed ones). */
  writeCode(va: number, code: readonly (number | { c: number })[]): number {
    const bytes: number[] = [];
    for (const insn of code) {
      const v = typeof insn === 'number' ? insn : insn.c;
      const n = typeof insn === 'number' ? 4 : 2;
      for (let i = 0; i < n; i++) bytes.push((v >>> (8 * i)) & 0xff);
    }
    this.write(va, Uint8Array.from(bytes));
    return va + bytes.length;
  }

  /** Maps a code page at `va` (read+execute), writes `code`, and points pc at it. */
  load(code: readonly (number | { c: number })[], va = CODE): void {
    const size = code.reduce<number>((n, insn) => n + (typeof insn === 'number' ? 4 : 2), 0);
    for (let page = va - (va % PAGE_SIZE); page < va + size; page += PAGE_SIZE) {
      if ((this.pte(page) & PTE_V) === 0) this.map(page, RX);
    }
    this.writeCode(va, code);
    this.hart.ctx.pc = va;
  }

  reg(i: number): bigint {
    return this.hart.ctx.getReg(i);
  }

  /** Register i as a signed 64-bit value. */
  sreg(i: number): bigint {
    return BigInt.asIntN(64, this.hart.ctx.getReg(i));
  }

  setReg(i: number, v: bigint | number): void {
    this.hart.ctx.setReg(i, BigInt.asUintN(64, BigInt(v)));
  }

  run(max = 1_000_000): number {
    return this.hart.run(max);
  }
}

/** `encode`, shorter. */
export function asm(op: Op, fields: Fields = {}): number {
  return encode(op, fields);
}

/** ecall: the usual end of a test program. */
export const ECALL = encode(Op.ECALL);
