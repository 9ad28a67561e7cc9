/**
 * The integer test vectors, shared by the generator (make-int-vectors.ts, which runs them
 * under qemu) and the test that replays them on the Hart (int-vectors.test.ts): both walk
 * `forEachVector`, so the i-th result of the JSON belongs to the i-th vector.
 */

/** Operands chosen for carries, sign boundaries of both halves, and division corner cases. */
export const OPERANDS: readonly bigint[] = [
  0n, 1n, 2n, 3n, 7n, 0xffffffffffffffffn, 0xfffffffffffffffen, 0xfffffffffffffff9n,
  0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0xffffffff80000000n,
  0x7fffffffffffffffn, 0x8000000000000000n, 0x123456789abcdef0n, 0xfedcba9876543211n,
  0x20000000000001n, 0x5555555555555555n, 0x1fffffffffffffn, 0xdeadbeefn,
];

/** rd = op(rs1, rs2) for every ordered pair of operands. */
export const REG_OPS: readonly string[] = [
  'add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and',
  'addw', 'subw', 'sllw', 'srlw', 'sraw',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu',
  'mulw', 'divw', 'divuw', 'remw', 'remuw',
];

const IMM12 = [0, 1, -1, 5, 2047, -2048, 0x555, -0x556];
/** rd = op(rs1, imm) for every operand and each immediate. */
export const IMM_OPS: readonly (readonly [string, readonly number[]])[] = [
  ['addi', IMM12], ['slti', IMM12], ['sltiu', IMM12], ['xori', IMM12], ['ori', IMM12], ['andi', IMM12],
  ['addiw', IMM12],
  ['slli', [0, 1, 12, 31, 32, 33, 63]], ['srli', [0, 1, 12, 31, 32, 33, 63]], ['srai', [0, 1, 12, 31, 32, 33, 63]],
  ['slliw', [0, 1, 15, 31]], ['srliw', [0, 1, 15, 31]], ['sraiw', [0, 1, 15, 31]],
];

/** memory = a, then `op rd, b, (mem)`: the results are rd and the new memory contents. */
export const AMO_OPS: readonly string[] = [
  'amoswap.w', 'amoadd.w', 'amoxor.w', 'amoand.w', 'amoor.w', 'amomin.w', 'amomax.w', 'amominu.w', 'amomaxu.w',
  'amoswap.d', 'amoadd.d', 'amoxor.d', 'amoand.d', 'amoor.d', 'amomin.d', 'amomax.d', 'amominu.d', 'amomaxu.d',
];

export type Vector =
  | { kind: 'reg'; op: string; a: bigint; b: bigint }
  | { kind: 'imm'; op: string; a: bigint; imm: number }
  | { kind: 'amo'; op: string; a: bigint; b: bigint };

/** Every vector, in the order of the results. A 'reg' or 'imm' vector has one result, an 'amo' two. */
export function forEachVector(visit: (v: Vector) => void): void {
  for (const op of REG_OPS) for (const a of OPERANDS) for (const b of OPERANDS) visit({ kind: 'reg', op, a, b });
  for (const [op, imms] of IMM_OPS) for (const a of OPERANDS) for (const imm of imms) visit({ kind: 'imm', op, a, imm });
  for (const op of AMO_OPS) for (const a of OPERANDS) for (const b of OPERANDS) visit({ kind: 'amo', op, a, b });
}
