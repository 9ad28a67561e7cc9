import { DW_OP, opName } from './constants';
import { DwarfError } from './error';
import { ByteReader } from './reader';
import { dwarfRegName } from './regs';

/** One decoded operation of a DWARF expression. */
export interface Op {
  /** Byte offset of the opcode in the expression (branch targets are byte offsets). */
  readonly offset: number;
  /** Byte offset of the next operation. */
  readonly end: number;
  readonly code: number;
  /** Numeric operands in encoding order, 64-bit wrapped (signed operands keep their sign). */
  readonly operands: readonly bigint[];
  /** The block operand of implicit_value, entry_value and const_type. */
  readonly block?: Uint8Array;
}

/** Sizes that shape the encoding of some operands. */
export interface ExprEncoding {
  readonly addressSize: number;
  readonly offsetSize: 4 | 8;
}

const DEFAULT_ENCODING: ExprEncoding = { addressSize: 8, offsetSize: 4 };

/** Decodes an expression into operations; an unknown opcode or a truncated operand throws. */
export function decodeExpression(bytes: Uint8Array, enc: ExprEncoding = DEFAULT_ENCODING): Op[] {
  const r = new ByteReader(bytes, 0, bytes.length, 'DWARF expression');
  const ops: Op[] = [];
  while (!r.atEnd) {
    const offset = r.pos;
    const code = r.u8();
    const operands: bigint[] = [];
    let block: Uint8Array | undefined;
    const u = (): void => { operands.push(r.ulebBig()); };
    const s = (): void => { operands.push(r.slebBig()); };
    if (code >= DW_OP.breg0 && code <= DW_OP.breg31) {
      s();
    } else if (!(code >= DW_OP.lit0 && code <= DW_OP.reg31)) {
      switch (code) {
        case DW_OP.addr: operands.push(r.uSizedBig(enc.addressSize)); break;
        case DW_OP.const1u: case DW_OP.pick: case DW_OP.deref_size: case DW_OP.xderef_size:
          operands.push(BigInt(r.u8())); break;
        case DW_OP.const1s: operands.push(BigInt(r.i8())); break;
        case DW_OP.const2u: case DW_OP.call2: operands.push(BigInt(r.u16())); break;
        case DW_OP.const2s: case DW_OP.bra: case DW_OP.skip: operands.push(BigInt(r.i16())); break;
        case DW_OP.const4u: case DW_OP.call4: case DW_OP.GNU_parameter_ref: operands.push(BigInt(r.u32())); break;
        case DW_OP.const4s: operands.push(BigInt(r.i32())); break;
        case DW_OP.const8u: operands.push(r.u64Big()); break;
        case DW_OP.const8s: operands.push(r.i64Big()); break;
        case DW_OP.constu: case DW_OP.plus_uconst: case DW_OP.regx: case DW_OP.piece:
        case DW_OP.addrx: case DW_OP.constx: case DW_OP.GNU_addr_index: case DW_OP.GNU_const_index:
        case DW_OP.convert: case DW_OP.GNU_convert: case DW_OP.reinterpret: case DW_OP.GNU_reinterpret:
          u(); break;
        case DW_OP.consts: case DW_OP.fbreg: s(); break;
        case DW_OP.bregx: u(); s(); break;
        case DW_OP.bit_piece: u(); u(); break;
        case DW_OP.call_ref: case DW_OP.GNU_variable_value: operands.push(r.uSizedBig(enc.offsetSize)); break;
        case DW_OP.implicit_pointer: case DW_OP.GNU_implicit_pointer:
          operands.push(r.uSizedBig(enc.offsetSize)); s(); break;
        case DW_OP.implicit_value: block = r.bytesOf(r.uleb()); break;
        case DW_OP.entry_value: case DW_OP.GNU_entry_value: block = r.bytesOf(r.uleb()); break;
        case DW_OP.const_type: case DW_OP.GNU_const_type: u(); block = r.bytesOf(r.u8()); break;
        case DW_OP.regval_type: case DW_OP.GNU_regval_type: u(); u(); break;
        case DW_OP.deref_type: case DW_OP.GNU_deref_type: case DW_OP.xderef_type:
          operands.push(BigInt(r.u8())); u(); break;
        case DW_OP.deref: case DW_OP.dup: case DW_OP.drop: case DW_OP.over: case DW_OP.swap: case DW_OP.rot:
        case DW_OP.xderef: case DW_OP.abs: case DW_OP.and: case DW_OP.div: case DW_OP.minus: case DW_OP.mod:
        case DW_OP.mul: case DW_OP.neg: case DW_OP.not: case DW_OP.or: case DW_OP.plus: case DW_OP.shl:
        case DW_OP.shr: case DW_OP.shra: case DW_OP.xor: case DW_OP.eq: case DW_OP.ge: case DW_OP.gt:
        case DW_OP.le: case DW_OP.lt: case DW_OP.ne: case DW_OP.nop: case DW_OP.push_object_address:
        case DW_OP.form_tls_address: case DW_OP.GNU_push_tls_address: case DW_OP.call_frame_cfa:
        case DW_OP.stack_value: case DW_OP.GNU_uninit:
          break;
        default:
          throw new DwarfError(`DWARF expression: unknown opcode 0x${code.toString(16)} at ${offset}`);
      }
    }
    ops.push({ offset, end: r.pos, code, operands, block });
  }
  return ops;
}

function hex(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16);
}

/** `0x…` except for zero, which binutils prints bare. */
function prefixedHex(v: bigint): string {
  return v === 0n ? '0' : `0x${hex(v)}`;
}

function withReg(reg: bigint): string {
  return `${reg} (${dwarfRegName(Number(reg))})`;
}

/**
 * A readable listing in the style of binutils' readelf (`DW_OP_breg8 (s0): -20; DW_OP_deref`),
 * which is what users of GNU tools expect to see. `unitOffset` turns the unit-relative DIE
 * operands (const_type, convert, call2/4) into absolute offsets as readelf prints them.
 */
export function formatExpression(bytes: Uint8Array, enc: ExprEncoding = DEFAULT_ENCODING, unitOffset = 0): string {
  const ref = (v: bigint): string => `<0x${(BigInt(unitOffset) + v).toString(16)}>`;
  return decodeExpression(bytes, enc).map((op) => {
    const name = opName(op.code);
    const [a, b] = op.operands;
    if (op.code >= DW_OP.reg0 && op.code <= DW_OP.reg31) return `${name} (${dwarfRegName(op.code - DW_OP.reg0)})`;
    if (op.code >= DW_OP.breg0 && op.code <= DW_OP.breg31) return `${name} (${dwarfRegName(op.code - DW_OP.breg0)}): ${a}`;
    switch (op.code) {
      case DW_OP.addr: return `${name}: ${hex(a)}`;
      case DW_OP.regx: return `${name}: ${withReg(a)}`;
      case DW_OP.bregx: return `${name}: ${withReg(a)} ${b}`;
      case DW_OP.bit_piece: return `${name}: size: ${a} offset: ${b} `;
      case DW_OP.call2: case DW_OP.call4: case DW_OP.GNU_parameter_ref: return `${name}: ${ref(a)}`;
      case DW_OP.call_ref: case DW_OP.GNU_variable_value: return `${name}: <0x${hex(a)}>`;
      case DW_OP.implicit_pointer: case DW_OP.GNU_implicit_pointer: return `${name}: <0x${hex(a)}> ${b}`;
      case DW_OP.entry_value: case DW_OP.GNU_entry_value:
        return `${name}: (${formatExpression(op.block as Uint8Array, enc, unitOffset)})`;
      case DW_OP.implicit_value: case DW_OP.const_type: case DW_OP.GNU_const_type: {
        const block = op.block as Uint8Array;
        const typed = op.code === DW_OP.implicit_value ? '' : ` ${ref(a)}`;
        return `${name}:${typed} ${block.length} byte block: ${[...block].map((x) => x.toString(16)).join(' ')} `;
      }
      case DW_OP.regval_type: case DW_OP.GNU_regval_type: return `${name}: ${withReg(a)} ${ref(b)}`;
      case DW_OP.deref_type: case DW_OP.GNU_deref_type: case DW_OP.xderef_type: return `${name}: ${a} ${ref(b)}`;
      case DW_OP.convert: case DW_OP.GNU_convert: case DW_OP.reinterpret: case DW_OP.GNU_reinterpret:
        return `${name} ${a === 0n ? '<0>' : ref(a)}`;
      case DW_OP.addrx: case DW_OP.constx: case DW_OP.GNU_addr_index: case DW_OP.GNU_const_index:
        return `${name} <${prefixedHex(a)}>`;
      default:
        return op.operands.length > 0 ? `${name}: ${op.operands.join(' ')}` : name;
    }
  }).join('; ');
}
