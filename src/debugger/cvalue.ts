/**
 * C values over guest memory, typed by DWARF: what the Locals scope shows and what expressions
 * (expr.ts) compute with. A value is its type, its bytes, and the place it was read from, so it
 * can be written back (setVariable) and shown in the memory view.
 */
import { DW_ATE, stripTypedefs, typeName, typeSize, type Member, type Type } from '../dwarf';

export type Place =
  | { readonly kind: 'memory'; readonly address: number }
  /** A register of the frame (DWARF numbering). */
  | { readonly kind: 'register'; readonly reg: number }
  /** A computed value: nowhere to write it back. */
  | { readonly kind: 'none' };

export interface CValue {
  readonly type: Type;
  readonly bytes: Uint8Array;
  readonly place: Place;
}

/** What values need from the debugger: the frame's memory and registers. */
export interface ValueEnv {
  read(address: number, size: number): Uint8Array | null;
  write(address: number, bytes: Uint8Array): void;
  readRegister(reg: number): bigint | undefined;
  writeRegister(reg: number, value: bigint): void;
  /** `<symbol+off>` for an address, when it is code or data of a known image. */
  symbolize(address: number): string | undefined;
}

export class ValueError extends Error {}

/** Arrays and strings larger than this are shown in part. */
const MAX_READ = 1 << 16;

export const BUILTIN = {
  char: base('char', 1, DW_ATE.signed_char),
  uchar: base('unsigned char', 1, DW_ATE.unsigned_char),
  short: base('short', 2, DW_ATE.signed),
  ushort: base('unsigned short', 2, DW_ATE.unsigned),
  int: base('int', 4, DW_ATE.signed),
  uint: base('unsigned int', 4, DW_ATE.unsigned),
  long: base('long', 8, DW_ATE.signed),
  ulong: base('unsigned long', 8, DW_ATE.unsigned),
  float: base('float', 4, DW_ATE.float),
  double: base('double', 8, DW_ATE.float),
  bool: base('_Bool', 1, DW_ATE.boolean),
  void: { kind: 'void' } as Type,
};

function base(name: string, byteSize: number, encoding: number): Type {
  return { kind: 'base', name, byteSize, encoding };
}

export function pointerTo(t: Type): Type {
  return { kind: 'pointer', target: t, byteSize: 8 };
}

/** Reads a value of type `type` at `address`. */
export function valueAt(env: ValueEnv, type: Type, address: number): CValue {
  const size = Math.min(typeSize(type) ?? 0, MAX_READ);
  const bytes = env.read(address, size);
  if (bytes === null) throw new ValueError(`cannot read ${size} bytes at 0x${address.toString(16)}: not mapped`);
  return { type, bytes, place: { kind: 'memory', address } };
}

/** A value from an integer (sign or zero extended to the type's size). */
export function fromBigInt(type: Type, v: bigint, place: Place = { kind: 'none' }): CValue {
  const size = typeSize(type) ?? 8;
  const bytes = new Uint8Array(size);
  let x = BigInt.asUintN(size * 8, v);
  for (let i = 0; i < size; i++) {
    bytes[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return { type, bytes, place };
}

export function fromNumber(type: Type, v: number): CValue {
  const s = stripTypedefs(type);
  if (s.kind === 'base' && s.encoding === DW_ATE.float) {
    const bytes = new Uint8Array(s.byteSize);
    const dv = new DataView(bytes.buffer);
    if (s.byteSize === 4) dv.setFloat32(0, v, true);
    else dv.setFloat64(0, v, true);
    return { type, bytes, place: { kind: 'none' } };
  }
  return fromBigInt(type, BigInt(Math.trunc(v)));
}

function isSigned(t: Type): boolean {
  const s = stripTypedefs(t);
  if (s.kind === 'enum') return s.signed;
  return s.kind === 'base' && (s.encoding === DW_ATE.signed || s.encoding === DW_ATE.signed_char);
}

export function isFloat(t: Type): boolean {
  const s = stripTypedefs(t);
  return s.kind === 'base' && s.encoding === DW_ATE.float;
}

export function isPointerLike(t: Type): boolean {
  const k = stripTypedefs(t).kind;
  return k === 'pointer' || k === 'array';
}

/** The value as an integer (pointers as addresses; arrays as their address). */
export function toBigInt(v: CValue): bigint {
  const s = stripTypedefs(v.type);
  if (s.kind === 'array') {
    if (v.place.kind !== 'memory') throw new ValueError('this array has no address');
    return BigInt(v.place.address);
  }
  if (isFloat(v.type)) return BigInt(Math.trunc(toNumber(v)));
  let x = 0n;
  for (let i = v.bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(v.bytes[i]);
  return isSigned(v.type) ? BigInt.asIntN(v.bytes.length * 8, x) : x;
}

export function toNumber(v: CValue): number {
  if (isFloat(v.type)) {
    const dv = new DataView(v.bytes.buffer, v.bytes.byteOffset, v.bytes.length);
    return v.bytes.length === 4 ? dv.getFloat32(0, true) : dv.getFloat64(0, true);
  }
  return Number(toBigInt(v));
}

export function truthy(v: CValue): boolean {
  return isFloat(v.type) ? toNumber(v) !== 0 : toBigInt(v) !== 0n;
}

/** The address a pointer (or array) value points at. */
export function pointee(v: CValue): { target: Type; address: number } {
  const s = stripTypedefs(v.type);
  const address = Number(BigInt.asUintN(64, toBigInt(v)));
  if (s.kind === 'pointer') return { target: s.target, address };
  if (s.kind === 'array') return { target: s.dims.length > 1 ? { kind: 'array', element: s.element, dims: s.dims.slice(1) } : s.element, address };
  throw new ValueError(`a value of type ${typeName(v.type)} is not a pointer`);
}

/** A member of a struct or union value. */
export function member(env: ValueEnv, v: CValue, name: string): CValue {
  const s = stripTypedefs(v.type);
  if (s.kind !== 'struct' && s.kind !== 'union' && s.kind !== 'class') throw new ValueError(`${typeName(v.type)} has no members`);
  const m = findMember(s.members, name);
  if (m === undefined) throw new ValueError(`${typeName(v.type)} has no member named '${name}'`);
  return memberValue(env, v, m.member, m.offset);
}

function findMember(members: readonly Member[], name: string, base = 0): { member: Member; offset: number } | undefined {
  for (const m of members) {
    if (m.name === name) return { member: m, offset: base + (m.offset ?? 0) };
    // Anonymous struct/union members are searched through, as C does.
    const t = stripTypedefs(m.type);
    if (m.name === undefined && (t.kind === 'struct' || t.kind === 'union')) {
      const inner = findMember(t.members, name, base + (m.offset ?? 0));
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

function memberValue(_env: ValueEnv, v: CValue, m: Member, offset: number): CValue {
  const size = typeSize(m.type) ?? 0;
  let bytes = v.bytes.slice(offset, offset + size);
  if (m.bitSize !== undefined) {
    // A bitfield: extract its bits into a value of the member's type (not writable in place).
    const bitOffset = m.bitOffset ?? offset * 8;
    let x = 0n;
    for (let i = v.bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(v.bytes[i]);
    const field = (x >> BigInt(bitOffset)) & ((1n << BigInt(m.bitSize)) - 1n);
    const signedField = isSigned(m.type) ? BigInt.asIntN(m.bitSize, field) : field;
    return fromBigInt(m.type, signedField);
  }
  if (bytes.length < size) bytes = new Uint8Array(size);
  const place: Place = v.place.kind === 'memory' ? { kind: 'memory', address: v.place.address + offset } : { kind: 'none' };
  return { type: m.type, bytes, place };
}

/** Element `i` of an array, or `p[i]` of a pointer. */
export function index(env: ValueEnv, v: CValue, i: number): CValue {
  const s = stripTypedefs(v.type);
  if (s.kind === 'array' && v.place.kind !== 'memory') {
    const element = s.dims.length > 1 ? { kind: 'array' as const, element: s.element, dims: s.dims.slice(1) } : s.element;
    const size = typeSize(element) ?? 0;
    if (i < 0 || (i + 1) * size > v.bytes.length) throw new ValueError(`index ${i} is outside the array`);
    return { type: element, bytes: v.bytes.slice(i * size, (i + 1) * size), place: { kind: 'none' } };
  }
  const { target, address } = pointee(v);
  const size = typeSize(target);
  if (size === undefined || size === 0) throw new ValueError(`cannot index a pointer to ${typeName(target)}`);
  return valueAt(env, target, address + i * size);
}

export function deref(env: ValueEnv, v: CValue): CValue {
  const { target, address } = pointee(v);
  if (stripTypedefs(target).kind === 'void') throw new ValueError('cannot dereference a void pointer; cast it first');
  return valueAt(env, target, address);
}

/** Writes `v`'s bytes to where `dst` lives. */
export function store(env: ValueEnv, dst: CValue, v: CValue): void {
  const size = dst.bytes.length;
  const bytes = isFloat(dst.type) ? fromNumber(dst.type, toNumber(v)).bytes : isFloat(v.type) ? fromBigInt(dst.type, BigInt(Math.trunc(toNumber(v)))).bytes : fromBigInt(dst.type, toBigInt(v)).bytes;
  if (dst.place.kind === 'memory') env.write(dst.place.address, bytes.subarray(0, size));
  else if (dst.place.kind === 'register') env.writeRegister(dst.place.reg, toBigInt({ type: dst.type, bytes, place: dst.place }));
  else throw new ValueError('this value is computed: it has no storage to write to');
}

/** The value as the Variables view shows it. */
export function formatValue(env: ValueEnv, v: CValue, hex: boolean): string {
  const s = stripTypedefs(v.type);
  switch (s.kind) {
    case 'base': {
      if (s.encoding === DW_ATE.float) return String(toNumber(v));
      if (s.encoding === DW_ATE.boolean) return toBigInt(v) !== 0n ? 'true' : 'false';
      const n = toBigInt(v);
      const text = hex ? hexOf(v) : n.toString();
      if (s.byteSize === 1 && (s.encoding === DW_ATE.signed_char || s.encoding === DW_ATE.unsigned_char)) return `${text} ${charLiteral(Number(n & 0xffn))}`;
      return text;
    }
    case 'enum': {
      const n = toBigInt(v);
      const e = s.enumerators.find((x) => x.value === n);
      return e !== undefined ? e.name : hex ? hexOf(v) : n.toString();
    }
    case 'pointer': {
      const addr = BigInt.asUintN(64, toBigInt(v));
      const text = `0x${addr.toString(16).padStart(16, '0')}`;
      if (addr === 0n) return `${text} (NULL)`;
      const target = stripTypedefs(s.target);
      if (target.kind === 'base' && target.byteSize === 1 && target.encoding !== DW_ATE.boolean) {
        const str = readString(env, Number(addr));
        return str === null ? `${text} <unreadable>` : `${text} ${JSON.stringify(str)}`;
      }
      const sym = target.kind === 'function' ? env.symbolize(Number(addr)) : undefined;
      return sym === undefined ? text : `${text} <${sym}>`;
    }
    case 'array': {
      const el = stripTypedefs(s.element);
      if (el.kind === 'base' && el.byteSize === 1 && s.dims.length === 1) {
        const nul = v.bytes.indexOf(0);
        return JSON.stringify(Buffer.from(v.bytes.subarray(0, nul < 0 ? v.bytes.length : nul)).toString('latin1'));
      }
      return `${typeName(v.type)}`;
    }
    case 'struct': case 'union': case 'class':
      return `{${s.members.slice(0, 3).map((m) => m.name ?? '…').join(', ')}${s.members.length > 3 ? ', …' : ''}}`;
    case 'void': return 'void';
    case 'function': return `${typeName(v.type)}`;
    default: return '?';
  }
}

function hexOf(v: CValue): string {
  return '0x' + BigInt.asUintN(v.bytes.length * 8, toBigInt(v)).toString(16);
}

function charLiteral(c: number): string {
  if (c >= 0x20 && c < 0x7f) return c === 0x27 || c === 0x5c ? `'\\${String.fromCharCode(c)}'` : `'${String.fromCharCode(c)}'`;
  const named: Record<number, string> = { 0: '\\0', 9: '\\t', 10: '\\n', 13: '\\r' };
  return `'${named[c] ?? `\\x${c.toString(16).padStart(2, '0')}`}'`;
}

function readString(env: ValueEnv, address: number): string | null {
  const out: number[] = [];
  for (let a = address; out.length < 200;) {
    const n = Math.min(64, 4096 - (a % 4096));
    const chunk = env.read(a, n);
    if (chunk === null) return out.length === 0 ? null : Buffer.from(out).toString('latin1');
    for (const b of chunk) {
      if (b === 0) return Buffer.from(out).toString('latin1');
      out.push(b);
    }
    a += n;
  }
  return Buffer.from(out).toString('latin1') + '…';
}

/** The children the Variables view expands: members, elements, or what a pointer points at. */
export function childCount(v: CValue): number {
  const s = stripTypedefs(v.type);
  switch (s.kind) {
    case 'struct': case 'union': case 'class': return s.members.length;
    case 'array': return s.dims[0] ?? 0;
    case 'pointer': {
      const t = stripTypedefs(s.target);
      return toBigInt(v) === 0n || t.kind === 'void' || t.kind === 'function' || typeSize(t) === undefined ? 0 : 1;
    }
    default: return 0;
  }
}

/** Children [start, start+count) as (name, value); a child that cannot be read is an Error. */
export function children(env: ValueEnv, v: CValue, start: number, count: number): { name: string; value: CValue | Error }[] {
  const s = stripTypedefs(v.type);
  const out: { name: string; value: CValue | Error }[] = [];
  const attempt = (name: string, f: () => CValue) => {
    try {
      out.push({ name, value: f() });
    } catch (e) {
      out.push({ name, value: e instanceof Error ? e : new Error(String(e)) });
    }
  };
  if (s.kind === 'struct' || s.kind === 'union' || s.kind === 'class') {
    for (const m of s.members.slice(start, start + count)) attempt(m.name ?? '<anonymous>', () => memberValue(env, v, m, m.offset ?? 0));
  } else if (s.kind === 'array') {
    const n = Math.min(start + count, s.dims[0] ?? 0);
    for (let i = start; i < n; i++) attempt(`[${i}]`, () => index(env, v, i));
  } else if (s.kind === 'pointer' && start === 0) {
    attempt('*', () => deref(env, v));
  }
  return out;
}
