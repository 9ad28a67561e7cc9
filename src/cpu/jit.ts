/**
 * Block translation: hot straight-line runs of decoded instructions become JavaScript functions.
 *
 * The interpreter (hart.ts) counts how often execution enters each block boundary (a branch or
 * jump target, a fallthrough after one); at its threshold (HOT_ENTRIES by default) the block
 * starting there is compiled. A block is a trace of decoded instructions from that offset:
 * conditional branches are side exits, jumps within the page are followed (through calls of
 * nearby functions), and it ends at a jalr or a jump out of the page — or earlier, before
 * anything the interpreter must do itself: a slot that cannot be cached (page-straddling and
 * breakpointed instructions never are, so breakpoints need no check here), ecall/ebreak, CSR
 * access (instret must be exact), fence.i, the page end. Register numbers and immediates
 * become constants, so V8 sees `x[24] = (x[20] + 16) | 0` instead of the decode-and-dispatch
 * of the interpreter.
 *
 * A block function works on the hart's register file, which it holds as a constant (so does
 * V8: no checks on it), finds the virtual base of its page in exit.va (code frames can be
 * mapped at different addresses), takes the instruction budget, and returns the page offset of
 * the next instruction (possibly outside the page) with the instructions it retired in
 * `exit.retired`; or BLOCK_FAR with the target in exit.va; or BLOCK_FAULT: the instruction at
 * page offset `exit.off` trapped with `exit.cause` and did not retire, while the `exit.retired`
 * before it did. The run loop only enters a block when the budget covers its whole length, so
 * counts stay exact. A branch back to the block's own start (an inner loop) continues a
 * JavaScript loop inside the block for as long as the budget covers another full pass.
 *
 * A store into the block's own frame drops the frame's cache (decode-cache.ts) but lets the
 * running block finish: new code is seen from the next block on, and fence.i ends a block.
 */
import { Op } from '../isa/ops';
import { executeAtomic } from './amo';
import { PACK_RD_SHIFT, PACK_RM_SHIFT, PACK_RS1_SHIFT, PACK_RS2_SHIFT, PACK_RS3_SHIFT, LoopOp } from './decode-cache';
import { executeFp } from './fpu';
import { mul64, out, shiftLeft, shiftRight, shiftRightArith } from './int64';
import { Mmu, USER_VA_HI_END } from './mmu';
import { executeMulDiv } from './muldiv';
import { PAGE_SHIFT, PAGE_SIZE, PhysMem } from './physmem';
import { CpuState } from './state';
import { TLB_MASK } from './tlb';
import { CAUSE_ILLEGAL_INSTRUCTION, CAUSE_LOAD_PAGE_FAULT, CAUSE_STORE_PAGE_FAULT } from './trap';

/** `left`: the instructions the block may retire (at least its length). */
export type BlockFn = (left: number) => number;

export interface Block {
  readonly run: BlockFn;
  /** Instructions in the block (the most one pass retires); beyond any budget for NOT_COMPILABLE. */
  readonly length: number;
}

/** Marks a boundary whose block cannot be compiled, so that it is not tried again. */
export const NOT_COMPILABLE: Block = { run: () => BLOCK_FAULT, length: 0x7fffffff };

/**
 * Entries into a boundary before its block is compiled. A new block starts out in V8's own
 * bytecode interpreter, slower than ours, so compiling lukewarm code costs more than it saves:
 * on the example programs 10 was clearly worse than 40–250, which differ little.
 */
export const HOT_ENTRIES = 100;
/** Return values of a block besides a page offset (both odd, which an offset never is). */
export const BLOCK_FAR = -1;
export const BLOCK_FAULT = -3;
/** Longest block, in instructions: longer straight lines are rare and slow to compile. */
const MAX_BLOCK = 64;

/** Where a block left, beyond its return value. */
export class BlockExit {
  /** Instructions the block retired (before the faulting one, after a fault). */
  retired = 0;
  off = 0;
  cause = 0;
  /**
   * Addresses as doubles, in an array so that passing them allocates nothing: [PAGE_VA] is
   * set by the run loop to the virtual base of the running block's page, [FAR_PC] by a block
   * that returned BLOCK_FAR.
   */
  readonly va = new Float64Array(2);
}

export const PAGE_VA = 0;
export const FAR_PC = 1;

/** The names a generated function sees, and the values they have (see BlockCompiler). */
const ENV = ['x', 'f', 'ctx', 'va', 'dv', 'rt', 'rp', 'wt', 'wp', 'mmu', 'exit', 'fault', 'executeAtomic', 'executeFp',
  'executeMulDiv', 'mul64', 'out', 'shiftLeft', 'shiftRight', 'shiftRightArith'] as const;

const TWO_32 = 4294967296;

/** One decoded instruction of a block being compiled, with register fields as x indices. */
interface Insn {
  op: number;
  rd: number; rs1: number; rs2: number; rs3: number; rm: number;
  imm: number;
  /** Page offset of the instruction and of the next one. */
  off: number;
  next: number;
  /** Position in the block (for fault reports). */
  index: number;
  /** A jal whose target the block continues with. */
  followed: boolean;
}

export class BlockCompiler {
  private readonly env: unknown[];
  /** Frame numbers times PAGE_SIZE fit 31 bits: page addresses by shift, without overflow checks. */
  private readonly shiftFrames: boolean;

  /** @param regs the register file the hart runs on (blocks keep it as a constant) */
  constructor(regs: CpuState, mmu: Mmu, mem: PhysMem, exit: BlockExit) {
    const fault = (retired: number, off: number, cause: number): number => {
      exit.retired = retired;
      exit.off = off;
      exit.cause = cause;
      return BLOCK_FAULT;
    };
    this.env = [regs.x, regs.fbits, regs, exit.va, mem.view, mmu.read.tag, mmu.read.pfn, mmu.write.tag, mmu.write.pfn, mmu,
      exit, fault, executeAtomic, executeFp, executeMulDiv, mul64, out, shiftLeft, shiftRight, shiftRightArith];
    this.shiftFrames = mem.nrFrames <= 2 ** (31 - PAGE_SHIFT);
  }

  /**
   * Compiles the block starting at page offset `start` of a frame's decoded `slots`;
   * `decode(off)` fills a slot not decoded yet, or says it cannot be cached (then the block
   * ends before it).
   */
  compile(slots: Int32Array, start: number, decode: (off: number) => boolean): Block {
    const insns: Insn[] = [];
    const seen = new Set<number>();
    let off = start, ended = false;
    while (!ended && insns.length < MAX_BLOCK && off < PAGE_SIZE && !seen.has(off)) {
      if (slots[off] === 0 && !decode(off)) break;
      const w = slots[off];
      const op = w & 255;
      if (!compilable(op)) break;
      const next = off + (w < 0 ? 2 : 4);
      const insn: Insn = {
        op, imm: slots[off + 1], off, next, index: insns.length, followed: false,
        rd: (w >>> PACK_RD_SHIFT) & 62, rs1: (w >>> PACK_RS1_SHIFT) & 62, rs2: (w >>> PACK_RS2_SHIFT) & 62,
        rs3: (w >>> PACK_RS3_SHIFT) & 31, rm: (w >>> PACK_RM_SHIFT) & 7,
      };
      insns.push(insn);
      seen.add(off);
      off = next;
      if (op === Op.JAL) {
        // A jump within the page (a call of a nearby function, a loop's closing jump) is
        // followed: the block goes on at its target — unless that is the block's own start,
        // which makes the block a loop.
        const target = insn.off + insn.imm;
        insn.followed = target !== start && target >= 0 && target < PAGE_SIZE && !seen.has(target);
        if (insn.followed) off = target;
        else ended = true;
      }
      ended ||= op === Op.JALR;
    }
    if (insns.length === 0) return NOT_COMPILABLE;
    const loops = insns.some((i) => i.op !== Op.JALR && endsStraightLine(i.op) && i.off + i.imm === start);
    const shape: Shape = { start, length: insns.length, loops, shiftFrames: this.shiftFrames };
    let body = insns.map((i) => translate(i, shape)).join('\n');
    if (!ended) body += `\nexit.retired = ${retired(shape, insns.length)}; return ${off};`;
    if (loops) body = `let r = 0;\nfor (;;) {\n${body}\n}`;
    const source = `return function block_${start.toString(16)}(left) {\n${body}\n};`;
    const run = new Function(...ENV, source)(...this.env) as BlockFn;
    return { run, length: insns.length };
  }
}

/** What the code of one instruction needs to know about its block. */
interface Shape {
  readonly start: number;
  readonly length: number;
  readonly loops: boolean;
  readonly shiftFrames: boolean;
}

function compilable(op: number): boolean {
  return op !== Op.ECALL && op !== Op.EBREAK && op !== Op.FENCE_I && (op < Op.CSRRW || op > Op.CSRRCI);
}

/** Jumps and branches: the operations that may not continue with the next instruction. */
function endsStraightLine(op: number): boolean {
  return op >= Op.JAL && op <= Op.BGEU;
}

// ---- code generation ----
// Register operands are x indices (2 × register); x0 reads fold to the constant 0. Each
// instruction is a block statement of its own; the helpers' temporaries start with $ so that
// they never shadow a name of the expressions they are given.

const lo = (r: number): string => (r === 0 ? '0' : `x[${r}]`);
const hi = (r: number): string => (r === 0 ? '0' : `x[${r + 1}]`);

/** rd = (l, h): both computed before either half is written (rd may be a source). */
function set64(rd: number, l: string, h: string): string {
  return rd === 0 ? '' : `{ const $l = ${l}, $h = ${h}; x[${rd}] = $l; x[${rd + 1}] = $h; }`;
}

/** rd = the 32-bit value v, sign-extended. */
function set32(rd: number, v: string): string {
  return rd === 0 ? '' : `{ const $v = ${v}; x[${rd}] = $v; x[${rd + 1}] = $v >> 31; }`;
}

/** rd = a number below 2^53 in magnitude (an address). */
function setNumber(rd: number, v: string): string {
  return rd === 0 ? '' : `{ const $v = ${v}; x[${rd}] = $v; x[${rd + 1}] = Math.floor($v / ${TWO_32}); }`;
}

/** Declares `a`, `l`, `h`: the 64-bit sum rs1 + imm (a is the low word of rs1). */
function sumWithImm(rs1: number, imm: number): string {
  // An unsigned carry out of the low words happened iff the low sum is below an addend.
  return `const a = ${lo(rs1)}, l = (a + ${imm}) | 0, h = (${hi(rs1)} + ${imm >> 31} + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0;`;
}

/** Signed or unsigned a < b on halves, as an expression. */
function less(al: string, ah: string, bl: string, bh: string, signed: boolean): string {
  const [x, y] = signed ? [ah, bh] : [`(${ah} >>> 0)`, `(${bh} >>> 0)`];
  return `(${x} < ${y} || (${ah} === ${bh} && (${al} >>> 0) < (${bl} >>> 0)))`;
}

/**
 * The TLB hit test of an access of `size` bytes at (l, h) that stays in its page, through TLB
 * `tag`/`pfn`: declares `vpn`, `e` and `po`, then `if (hit) { const pa = …; <then> }`.
 */
function ifTlbHit(s: Shape, tag: string, pfn: string, size: number, then: string): string {
  const pa = s.shiftFrames ? `(${pfn}[e] << ${PAGE_SHIFT}) | po` : `${pfn}[e] * ${PAGE_SIZE} + po`;
  return `const vpn = (h << ${32 - PAGE_SHIFT}) | (l >>> ${PAGE_SHIFT}), e = vpn & ${TLB_MASK}, po = l & ${PAGE_SIZE - 1};
    if (h >>> 0 < ${USER_VA_HI_END} && ${tag}[e] === vpn && po <= ${PAGE_SIZE - size}) { const pa = ${pa}; ${then} }`;
}

function load(i: Insn, s: Shape, size: number, read: string, slow: string, write: (v: string, vh: string) => string): string {
  const miss = size === 8
    ? `else if (mmu.load(l, h, 8)) { v = mmu.lo; vh = mmu.hi; } else ${fault(i, s, CAUSE_LOAD_PAGE_FAULT)}`
    : `else if (mmu.load(l, h, ${size})) v = ${slow}; else ${fault(i, s, CAUSE_LOAD_PAGE_FAULT)}`;
  const hit = size === 8 ? 'v = dv.getInt32(pa, true); vh = dv.getInt32(pa + 4, true);' : `v = ${read};`;
  return `{ ${sumWithImm(i.rs1, i.imm)}\n    let v${size === 8 ? ', vh' : ''};
    ${ifTlbHit(s, 'rt', 'rp', size, hit)}\n    ${miss}\n    ${write('v', 'vh')} }`;
}

function store(i: Insn, s: Shape, size: number, write: string, w0: string, w1: string): string {
  return `{ ${sumWithImm(i.rs1, i.imm)}\n    ${ifTlbHit(s, 'wt', 'wp', size, write)}
    else if (!mmu.store(l, h, ${size}, ${w0}, ${w1})) ${fault(i, s, CAUSE_STORE_PAGE_FAULT)} }`;
}

/** A shift by a constant amount s (0..63) of rs1 into rd. */
function shiftImm(kind: 'l' | 'r' | 'a', rd: number, rs1: number, s: number): string {
  const l = lo(rs1), h = hi(rs1);
  if (s === 0) return set64(rd, l, h);
  if (kind === 'l') return s < 32 ? set64(rd, `${l} << ${s}`, `(${h} << ${s}) | (${l} >>> ${32 - s})`) : set64(rd, '0', `${l} << ${s - 32}`);
  if (kind === 'r') return s < 32 ? set64(rd, `(${l} >>> ${s}) | (${h} << ${32 - s})`, `${h} >>> ${s}`) : set64(rd, `${h} >>> ${s - 32}`, '0');
  return s < 32 ? set64(rd, `(${l} >>> ${s}) | (${h} << ${32 - s})`, `${h} >> ${s}`) : set64(rd, `${h} >> ${s - 32}`, `${h} >> 31`);
}

/** The instructions retired when the block leaves after its first `k` (`r`: earlier passes). */
function retired(s: Shape, k: number): string {
  return s.loops ? `r + ${k}` : `${k}`;
}

/**
 * Leaves the block after instruction i for `target`. In a looping block, going back to the
 * start runs another pass while the budget covers all of it.
 */
function goTo(i: Insn, target: number, s: Shape): string {
  if (s.loops && target === s.start) {
    return `{ r += ${i.index + 1}; if (r + ${s.length} <= left) continue; exit.retired = r; return ${target}; }`;
  }
  return `{ exit.retired = ${retired(s, i.index + 1)}; return ${target}; }`;
}

/** A conditional branch: a side exit when taken, else on to the next instruction. */
function branch(i: Insn, s: Shape, cond: string): string {
  return `if (${cond}) ${goTo(i, i.off + i.imm, s)}`;
}

/** The fault exit of instruction i. */
function fault(i: Insn, s: Shape, cause: number | string): string {
  return `return fault(${retired(s, i.index)}, ${i.off}, ${cause});`;
}

function translate(i: Insn, s: Shape): string {
  const { rd, rs1, rs2, imm } = i;
  const l1 = lo(rs1), h1 = hi(rs1), l2 = lo(rs2), h2 = hi(rs2);
  switch (i.op) {
    case LoopOp.NOP: case Op.FENCE: return '';
    case Op.LUI: return set64(rd, `${imm}`, `${imm >> 31}`);
    case Op.AUIPC: return setNumber(rd, `va[${PAGE_VA}] + ${i.off + imm}`);
    case Op.JAL: {
      const link = setNumber(rd, `va[${PAGE_VA}] + ${i.next}`);
      return i.followed ? link : `${link}\n${goTo(i, i.off + imm, s)}`;
    }
    case Op.JALR:
      return `{ ${sumWithImm(rs1, imm)}\n${setNumber(rd, `va[${PAGE_VA}] + ${i.next}`)}
    exit.retired = ${retired(s, i.index + 1)};
    const d = h * ${TWO_32} + ((l & ~1) >>> 0) - va[${PAGE_VA}];
    if (d >= 0 && d < ${PAGE_SIZE}) return d | 0;
    va[${FAR_PC}] = va[${PAGE_VA}] + d; return ${BLOCK_FAR}; }`;
    case Op.BEQ: return branch(i, s, `${l1} === ${l2} && ${h1} === ${h2}`);
    case Op.BNE: return branch(i, s, `${l1} !== ${l2} || ${h1} !== ${h2}`);
    case Op.BLT: return branch(i, s, less(l1, h1, l2, h2, true));
    case Op.BGE: return branch(i, s, `!${less(l1, h1, l2, h2, true)}`);
    case Op.BLTU: return branch(i, s, less(l1, h1, l2, h2, false));
    case Op.BGEU: return branch(i, s, `!${less(l1, h1, l2, h2, false)}`);

    case Op.LB: return load(i, s, 1, 'dv.getInt8(pa)', '(mmu.lo << 24) >> 24', (v) => set32(rd, v));
    case Op.LBU: return load(i, s, 1, 'dv.getUint8(pa)', 'mmu.lo', (v) => set64(rd, v, '0'));
    case Op.LH: return load(i, s, 2, 'dv.getInt16(pa, true)', '(mmu.lo << 16) >> 16', (v) => set32(rd, v));
    case Op.LHU: return load(i, s, 2, 'dv.getUint16(pa, true)', 'mmu.lo', (v) => set64(rd, v, '0'));
    case Op.LW: return load(i, s, 4, 'dv.getInt32(pa, true)', 'mmu.lo', (v) => set32(rd, v));
    case Op.LWU: return load(i, s, 4, 'dv.getInt32(pa, true)', 'mmu.lo', (v) => set64(rd, v, '0'));
    case Op.LD: return load(i, s, 8, '', '', (v, vh) => set64(rd, v, vh));
    case Op.FLW: return load(i, s, 4, 'dv.getInt32(pa, true)', 'mmu.lo', (v) => `f[${rd}] = ${v}; f[${rd + 1}] = -1;`);
    case Op.FLD: return load(i, s, 8, '', '', (v, vh) => `f[${rd}] = ${v}; f[${rd + 1}] = ${vh};`);
    case Op.SB: return store(i, s, 1, `dv.setInt8(pa, ${l2});`, l2, '0');
    case Op.SH: return store(i, s, 2, `dv.setInt16(pa, ${l2}, true);`, l2, '0');
    case Op.SW: return store(i, s, 4, `dv.setInt32(pa, ${l2}, true);`, l2, '0');
    case Op.SD: return store(i, s, 8, `dv.setInt32(pa, ${l2}, true); dv.setInt32(pa + 4, ${h2}, true);`, l2, h2);
    case Op.FSW: return store(i, s, 4, `dv.setInt32(pa, f[${rs2}], true);`, `f[${rs2}]`, '0');
    case Op.FSD: return store(i, s, 8, `dv.setInt32(pa, f[${rs2}], true); dv.setInt32(pa + 4, f[${rs2 + 1}], true);`,
      `f[${rs2}]`, `f[${rs2 + 1}]`);

    case Op.ADDI: return rd === 0 ? '' : `{ ${sumWithImm(rs1, imm)} x[${rd}] = l; x[${rd + 1}] = h; }`;
    case Op.SLTI: return set64(rd, `${less(l1, h1, `${imm}`, `${imm >> 31}`, true)} ? 1 : 0`, '0');
    case Op.SLTIU: return set64(rd, `${less(l1, h1, `${imm}`, `${imm >> 31}`, false)} ? 1 : 0`, '0');
    case Op.XORI: return set64(rd, `${l1} ^ ${imm}`, imm < 0 ? `~${h1}` : h1);
    case Op.ORI: return set64(rd, `${l1} | ${imm}`, imm < 0 ? '-1' : h1);
    case Op.ANDI: return set64(rd, `${l1} & ${imm}`, imm < 0 ? h1 : '0');
    case Op.SLLI: return shiftImm('l', rd, rs1, imm);
    case Op.SRLI: return shiftImm('r', rd, rs1, imm);
    case Op.SRAI: return shiftImm('a', rd, rs1, imm);
    case Op.ADD:
      return `{ const a = ${l1}, l = (a + ${l2}) | 0; x[${rd + 1}] = (${h1} + ${h2} + ((l >>> 0) < (a >>> 0) ? 1 : 0)) | 0; x[${rd}] = l; }`;
    case Op.SUB:
      return `{ const a = ${l1}, b = ${l2}; x[${rd + 1}] = (${h1} - ${h2} - ((a >>> 0) < (b >>> 0) ? 1 : 0)) | 0; x[${rd}] = (a - b) | 0; }`;
    case Op.SLL: return `shiftLeft(x, ${rd}, ${l1}, ${h1}, ${l2} & 63);`;
    case Op.SRL: return `shiftRight(x, ${rd}, ${l1}, ${h1}, ${l2} & 63);`;
    case Op.SRA: return `shiftRightArith(x, ${rd}, ${l1}, ${h1}, ${l2} & 63);`;
    case Op.SLT: return set64(rd, `${less(l1, h1, l2, h2, true)} ? 1 : 0`, '0');
    case Op.SLTU: return set64(rd, `${less(l1, h1, l2, h2, false)} ? 1 : 0`, '0');
    case Op.XOR: return set64(rd, `${l1} ^ ${l2}`, `${h1} ^ ${h2}`);
    case Op.OR: return set64(rd, `${l1} | ${l2}`, `${h1} | ${h2}`);
    case Op.AND: return set64(rd, `${l1} & ${l2}`, `${h1} & ${h2}`);
    case Op.ADDIW: return set32(rd, `(${l1} + ${imm}) | 0`);
    case Op.SLLIW: return set32(rd, `${l1} << ${imm}`);
    case Op.SRLIW: return set32(rd, `(${l1} >>> ${imm}) | 0`);
    case Op.SRAIW: return set32(rd, `${l1} >> ${imm}`);
    case Op.ADDW: return set32(rd, `(${l1} + ${l2}) | 0`);
    case Op.SUBW: return set32(rd, `(${l1} - ${l2}) | 0`);
    case Op.SLLW: return set32(rd, `${l1} << (${l2} & 31)`);
    case Op.SRLW: return set32(rd, `(${l1} >>> (${l2} & 31)) | 0`);
    case Op.SRAW: return set32(rd, `${l1} >> (${l2} & 31)`);
    case Op.MUL: return `mul64(${l1}, ${h1}, ${l2}, ${h2}); x[${rd}] = out[0]; x[${rd + 1}] = out[1];`;
    case Op.MULW: return set32(rd, `Math.imul(${l1}, ${l2})`);
    case Op.MULH: case Op.MULHSU: case Op.MULHU: case Op.DIV: case Op.DIVU: case Op.REM: case Op.REMU:
    case Op.DIVW: case Op.DIVUW: case Op.REMW: case Op.REMUW:
      return `executeMulDiv(${i.op}, x, ${rd}, ${rs1}, ${rs2});`;
  }
  if (i.op >= Op.LR_W && i.op <= Op.AMOMAXU_D) {
    return `{ const c = executeAtomic(${i.op}, ctx, mmu, dv, ${rd}, ${rs1}, ${rs2}); if (c !== 0) ${fault(i, s, 'c')} }`;
  }
  // F and D arithmetic: the FP unit takes register numbers; conversions may target x0.
  return `if (!executeFp(${i.op}, ctx, ${rd >> 1}, ${rs1 >> 1}, ${rs2 >> 1}, ${i.rs3}, ${i.rm})) ${fault(i, s, CAUSE_ILLEGAL_INSTRUCTION)}
    x[0] = 0; x[1] = 0;`;
}
