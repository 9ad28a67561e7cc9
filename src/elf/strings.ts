import { ElfError } from './error';

/** Names longer than this that are not plain ASCII are shown byte for byte (see `get`). */
const MAX_DECODED_NAME = 1024;

const utf8 = new TextDecoder('utf-8');
// One JS character per byte, whatever the byte: offsets into the table are offsets into this
// string. (The WHATWG "latin1" label is windows-1252, but it still maps every byte to exactly
// one character, and every byte >= 0x80 to a character >= 0x80.)
const bytewise = new TextDecoder('latin1');

/**
 * A string table section (.strtab, .dynstr, .shstrtab): NUL-terminated names referred to by
 * byte offset, where one name may be the tail of another (".rela.plt" and ".plt").
 *
 * Lookups must stay cheap for any input, including a hostile table that is one long string
 * with thousands of symbols pointing into it. So the table is decoded once into a
 * byte-per-character string plus an index of where the next NUL is, and an ASCII name is a
 * slice of that string (V8 shares the characters of long slices instead of copying them).
 */
export class StringTable {
  private idx: { text: string; nextNul: Int32Array; nextHigh: Int32Array } | undefined;
  private readonly decoded = new Map<number, string>();

  /** `what` names the table in error messages, e.g. ".strtab". */
  constructor(private readonly bytes: Uint8Array, private readonly what: string) {}

  /** The NUL-terminated string at `offset`. */
  get(offset: number): string {
    if (offset >= this.bytes.length) {
      throw new ElfError(`name offset ${offset} lies outside ${this.what} (${this.bytes.length} bytes)`);
    }
    const { text, nextNul, nextHigh } = this.index();
    const end = nextNul[offset];
    if (end < 0) {
      throw new ElfError(`the name at offset ${offset} in ${this.what} is not NUL-terminated`);
    }
    if (nextHigh[offset] > end || end - offset > MAX_DECODED_NAME) {
      // ASCII, the usual case; or an absurdly long non-ASCII name, which is shown byte for byte
      // because decoding many such names could take unbounded time and memory.
      return text.slice(offset, end);
    }
    // A UTF-8 identifier (C allows them): decode properly, once per offset.
    let name = this.decoded.get(offset);
    if (name === undefined) {
      name = utf8.decode(this.bytes.subarray(offset, end));
      this.decoded.set(offset, name);
    }
    return name;
  }

  private index(): { text: string; nextNul: Int32Array; nextHigh: Int32Array } {
    if (this.idx === undefined) {
      // One backward pass: nextNul[i] is the first NUL at or after i (-1 if the table ends
      // first), nextHigh[i] the first byte >= 0x80 at or after i (the table length if none).
      const n = this.bytes.length;
      const nextNul = new Int32Array(n);
      const nextHigh = new Int32Array(n);
      let nul = -1;
      let high = n;
      for (let i = n - 1; i >= 0; i--) {
        const b = this.bytes[i];
        if (b === 0) nul = i;
        else if (b >= 0x80) high = i;
        nextNul[i] = nul;
        nextHigh[i] = high;
      }
      this.idx = { text: bytewise.decode(this.bytes), nextNul, nextHigh };
    }
    return this.idx;
  }
}
