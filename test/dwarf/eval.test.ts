import { strict as assert } from 'node:assert';
import { DW_OP, DwarfError, evaluateLocation, evaluateValue, formatExpression } from '../../src/dwarf';
import type { EvalContext, Location } from '../../src/dwarf';

/** Encodes unsigned LEB128. */
function uleb(v: number | bigint): number[] {
  let x = BigInt(v);
  const out: number[] = [];
  do {
    let byte = Number(x & 0x7fn);
    x >>= 7n;
    if (x !== 0n) byte |= 0x80;
    out.push(byte);
  } while (x !== 0n);
  return out;
}

/** Encodes signed LEB128. */
function sleb(v: number | bigint): number[] {
  let x = BigInt(v);
  const out: number[] = [];
  for (;;) {
    const byte = Number(x & 0x7fn);
    x >>= 7n;
    const done = (x === 0n && (byte & 0x40) === 0) || (x === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function le(v: bigint, size: number): number[] {
  return Array.from({ length: size }, (_, i) => Number((BigInt.asUintN(64, v) >> BigInt(8 * i)) & 0xffn));
}

const expr = (...parts: (number | number[])[]): Uint8Array => new Uint8Array(parts.flat());

/** A frame with a few registers and a small memory image at 0x1000. */
function context(extra: Partial<EvalContext> = {}): EvalContext {
  const regs = new Map<number, bigint>([[2, 0x1000n], [8, 0x1010n], [10, 42n], [11, 0xffffffffffffffffn]]);
  const memory = new Uint8Array(0x40);
  memory.set(le(0x1122334455667788n, 8), 0);
  memory.set(le(0x1020n, 8), 0x10);
  return {
    readRegister: (r) => regs.get(r),
    readMemory: (address, size) => {
      const at = Number(address) - 0x1000;
      return at >= 0 && at + size <= memory.length ? memory.subarray(at, at + size) : undefined;
    },
    frameBase: () => 0x1010n,
    callFrameCfa: () => 0x1030n,
    ...extra,
  };
}

function value(bytes: Uint8Array, ctx = context()): bigint | undefined {
  return evaluateValue(bytes, ctx);
}

describe('dwarf: expression evaluator', function () {
  it('pushes literals and constants of every width, wrapping to 64 bits', function () {
    assert.equal(value(expr(DW_OP.lit0 + 31, DW_OP.stack_value)), 31n);
    assert.equal(value(expr(DW_OP.const1s, 0xff, DW_OP.stack_value)), 0xffffffffffffffffn);
    assert.equal(value(expr(DW_OP.const2u, le(0xbeefn, 2), DW_OP.stack_value)), 0xbeefn);
    assert.equal(value(expr(DW_OP.const4s, le(-2n, 4), DW_OP.stack_value)), 0xfffffffffffffffen);
    assert.equal(value(expr(DW_OP.const8u, le(0x8000000000000001n, 8), DW_OP.stack_value)), 0x8000000000000001n);
    assert.equal(value(expr(DW_OP.constu, uleb(1n << 63n), DW_OP.stack_value)), 1n << 63n);
    assert.equal(value(expr(DW_OP.consts, sleb(-5), DW_OP.stack_value)), BigInt.asUintN(64, -5n));
    assert.equal(value(expr(DW_OP.addr, le(0x10552n, 8))), 0x10552n, 'an address is a memory location');
  });

  it('does arithmetic and logic with DWARF semantics', function () {
    const bin = (a: number, b: number, op: number): bigint | undefined => value(expr(DW_OP.consts, sleb(a), DW_OP.consts, sleb(b), op, DW_OP.stack_value));
    const s = (v: bigint | undefined): bigint => BigInt.asIntN(64, v as bigint);
    assert.equal(s(bin(-7, 2, DW_OP.div)), -3n, 'div is signed');
    assert.equal(bin(7, 3, DW_OP.mod), 1n);
    assert.equal(s(bin(3, 5, DW_OP.minus)), -2n);
    assert.equal(bin(6, 7, DW_OP.mul), 42n);
    assert.equal(bin(0b1100, 0b1010, DW_OP.and), 0b1000n);
    assert.equal(bin(0b1100, 0b1010, DW_OP.or), 0b1110n);
    assert.equal(bin(0b1100, 0b1010, DW_OP.xor), 0b0110n);
    assert.equal(bin(-8, 1, DW_OP.shr), 0x7ffffffffffffffcn, 'shr is logical');
    assert.equal(s(bin(-8, 1, DW_OP.shra)), -4n, 'shra is arithmetic');
    assert.equal(bin(1, 63, DW_OP.shl), 1n << 63n);
    assert.equal(bin(-1, 0, DW_OP.lt), 1n, 'comparisons are signed');
    assert.equal(bin(2, 2, DW_OP.ge), 1n);
    assert.equal(bin(2, 3, DW_OP.eq), 0n);
    assert.equal(bin(2, 3, DW_OP.ne), 1n);
    assert.equal(value(expr(DW_OP.consts, sleb(-9), DW_OP.abs, DW_OP.stack_value)), 9n);
    assert.equal(s(value(expr((DW_OP.lit0 + 5), DW_OP.neg, DW_OP.stack_value))), -5n);
    assert.equal(value(expr(DW_OP.lit0, DW_OP.not, DW_OP.stack_value)), 0xffffffffffffffffn);
    assert.equal(value(expr((DW_OP.lit0 + 1), DW_OP.plus_uconst, uleb(0x1000), DW_OP.stack_value)), 0x1001n);
    assert.equal(value(expr(DW_OP.consts, sleb(-1), (DW_OP.lit0 + 1), DW_OP.plus, DW_OP.stack_value)), 0n, 'wraps modulo 2^64');
  });

  it('manipulates the stack: dup, drop, over, pick, swap, rot', function () {
    assert.equal(value(expr((DW_OP.lit0 + 1), (DW_OP.lit0 + 2), DW_OP.over, DW_OP.stack_value)), 1n);
    assert.equal(value(expr((DW_OP.lit0 + 1), (DW_OP.lit0 + 2), (DW_OP.lit0 + 3), DW_OP.pick, 2, DW_OP.stack_value)), 1n);
    assert.equal(value(expr((DW_OP.lit0 + 1), (DW_OP.lit0 + 2), DW_OP.swap, DW_OP.stack_value)), 1n);
    assert.equal(value(expr((DW_OP.lit0 + 1), (DW_OP.lit0 + 2), DW_OP.drop, DW_OP.dup, DW_OP.plus, DW_OP.stack_value)), 2n);
    // rot: [1 2 3] → [3 1 2]
    assert.equal(value(expr((DW_OP.lit0 + 1), (DW_OP.lit0 + 2), (DW_OP.lit0 + 3), DW_OP.rot, DW_OP.stack_value)), 2n);
    assert.equal(value(expr((DW_OP.lit0 + 1), (DW_OP.lit0 + 2), (DW_OP.lit0 + 3), DW_OP.rot, DW_OP.drop, DW_OP.stack_value)), 1n);
    assert.equal(value(expr((DW_OP.lit0 + 1), (DW_OP.lit0 + 2), (DW_OP.lit0 + 3), DW_OP.rot, DW_OP.drop, DW_OP.drop, DW_OP.stack_value)), 3n);
  });

  it('branches: a loop summing 1..10 with bra and skip', function () {
    // acc n: while (n) { acc += n; n-- }
    const body = expr(
      DW_OP.lit0, (DW_OP.lit0 + 10), // acc n
      /* 2 */ DW_OP.dup, DW_OP.bra, le(3n, 2), // if n goto 9
      /* 6 */ DW_OP.skip, le(9n, 2), // goto 18
      /* 9 */ DW_OP.dup, DW_OP.rot, DW_OP.plus, DW_OP.swap, (DW_OP.lit0 + 1), DW_OP.minus, // acc+n n-1
      /* 15 */ DW_OP.skip, le(-16n, 2), // back to 2
      /* 18 */ DW_OP.drop, DW_OP.stack_value,
    );
    assert.equal(body.length, 20);
    assert.equal(value(body), 55n);
  });

  it('reads registers, memory, frame base and CFA', function () {
    assert.deepEqual(evaluateLocation(expr(DW_OP.breg0 + 2, sleb(16)), context()), { kind: 'memory', address: 0x1010n });
    assert.equal(value(expr(DW_OP.bregx, uleb(8), sleb(-16), DW_OP.deref, DW_OP.stack_value)), 0x1122334455667788n);
    assert.equal(value(expr(DW_OP.fbreg, sleb(-16), DW_OP.deref_size, 2, DW_OP.stack_value)), 0x7788n);
    assert.equal(value(expr(DW_OP.call_frame_cfa)), 0x1030n);
    assert.equal(value(expr(DW_OP.fbreg, sleb(0), DW_OP.deref, DW_OP.deref_size, 1, DW_OP.stack_value)), 0n, 'double dereference');
    assert.deepEqual(evaluateLocation(expr(DW_OP.reg0 + 10), context()), { kind: 'register', reg: 10 });
    assert.deepEqual(evaluateLocation(expr(DW_OP.regx, uleb(42)), context()), { kind: 'register', reg: 42 });
    assert.equal(evaluateValue(expr(DW_OP.reg0 + 10), context()), 42n, 'a register location as a value is its contents');
  });

  it('builds implicit values and composite locations', function () {
    assert.deepEqual(evaluateLocation(expr(DW_OP.implicit_value, uleb(3), 1, 2, 3), context()), { kind: 'implicit', bytes: new Uint8Array([1, 2, 3]) });
    const loc = evaluateLocation(expr(
      DW_OP.reg0 + 10, DW_OP.piece, uleb(4),
      DW_OP.piece, uleb(2),
      DW_OP.breg0 + 2, sleb(0), DW_OP.piece, uleb(2),
      (DW_OP.lit0 + 7), DW_OP.stack_value, DW_OP.bit_piece, uleb(3), uleb(1),
    ), context());
    assert.deepEqual(loc, {
      kind: 'composite', pieces: [
        { sizeBits: 32, offsetBits: 0, location: { kind: 'register', reg: 10 } },
        { sizeBits: 16, offsetBits: 0, location: { kind: 'unavailable', reason: 'optimized out' } },
        { sizeBits: 16, offsetBits: 0, location: { kind: 'memory', address: 0x1000n } },
        { sizeBits: 3, offsetBits: 1, location: { kind: 'value', value: 7n } },
      ],
    } satisfies Location);
  });

  it('asks for entry values, and reports them unavailable when nobody knows', function () {
    const e = expr(DW_OP.entry_value, uleb(1), DW_OP.reg0 + 10, (DW_OP.lit0 + 1), DW_OP.plus, DW_OP.stack_value);
    assert.equal(value(e, context({ entryValue: (inner) => (inner[0] === DW_OP.reg0 + 10 ? 99n : undefined) })), 100n);
    assert.deepEqual(evaluateLocation(e, context()), { kind: 'unavailable', reason: 'the value at function entry is not known' });
    assert.equal(formatExpression(e), 'DW_OP_entry_value: (DW_OP_reg10 (a0)); DW_OP_lit1; DW_OP_plus; DW_OP_stack_value');
  });

  it('reports unknown registers, unreadable memory and empty expressions as unavailable', function () {
    assert.equal(evaluateLocation(expr(DW_OP.breg0 + 5, sleb(0)), context()).kind, 'unavailable');
    assert.equal(evaluateLocation(expr(DW_OP.lit0, DW_OP.deref), context()).kind, 'unavailable');
    assert.deepEqual(evaluateLocation(new Uint8Array(0), context()), { kind: 'unavailable', reason: 'optimized out' });
    assert.equal(evaluateLocation(expr(DW_OP.fbreg, sleb(0)), context({ frameBase: undefined })).kind, 'unavailable');
  });

  it('throws DwarfError on malformed expressions and never loops forever', function () {
    const bad: [string, Uint8Array][] = [
      ['unknown opcode', expr(0x01)],
      ['truncated operand', expr(DW_OP.const4u, 1, 2)],
      ['stack underflow', expr(DW_OP.plus)],
      ['division by zero', expr((DW_OP.lit0 + 1), DW_OP.lit0, DW_OP.div)],
      ['infinite loop', expr(DW_OP.skip, le(-3n, 2))],
      ['branch into an operand', expr(DW_OP.skip, le(1n, 2), DW_OP.const1u, 0, DW_OP.stack_value)],
      ['operation after a register location', expr(DW_OP.reg0 + 1, (DW_OP.lit0 + 1))],
      ['typed operation without its unit', expr(DW_OP.convert, uleb(0x30))],
      ['pick below the stack', expr((DW_OP.lit0 + 1), DW_OP.pick, 5)],
    ];
    for (const [what, e] of bad) assert.throws(() => evaluateLocation(e, context()), DwarfError, what);
  });
});
