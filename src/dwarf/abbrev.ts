import { DW_FORM } from './constants';
import { DwarfError } from './error';
import { ByteReader } from './reader';

/** One attribute specification of an abbreviation. */
export interface AbbrevAttr {
  readonly name: number;
  readonly form: number;
  /** The value stored in the abbreviation itself for DW_FORM_implicit_const. */
  readonly implicitConst?: bigint;
}

/** One `.debug_abbrev` entry: the shape shared by every DIE that names its code. */
export interface Abbrev {
  readonly code: number;
  readonly tag: number;
  readonly hasChildren: boolean;
  readonly attrs: readonly AbbrevAttr[];
}

/** Parses the abbreviation table starting at `offset` (it ends with a zero code). */
export function parseAbbrevTable(section: Uint8Array, offset: number): Map<number, Abbrev> {
  if (offset >= section.length) throw new DwarfError(`.debug_abbrev: table offset 0x${offset.toString(16)} out of range`);
  const r = new ByteReader(section, offset, section.length, '.debug_abbrev');
  const table = new Map<number, Abbrev>();
  while (!r.atEnd) {
    const code = r.uleb();
    if (code === 0) break;
    const tag = r.uleb();
    const children = r.u8();
    if (children > 1) throw new DwarfError(`.debug_abbrev: bad children flag ${children} in abbrev ${code}`);
    const attrs: AbbrevAttr[] = [];
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      attrs.push(form === DW_FORM.implicit_const ? { name, form, implicitConst: r.slebBig() } : { name, form });
    }
    if (table.has(code)) throw new DwarfError(`.debug_abbrev: duplicate abbrev code ${code} at 0x${offset.toString(16)}`);
    table.set(code, { code, tag, hasChildren: children === 1, attrs });
  }
  return table;
}
