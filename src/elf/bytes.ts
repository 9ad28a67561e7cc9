import { ElfError } from './error';

/** Formats a number as lowercase hex with a 0x prefix, the way readelf and objdump print them. */
export function hex(n: number | bigint): string {
  return '0x' + n.toString(16);
}

/**
 * Little-endian reads from the file image. Every read is bounds-checked against the file so a
 * malformed offset becomes an ElfError, never a RangeError from DataView.
 *
 * 64-bit fields come back as JS numbers: files and user addresses lie far below 2^53, so a
 * number holds every legitimate value exactly. A value at or above 2^53 cannot be represented
 * exactly, and rather than round it silently the reader throws the caller's message.
 */
export class ByteReader {
  private readonly view: DataView;
  readonly length: number;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.byteLength;
  }

  /** Throws `file is truncated at N bytes` unless [offset, offset + size) lies in the file. */
  need(offset: number, size: number, what: string): void {
    if (offset + size > this.length) {
      throw new ElfError(`file is truncated at ${this.length} bytes; ${what} needs ${offset + size}`);
    }
  }

  u8(offset: number): number {
    return this.view.getUint8(offset);
  }

  u16(offset: number): number {
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, true);
  }

  /**
   * An unsigned 64-bit field as an exact number. `tooLarge` builds the error sentence for a
   * value of 2^53 or more; it receives the value's hex spelling.
   */
  u64(offset: number, tooLarge: (hexValue: string) => string): number {
    const lo = this.view.getUint32(offset, true);
    const hi = this.view.getUint32(offset + 4, true);
    if (hi >= 0x200000) {
      throw new ElfError(tooLarge(hex((BigInt(hi) << 32n) | BigInt(lo))));
    }
    return hi * 0x100000000 + lo;
  }
}

/**
 * Describes a 64-bit field that does not fit: used by u64's callers so every such error reads
 * the same way.
 */
export function tooLargeMessage(field: string): (hexValue: string) => string {
  return (value) => `${field} is ${value}, too large for Forkscope to represent exactly`;
}
