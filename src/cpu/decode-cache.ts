/**
 * Decoded instructions and compiled blocks, cached per physical frame.
 *
 * Keyed by frame, not by virtual address, because after fork (and for every process running the
 * same binary) code pages are shared frames: one decode serves all of them. Each frame with code
 * has a CodeFrame: `slots` holds two words per halfword — the instruction at byte offset 2i keeps
 * its packed fields at [2i] and its immediate at [2i + 1], so the word index of an instruction
 * is its byte offset in the page. A zero packed word means "not decoded" (Op.ILLEGAL is 0):
 * slots fill lazily as they first execute. `heat` and `blocks` belong to the block compiler
 * (jit.ts): entry counts of block boundaries and the blocks compiled at them.
 *
 * Coherence: `PhysMem.decodedFrames` marks the frames cached here. Whoever overwrites such a
 * frame calls `PhysMem.wroteFrame` — the kernel for its own writes, the MMU for CPU stores
 * (decoded frames are kept out of the write TLB so that every store to one reaches that check).
 * The cache then clears the frame's arrays in place, so even a run loop still holding them sees
 * "not decoded, no block" at once: the interpreter sees stored code at the next instruction,
 * compiled code at the next block, and fence.i (which ends every block) promises no more.
 *
 * Assumes one hart per PhysMem: another hart's write TLB would not learn that a frame became
 * decoded here.
 */
import { Inst, Op } from '../isa/ops';
import type { Block } from './jit';
import { PAGE_SIZE, PhysMem } from './physmem';
import { Tlb } from './tlb';

/**
 * Packed-word layout: op in bits 0–7, rd 8–12, rs1 13–17, rs2 18–22, rs3 23–27, rm 28–30,
 * bit 31 set for a compressed (2-byte) instruction. The run loop extracts register fields
 * already doubled, as indices into CpuState.x: (w >>> 7) & 62 is 2·rd.
 */
export const PACK_RD_SHIFT = 7;
export const PACK_RS1_SHIFT = 12;
export const PACK_RS2_SHIFT = 17;
export const PACK_RS3_SHIFT = 23;
export const PACK_RM_SHIFT = 28;

/**
 * Operations of the run loop only, never produced by the decoder. NOP stands for an instruction
 * whose sole effect would be writing x0 (nops and hints): mapping them here at decode time lets
 * the ALU cases write rd without testing for x0. (An enum, so that bundling turns it into a
 * literal case label and the run loop's switch stays a jump table.)
 */
export enum LoopOp {
  NOP = 255,
}

/** Operations whose only effect is writing rd (so with rd = x0 they do nothing at all). */
const PURE: ReadonlySet<Op> = new Set([
  Op.LUI, Op.AUIPC,
  Op.ADDI, Op.SLTI, Op.SLTIU, Op.XORI, Op.ORI, Op.ANDI, Op.SLLI, Op.SRLI, Op.SRAI,
  Op.ADD, Op.SUB, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.SRA, Op.OR, Op.AND,
  Op.ADDIW, Op.SLLIW, Op.SRLIW, Op.SRAIW, Op.ADDW, Op.SUBW, Op.SLLW, Op.SRLW, Op.SRAW,
  Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU,
  Op.MULW, Op.DIVW, Op.DIVUW, Op.REMW, Op.REMUW,
  // fence orders memory, which one hart need not do; fence.i stays itself: it ends a block.
  Op.FENCE,
]);

if (Op.COUNT > LoopOp.NOP) throw new Error('the decode cache packs operations into 8 bits');

/** The packed word of a decoded (legal) instruction. */
export function packInst(inst: Inst): number {
  const op = inst.rd === 0 && PURE.has(inst.op) ? LoopOp.NOP : inst.op;
  return (op | (inst.rd << 8) | (inst.rs1 << 13) | (inst.rs2 << 18) | (inst.rs3 << 23)
    | (inst.rm << PACK_RM_SHIFT) | (inst.len === 2 ? 1 << 31 : 0)) | 0;
}

/** The cached code of one frame. */
export class CodeFrame {
  readonly slots = new Int32Array(PAGE_SIZE);
  /** Entries into each halfword as a block boundary (until its block is compiled). */
  readonly heat = new Uint8Array(PAGE_SIZE / 2);
  /** The compiled block starting at each halfword, or null. */
  readonly blocks = new Array<Block | null>(PAGE_SIZE / 2).fill(null);

  clear(): void {
    this.slots.fill(0);
    this.heat.fill(0);
    this.blocks.fill(null);
  }
}

export class DecodeCache {
  /** frames[pfn]: the cached code of frame pfn, or null when nothing of it is cached. */
  readonly frames: (CodeFrame | null)[];

  /**
   * @param writeTlb the hart's write TLB, purged of a frame as soon as the frame is cached here
   */
  constructor(private readonly mem: PhysMem, private readonly writeTlb: Tlb) {
    this.frames = new Array<CodeFrame | null>(mem.nrFrames).fill(null);
    mem.onFrameWritten((pfn) => this.drop(pfn));
  }

  /** The cached code of frame `pfn`, created empty on first use. */
  frame(pfn: number): CodeFrame {
    let code = this.frames[pfn];
    if (code === null) {
      code = new CodeFrame();
      this.frames[pfn] = code;
      this.mem.decodedFrames[pfn] = 1;
      // From now on a store to this frame must take the MMU's slow path, which drops us.
      this.writeTlb.dropFrame(pfn);
    }
    return code;
  }

  /** Forgets every decoded instruction and block (the debugger changed its breakpoints). */
  clear(): void {
    for (let pfn = 0; pfn < this.frames.length; pfn++) {
      if (this.frames[pfn] !== null) {
        this.mem.decodedFrames[pfn] = 0;
        this.drop(pfn);
      }
    }
  }

  private drop(pfn: number): void {
    const code = this.frames[pfn];
    if (code !== null) {
      code.clear();
      this.frames[pfn] = null;
    }
  }
}
