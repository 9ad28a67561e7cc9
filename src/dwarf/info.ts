import type { Abbrev } from './abbrev';
import { parseAbbrevTable } from './abbrev';
import { DW_UT } from './constants';
import type { Die } from './die';
import { DwarfError } from './error';
import { ByteReader, stringAt } from './reader';
import type { DwarfSections } from './sections';
import { Unit, readUnitHeader } from './unit';

/**
 * `.debug_info` as a list of units. Headers are read up front so any DIE offset can be mapped
 * to its unit; the DIE trees are parsed per unit on demand.
 */
export class DebugInfo {
  readonly units: readonly Unit[];
  private readonly abbrevTables = new Map<number, Map<number, Abbrev>>();
  private typeUnits: Map<bigint, Unit> | undefined;
  private readonly strings = new Map<number, string>();

  /**
   * Reads the unit headers. A malformed header ends the list (the units before it are kept);
   * `onError` hears about it, and without one the DwarfError propagates.
   */
  constructor(readonly sections: DwarfSections, onError?: (message: string) => void) {
    const units: Unit[] = [];
    const bytes = sections.info;
    if (bytes) {
      const r = new ByteReader(bytes, 0, bytes.length, '.debug_info');
      try {
        while (!r.atEnd) {
          const header = readUnitHeader(r);
          units.push(new Unit(this, header));
          r.seek(header.end);
        }
      } catch (e) {
        if (!(e instanceof DwarfError) || !onError) throw e;
        onError(e.message);
      }
    }
    this.units = units;
  }

  /** Units that describe code (compile, partial and skeleton units), not type units. */
  get compileUnits(): Unit[] {
    return this.units.filter((u) => u.header.typeSignature === undefined);
  }

  abbrevTable(offset: number): Map<number, Abbrev> {
    let table = this.abbrevTables.get(offset);
    if (!table) {
      const section = this.sections.abbrev;
      if (!section) throw new DwarfError('.debug_abbrev is missing');
      table = parseAbbrevTable(section, offset);
      this.abbrevTables.set(offset, table);
    }
    return table;
  }

  /**
   * The string at `offset` of `.debug_str`. Cached: the same names (`int`, `i`, file names)
   * are referenced from many DIEs.
   */
  string(offset: number): string {
    let s = this.strings.get(offset);
    if (s === undefined) {
      s = stringAt(this.sections.str, offset, '.debug_str');
      this.strings.set(offset, s);
    }
    return s;
  }

  /** The unit whose bytes contain `offset`. */
  unitContaining(offset: number): Unit | undefined {
    let lo = 0;
    let hi = this.units.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const u = this.units[mid];
      if (offset < u.header.offset) hi = mid - 1;
      else if (offset >= u.header.end) lo = mid + 1;
      else return u;
    }
    return undefined;
  }

  /** The DIE at an absolute `.debug_info` offset; a reference to anything else is malformed. */
  dieAt(offset: number): Die {
    const die = this.unitContaining(offset)?.dieAt(offset);
    if (!die) throw new DwarfError(`.debug_info: no DIE at offset 0x${offset.toString(16)}`);
    return die;
  }

  /** The type DIE of the type unit with this signature (DW_FORM_ref_sig8). */
  typeUnitDie(signature: bigint): Die | undefined {
    if (!this.typeUnits) {
      this.typeUnits = new Map();
      for (const u of this.units) {
        if (u.header.typeSignature !== undefined && u.header.unitType !== DW_UT.split_type) this.typeUnits.set(u.header.typeSignature, u);
      }
    }
    const unit = this.typeUnits.get(signature);
    if (!unit) return undefined;
    return unit.dieAt(unit.header.typeOffset as number);
  }
}
