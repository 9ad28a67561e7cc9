import { DW_AT, DW_ATE, DW_OP } from './constants';
import { DwarfError } from './error';
import { decodeExpression } from './expr';
import type { ExprEncoding, Op } from './expr';
import type { Unit } from './unit';

/**
 * Where an object lives, as a DWARF location description evaluates to (DWARF 5 §2.6).
 * Addresses and values are 64-bit bigints (values wrap modulo 2^64).
 */
export type SimpleLocation =
  | { readonly kind: 'memory'; readonly address: bigint }
  | { readonly kind: 'register'; readonly reg: number }
  /** DW_OP_stack_value: the object's value itself, no storage. */
  | { readonly kind: 'value'; readonly value: bigint }
  /** DW_OP_implicit_value: the object's bytes, no storage. */
  | { readonly kind: 'implicit'; readonly bytes: Uint8Array }
  /** DW_OP_implicit_pointer: a pointer to `offset` bytes into the variable at DIE `die`. */
  | { readonly kind: 'implicitPointer'; readonly die: number; readonly offset: bigint }
  /** No location here: optimized out, an entry value we cannot know, an unreadable register. */
  | { readonly kind: 'unavailable'; readonly reason: string };

/** One piece of a composite location: `sizeBits` bits taken from `offsetBits` into `location`. */
export interface Piece {
  readonly sizeBits: number;
  readonly offsetBits: number;
  readonly location: SimpleLocation;
}

export type Location = SimpleLocation | { readonly kind: 'composite'; readonly pieces: readonly Piece[] };

/**
 * What the evaluator asks of the debugger. Registers use DWARF numbering (regs.ts) and are
 * 64-bit bigints; `undefined` means "not known in this frame" and makes the result unavailable
 * rather than failing.
 */
export interface EvalContext {
  readRegister(reg: number): bigint | undefined;
  /** `size` bytes at `address`, little-endian as in guest memory; undefined when unmapped. */
  readMemory(address: bigint, size: number): Uint8Array | undefined;
  /** The value of DW_AT_frame_base of the current function (DW_OP_fbreg). */
  frameBase?(): bigint | undefined;
  /** The canonical frame address of the current frame (DW_OP_call_frame_cfa). */
  callFrameCfa?(): bigint | undefined;
  /**
   * The value `expr` had on entry to the current function (DW_OP_entry_value), or undefined
   * when it cannot be recovered (no call-site information in the caller).
   */
  entryValue?(expr: Uint8Array): bigint | undefined;
  /** The object's address for DW_OP_push_object_address. */
  objectAddress?: bigint;
  /** The address of thread-local `offset` (DW_OP_form_tls_address). */
  tlsAddress?(offset: bigint): bigint | undefined;
  /** The unit the expression belongs to: needed for addrx/constx, call2/4 and typed operations. */
  unit?: Unit;
  /** Sizes; defaults to the unit's or to 8-byte addresses, 4-byte offsets. */
  encoding?: ExprEncoding;
}

/** Thrown inside the evaluator when a needed register, memory or entry value is unknown. */
class Unavailable {
  constructor(readonly reason: string) {}
}

/** Bounds that keep a malformed expression from running forever or recursing without end. */
const MAX_STEPS = 100_000;
const MAX_CALL_DEPTH = 16;
const MAX_STACK = 10_000;

const MASK64 = (1n << 64n) - 1n;

/** The integral base type of a typed stack entry (DWARF 5 typed operations). */
interface StackType {
  readonly size: number;
  readonly signed: boolean;
}

/**
 * Decoded expressions, keyed by their byte view. A view belongs to one unit's attribute or list
 * entry, so it is always decoded with the same encoding.
 */
function decodeCached(bytes: Uint8Array, enc: ExprEncoding): Op[] {
  let ops = decodeCache.get(bytes);
  if (!ops) {
    ops = decodeExpression(bytes, enc);
    decodeCache.set(bytes, ops);
  }
  return ops;
}
const decodeCache = new WeakMap<Uint8Array, Op[]>();

function littleEndian(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

/**
 * Evaluates a DWARF location description. `initialStack` is pushed first (CFI expressions
 * start with the CFA on the stack). Malformed expressions throw DwarfError; missing runtime
 * information gives an `unavailable` location.
 */
export function evaluateLocation(expr: Uint8Array, ctx: EvalContext, initialStack: readonly bigint[] = []): Location {
  if (expr.length === 0) return { kind: 'unavailable', reason: 'optimized out' };
  try {
    return new Machine(ctx, initialStack).run(expr);
  } catch (e) {
    if (e instanceof Unavailable) return { kind: 'unavailable', reason: e.reason };
    throw e;
  }
}

/**
 * Evaluates an expression that must yield a value (a CFA rule, DW_AT_frame_base, a call-site
 * value): memory locations give their address, register locations the register's contents.
 * Undefined when something it needs is unknown.
 */
export function evaluateValue(expr: Uint8Array, ctx: EvalContext, initialStack: readonly bigint[] = []): bigint | undefined {
  const loc = evaluateLocation(expr, ctx, initialStack);
  switch (loc.kind) {
    case 'memory': return loc.address;
    case 'value': return loc.value;
    case 'register': return ctx.readRegister(loc.reg);
    case 'implicit': return littleEndian(loc.bytes.subarray(0, 8));
    default: return undefined;
  }
}

class Machine {
  private readonly stack: bigint[] = [];
  /** Parallel to `stack`: undefined for the generic (address-sized, untyped) type. */
  private readonly types: (StackType | undefined)[] = [];
  private readonly enc: ExprEncoding;
  private steps = 0;

  constructor(private readonly ctx: EvalContext, initial: readonly bigint[]) {
    for (const v of initial) this.push(v);
    this.enc = ctx.encoding ?? (ctx.unit
      ? { addressSize: ctx.unit.addressSize, offsetSize: ctx.unit.header.offsetSize }
      : { addressSize: 8, offsetSize: 4 });
  }

  run(expr: Uint8Array): Location {
    const pieces: Piece[] = [];
    // A location that ended the expression (or the current piece) without a stack address.
    let pending: SimpleLocation | undefined;
    const ops = decodeCached(expr, this.enc);
    this.exec(ops, 0, (op) => {
      if (op.code === DW_OP.piece || op.code === DW_OP.bit_piece) {
        const sizeBits = op.code === DW_OP.piece ? Number(op.operands[0]) * 8 : Number(op.operands[0]);
        const offsetBits = op.code === DW_OP.bit_piece ? Number(op.operands[1]) : 0;
        const location = pending ?? (this.stack.length > 0
          ? { kind: 'memory' as const, address: this.pop() }
          : { kind: 'unavailable' as const, reason: 'optimized out' });
        pieces.push({ sizeBits, offsetBits, location });
        pending = undefined;
        return true;
      }
      if (pending) throw new DwarfError(`DWARF expression: ${describe(op)} after a register or value location`);
      if (op.code >= DW_OP.reg0 && op.code <= DW_OP.reg31) pending = { kind: 'register', reg: op.code - DW_OP.reg0 };
      else if (op.code === DW_OP.regx) pending = { kind: 'register', reg: Number(op.operands[0]) };
      else if (op.code === DW_OP.stack_value) pending = { kind: 'value', value: this.pop() };
      else if (op.code === DW_OP.implicit_value) pending = { kind: 'implicit', bytes: op.block as Uint8Array };
      else if (op.code === DW_OP.implicit_pointer || op.code === DW_OP.GNU_implicit_pointer) {
        pending = { kind: 'implicitPointer', die: Number(op.operands[0]), offset: op.operands[1] };
      } else return false;
      return true;
    });
    if (pieces.length > 0) return { kind: 'composite', pieces };
    if (pending) return pending;
    if (this.stack.length === 0) return { kind: 'unavailable', reason: 'optimized out' };
    return { kind: 'memory', address: this.top() };
  }

  /**
   * Executes `ops`; `location` gets first look at each operation and returns true when it
   * handled it (location-forming operations only make sense at the top level).
   */
  private exec(ops: readonly Op[], depth: number, location?: (op: Op) => boolean): void {
    let i = 0;
    while (i < ops.length) {
      if (++this.steps > MAX_STEPS) throw new DwarfError('DWARF expression: too many steps (a loop?)');
      const op = ops[i];
      if (location?.(op)) {
        i++;
        continue;
      }
      const target = this.step(op, depth);
      if (target === undefined) {
        i++;
        continue;
      }
      const next = ops.findIndex((o) => o.offset === target);
      if (next < 0 && target !== (ops.length > 0 ? ops[ops.length - 1].end : 0)) {
        throw new DwarfError(`DWARF expression: branch to ${target} is not an operation boundary`);
      }
      i = next < 0 ? ops.length : next;
    }
  }

  private push(v: bigint, type?: StackType): void {
    if (this.stack.length >= MAX_STACK) throw new DwarfError('DWARF expression: stack overflow');
    this.stack.push(type ? truncate(v, type) : v & MASK64);
    this.types.push(type);
  }

  private pop(): bigint {
    if (this.stack.length === 0) throw new DwarfError('DWARF expression: stack underflow');
    this.types.pop();
    return this.stack.pop() as bigint;
  }

  private top(): bigint {
    if (this.stack.length === 0) throw new DwarfError('DWARF expression: stack underflow');
    return this.stack[this.stack.length - 1];
  }

  private topType(): StackType | undefined {
    return this.types[this.types.length - 1];
  }

  private register(reg: number): bigint {
    const v = this.ctx.readRegister(reg);
    if (v === undefined) throw new Unavailable(`register ${reg} is not known in this frame`);
    return v;
  }

  private memory(address: bigint, size: number): bigint {
    const bytes = this.ctx.readMemory(address & MASK64, size);
    if (!bytes || bytes.length < size) throw new Unavailable(`cannot read ${size} bytes at 0x${(address & MASK64).toString(16)}`);
    return littleEndian(bytes.subarray(0, size));
  }

  private needUnit(op: Op): Unit {
    if (!this.ctx.unit) throw new DwarfError(`DWARF expression: ${describe(op)} needs its unit`);
    return this.ctx.unit;
  }

  /** The integral base type at a unit-relative DIE offset (typed operations); 0 is generic. */
  private baseType(op: Op, unitOffset: bigint): StackType | undefined {
    if (unitOffset === 0n) return undefined;
    const unit = this.needUnit(op);
    const die = unit.info.dieAt(unit.offset + Number(unitOffset));
    const size = die.uint(DW_AT.byte_size) ?? 0;
    const encoding = die.uint(DW_AT.encoding);
    if (encoding === DW_ATE.float || encoding === DW_ATE.complex_float || size < 1 || size > 8) {
      throw new Unavailable('floating-point or wide DWARF stack values are not supported');
    }
    return { size, signed: encoding === DW_ATE.signed || encoding === DW_ATE.signed_char };
  }

  /** Two operands of a binary operation, with the type the result takes. */
  private pop2(): { a: bigint; b: bigint; type: StackType | undefined } {
    const type = this.topType() ?? this.types[this.types.length - 2];
    const b = this.pop();
    const a = this.pop();
    return { a, b, type };
  }

  /** A value as a signed number of its type (generic values are 64-bit signed). */
  private static signed(v: bigint, type: StackType | undefined): bigint {
    return BigInt.asIntN(type ? type.size * 8 : 64, v);
  }

  /** Interprets as the type's natural signedness: unsigned types compare and divide unsigned. */
  private static natural(v: bigint, type: StackType | undefined): bigint {
    return type && !type.signed ? v : Machine.signed(v, type);
  }

  /** Executes one operation; returns a byte offset to branch to, or undefined to fall through. */
  private step(op: Op, depth: number): number | undefined {
    const { code } = op;
    const [a0, a1] = op.operands;
    if (code >= DW_OP.lit0 && code <= DW_OP.lit31) {
      this.push(BigInt(code - DW_OP.lit0));
      return undefined;
    }
    if (code >= DW_OP.breg0 && code <= DW_OP.breg31) {
      this.push(this.register(code - DW_OP.breg0) + a0);
      return undefined;
    }
    switch (code) {
      case DW_OP.addr: case DW_OP.const1u: case DW_OP.const1s: case DW_OP.const2u: case DW_OP.const2s:
      case DW_OP.const4u: case DW_OP.const4s: case DW_OP.const8u: case DW_OP.const8s: case DW_OP.constu:
      case DW_OP.consts:
        this.push(a0);
        break;
      case DW_OP.addrx: case DW_OP.constx: case DW_OP.GNU_addr_index: case DW_OP.GNU_const_index:
        this.push(BigInt(this.needUnit(op).indexedAddress(Number(a0))));
        break;
      case DW_OP.bregx: this.push(this.register(Number(a0)) + a1); break;
      case DW_OP.fbreg: {
        const base = this.ctx.frameBase?.();
        if (base === undefined) throw new Unavailable('the frame base is not known');
        this.push(base + a0);
        break;
      }
      case DW_OP.call_frame_cfa: {
        const cfa = this.ctx.callFrameCfa?.();
        if (cfa === undefined) throw new Unavailable('the call frame address is not known');
        this.push(cfa);
        break;
      }
      case DW_OP.push_object_address:
        if (this.ctx.objectAddress === undefined) throw new Unavailable('no object address');
        this.push(this.ctx.objectAddress);
        break;
      case DW_OP.form_tls_address: case DW_OP.GNU_push_tls_address: {
        const address = this.ctx.tlsAddress?.(this.pop());
        if (address === undefined) throw new Unavailable('thread-local storage is not available');
        this.push(address);
        break;
      }
      case DW_OP.entry_value: case DW_OP.GNU_entry_value: {
        const v = this.ctx.entryValue?.(op.block as Uint8Array);
        if (v === undefined) throw new Unavailable('the value at function entry is not known');
        this.push(v);
        break;
      }
      case DW_OP.GNU_parameter_ref: case DW_OP.GNU_variable_value:
        throw new Unavailable(`${describe(op)} is not supported`);
      case DW_OP.deref: this.push(this.memory(this.pop(), this.enc.addressSize)); break;
      case DW_OP.deref_size: this.push(this.memory(this.pop(), Number(a0))); break;
      case DW_OP.xderef: this.pop2Address(this.enc.addressSize); break;
      case DW_OP.xderef_size: this.pop2Address(Number(a0)); break;
      case DW_OP.deref_type: case DW_OP.GNU_deref_type: case DW_OP.xderef_type: {
        const type = this.baseType(op, a1);
        if (code === DW_OP.xderef_type) this.pop2Address(Number(a0));
        else this.push(this.memory(this.pop(), Number(a0)));
        this.retype(type);
        break;
      }
      case DW_OP.const_type: case DW_OP.GNU_const_type:
        this.push(littleEndian(op.block as Uint8Array), this.baseType(op, a0));
        break;
      case DW_OP.regval_type: case DW_OP.GNU_regval_type:
        this.push(this.register(Number(a0)), this.baseType(op, a1));
        break;
      case DW_OP.convert: case DW_OP.GNU_convert: {
        const from = this.topType();
        const v = this.pop();
        // Converting keeps the numeric value: sign-extend from a signed source type.
        this.push(from?.signed ? Machine.signed(v, from) : v, this.baseType(op, a0));
        break;
      }
      case DW_OP.reinterpret: case DW_OP.GNU_reinterpret: this.retype(this.baseType(op, a0)); break;
      case DW_OP.dup: this.push(this.top(), this.topType()); break;
      case DW_OP.drop: this.pop(); break;
      case DW_OP.over: this.pick(1); break;
      case DW_OP.pick: this.pick(Number(a0)); break;
      case DW_OP.swap: {
        const ta = this.topType();
        const a = this.pop();
        const tb = this.topType();
        const b = this.pop();
        this.push(a, ta);
        this.push(b, tb);
        break;
      }
      case DW_OP.rot: {
        // The top entry moves down two places; the two below it move up one.
        const t1 = this.topType(); const a = this.pop();
        const t2 = this.topType(); const b = this.pop();
        const t3 = this.topType(); const c = this.pop();
        this.push(a, t1); this.push(c, t3); this.push(b, t2);
        break;
      }
      case DW_OP.abs: {
        const t = this.topType();
        const v = Machine.signed(this.pop(), t);
        this.push(v < 0n ? -v : v, t);
        break;
      }
      case DW_OP.neg: { const t = this.topType(); this.push(-this.pop(), t); break; }
      case DW_OP.not: { const t = this.topType(); this.push(~this.pop(), t); break; }
      case DW_OP.plus_uconst: { const t = this.topType(); this.push(this.pop() + a0, t); break; }
      case DW_OP.and: case DW_OP.or: case DW_OP.xor: case DW_OP.plus: case DW_OP.minus: case DW_OP.mul:
      case DW_OP.div: case DW_OP.mod: case DW_OP.shl: case DW_OP.shr: case DW_OP.shra:
        this.arith(code);
        break;
      case DW_OP.eq: case DW_OP.ne: case DW_OP.lt: case DW_OP.le: case DW_OP.gt: case DW_OP.ge:
        this.compare(code);
        break;
      case DW_OP.skip: return op.end + Number(a0);
      case DW_OP.bra: return this.pop() !== 0n ? op.end + Number(a0) : undefined;
      case DW_OP.call2: case DW_OP.call4: case DW_OP.call_ref: this.call(op, depth); break;
      case DW_OP.nop: case DW_OP.GNU_uninit: break;
      default:
        // reg*, piece, stack_value, implicit_*: only valid where a location ends.
        throw new DwarfError(`DWARF expression: ${describe(op)} is not allowed here`);
    }
    return undefined;
  }

  private pop2Address(size: number): void {
    const address = this.pop();
    this.pop(); // address-space identifier: guest memory has one space
    this.push(this.memory(address, size));
  }

  private retype(type: StackType | undefined): void {
    const v = this.pop();
    this.push(v, type);
  }

  private pick(index: number): void {
    const at = this.stack.length - 1 - index;
    if (at < 0) throw new DwarfError(`DWARF expression: pick ${index} below the stack`);
    this.push(this.stack[at], this.types[at]);
  }

  private arith(code: number): void {
    const { a, b, type } = this.pop2();
    const bits = BigInt(type ? type.size * 8 : 64);
    let r: bigint;
    switch (code) {
      case DW_OP.and: r = a & b; break;
      case DW_OP.or: r = a | b; break;
      case DW_OP.xor: r = a ^ b; break;
      case DW_OP.plus: r = a + b; break;
      case DW_OP.minus: r = a - b; break;
      case DW_OP.mul: r = a * b; break;
      case DW_OP.div: {
        // Division of generic values is signed (DWARF 5 §2.5.1.4); typed ones follow their type.
        const d = Machine.natural(b, type);
        if (d === 0n) throw new DwarfError('DWARF expression: division by zero');
        r = Machine.natural(a, type) / d;
        break;
      }
      case DW_OP.mod:
        if (b === 0n) throw new DwarfError('DWARF expression: modulo by zero');
        r = type?.signed ? Machine.signed(a, type) % Machine.signed(b, type) : a % b;
        break;
      case DW_OP.shl: r = b >= bits ? 0n : a << b; break;
      case DW_OP.shr: r = b >= bits ? 0n : a >> b; break;
      default: { // shra
        const s = Machine.signed(a, type);
        r = s >> (b >= bits ? bits - 1n : b);
      }
    }
    this.push(r, type);
  }

  private compare(code: number): void {
    const { a, b, type } = this.pop2();
    const x = Machine.natural(a, type);
    const y = Machine.natural(b, type);
    const result = code === DW_OP.eq ? x === y : code === DW_OP.ne ? x !== y : code === DW_OP.lt ? x < y
      : code === DW_OP.le ? x <= y : code === DW_OP.gt ? x > y : x >= y;
    this.push(result ? 1n : 0n);
  }

  /** DW_OP_call*: runs the DW_AT_location of another DIE (a DWARF procedure) on this stack. */
  private call(op: Op, depth: number): void {
    if (depth >= MAX_CALL_DEPTH) throw new DwarfError('DWARF expression: DW_OP_call nesting too deep');
    const unit = this.needUnit(op);
    const offset = op.code === DW_OP.call_ref ? Number(op.operands[0]) : unit.offset + Number(op.operands[0]);
    const target = unit.info.dieAt(offset);
    const loc = target.value(DW_AT.location);
    if (!loc) return; // a procedure without a location is a no-op (DWARF 5 §2.5.1.5)
    if (loc.kind !== 'exprloc') throw new DwarfError(`DW_OP_call target 0x${offset.toString(16)} has no expression`);
    this.exec(decodeCached(loc.bytes, this.enc), depth + 1);
  }
}

function truncate(v: bigint, type: StackType): bigint {
  return BigInt.asUintN(type.size * 8, v);
}

function describe(op: Op): string {
  return `opcode 0x${op.code.toString(16)} at ${op.offset}`;
}
