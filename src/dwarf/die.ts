import { DW_AT, attrName, tagName } from './constants';
import { DwarfError } from './error';
import type { Unit } from './unit';

/**
 * An attribute value, classified by what the form means rather than how it is encoded: the
 * indexed forms (strx*, addrx*) are already resolved through `.debug_str_offsets` and
 * `.debug_addr`, and unit-relative references are already absolute `.debug_info` offsets.
 */
export type AttrValue =
  /** DW_FORM_addr and the addrx forms. */
  | { readonly kind: 'address'; readonly value: number }
  /**
   * data1/2/4/8, udata, sdata, implicit_const. `value` is a bigint only when it does not fit a
   * safe integer. dataN forms carry no signedness (the attribute or the type decides): `size`
   * is N, so `signedValue` can sign-extend; sdata and implicit_const are already signed.
   */
  | { readonly kind: 'constant'; readonly value: number | bigint; readonly signed: boolean; readonly size: number }
  | { readonly kind: 'flag'; readonly value: boolean }
  | { readonly kind: 'string'; readonly value: string }
  /** block forms and data16: uninterpreted bytes. */
  | { readonly kind: 'block'; readonly bytes: Uint8Array }
  /** A DWARF expression (DW_FORM_exprloc, or a block where a location is expected). */
  | { readonly kind: 'exprloc'; readonly bytes: Uint8Array }
  /** An absolute offset into `.debug_info`. */
  | { readonly kind: 'reference'; readonly offset: number }
  /** DW_FORM_ref_sig8: the signature of a type unit. */
  | { readonly kind: 'signature'; readonly value: bigint }
  /** DW_FORM_sec_offset (or data4/data8 before DWARF 4): an offset into another section. */
  | { readonly kind: 'sectionOffset'; readonly value: number }
  | { readonly kind: 'loclistx'; readonly index: number }
  | { readonly kind: 'rnglistx'; readonly index: number }
  /** References into a supplementary or alternate object file, which we never have. */
  | { readonly kind: 'supplementary'; readonly offset: number };

export interface Attribute {
  readonly name: number;
  readonly form: number;
  readonly value: AttrValue;
  /** Where the value starts in `.debug_info` (what readelf prints as `<offset>`). */
  readonly offset: number;
}

/** A constant attribute as a number (sdata signed, dataN unsigned); bigints that do not fit throw. */
export function constantNumber(v: AttrValue): number | undefined {
  if (v.kind !== 'constant') return undefined;
  if (typeof v.value === 'number') return v.value;
  throw new DwarfError(`constant 0x${v.value.toString(16)} does not fit a number`);
}

/** A constant attribute read as signed: dataN values are sign-extended from their size. */
export function signedValue(v: AttrValue): bigint | undefined {
  if (v.kind !== 'constant') return undefined;
  const big = BigInt(v.value);
  return v.signed || v.size === 0 ? big : BigInt.asIntN(v.size * 8, big);
}

/** A debugging information entry: a tag, its attributes, and its children in order. */
export class Die {
  readonly children: Die[] = [];

  constructor(
    readonly unit: Unit,
    readonly offset: number,
    readonly tag: number,
    readonly attrs: readonly Attribute[],
    readonly parent: Die | undefined,
  ) {}

  attr(name: number): Attribute | undefined {
    for (const a of this.attrs) if (a.name === name) return a;
    return undefined;
  }

  value(name: number): AttrValue | undefined {
    return this.attr(name)?.value;
  }

  has(name: number): boolean {
    return this.attr(name) !== undefined;
  }

  /** DW_AT_name of this DIE itself (see `scopes.ts` for names inherited from an origin). */
  get name(): string | undefined {
    return this.string(DW_AT.name);
  }

  string(name: number): string | undefined {
    const v = this.value(name);
    return v?.kind === 'string' ? v.value : undefined;
  }

  /** A constant attribute as a number (unsigned for dataN forms). */
  uint(name: number): number | undefined {
    const v = this.value(name);
    return v ? constantNumber(v) : undefined;
  }

  /** A constant attribute read as signed. */
  sint(name: number): bigint | undefined {
    const v = this.value(name);
    return v ? signedValue(v) : undefined;
  }

  /** A flag: true for DW_FORM_flag_present or a nonzero DW_FORM_flag, false when absent. */
  flag(name: number): boolean {
    const v = this.value(name);
    return v?.kind === 'flag' ? v.value : false;
  }

  address(name: number): number | undefined {
    const v = this.value(name);
    return v?.kind === 'address' ? v.value : undefined;
  }

  /** The DIE a reference attribute points to; undefined when absent, DwarfError when dangling. */
  ref(name: number): Die | undefined {
    const v = this.value(name);
    if (!v) return undefined;
    if (v.kind === 'reference') return this.unit.info.dieAt(v.offset);
    if (v.kind === 'signature') return this.unit.info.typeUnitDie(v.value);
    if (v.kind === 'supplementary') return undefined;
    throw new DwarfError(`${attrName(name)} of DIE 0x${this.offset.toString(16)} is not a reference`);
  }

  toString(): string {
    return `${tagName(this.tag)}@0x${this.offset.toString(16)}${this.name !== undefined ? ` "${this.name}"` : ''}`;
  }
}
