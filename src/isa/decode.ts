/**
 * The instruction decoder, built at module load from the instruction table (table.ts).
 *
 * 32-bit words: a table indexed by opcode[6:2], funct3 and funct7 (15 bits) lists the few
 * definitions that can match that combination; decoding scans that short list (one entry for
 * almost every slot, four at most) and extracts the fields the definition's format names.
 * 16-bit words: every one of the 49152 compressed halfwords is decoded once at load
 * (reserved-field rules included), so decoding one is a few table reads. Nothing allocates
 * per decode.
 */
import { Inst, Op } from './ops';
import { CDef, CImm, COMPRESSED, CReg, Fmt, INSTRS } from './table';

// ---- 32-bit lookup ----

/** The decode key: opcode bits 6:2 → key bits 4:0, funct3 → 7:5, funct7 → 14:8. */
function keyOf(word: number): number {
  return ((word >>> 2) & 0x1f) | ((word >>> 7) & 0xe0) | ((word >>> 17) & 0x7f00);
}

const KEY_BITS_IN_WORD = (0x1f << 2) | (0x7 << 12) | (0x7f << 25);
const NKEYS = 1 << 15;

const defMatch = new Int32Array(INSTRS.length);
const defMask = new Int32Array(INSTRS.length);
const defOp = new Uint8Array(INSTRS.length);
const defFmt = new Uint8Array(INSTRS.length);
/** Candidates of key k are slotDefs[slotStart[k] .. slotStart[k + 1]). */
const slotStart = new Uint16Array(NKEYS + 1);
let slotDefs: Uint8Array;

(function buildWordTable(): void {
  const lists: number[][] = Array.from({ length: NKEYS }, () => []);
  INSTRS.forEach((d, i) => {
    defMatch[i] = d.match;
    defMask[i] = d.mask;
    defOp[i] = d.op;
    defFmt[i] = d.fmt;
    // The key bits the definition does not test are free: enumerate every value of them.
    const free = keyOf(KEY_BITS_IN_WORD & ~d.mask);
    const fixed = keyOf(d.match);
    for (let sub = free; ; sub = (sub - 1) & free) {
      lists[fixed | sub].push(i);
      if (sub === 0) break;
    }
  });
  const flat: number[] = [];
  for (let k = 0; k < NKEYS; k++) {
    slotStart[k] = flat.length;
    flat.push(...lists[k]);
  }
  slotStart[NKEYS] = flat.length;
  slotDefs = Uint8Array.from(flat);
})();

// Local copies of the format numbers: an enum member imported from another module is a property
// read through the module's export getter at run time, too slow for the decoder's switch.
const R = Fmt.R, RM = Fmt.RM, R2 = Fmt.R2, R2M = Fmt.R2M, R4 = Fmt.R4, AMO = Fmt.AMO, LR = Fmt.LR;
const I = Fmt.I, SH6 = Fmt.SH6, SH5 = Fmt.SH5, S = Fmt.S, B = Fmt.B, U = Fmt.U, J = Fmt.J;
const CSR = Fmt.CSR, FENCE = Fmt.FENCE, NONE = Fmt.NONE;

function signExtend(value: number, bits: number): number {
  const shift = 32 - bits;
  return (value << shift) >> shift;
}

function decodeWord(w: number, out: Inst): void {
  const key = keyOf(w);
  const end = slotStart[key + 1];
  let i = -1;
  for (let s = slotStart[key]; s < end; s++) {
    const d = slotDefs[s];
    if ((w & defMask[d]) === defMatch[d]) { i = d; break; }
  }
  out.len = 4;
  out.rs3 = 0;
  out.rm = 0;
  if (i < 0) {
    out.op = Op.ILLEGAL;
    out.rd = out.rs1 = out.rs2 = out.imm = 0;
    return;
  }
  out.op = defOp[i];
  const rd = (w >>> 7) & 31, rs1 = (w >>> 15) & 31, rs2 = (w >>> 20) & 31;
  // Set every field, so a recycled Inst never carries stale values from its last use.
  out.rd = 0;
  out.rs1 = 0;
  out.rs2 = 0;
  out.imm = 0;
  switch (defFmt[i]) {
    case R:
      out.rd = rd; out.rs1 = rs1; out.rs2 = rs2;
      break;
    case RM:
      out.rd = rd; out.rs1 = rs1; out.rs2 = rs2; out.rm = (w >>> 12) & 7;
      break;
    case R2:
      out.rd = rd; out.rs1 = rs1;
      break;
    case R2M:
      out.rd = rd; out.rs1 = rs1; out.rm = (w >>> 12) & 7;
      break;
    case R4:
      out.rd = rd; out.rs1 = rs1; out.rs2 = rs2; out.rs3 = w >>> 27; out.rm = (w >>> 12) & 7;
      break;
    case AMO:
      out.rd = rd; out.rs1 = rs1; out.rs2 = rs2; out.rm = (w >>> 25) & 3;
      break;
    case LR:
      out.rd = rd; out.rs1 = rs1; out.rm = (w >>> 25) & 3;
      break;
    case I:
      out.rd = rd; out.rs1 = rs1; out.imm = w >> 20;
      break;
    case SH6:
      out.rd = rd; out.rs1 = rs1; out.imm = (w >>> 20) & 63;
      break;
    case SH5:
      out.rd = rd; out.rs1 = rs1; out.imm = rs2;
      break;
    case S:
      out.rs1 = rs1; out.rs2 = rs2; out.imm = ((w >> 25) << 5) | rd;
      break;
    case B:
      out.rs1 = rs1; out.rs2 = rs2;
      out.imm = ((w >> 31) << 12) | ((w & 0x80) << 4) | ((w >>> 20) & 0x7e0) | ((w >>> 7) & 0x1e);
      break;
    case U:
      out.rd = rd; out.imm = w & 0xfffff000;
      break;
    case J:
      out.rd = rd;
      out.imm = ((w >> 31) << 20) | (w & 0xff000) | ((w >>> 9) & 0x800) | ((w >>> 20) & 0x7fe);
      break;
    case CSR:
      out.rd = rd; out.rs1 = rs1; out.imm = w >>> 20;
      break;
    case FENCE:
      out.rd = rd; out.rs1 = rs1; out.imm = w >>> 20;
      break;
    case NONE:
      break;
  }
}

// ---- 16-bit lookup ----

/** Bits hi..lo of h, shifted down. */
function bits(h: number, hi: number, lo: number): number {
  return (h >>> lo) & ((1 << (hi - lo + 1)) - 1);
}

/** Extracts the immediate of a compressed halfword in the given layout. */
function compressedImm(kind: CImm, h: number): number {
  switch (kind) {
    case CImm.NONE: return 0;
    case CImm.CI: return signExtend((bits(h, 12, 12) << 5) | bits(h, 6, 2), 6);
    case CImm.SHAMT: return (bits(h, 12, 12) << 5) | bits(h, 6, 2);
    case CImm.LUI: return signExtend((bits(h, 12, 12) << 5) | bits(h, 6, 2), 6) << 12;
    case CImm.ADDI16SP:
      return signExtend((bits(h, 12, 12) << 9) | (bits(h, 4, 3) << 7) | (bits(h, 5, 5) << 6) | (bits(h, 2, 2) << 5) | (bits(h, 6, 6) << 4), 10);
    case CImm.ADDI4SPN: return (bits(h, 10, 7) << 6) | (bits(h, 12, 11) << 4) | (bits(h, 5, 5) << 3) | (bits(h, 6, 6) << 2);
    case CImm.CLW: return (bits(h, 5, 5) << 6) | (bits(h, 12, 10) << 3) | (bits(h, 6, 6) << 2);
    case CImm.CLD: return (bits(h, 6, 5) << 6) | (bits(h, 12, 10) << 3);
    case CImm.LWSP: return (bits(h, 3, 2) << 6) | (bits(h, 12, 12) << 5) | (bits(h, 6, 4) << 2);
    case CImm.LDSP: return (bits(h, 4, 2) << 6) | (bits(h, 12, 12) << 5) | (bits(h, 6, 5) << 3);
    case CImm.SWSP: return (bits(h, 8, 7) << 6) | (bits(h, 12, 9) << 2);
    case CImm.SDSP: return (bits(h, 9, 7) << 6) | (bits(h, 12, 10) << 3);
    case CImm.CJ:
      return signExtend((bits(h, 12, 12) << 11) | (bits(h, 8, 8) << 10) | (bits(h, 10, 9) << 8) | (bits(h, 6, 6) << 7) |
        (bits(h, 7, 7) << 6) | (bits(h, 2, 2) << 5) | (bits(h, 11, 11) << 4) | (bits(h, 5, 3) << 1), 12);
    case CImm.CB:
      return signExtend((bits(h, 12, 12) << 8) | (bits(h, 6, 5) << 6) | (bits(h, 2, 2) << 5) | (bits(h, 11, 10) << 3) | (bits(h, 4, 3) << 1), 9);
  }
}

/** The register a compressed field names (see CReg). */
function compressedReg(src: CReg, h: number): number {
  switch (src) {
    case 'r11_7': return (h >>> 7) & 31;
    case 'r6_2': return (h >>> 2) & 31;
    case 'p9_7': return 8 + ((h >>> 7) & 7);
    case 'p4_2': return 8 + ((h >>> 2) & 7);
    default: return src;
  }
}

/** The COMPRESSED entry whose mask matches first (the entry decides, even if reserved). */
function firstMatch(h: number): CDef | undefined {
  return COMPRESSED.find((c) => (h & c.mask) === c.match);
}

// Every halfword is decoded once, here: hIndex[h] = 1 + index into COMPRESSED for a legal
// halfword, 0 for a reserved one, and the other arrays hold its operation and fields (576 KiB
// in all), so decoding a compressed instruction is five array reads.
const hIndex = new Uint8Array(0x10000);
const hOp = new Uint8Array(0x10000);
const hRd = new Uint8Array(0x10000);
const hRs1 = new Uint8Array(0x10000);
const hRs2 = new Uint8Array(0x10000);
const hImm = new Int32Array(0x10000);

(function buildHalfTable(): void {
  for (let h = 0; h < 0x10000; h++) {
    if ((h & 3) === 3) continue;
    const c = firstMatch(h);
    if (c === undefined) continue;
    const imm = compressedImm(c.imm, h);
    if (c.nzRd && ((h >>> 7) & 31) === 0) continue;
    if (c.nzImm && imm === 0) continue;
    hIndex[h] = COMPRESSED.indexOf(c) + 1;
    hOp[h] = c.op;
    hRd[h] = compressedReg(c.rd, h);
    hRs1[h] = compressedReg(c.rs1, h);
    hRs2[h] = compressedReg(c.rs2, h);
    hImm[h] = imm;
  }
})();

/**
 * The COMPRESSED entry a legal halfword decodes through, or undefined for a reserved one
 * (the disassembler uses it to print compressed-only forms the way objdump does).
 */
export function compressedDef(h: number): CDef | undefined {
  const i = hIndex[h & 0xffff];
  return i === 0 ? undefined : COMPRESSED[i - 1];
}

function decodeHalf(h: number, out: Inst): void {
  // Reserved halfwords have op 0 (ILLEGAL) and zero fields in the tables.
  out.op = hOp[h];
  out.rd = hRd[h];
  out.rs1 = hRs1[h];
  out.rs2 = hRs2[h];
  out.rs3 = 0;
  out.rm = 0;
  out.imm = hImm[h];
  out.len = 2;
}

/**
 * Decodes one instruction into `out`. If the low two bits of `word` are not 11 the low 16 bits
 * are a compressed instruction (the upper bits are ignored), otherwise all 32 bits are one
 * instruction. Reserved and unknown encodings give `op = Op.ILLEGAL`.
 */
export function decode(word: number, out: Inst): void {
  if ((word & 3) !== 3) decodeHalf(word & 0xffff, out);
  else decodeWord(word | 0, out);
}
