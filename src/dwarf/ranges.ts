import { DW_AT, DW_LLE, DW_RLE } from './constants';
import type { AttrValue, Die } from './die';
import { DwarfError } from './error';
import { ByteReader } from './reader';
import type { Unit } from './unit';

/** A half-open address range [low, high). */
export interface AddressRange {
  readonly low: number;
  readonly high: number;
}

/** One entry of a location list: where `expr` describes the object. */
export interface LocationListEntry {
  readonly low: number;
  readonly high: number;
  readonly expr: Uint8Array;
}

/** A location list: bounded entries plus an optional DW_LLE_default_location. */
export interface LocationList {
  readonly entries: readonly LocationListEntry[];
  readonly defaultExpr?: Uint8Array;
}

const ALL_ONES_32 = 0xffffffff;

/**
 * The code ranges of a DIE: DW_AT_low_pc/DW_AT_high_pc (high_pc as an address, or since DWARF 4
 * as a length) or DW_AT_ranges. Empty when the DIE has neither (declarations, abstract
 * instances of inline functions).
 */
export function dieRanges(die: Die): AddressRange[] {
  const ranges = die.value(DW_AT.ranges);
  if (ranges) return readRangeList(die.unit, ranges);
  const low = die.address(DW_AT.low_pc);
  const high = die.value(DW_AT.high_pc);
  if (low === undefined || !high) return [];
  let end: number;
  if (high.kind === 'address') end = high.value;
  else if (high.kind === 'constant' && typeof high.value === 'number') end = low + high.value;
  else throw new DwarfError(`DW_AT_high_pc of DIE 0x${die.offset.toString(16)} has an unusable form`);
  return end > low ? [{ low, high: end }] : [];
}

/**
 * Offset in `section` of list `index` of a DWARF 5 list table: the offset array starts at
 * `base` (DW_AT_rnglists_base / DW_AT_loclists_base) and entries are relative to it.
 */
function indexedListOffset(unit: Unit, section: Uint8Array, base: number | undefined, index: number, what: string): number {
  const size = unit.header.offsetSize;
  // Without an explicit base, the offsets follow the header of the first table.
  const b = base ?? (size === 8 ? 20 : 12);
  const at = b + index * size;
  if (at + size > section.length) throw new DwarfError(`${what}: list index ${index} out of range`);
  return b + new ByteReader(section, at, section.length, what).offset(size);
}

/** Ranges of DW_AT_ranges in either encoding: DWARF 5 `.debug_rnglists` or older `.debug_ranges`. */
export function readRangeList(unit: Unit, value: AttrValue): AddressRange[] {
  const { sections } = unit.info;
  const base = unit.baseAddress;
  if (value.kind === 'rnglistx' || (value.kind === 'sectionOffset' && unit.version >= 5)) {
    const section = sections.rnglists;
    if (!section) throw new DwarfError('.debug_rnglists is missing');
    const offset = value.kind === 'rnglistx'
      ? indexedListOffset(unit, section, unit.rnglistsBase, value.index, '.debug_rnglists')
      : value.value;
    return readRnglist(unit, section, offset, base);
  }
  if (value.kind === 'sectionOffset') {
    const section = sections.ranges;
    if (!section) throw new DwarfError('.debug_ranges is missing');
    return readRanges(unit, section, value.value, base);
  }
  throw new DwarfError(`DW_AT_ranges has an unusable form (${value.kind})`);
}

function readRnglist(unit: Unit, section: Uint8Array, offset: number, base: number): AddressRange[] {
  const r = new ByteReader(section, 0, section.length, '.debug_rnglists');
  r.seek(offset);
  const size = unit.addressSize;
  const out: AddressRange[] = [];
  const push = (low: number, high: number): void => {
    if (high > low) out.push({ low, high });
  };
  for (;;) {
    const kind = r.u8();
    switch (kind) {
      case DW_RLE.end_of_list: return out;
      case DW_RLE.base_addressx: base = unit.indexedAddress(r.uleb()); break;
      case DW_RLE.startx_endx: push(unit.indexedAddress(r.uleb()), unit.indexedAddress(r.uleb())); break;
      case DW_RLE.startx_length: { const low = unit.indexedAddress(r.uleb()); push(low, low + r.uleb()); break; }
      case DW_RLE.offset_pair: { const low = base + r.uleb(); push(low, base + r.uleb()); break; }
      case DW_RLE.base_address: base = r.uSized(size); break;
      case DW_RLE.start_end: push(r.uSized(size), r.uSized(size)); break;
      case DW_RLE.start_length: { const low = r.uSized(size); push(low, low + r.uleb()); break; }
      default: throw new DwarfError(`.debug_rnglists: unknown entry kind ${kind} at 0x${(r.pos - 1).toString(16)}`);
    }
  }
}

/** Reads one address pair of `.debug_ranges`/`.debug_loc`, noting the all-ones base marker. */
function readPair(r: ByteReader, size: number): { first: number; second: number; selectsBase: boolean } {
  const at = r.pos;
  const first = r.uSized(size);
  const second = r.uSized(size);
  // A first address of all ones (in the unit's address size) selects a new base address.
  const b = r.bytes;
  const selectsBase = size === 8
    ? (b[at] & b[at + 1] & b[at + 2] & b[at + 3] & b[at + 4] & b[at + 5] & b[at + 6] & b[at + 7]) === 0xff
    : first === ALL_ONES_32;
  return { first, second, selectsBase };
}

function readRanges(unit: Unit, section: Uint8Array, offset: number, base: number): AddressRange[] {
  const r = new ByteReader(section, 0, section.length, '.debug_ranges');
  r.seek(offset);
  const out: AddressRange[] = [];
  for (;;) {
    const { first, second, selectsBase } = readPair(r, unit.addressSize);
    if (first === 0 && second === 0) return out;
    if (selectsBase) base = second;
    else if (second > first) out.push({ low: base + first, high: base + second });
  }
}

/**
 * The location list an attribute refers to (DW_FORM_loclistx or a section offset), in either
 * encoding: DWARF 5 `.debug_loclists` or older `.debug_loc`.
 */
export function readLocationList(unit: Unit, value: AttrValue): LocationList {
  const { sections } = unit.info;
  const base = unit.baseAddress;
  if (value.kind === 'loclistx' || (value.kind === 'sectionOffset' && unit.version >= 5)) {
    const section = sections.loclists;
    if (!section) throw new DwarfError('.debug_loclists is missing');
    const offset = value.kind === 'loclistx'
      ? indexedListOffset(unit, section, unit.loclistsBase, value.index, '.debug_loclists')
      : value.value;
    return readLoclist(unit, section, offset, base);
  }
  if (value.kind === 'sectionOffset') {
    const section = sections.loc;
    if (!section) throw new DwarfError('.debug_loc is missing');
    return readLoc(unit, section, value.value, base);
  }
  throw new DwarfError(`a location list attribute has an unusable form (${value.kind})`);
}

function readLoclist(unit: Unit, section: Uint8Array, offset: number, base: number): LocationList {
  const r = new ByteReader(section, 0, section.length, '.debug_loclists');
  r.seek(offset);
  const size = unit.addressSize;
  const entries: LocationListEntry[] = [];
  let defaultExpr: Uint8Array | undefined;
  const push = (low: number, high: number): void => {
    const expr = r.bytesOf(r.uleb());
    if (high > low) entries.push({ low, high, expr });
  };
  for (;;) {
    const kind = r.u8();
    switch (kind) {
      case DW_LLE.end_of_list: return { entries, defaultExpr };
      case DW_LLE.base_addressx: base = unit.indexedAddress(r.uleb()); break;
      case DW_LLE.startx_endx: { const low = unit.indexedAddress(r.uleb()); push(low, unit.indexedAddress(r.uleb())); break; }
      case DW_LLE.startx_length: { const low = unit.indexedAddress(r.uleb()); push(low, low + r.uleb()); break; }
      case DW_LLE.offset_pair: { const low = base + r.uleb(); push(low, base + r.uleb()); break; }
      case DW_LLE.default_location: defaultExpr = r.bytesOf(r.uleb()); break;
      case DW_LLE.base_address: base = r.uSized(size); break;
      case DW_LLE.start_end: { const low = r.uSized(size); push(low, r.uSized(size)); break; }
      case DW_LLE.start_length: { const low = r.uSized(size); push(low, low + r.uleb()); break; }
      // gcc's location views: two view numbers that qualify the next entry; we track pcs only.
      case DW_LLE.GNU_view_pair: r.uleb(); r.uleb(); break;
      default: throw new DwarfError(`.debug_loclists: unknown entry kind ${kind} at 0x${(r.pos - 1).toString(16)}`);
    }
  }
}

function readLoc(unit: Unit, section: Uint8Array, offset: number, base: number): LocationList {
  const r = new ByteReader(section, 0, section.length, '.debug_loc');
  r.seek(offset);
  const entries: LocationListEntry[] = [];
  for (;;) {
    const { first, second, selectsBase } = readPair(r, unit.addressSize);
    if (first === 0 && second === 0) return { entries };
    if (selectsBase) {
      base = second;
      continue;
    }
    const expr = r.bytesOf(r.u16());
    if (second > first) entries.push({ low: base + first, high: base + second, expr });
  }
}
