/**
 * Unwinding where the CFI says nothing: parts of Debian's static glibc (`__libc_fork`, for one)
 * carry no FDE and no frame pointer, and the return-address convention only holds in a leaf.
 * Like gdb's prologue analysis, this reads the function's first instructions up to the pc — the
 * `addi sp,sp,-N` that opens its frame and the `sd reg,off(sp)` that save ra and the callee-saved
 * registers — and recovers the caller's registers from where they were saved.
 */
import type { Frame, MemoryReader, RegisterFile } from '../dwarf';
import { decode } from '../isa/decode';
import { emptyInst, Op } from '../isa/ops';

/** Instructions a prologue may span. */
const MAX_PROLOGUE = 64;
const SP = 2, RA = 1, FP = 8;

function isCalleeSaved(r: number): boolean {
  return r === 8 || r === 9 || (r >= 18 && r <= 27);
}

/**
 * The caller of `frame` (run-time addresses), whose function starts at `start`; undefined when
 * no frame-opening prologue precedes the pc (a leaf: its ra is still live).
 */
export function unwindByPrologue(frame: Frame, start: number, memory: MemoryReader): Frame | undefined {
  const sp = frame.regs[SP];
  if (sp === undefined) return undefined;
  let delta = 0;
  const saved = new Map<number, number>();
  const inst = emptyInst();
  for (let a = start, n = 0; a < frame.pc && n < MAX_PROLOGUE; n++) {
    const bytes = memory(BigInt(a), 4) ?? memory(BigInt(a), 2);
    if (bytes === undefined) return undefined;
    const word = bytes.length === 4 ? (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0 : bytes[0] | (bytes[1] << 8);
    decode(word, inst);
    if (inst.op === Op.ADDI && inst.rd === SP && inst.rs1 === SP) delta += inst.imm;
    else if (inst.op === Op.SD && inst.rs1 === SP && (inst.rs2 === RA || isCalleeSaved(inst.rs2)) && !saved.has(inst.rs2)) saved.set(inst.rs2, delta + inst.imm);
    else if (inst.op === Op.JAL || inst.op === Op.JALR || inst.op === Op.ECALL) break;
    a += inst.len;
  }
  if (delta >= 0 || !saved.has(RA)) return undefined;
  // Offsets are relative to the sp on entry, which is the current sp minus the frame size.
  const entrySp = sp - BigInt(delta);
  const regs: (bigint | undefined)[] = [...frame.regs];
  for (let r = 0; r < regs.length; r++) if (r !== SP && !isCalleeSaved(r) && r < 32) regs[r] = undefined;
  for (const [r, off] of saved) {
    const b = memory(entrySp + BigInt(off), 8);
    if (b === undefined) return undefined;
    regs[r] = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }
  regs[SP] = entrySp;
  const ra = regs[RA];
  if (ra === undefined || ra === 0n) return undefined;
  return { pc: Number(ra), regs: regs as RegisterFile, returnAddress: true };
}

/**
 * Where the prologue of the function at `start` ends, for a breakpoint on a function known only
 * by its symbol (no line table to say where its body starts): just past the last instruction
 * that opens the frame (`addi sp,sp,-N`, a frame pointer `addi s0,sp,N`) or saves ra or a
 * callee-saved register on the stack — other instructions may be interleaved, as the compiler
 * schedules them — and before the first branch, jump, call or system call. That is where gdb's
 * RISC-V prologue analysis puts such a breakpoint (`write` in Debian's libc: 14 bytes in).
 * `start` itself when no prologue is seen (a leaf).
 */
export function prologueEnd(start: number, memory: MemoryReader): number {
  let end = start;
  const inst = emptyInst();
  for (let a = start, n = 0; n < MAX_PROLOGUE; n++) {
    const bytes = memory(BigInt(a), 4) ?? memory(BigInt(a), 2);
    if (bytes === undefined) break;
    const word = bytes.length === 4 ? (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0 : bytes[0] | (bytes[1] << 8);
    decode(word, inst);
    if (inst.op === Op.ILLEGAL || isControlTransfer(inst.op)) break;
    const opensFrame = inst.op === Op.ADDI && inst.rs1 === SP && (inst.rd === SP || inst.rd === FP);
    const saves = (inst.op === Op.SD || inst.op === Op.SW) && inst.rs1 === SP && (inst.rs2 === RA || isCalleeSaved(inst.rs2));
    a += inst.len;
    if (opensFrame || saves) end = a;
  }
  return end;
}

function isControlTransfer(op: Op): boolean {
  return op === Op.JAL || op === Op.JALR || op === Op.ECALL || op === Op.EBREAK || op === Op.BEQ || op === Op.BNE
    || op === Op.BLT || op === Op.BGE || op === Op.BLTU || op === Op.BGEU;
}

/**
 * Whether `pc` follows a call: a `jal`/`jalr` linking ra, 4 bytes before it (or `c.jalr`, 2
 * bytes before). A return address always does; a value read from a misjudged frame rarely.
 */
export function returnsAfterCall(pc: number, memory: MemoryReader): boolean {
  const inst = emptyInst();
  for (const back of [4, 2]) {
    const bytes = memory(BigInt(pc - back), back);
    if (bytes === undefined) continue;
    decode(back === 4 ? (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0 : bytes[0] | (bytes[1] << 8), inst);
    if (inst.len === back && (inst.op === Op.JAL || inst.op === Op.JALR) && inst.rd === RA) return true;
  }
  return false;
}
