import type { Location, SimpleLocation } from './eval';
import type { MemoryReader } from './unwind';

/** Reads a register of the frame (DWARF numbering); undefined when unknown. */
export type RegisterReader = (reg: number) => bigint | undefined;

/** An object's bytes, with which bits are known (a composite location may be partly optimized out). */
export interface ObjectBytes {
  readonly bytes: Uint8Array;
  /** One bit per bit of `bytes`: set where the value is known. */
  readonly known: Uint8Array;
}

/** Whether every bit of the object is known. */
export function fullyKnown(o: ObjectBytes): boolean {
  return o.known.every((b) => b === 0xff);
}

function littleEndianBytes(v: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = BigInt.asUintN(64, v);
  for (let i = 0; i < size && i < 8; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/**
 * The first `size` bytes of what a simple location holds, or undefined when unknown.
 * Registers and stack values contribute their low-order bytes (RISC-V is little-endian, and
 * that is where a narrower object sits in a register); they cannot hold more than 8.
 */
function simpleBytes(loc: SimpleLocation, size: number, regs: RegisterReader, memory: MemoryReader): Uint8Array | undefined {
  switch (loc.kind) {
    case 'memory': {
      const bytes = memory(loc.address, size);
      return bytes && bytes.length >= size ? bytes.subarray(0, size) : undefined;
    }
    case 'register': {
      const v = regs(loc.reg);
      return v === undefined || size > 8 ? undefined : littleEndianBytes(v, size);
    }
    case 'value': return size > 8 ? undefined : littleEndianBytes(loc.value, size);
    case 'implicit': {
      const out = new Uint8Array(size);
      out.set(loc.bytes.subarray(0, size));
      return out;
    }
    default: return undefined;
  }
}

/**
 * The `size` bytes of an object at a location, assembling composite locations piece by piece
 * (bit pieces included). Bits no piece describes, or whose piece is unavailable, are zero and
 * marked unknown.
 */
export function locationBytes(loc: Location, size: number, regs: RegisterReader, memory: MemoryReader): ObjectBytes {
  const bytes = new Uint8Array(size);
  const known = new Uint8Array(size);
  if (loc.kind !== 'composite') {
    const b = simpleBytes(loc, size, regs, memory);
    if (b) {
      bytes.set(b);
      known.fill(0xff);
    }
    return { bytes, known };
  }
  let bit = 0;
  for (const piece of loc.pieces) {
    const source = simpleBytes(piece.location, Math.ceil((piece.offsetBits + piece.sizeBits) / 8), regs, memory);
    for (let i = 0; i < piece.sizeBits && bit < size * 8; i++, bit++) {
      if (!source) continue;
      const from = piece.offsetBits + i;
      const mask = 1 << (bit & 7);
      if ((source[from >> 3] >> (from & 7)) & 1) bytes[bit >> 3] |= mask;
      known[bit >> 3] |= mask;
    }
  }
  return { bytes, known };
}
