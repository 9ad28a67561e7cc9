/**
 * A minimal static RISC-V program written by the test itself (no cross compiler needed): one
 * PT_LOAD segment at 0x10000 holding code and data, entry at its first instruction. The code is
 * given as instruction words from the ISA encoder, the data as raw bytes placed after it.
 */
import { encode, type Fields } from '../../src/isa/encode';
import type { Op } from '../../src/isa/ops';

export const BASE = 0x10000;
const HEADERS = 64 + 56;

export interface ProgramImage {
  bytes: Uint8Array;
  /** Address of byte 0 of `data`. */
  dataAddr: number;
}

export type Insn = [Op, Fields?];

/** Lays out headers, then the code words, then `data` (8-byte aligned), in one RWX segment. */
export function buildProgram(code: (dataAddr: number) => Insn[], data: Uint8Array, extraBss = 0): ProgramImage {
  // The code's length does not depend on dataAddr, so lay it out once to learn its size.
  const codeLen = code(0).length * 4;
  const dataOff = Math.ceil((HEADERS + codeLen) / 8) * 8;
  const dataAddr = BASE + dataOff;
  const words = code(dataAddr).map(([op, f]) => encode(op, f ?? {}));
  const fileSize = dataOff + data.length;
  const bytes = new Uint8Array(fileSize);
  const v = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 243, true); // EM_RISCV
  v.setUint32(20, 1, true);
  v.setBigUint64(24, BigInt(BASE + HEADERS), true); // e_entry
  v.setBigUint64(32, 64n, true); // e_phoff
  v.setUint32(48, 0x5, true); // e_flags: RVC | double-float ABI
  v.setUint16(52, 64, true);
  v.setUint16(54, 56, true);
  v.setUint16(56, 1, true);
  v.setUint16(58, 64, true);
  // PT_LOAD, RWX, the whole file at BASE, plus extra zeroed memory.
  v.setUint32(64, 1, true);
  v.setUint32(68, 7, true);
  v.setBigUint64(72, 0n, true);
  v.setBigUint64(80, BigInt(BASE), true);
  v.setBigUint64(88, BigInt(BASE), true);
  v.setBigUint64(96, BigInt(fileSize), true);
  v.setBigUint64(104, BigInt(fileSize + extraBss), true);
  v.setBigUint64(112, 4096n, true);
  words.forEach((w, i) => v.setUint32(HEADERS + i * 4, w, true));
  bytes.set(data, dataOff);
  return { bytes, dataAddr };
}
