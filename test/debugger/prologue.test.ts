/**
 * Where a breakpoint on a function known only by its symbol goes: past the prologue, as gdb's
 * RISC-V prologue analysis puts it — after the last frame-opening or register-saving
 * instruction, other instructions interleaved, before the first branch, jump, call or ecall.
 */
import assert from 'node:assert/strict';
import { prologueEnd } from '../../src/debugger/prologue';
import { encode } from '../../src/isa/encode';
import { Op } from '../../src/isa/ops';

const BASE = 0x1000;
const SP = 2, RA = 1, S0 = 8, A0 = 10, A5 = 15, TP = 4;

/** The end of the prologue of `words` placed at BASE, as an instruction count from BASE. */
function end(words: number[]): number {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setUint32(4 * i, w, true));
  const memory = (addr: bigint, len: number) => {
    const at = Number(addr) - BASE;
    return at >= 0 && at + len <= bytes.length ? bytes.subarray(at, at + len) : undefined;
  };
  return (prologueEnd(BASE, memory) - BASE) / 4;
}

describe('debugger: the prologue of a function without line information', () => {
  it('ends after the last save, a load scheduled among them included, before the first branch (glibc\'s write)', () => {
    assert.equal(end([
      encode(Op.LW, { rd: A5, rs1: TP, imm: -1888 }),
      encode(Op.ADDI, { rd: SP, rs1: SP, imm: -32 }),
      encode(Op.SD, { rs1: SP, rs2: RA, imm: 24 }),
      encode(Op.SD, { rs1: SP, rs2: S0, imm: 16 }),
      encode(Op.BNE, { rs1: A5, rs2: 0, imm: 32 }),
      encode(Op.SD, { rs1: SP, rs2: 9, imm: 8 }),
    ]), 4);
  });

  it('takes a frame pointer as part of it, and stops at a call', () => {
    assert.equal(end([
      encode(Op.ADDI, { rd: SP, rs1: SP, imm: -16 }),
      encode(Op.SD, { rs1: SP, rs2: RA, imm: 8 }),
      encode(Op.ADDI, { rd: S0, rs1: SP, imm: 16 }),
      encode(Op.JAL, { rd: RA, imm: 64 }),
    ]), 3);
  });

  it('does not count a store of an argument register, nor anything after an ecall', () => {
    assert.equal(end([
      encode(Op.ADDI, { rd: SP, rs1: SP, imm: -16 }),
      encode(Op.SD, { rs1: SP, rs2: A0, imm: 0 }),
      encode(Op.ECALL),
      encode(Op.SD, { rs1: SP, rs2: RA, imm: 8 }),
    ]), 1);
  });

  it('is the function\'s first instruction in a leaf without a frame', () => {
    assert.equal(end([encode(Op.ADDI, { rd: A0, rs1: A0, imm: 1 }), encode(Op.JALR, { rd: 0, rs1: RA, imm: 0 })]), 0);
  });
});
