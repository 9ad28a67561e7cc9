/**
 * Builds DWARF sections byte by byte, for the forms, versions and encodings the cross
 * compilers do not produce (DWARF 2/3 units, 64-bit DWARF, indirect forms, type units, every
 * CFA instruction) and for malformed input.
 */
import { DW_FORM } from '../../src/dwarf';

/** A growable little-endian byte buffer. */
export class Bytes {
  readonly out: number[] = [];

  get length(): number {
    return this.out.length;
  }

  u8(...v: number[]): this {
    for (const b of v) this.out.push(b & 0xff);
    return this;
  }

  uN(v: number | bigint, size: number): this {
    let x = BigInt.asUintN(size * 8, BigInt(v));
    for (let i = 0; i < size; i++) {
      this.out.push(Number(x & 0xffn));
      x >>= 8n;
    }
    return this;
  }

  u16(v: number): this { return this.uN(v, 2); }
  u32(v: number | bigint): this { return this.uN(v, 4); }
  u64(v: number | bigint): this { return this.uN(v, 8); }

  uleb(v: number | bigint): this {
    let x = BigInt(v);
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x !== 0n) byte |= 0x80;
      this.out.push(byte);
    } while (x !== 0n);
    return this;
  }

  sleb(v: number | bigint): this {
    let x = BigInt(v);
    for (;;) {
      const byte = Number(x & 0x7fn);
      x >>= 7n;
      const done = (x === 0n && (byte & 0x40) === 0) || (x === -1n && (byte & 0x40) !== 0);
      this.out.push(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }

  cstr(s: string): this {
    for (const b of Buffer.from(s, 'utf8')) this.out.push(b);
    this.out.push(0);
    return this;
  }

  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.out.push(b[i]);
    return this;
  }

  /** Overwrites `size` bytes at `at`. */
  patch(at: number, v: number | bigint, size: number): void {
    let x = BigInt.asUintN(size * 8, BigInt(v));
    for (let i = 0; i < size; i++) {
      this.out[at + i] = Number(x & 0xffn);
      x >>= 8n;
    }
  }

  done(): Uint8Array {
    return new Uint8Array(this.out);
  }
}

/** A reference to the DIE labelled `label` (unit-relative for ref forms, absolute for ref_addr). */
export interface Ref {
  readonly ref: string;
}

export type AttrSpec = [name: number, form: number, value?: unknown];

export interface DieSpec {
  readonly tag: number;
  readonly attrs?: readonly AttrSpec[];
  readonly children?: readonly DieSpec[];
  readonly label?: string;
}

export interface UnitOptions {
  readonly version: 2 | 3 | 4 | 5;
  readonly offsetSize?: 4 | 8;
  /** DWARF 5 unit type; 2 (type unit) adds the signature and type offset. */
  readonly unitType?: number;
  readonly typeSignature?: bigint;
  readonly typeLabel?: string;
  readonly root: DieSpec;
}

/**
 * The .debug_info, .debug_abbrev and .debug_str of some units. Each DIE gets its own
 * abbreviation; implicit_const values go into the abbreviation.
 */
export function buildInfo(units: readonly UnitOptions[]): { info: Uint8Array; abbrev: Uint8Array; str: Uint8Array } {
  const info = new Bytes();
  const abbrev = new Bytes();
  const str = new Bytes();
  const labels = new Map<string, number>();
  const fixups: { at: number; label: string; size: number; base: number }[] = [];
  for (const unit of units) {
    const offsetSize = unit.offsetSize ?? 4;
    const unitStart = info.length;
    const abbrevOffset = abbrev.length;
    if (offsetSize === 8) info.u32(0xffffffff).u64(0);
    else info.u32(0);
    const lengthEnd = info.length;
    info.u16(unit.version);
    if (unit.version >= 5) info.u8(unit.unitType ?? 1, 8).uN(abbrevOffset, offsetSize);
    else info.uN(abbrevOffset, offsetSize).u8(8);
    if (unit.unitType === 2) {
      info.u64(unit.typeSignature ?? 0n);
      fixups.push({ at: info.length, label: unit.typeLabel ?? '', size: offsetSize, base: unitStart });
      info.uN(0, offsetSize);
    }
    let code = 1;
    // Iterative, so that tests can build absurdly deep trees.
    const write = (root: DieSpec): void => {
      const stack: (DieSpec | 'end')[] = [root];
      while (stack.length > 0) {
        const die = stack.pop() as DieSpec | 'end';
        if (die === 'end') {
          info.u8(0);
          continue;
        }
        if (die.label) labels.set(die.label, info.length);
        const myCode = code++;
        abbrev.uleb(myCode).uleb(die.tag).u8(die.children ? 1 : 0);
        for (const [name, form, value] of die.attrs ?? []) {
          abbrev.uleb(name).uleb(form);
          if (form === DW_FORM.implicit_const) abbrev.sleb(value as bigint);
        }
        abbrev.u8(0, 0);
        info.uleb(myCode);
        for (const [, form, value] of die.attrs ?? []) writeValue(form, value);
        if (die.children) {
          stack.push('end');
          for (let i = die.children.length - 1; i >= 0; i--) stack.push(die.children[i]);
        }
      }
    };
    const writeValue = (form: number, value: unknown): void => {
      switch (form) {
        case DW_FORM.addr: info.u64(value as bigint); break;
        case DW_FORM.data1: case DW_FORM.ref1: case DW_FORM.flag: case DW_FORM.strx1: case DW_FORM.addrx1: info.u8(Number(value)); break;
        case DW_FORM.data2: info.u16(Number(value)); break;
        case DW_FORM.data4: info.u32(value as number); break;
        case DW_FORM.data8: info.u64(value as bigint); break;
        case DW_FORM.data16: info.bytes(value as Uint8Array); break;
        case DW_FORM.sdata: info.sleb(value as bigint); break;
        case DW_FORM.udata: info.uleb(value as bigint); break;
        case DW_FORM.string: info.cstr(value as string); break;
        case DW_FORM.strp: info.uN(str.length, offsetSize); str.cstr(value as string); break;
        case DW_FORM.block1: info.u8((value as Uint8Array).length).bytes(value as Uint8Array); break;
        case DW_FORM.exprloc: case DW_FORM.block: info.uleb((value as Uint8Array).length).bytes(value as Uint8Array); break;
        case DW_FORM.sec_offset: info.uN(value as number, offsetSize); break;
        case DW_FORM.flag_present: case DW_FORM.implicit_const: break;
        case DW_FORM.ref_sig8: info.u64(value as bigint); break;
        case DW_FORM.ref4: fixups.push({ at: info.length, label: (value as Ref).ref, size: 4, base: unitStart }); info.u32(0); break;
        case DW_FORM.ref_addr: {
          const size = unit.version <= 2 ? 8 : offsetSize;
          fixups.push({ at: info.length, label: (value as Ref).ref, size, base: 0 });
          info.uN(0, size);
          break;
        }
        case DW_FORM.indirect: {
          const [real, v] = value as [number, unknown];
          info.uleb(real);
          writeValue(real, v);
          break;
        }
        default: throw new Error(`builder: form 0x${form.toString(16)} not supported`);
      }
    };
    write(unit.root);
    abbrev.u8(0);
    const length = info.length - lengthEnd;
    if (offsetSize === 8) info.patch(unitStart + 4, length, 8);
    else info.patch(unitStart, length, 4);
  }
  for (const f of fixups) {
    const target = labels.get(f.label);
    if (target === undefined) throw new Error(`builder: no DIE labelled ${f.label}`);
    info.patch(f.at, target - f.base, f.size);
  }
  return { info: info.done(), abbrev: abbrev.done(), str: str.done() };
}

/** A getter for `Dwarf.load` over named sections. */
export function sections(map: Record<string, Uint8Array>): (name: string) => Uint8Array | undefined {
  return (name) => map[name];
}
