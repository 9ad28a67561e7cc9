import type { Abbrev } from './abbrev';
import { DW_AT, DW_FORM, DW_UT, formName } from './constants';
import { Die } from './die';
import type { Attribute, AttrValue } from './die';
import { DwarfError } from './error';
import type { DebugInfo } from './info';
import { ByteReader, stringAt } from './reader';

/** The fixed header in front of each unit's DIEs (DWARF 5 §7.5.1; DWARF 2–4 layout too). */
export interface UnitHeader {
  readonly offset: number;
  /** One past the unit's last byte. */
  readonly end: number;
  readonly version: number;
  /** DW_UT_*; DWARF 2–4 units are reported as DW_UT_compile. */
  readonly unitType: number;
  readonly addressSize: number;
  readonly offsetSize: 4 | 8;
  readonly abbrevOffset: number;
  /** Offset of the first DIE. */
  readonly dieOffset: number;
  /** Type units: the signature and the offset of the type's DIE. */
  readonly typeSignature?: bigint;
  readonly typeOffset?: number;
  /** Skeleton and split units: the id shared with the .dwo. */
  readonly dwoId?: bigint;
}

export function readUnitHeader(r: ByteReader): UnitHeader {
  const offset = r.pos;
  const { end, offsetSize } = r.initialLength();
  const version = r.u16();
  if (version < 2 || version > 5) throw new DwarfError(`.debug_info: unit at 0x${offset.toString(16)} has unsupported version ${version}`);
  let unitType: number = DW_UT.compile;
  let addressSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    unitType = r.u8();
    addressSize = r.u8();
    abbrevOffset = r.offset(offsetSize);
  } else {
    abbrevOffset = r.offset(offsetSize);
    addressSize = r.u8();
  }
  if (addressSize !== 4 && addressSize !== 8) {
    throw new DwarfError(`.debug_info: unit at 0x${offset.toString(16)} has address size ${addressSize}`);
  }
  let typeSignature: bigint | undefined;
  let typeOffset: number | undefined;
  let dwoId: bigint | undefined;
  switch (unitType) {
    case DW_UT.compile:
    case DW_UT.partial:
      break;
    case DW_UT.skeleton:
    case DW_UT.split_compile:
      dwoId = r.u64Big();
      break;
    case DW_UT.type:
    case DW_UT.split_type:
      typeSignature = r.u64Big();
      typeOffset = offset + r.offset(offsetSize);
      break;
    default:
      throw new DwarfError(`.debug_info: unit at 0x${offset.toString(16)} has unknown unit type ${unitType}`);
  }
  if (r.pos > end) throw new DwarfError(`.debug_info: unit header at 0x${offset.toString(16)} overruns the unit`);
  return { offset, end, version, unitType, addressSize, offsetSize, abbrevOffset, dieOffset: r.pos, typeSignature, typeOffset, dwoId };
}

/**
 * Attributes whose block-form values are DWARF expressions: before DWARF 4 there was no
 * DW_FORM_exprloc and locations were plain blocks.
 */
const EXPRESSION_ATTRS = new Set<number>([
  DW_AT.location, DW_AT.frame_base, DW_AT.data_member_location, DW_AT.vtable_elem_location,
  DW_AT.use_location, DW_AT.string_length, DW_AT.return_addr, DW_AT.static_link, DW_AT.segment,
  DW_AT.data_location, DW_AT.call_value, DW_AT.call_data_value, DW_AT.call_data_location,
  DW_AT.call_target, DW_AT.call_target_clobbered, DW_AT.GNU_call_site_value,
  DW_AT.GNU_call_site_data_value, DW_AT.GNU_call_site_target, DW_AT.GNU_call_site_target_clobbered,
  DW_AT.allocated, DW_AT.associated,
]);

/** Attributes that, encoded as data4/data8 before DWARF 4, are offsets into another section. */
const SECTION_POINTER_ATTRS = new Set<number>([
  DW_AT.location, DW_AT.frame_base, DW_AT.ranges, DW_AT.stmt_list, DW_AT.string_length,
  DW_AT.return_addr, DW_AT.static_link, DW_AT.use_location, DW_AT.vtable_elem_location,
  DW_AT.segment, DW_AT.macro_info, DW_AT.GNU_macros, DW_AT.macros,
]);

/** A constant that is a bigint only when it does not fit a safe integer. */
function narrow(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

/** The parsed DIE tree of a unit, built on first use. */
interface UnitTree {
  readonly root: Die;
  readonly byOffset: Map<number, Die>;
}

/**
 * One unit of `.debug_info`. The header is read eagerly (cheap, needed to find units by
 * offset); the DIEs are parsed on first access and cached.
 */
export class Unit {
  /** Bases from the unit DIE (DWARF 5), for the indexed forms. */
  strOffsetsBase: number | undefined;
  addrBase: number | undefined;
  rnglistsBase: number | undefined;
  loclistsBase: number | undefined;
  private tree: UnitTree | undefined;
  private abbrevs: Map<number, Abbrev> | undefined;

  constructor(
    readonly info: DebugInfo,
    readonly header: UnitHeader,
  ) {}

  get offset(): number {
    return this.header.offset;
  }

  get version(): number {
    return this.header.version;
  }

  get addressSize(): number {
    return this.header.addressSize;
  }

  get root(): Die {
    return this.parse().root;
  }

  /** The DIE at an absolute `.debug_info` offset inside this unit. */
  dieAt(offset: number): Die | undefined {
    return this.parse().byOffset.get(offset);
  }

  /** Every DIE of the unit in file order (a pre-order walk of the tree). */
  *dies(): Generator<Die> {
    const stack: Die[] = [this.root];
    while (stack.length > 0) {
      const die = stack.pop() as Die;
      yield die;
      for (let i = die.children.length - 1; i >= 0; i--) stack.push(die.children[i]);
    }
  }

  /** The unit's base address for range and location lists: the unit DIE's DW_AT_low_pc. */
  get baseAddress(): number {
    return this.root.address(DW_AT.low_pc) ?? 0;
  }

  get name(): string | undefined {
    return this.root.name;
  }

  get compDir(): string | undefined {
    return this.root.string(DW_AT.comp_dir);
  }

  /** A string by index through `.debug_str_offsets` (DW_FORM_strx*). */
  indexedString(index: number): string {
    const table = this.info.sections.strOffsets;
    const size = this.header.offsetSize;
    // Without DW_AT_str_offsets_base the first table's entries follow its 8/16-byte header.
    const base = this.strOffsetsBase ?? (this.version >= 5 ? 2 * size : 0);
    if (!table) throw new DwarfError('.debug_str_offsets is missing');
    const at = base + index * size;
    if (at + size > table.length) throw new DwarfError(`.debug_str_offsets: index ${index} out of range`);
    const offset = new ByteReader(table, at, table.length, '.debug_str_offsets').offset(size);
    return this.info.string(offset);
  }

  /** An address by index through `.debug_addr` (DW_FORM_addrx*, DW_OP_addrx). */
  indexedAddress(index: number): number {
    const table = this.info.sections.addr;
    const size = this.header.addressSize;
    const base = this.addrBase ?? (this.version >= 5 ? 8 : 0);
    if (!table) throw new DwarfError('.debug_addr is missing');
    const at = base + index * size;
    if (at + size > table.length) throw new DwarfError(`.debug_addr: index ${index} out of range`);
    return new ByteReader(table, at, table.length, '.debug_addr').uSized(size);
  }

  private parse(): UnitTree {
    if (this.tree) return this.tree;
    const { header } = this;
    this.abbrevs = this.info.abbrevTable(header.abbrevOffset);
    const r = new ByteReader(this.info.sections.info as Uint8Array, header.dieOffset, header.end, '.debug_info');
    if (r.atEnd) throw new DwarfError(`.debug_info: unit at 0x${header.offset.toString(16)} has no DIEs`);

    // The indexed forms need the bases, which live in the unit DIE itself, possibly after an
    // attribute that already uses them (clang puts DW_AT_producer as strx1 first). So read the
    // unit DIE once for its bases only, then for real.
    this.readBases(new ByteReader(r.bytes, r.pos, r.end, '.debug_info'));

    const byOffset = new Map<number, Die>();
    let root: Die | undefined;
    const parents: Die[] = [];
    while (!r.atEnd) {
      const offset = r.pos;
      const code = r.uleb();
      if (code === 0) {
        // A null entry closes the current sibling chain; at top level it is padding.
        parents.pop();
        continue;
      }
      const abbrev = this.abbrev(code, offset);
      const attrs = this.readAttrs(r, abbrev, true);
      const parent = parents.length > 0 ? parents[parents.length - 1] : undefined;
      const die = new Die(this, offset, abbrev.tag, attrs, parent);
      byOffset.set(offset, die);
      if (parent) parent.children.push(die);
      else if (!root) root = die;
      else throw new DwarfError(`.debug_info: unit at 0x${header.offset.toString(16)} has a second top-level DIE at 0x${offset.toString(16)}`);
      if (abbrev.hasChildren) parents.push(die);
    }
    if (!root) throw new DwarfError(`.debug_info: unit at 0x${header.offset.toString(16)} has no unit DIE`);
    this.tree = { root, byOffset };
    return this.tree;
  }

  private abbrev(code: number, offset: number): Abbrev {
    const abbrev = this.abbrevs?.get(code);
    if (!abbrev) throw new DwarfError(`.debug_info: DIE at 0x${offset.toString(16)} uses unknown abbrev ${code}`);
    return abbrev;
  }

  private readBases(r: ByteReader): void {
    const code = r.uleb();
    if (code === 0) return;
    for (const a of this.readAttrs(r, this.abbrev(code, r.pos), false)) {
      if (a.value.kind !== 'sectionOffset') continue;
      switch (a.name) {
        case DW_AT.str_offsets_base: this.strOffsetsBase = a.value.value; break;
        case DW_AT.addr_base: case DW_AT.GNU_addr_base: this.addrBase = a.value.value; break;
        case DW_AT.rnglists_base: case DW_AT.GNU_ranges_base: this.rnglistsBase = a.value.value; break;
        case DW_AT.loclists_base: this.loclistsBase = a.value.value; break;
      }
    }
  }

  private readAttrs(r: ByteReader, abbrev: Abbrev, resolve: boolean): Attribute[] {
    const attrs: Attribute[] = [];
    for (const spec of abbrev.attrs) {
      const offset = r.pos;
      let form = spec.form;
      // DW_FORM_indirect names the real form in the data; each round consumes a byte, so a
      // chain of indirections ends at the unit's end at the latest.
      while (form === DW_FORM.indirect) form = r.uleb();
      const value = this.readValue(r, form, spec.name, spec.implicitConst, resolve);
      attrs.push({ name: spec.name, form, value, offset });
    }
    return attrs;
  }

  /**
   * Reads one attribute value. With `resolve` false (the bases pre-pass) indexed strings and
   * addresses are skipped instead of looked up.
   */
  private readValue(r: ByteReader, form: number, name: number, implicitConst: bigint | undefined, resolve: boolean): AttrValue {
    const { addressSize, offsetSize, version } = this.header;
    switch (form) {
      case DW_FORM.addr: return { kind: 'address', value: r.uSized(addressSize) };
      case DW_FORM.addrx: case DW_FORM.GNU_addr_index: return this.addrx(r.uleb(), resolve);
      case DW_FORM.addrx1: return this.addrx(r.u8(), resolve);
      case DW_FORM.addrx2: return this.addrx(r.u16(), resolve);
      case DW_FORM.addrx3: return this.addrx(r.u24(), resolve);
      case DW_FORM.addrx4: return this.addrx(r.u32(), resolve);
      case DW_FORM.block1: return blockValue(name, r.bytesOf(r.u8()));
      case DW_FORM.block2: return blockValue(name, r.bytesOf(r.u16()));
      case DW_FORM.block4: return blockValue(name, r.bytesOf(r.u32()));
      case DW_FORM.block: return blockValue(name, r.bytesOf(r.uleb()));
      case DW_FORM.data1: return dataValue(r, 1, name, version);
      case DW_FORM.data2: return dataValue(r, 2, name, version);
      case DW_FORM.data4: return dataValue(r, 4, name, version);
      case DW_FORM.data8: return dataValue(r, 8, name, version);
      case DW_FORM.data16: return { kind: 'block', bytes: r.bytesOf(16) };
      case DW_FORM.sdata: return { kind: 'constant', value: narrow(r.slebBig()), signed: true, size: 0 };
      case DW_FORM.udata: return { kind: 'constant', value: narrow(r.ulebBig()), signed: false, size: 0 };
      case DW_FORM.implicit_const:
        if (implicitConst === undefined) throw new DwarfError('.debug_info: DW_FORM_implicit_const reached through DW_FORM_indirect');
        return { kind: 'constant', value: narrow(implicitConst), signed: true, size: 0 };
      case DW_FORM.string: return { kind: 'string', value: r.cstring() };
      case DW_FORM.strp: return { kind: 'string', value: this.info.string(r.offset(offsetSize)) };
      case DW_FORM.line_strp: return { kind: 'string', value: stringAt(this.info.sections.lineStr, r.offset(offsetSize), '.debug_line_str') };
      case DW_FORM.strx: case DW_FORM.GNU_str_index: return this.strx(r.uleb(), resolve);
      case DW_FORM.strx1: return this.strx(r.u8(), resolve);
      case DW_FORM.strx2: return this.strx(r.u16(), resolve);
      case DW_FORM.strx3: return this.strx(r.u24(), resolve);
      case DW_FORM.strx4: return this.strx(r.u32(), resolve);
      case DW_FORM.strp_sup: case DW_FORM.GNU_strp_alt: return { kind: 'supplementary', offset: r.offset(offsetSize) };
      case DW_FORM.flag: return { kind: 'flag', value: r.u8() !== 0 };
      case DW_FORM.flag_present: return { kind: 'flag', value: true };
      case DW_FORM.ref1: return this.ref(r.u8());
      case DW_FORM.ref2: return this.ref(r.u16());
      case DW_FORM.ref4: return this.ref(r.u32());
      case DW_FORM.ref8: return this.ref(r.u64());
      case DW_FORM.ref_udata: return this.ref(r.uleb());
      // DWARF 2 sized DW_FORM_ref_addr like an address; later versions like an offset.
      case DW_FORM.ref_addr: return { kind: 'reference', offset: version <= 2 ? r.uSized(addressSize) : r.offset(offsetSize) };
      case DW_FORM.ref_sig8: return { kind: 'signature', value: r.u64Big() };
      case DW_FORM.ref_sup4: return { kind: 'supplementary', offset: r.u32() };
      case DW_FORM.ref_sup8: return { kind: 'supplementary', offset: r.u64() };
      case DW_FORM.GNU_ref_alt: return { kind: 'supplementary', offset: r.offset(offsetSize) };
      case DW_FORM.sec_offset: return { kind: 'sectionOffset', value: r.offset(offsetSize) };
      case DW_FORM.exprloc: return { kind: 'exprloc', bytes: r.bytesOf(r.uleb()) };
      case DW_FORM.loclistx: return { kind: 'loclistx', index: r.uleb() };
      case DW_FORM.rnglistx: return { kind: 'rnglistx', index: r.uleb() };
      default:
        throw new DwarfError(`.debug_info: unknown form ${formName(form)} at 0x${r.pos.toString(16)}`);
    }
  }

  private strx(index: number, resolve: boolean): AttrValue {
    return { kind: 'string', value: resolve ? this.indexedString(index) : '' };
  }

  private addrx(index: number, resolve: boolean): AttrValue {
    return { kind: 'address', value: resolve ? this.indexedAddress(index) : 0 };
  }

  /** A unit-relative reference as an absolute `.debug_info` offset. */
  private ref(unitOffset: number): AttrValue {
    return { kind: 'reference', offset: this.header.offset + unitOffset };
  }
}

function blockValue(name: number, bytes: Uint8Array): AttrValue {
  return EXPRESSION_ATTRS.has(name) ? { kind: 'exprloc', bytes } : { kind: 'block', bytes };
}

/** A dataN value: a constant, or before DWARF 4 possibly an offset into another section. */
function dataValue(r: ByteReader, size: number, name: number, version: number): AttrValue {
  if (version < 4 && size >= 4 && SECTION_POINTER_ATTRS.has(name)) return { kind: 'sectionOffset', value: r.uSized(size) };
  return { kind: 'constant', value: size === 8 ? narrow(r.u64Big()) : r.uSized(size), signed: false, size };
}
