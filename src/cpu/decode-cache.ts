/**
 * Decoded instructions, cached per physical frame.
 *
 * Keyed by frame, not by virtual address, because after fork (and for every process running the
 * same binary) code pages are shared frames: one decode serves all of them. Each decoded frame
 * owns an Int32Array with two words per halfword slot — slot i (the instruction at byte offset
 * 2i) keeps its packed fields at [2i] and its immediate at [2i + 1], so the word index of an
 * instruction is simply its byte offset in the page. A zero packed word means "not decoded"
 * (Op.ILLEGAL is 0): slots fill lazily as they first execute.
 *
 * Coherence: `PhysMem.decodedFrames` marks the frames cached here. Whoever overwrites such a
 * frame calls `PhysMem.wroteFrame` — the kernel for its own writes, the MMU for CPU stores
 * (decoded frames are kept out of the write TLB so that every store to one reaches that check).
 * The cache then zeroes the frame's array, so even a run loop still holding it sees "not
 * decoded" at once: stores to code are visible to the very next instruction, which is what
 * fence.i promises (and more).
 *
 * Assumes one hart per PhysMem: another hart's write TLB would not learn that a frame became
 * decoded here.
 */
import { Inst, Op } from '../isa/ops';
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
  Op.FENCE, Op.FENCE_I,
]);

if (Op.COUNT > LoopOp.NOP) throw new Error('the decode cache packs operations into 8 bits');

/** The packed word of a decoded (legal) instruction. */
export function packInst(inst: Inst): number {
  const op = inst.rd === 0 && PURE.has(inst.op) ? LoopOp.NOP : inst.op;
  return (op | (inst.rd << 8) | (inst.rs1 << 13) | (inst.rs2 << 18) | (inst.rs3 << 23)
    | (inst.rm << PACK_RM_SHIFT) | (inst.len === 2 ? 1 << 31 : 0)) | 0;
}

export class DecodeCache {
  /** frames[pfn]: the decoded slots of frame pfn, or null when nothing of it is cached. */
  readonly frames: (Int32Array | null)[];

  /**
   * @param writeTlb the hart's write TLB, purged of a frame as soon as the frame is cached here
   */
  constructor(private readonly mem: PhysMem, private readonly writeTlb: Tlb) {
    this.frames = new Array<Int32Array | null>(mem.nrFrames).fill(null);
    mem.onFrameWritten((pfn) => this.drop(pfn));
  }

  /** The slot array of frame `pfn`, created empty on first use. */
  frame(pfn: number): Int32Array {
    let slots = this.frames[pfn];
    if (slots === null) {
      slots = new Int32Array(PAGE_SIZE);
      this.frames[pfn] = slots;
      this.mem.decodedFrames[pfn] = 1;
      // From now on a store to this frame must take the MMU's slow path, which drops us.
      this.writeTlb.dropFrame(pfn);
    }
    return slots;
  }

  /** Forgets every decoded instruction (the debugger changed its breakpoints). */
  clear(): void {
    for (let pfn = 0; pfn < this.frames.length; pfn++) {
      if (this.frames[pfn] !== null) {
        this.mem.decodedFrames[pfn] = 0;
        this.drop(pfn);
      }
    }
  }

  private drop(pfn: number): void {
    const slots = this.frames[pfn];
    if (slots !== null) {
      slots.fill(0);
      this.frames[pfn] = null;
    }
  }
}
