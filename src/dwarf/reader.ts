import { DwarfError } from './error';

const TWO_32 = 4294967296;

/**
 * A bounds-checked little-endian cursor over one DWARF section (RISC-V is little-endian only).
 *
 * Every read checks the remaining length first and throws `DwarfError` on overrun, so a
 * truncated or lying length field can never make a parser read garbage or loop forever: each
 * successful read advances `pos` by at least one byte.
 *
 * Numbers come in two flavours. Offsets, lengths, counts and addresses are JS numbers (exact
 * below 2^53, which covers every guest address; see index.ts). Values that may use all 64 bits
 * (expression constants, register contents) have `…Big` variants returning bigint.
 */
export class ByteReader {
  pos: number;
  /** One past the last byte this reader may touch (a sub-range of `bytes` when limited). */
  end: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
    /** Section name for error messages. */
    readonly what = 'section',
  ) {
    if (start < 0 || end > bytes.length || start > end) {
      throw new DwarfError(`${what}: range ${start}..${end} outside ${bytes.length} bytes`);
    }
    this.pos = start;
    this.end = end;
  }

  /** A new reader over `[start, end)` of the same bytes, for a length-delimited sub-structure. */
  sub(start: number, end: number): ByteReader {
    if (start < 0 || end > this.end || start > end) {
      throw new DwarfError(`${this.what}: sub-range ${start}..${end} outside 0..${this.end}`);
    }
    return new ByteReader(this.bytes, start, end, this.what);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  private need(n: number): void {
    if (n > this.end - this.pos) {
      throw new DwarfError(`${this.what}: read of ${n} bytes at 0x${this.pos.toString(16)} runs past the end`);
    }
  }

  seek(pos: number): void {
    if (pos < 0 || pos > this.end) throw new DwarfError(`${this.what}: seek to 0x${pos.toString(16)} out of range`);
    this.pos = pos;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  i8(): number {
    return (this.u8() << 24) >> 24;
  }

  u16(): number {
    this.need(2);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 2;
    return b[p] | (b[p + 1] << 8);
  }

  i16(): number {
    return (this.u16() << 16) >> 16;
  }

  u24(): number {
    this.need(3);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 3;
    return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
  }

  u32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }

  i32(): number {
    return this.u32() | 0;
  }

  /** A 64-bit value as a number; exact below 2^53, rounded above (tombstones stay huge). */
  u64(): number {
    const lo = this.u32();
    return this.u32() * TWO_32 + lo;
  }

  u64Big(): bigint {
    const lo = this.u32();
    return (BigInt(this.u32()) << 32n) | BigInt(lo);
  }

  i64Big(): bigint {
    return BigInt.asIntN(64, this.u64Big());
  }

  /** An unsigned integer of `size` bytes (1, 2, 4 or 8) as a number. */
  uSized(size: number): number {
    switch (size) {
      case 1: return this.u8();
      case 2: return this.u16();
      case 4: return this.u32();
      case 8: return this.u64();
      default: throw new DwarfError(`${this.what}: unsupported field size ${size}`);
    }
  }

  /** An unsigned integer of `size` bytes (1, 2, 4 or 8) as a bigint. */
  uSizedBig(size: number): bigint {
    return size === 8 ? this.u64Big() : BigInt(this.uSized(size));
  }

  /** A signed integer of `size` bytes (1, 2, 4 or 8) as a bigint. */
  iSizedBig(size: number): bigint {
    return BigInt.asIntN(size * 8, this.uSizedBig(size));
  }

  /**
   * Unsigned LEB128 as a number. Values that do not fit in 2^53 are malformed for every field
   * read this way (offsets, counts, indices, codes), so they throw rather than round.
   */
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) break;
      scale *= 128;
    }
    if (result > Number.MAX_SAFE_INTEGER) throw new DwarfError(`${this.what}: ULEB128 too large at 0x${this.pos.toString(16)}`);
    return result;
  }

  /** Signed LEB128 as a number; throws when outside the safe-integer range. */
  sleb(): number {
    const v = this.slebBig();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new DwarfError(`${this.what}: SLEB128 too large at 0x${this.pos.toString(16)}`);
    }
    return Number(v);
  }

  /** Unsigned LEB128 truncated to 64 bits, as DWARF consumers do for over-long encodings. */
  ulebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8();
      if (shift < 64n) result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) break;
    }
    return BigInt.asUintN(64, result);
  }

  /** Signed LEB128 truncated to a 64-bit two's-complement value. */
  slebBig(): bigint {
    let result = 0n;
    let shift = 0n;
    let byte: number;
    do {
      byte = this.u8();
      if (shift < 64n) result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte & 0x80);
    if (shift < 64n && (byte & 0x40) !== 0) result -= 1n << shift;
    return BigInt.asIntN(64, result);
  }

  /** A NUL-terminated string, decoded as UTF-8. */
  cstring(): string {
    const start = this.pos;
    const nul = this.bytes.indexOf(0, start);
    if (nul < 0 || nul >= this.end) throw new DwarfError(`${this.what}: unterminated string at 0x${start.toString(16)}`);
    this.pos = nul + 1;
    return utf8(this.bytes.subarray(start, nul));
  }

  /** `n` raw bytes (a view, not a copy). */
  bytesOf(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /**
   * The initial length field of a unit: a 32-bit length, or 0xffffffff followed by a 64-bit
   * length (64-bit DWARF). Returns the unit's end and the size of offsets inside it.
   */
  initialLength(): { end: number; offsetSize: 4 | 8 } {
    let length = this.u32();
    let offsetSize: 4 | 8 = 4;
    if (length === 0xffffffff) {
      length = this.u64();
      offsetSize = 8;
    } else if (length >= 0xfffffff0) {
      throw new DwarfError(`${this.what}: reserved initial length 0x${length.toString(16)} at 0x${(this.pos - 4).toString(16)}`);
    }
    if (length > this.end - this.pos) {
      throw new DwarfError(`${this.what}: unit at 0x${(this.pos - 4).toString(16)} claims ${length} bytes, only ${this.end - this.pos} left`);
    }
    return { end: this.pos + length, offsetSize };
  }

  /** A section offset of the unit's offset size. */
  offset(offsetSize: 4 | 8): number {
    return offsetSize === 8 ? this.u64() : this.u32();
  }
}

const decoder = new TextDecoder('utf-8');

/** UTF-8 to string; invalid sequences become U+FFFD rather than throwing. */
export function utf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** A NUL-terminated string at `offset` of a string section (`.debug_str`, `.debug_line_str`). */
export function stringAt(section: Uint8Array | undefined, offset: number, what: string): string {
  if (!section) throw new DwarfError(`${what} is missing`);
  if (offset < 0 || offset >= section.length) throw new DwarfError(`${what}: string offset 0x${offset.toString(16)} out of range`);
  return new ByteReader(section, offset, section.length, what).cstring();
}
