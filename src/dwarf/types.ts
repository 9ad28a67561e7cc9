import { DW_AT, DW_ATE, DW_OP, DW_TAG, tagName } from './constants';
import type { Die } from './die';
import { DwarfError } from './error';
import { decodeExpression } from './expr';

/** A member of a struct or union. */
export interface Member {
  readonly name?: string;
  readonly type: Type;
  /** Byte offset from the start of the aggregate (for a bitfield: of the byte holding its first bit). */
  readonly offset: number | undefined;
  /** Bitfields only: width, and bit offset from the start of the aggregate (DW_AT_data_bit_offset). */
  readonly bitSize?: number;
  readonly bitOffset?: number;
}

export interface Enumerator {
  readonly name: string;
  readonly value: bigint;
}

/**
 * A C type as DWARF describes it. Objects are shared and may be cyclic (a struct whose member
 * points back at it), so walk them with care; `typeName` and `typeSize` do.
 */
export type Type =
  | { readonly kind: 'void' }
  | { readonly kind: 'base'; readonly name: string; readonly byteSize: number; readonly encoding: number }
  | { readonly kind: 'pointer'; target: Type; readonly byteSize: number }
  | { readonly kind: 'array'; element: Type; readonly dims: readonly (number | undefined)[] }
  | AggregateType
  | EnumType
  | { readonly kind: 'typedef'; readonly name: string; target: Type }
  | { readonly kind: 'qualified'; readonly qualifier: 'const' | 'volatile' | 'restrict' | '_Atomic'; target: Type }
  | FunctionType
  /** A DIE we do not model (C++ references, pointers to members…), kept by tag for messages. */
  | { readonly kind: 'unknown'; readonly tag: number };

export interface AggregateType {
  readonly kind: 'struct' | 'union' | 'class';
  readonly name?: string;
  readonly byteSize?: number;
  readonly members: Member[];
  /** True for an incomplete type (`struct foo;`): no members, no size. */
  readonly declaration: boolean;
}

export interface EnumType {
  readonly kind: 'enum';
  readonly name?: string;
  readonly byteSize?: number;
  readonly signed: boolean;
  readonly enumerators: Enumerator[];
}

export interface FunctionType {
  readonly kind: 'function';
  returnType: Type;
  readonly params: Type[];
  variadic: boolean;
  /** False for an old-style `int f()` declaration, whose parameters are unknown. */
  readonly prototyped: boolean;
}

const VOID: Type = { kind: 'void' };
/** Deeper nesting than this is a malformed (or hostile) chain, not a real C type. */
const MAX_DEPTH = 256;

/** Builds `Type`s from DIEs, one shared object per DIE. */
export class TypeReader {
  private readonly memo = new Map<number, Type>();
  private depth = 0;

  /** The type a DIE's DW_AT_type names; void when absent. */
  typeOf(die: Die): Type {
    const target = die.ref(DW_AT.type);
    return target ? this.type(target) : VOID;
  }

  /** The type described by a type DIE. */
  type(die: Die): Type {
    const known = this.memo.get(die.offset);
    if (known) return known;
    if (++this.depth > MAX_DEPTH) throw new DwarfError(`type at 0x${die.offset.toString(16)} nests too deeply`);
    try {
      return this.build(die);
    } finally {
      this.depth--;
    }
  }

  /** The function type of a subprogram (or subroutine type) DIE. */
  functionType(die: Die): FunctionType {
    const fn: FunctionType = { kind: 'function', returnType: VOID, params: [], variadic: false, prototyped: die.flag(DW_AT.prototyped) };
    this.memo.set(die.offset, fn);
    fn.returnType = this.typeOf(die);
    for (const child of die.children) {
      if (child.tag === DW_TAG.formal_parameter) fn.params.push(this.typeOf(child));
      else if (child.tag === DW_TAG.unspecified_parameters) fn.variadic = true;
    }
    return fn;
  }

  private build(die: Die): Type {
    const name = die.name;
    switch (die.tag) {
      case DW_TAG.base_type:
        return this.remember(die, { kind: 'base', name: name ?? '?', byteSize: die.uint(DW_AT.byte_size) ?? 0, encoding: die.uint(DW_AT.encoding) ?? 0 });
      case DW_TAG.unspecified_type:
        return this.remember(die, VOID);
      case DW_TAG.pointer_type: {
        const t: Type = this.remember(die, { kind: 'pointer', target: VOID, byteSize: die.uint(DW_AT.byte_size) ?? die.unit.addressSize });
        t.target = this.typeOf(die);
        return t;
      }
      case DW_TAG.typedef: {
        const t: Type = this.remember(die, { kind: 'typedef', name: name ?? '?', target: VOID });
        t.target = this.typeOf(die);
        return t;
      }
      case DW_TAG.const_type: case DW_TAG.volatile_type: case DW_TAG.restrict_type: case DW_TAG.atomic_type: {
        const qualifier = die.tag === DW_TAG.const_type ? 'const' : die.tag === DW_TAG.volatile_type ? 'volatile'
          : die.tag === DW_TAG.restrict_type ? 'restrict' : '_Atomic';
        const t: Type = this.remember(die, { kind: 'qualified', qualifier, target: VOID });
        t.target = this.typeOf(die);
        return t;
      }
      case DW_TAG.array_type: {
        const dims: (number | undefined)[] = [];
        const t: Type = this.remember(die, { kind: 'array', element: VOID, dims });
        for (const child of die.children) {
          if (child.tag === DW_TAG.subrange_type || child.tag === DW_TAG.enumeration_type) dims.push(subrangeCount(child));
        }
        if (dims.length === 0) dims.push(undefined);
        t.element = this.typeOf(die);
        return t;
      }
      case DW_TAG.structure_type: case DW_TAG.union_type: case DW_TAG.class_type: {
        const kind = die.tag === DW_TAG.structure_type ? 'struct' : die.tag === DW_TAG.union_type ? 'union' : 'class';
        const members: Member[] = [];
        const t = this.remember(die, { kind, name, byteSize: die.uint(DW_AT.byte_size), members, declaration: die.flag(DW_AT.declaration) });
        for (const child of die.children) if (child.tag === DW_TAG.member) members.push(this.member(child));
        return t;
      }
      case DW_TAG.enumeration_type: {
        const enumerators: Enumerator[] = [];
        const underlying = die.ref(DW_AT.type);
        const encoding = die.uint(DW_AT.encoding) ?? underlying?.uint(DW_AT.encoding);
        const signed = encoding === DW_ATE.signed || encoding === DW_ATE.signed_char;
        const t = this.remember(die, { kind: 'enum', name, byteSize: die.uint(DW_AT.byte_size), signed, enumerators });
        for (const child of die.children) {
          if (child.tag !== DW_TAG.enumerator) continue;
          const raw = child.value(DW_AT.const_value);
          let value = 0n;
          if (raw?.kind === 'constant') {
            value = BigInt(raw.value);
            if (signed && !raw.signed && raw.size > 0) value = BigInt.asIntN(raw.size * 8, value);
          }
          enumerators.push({ name: child.name ?? '?', value });
        }
        return t;
      }
      case DW_TAG.subroutine_type:
        return this.functionType(die);
      default:
        return this.remember(die, { kind: 'unknown', tag: die.tag });
    }
  }

  private remember<T extends Type>(die: Die, t: T): T {
    this.memo.set(die.offset, t);
    return t;
  }

  private member(die: Die): Member {
    const type = this.typeOf(die);
    const name = die.name;
    let offset = memberLocation(die);
    const bitSize = die.uint(DW_AT.bit_size);
    if (bitSize === undefined) return { name, type, offset };
    let bitOffset = die.uint(DW_AT.data_bit_offset);
    if (bitOffset === undefined) {
      // DWARF 2/3 bitfields count DW_AT_bit_offset from the most significant bit of a storage
      // unit of DW_AT_byte_size bytes at the member's location; on little-endian RISC-V that
      // is this many bits from the unit's least significant bit.
      const unitBits = (die.uint(DW_AT.byte_size) ?? typeSize(type) ?? 0) * 8;
      const msbOffset = die.uint(DW_AT.bit_offset) ?? 0;
      bitOffset = (offset ?? 0) * 8 + unitBits - msbOffset - bitSize;
    }
    offset = Math.floor(bitOffset / 8);
    return { name, type, offset, bitSize, bitOffset };
  }
}

/** DW_AT_data_member_location as a byte offset: a constant, or DWARF 2's `DW_OP_plus_uconst N`. */
function memberLocation(die: Die): number | undefined {
  const v = die.value(DW_AT.data_member_location);
  if (!v) return die.parent?.tag === DW_TAG.union_type ? 0 : undefined;
  if (v.kind === 'constant') return die.uint(DW_AT.data_member_location);
  if (v.kind === 'exprloc') {
    const ops = decodeExpression(v.bytes, { addressSize: die.unit.addressSize, offsetSize: die.unit.header.offsetSize });
    if (ops.length === 1 && ops[0].code === DW_OP.plus_uconst) return Number(ops[0].operands[0]);
  }
  return undefined; // computed locations (virtual bases) need an object address
}

/** Element count of one array dimension; undefined when unknown or computed at run time. */
function subrangeCount(die: Die): number | undefined {
  const count = die.value(DW_AT.count);
  if (count?.kind === 'constant') return die.uint(DW_AT.count);
  const upper = die.value(DW_AT.upper_bound);
  if (upper?.kind !== 'constant') return undefined;
  const lower = die.sint(DW_AT.lower_bound) ?? 0n;
  const n = (die.sint(DW_AT.upper_bound) as bigint) - lower + 1n;
  // gcc encodes `int a[0]` (and flexible arrays in some versions) as upper bound -1.
  return n >= 0n && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : undefined;
}

/** sizeof(t) in bytes; undefined for incomplete types, functions and unknown dimensions. */
export function typeSize(t: Type, depth = 0): number | undefined {
  if (depth > MAX_DEPTH) throw new DwarfError('type nests too deeply');
  switch (t.kind) {
    case 'base': case 'pointer': return t.byteSize;
    case 'struct': case 'union': case 'class': case 'enum': return t.byteSize;
    case 'typedef': case 'qualified': return typeSize(t.target, depth + 1);
    case 'array': {
      const element = typeSize(t.element, depth + 1);
      if (element === undefined) return undefined;
      let n = element;
      for (const d of t.dims) {
        if (d === undefined) return undefined;
        n *= d;
      }
      return n;
    }
    default: return undefined;
  }
}

/** Follows typedefs and qualifiers to the type that says what the bits mean. */
export function stripTypedefs(t: Type): Type {
  for (let i = 0; i <= MAX_DEPTH; i++) {
    if (t.kind !== 'typedef' && t.kind !== 'qualified') return t;
    t = t.target;
  }
  throw new DwarfError('typedef chain too long (a cycle?)');
}

/**
 * The type's name as C writes it: `char *`, `int [16]`, `struct foo`, `void (*)(int)`,
 * `const char *const`. With `declarator`, the name is placed where C puts it: `int (*f)(int)`.
 */
export function typeName(t: Type, declarator = ''): string {
  return spell(t, declarator, 0);
}

function spell(t: Type, inner: string, depth: number): string {
  if (depth > MAX_DEPTH) throw new DwarfError('type nests too deeply');
  const join = (base: string): string => (inner === '' ? base : `${base} ${inner}`);
  switch (t.kind) {
    case 'void': return join('void');
    case 'base': return join(t.name);
    case 'typedef': return join(t.name);
    case 'struct': case 'union': case 'class': case 'enum':
      return join(`${t.kind} ${t.name ?? '{...}'}`);
    case 'unknown': return join(`<${tagName(t.tag)}>`);
    case 'pointer': {
      // A pointer to an array or function needs parentheses: `int (*)[4]`, `void (*)(int)`.
      const target = t.target;
      const star = `*${inner}`;
      const wrapped = target.kind === 'array' || target.kind === 'function' ? `(${star})` : star;
      return spell(target, wrapped, depth + 1);
    }
    case 'qualified': {
      // Qualifiers go before a plain type (`const int`) but after the star of a pointer
      // (`char *const`), which is where C reads them.
      const target = t.target;
      if (target.kind === 'pointer') return spell(target, inner === '' ? t.qualifier : `${t.qualifier} ${inner}`, depth + 1);
      return `${t.qualifier} ${spell(target, inner, depth + 1)}`;
    }
    case 'array': {
      const dims = t.dims.map((d) => `[${d ?? ''}]`).join('');
      return spell(t.element, `${inner}${dims}`, depth + 1);
    }
    case 'function': {
      const params = t.params.map((p) => spell(p, '', depth + 1));
      if (t.variadic) params.push('...');
      const list = params.length > 0 ? params.join(', ') : t.prototyped ? 'void' : '';
      return spell(t.returnType, `${inner}(${list})`, depth + 1);
    }
  }
}
