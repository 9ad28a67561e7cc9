import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import { join } from 'path';
import { Op } from '../../src/isa/ops';
import { INSTRS } from '../../src/isa/table';
import { CAUSE_USER_ECALL } from '../../src/cpu/trap';
import { asm, ECALL, Machine, RW, describeEngines } from './machine';
import { forEachVector, Vector } from './vectors/int-vector-set';

const OPERANDS_VA = 0x1000000;
const RESULTS_VA = 0x2000000;
const CELL_VA = 0x3000000;
const A0 = 10, A1 = 11, A2 = 12, A3 = 13, S1 = 9, S2 = 18, S3 = 19;

function opNamed(name: string): Op {
  const def = INSTRS.find((d) => d.name === name);
  if (def === undefined) throw new Error(`no instruction ${name}`);
  return def.op;
}

/** The value `li reg, va` needs for these addresses: one lui (they are multiples of 4096). */
const lui = (rd: number, va: number): number => asm(Op.LUI, { rd, imm: va });

describeEngines('cpu/hart: integer and AMO results match qemu-riscv64 (test/cpu/vectors)', (engine) => {
  it('replays every vector of int-vectors.json', function () {
    const expected: string[] = JSON.parse(readFileSync(join(__dirname, 'vectors/int-vectors.json'), 'utf8')).results;
    const vectors: Vector[] = [];
    forEachVector((v) => vectors.push(v));

    // The same program as the generator's, encoded by our encoder: per vector, load the
    // operands, execute the instruction, store the result(s), advance the table pointers.
    const code: number[] = [lui(S1, OPERANDS_VA), lui(S2, RESULTS_VA), lui(S3, CELL_VA)];
    const operands: bigint[] = [];
    for (const v of vectors) {
      const op = opNamed(v.op);
      code.push(asm(Op.LD, { rd: A0, rs1: S1, imm: 0 }));
      if (v.kind !== 'imm') code.push(asm(Op.LD, { rd: A1, rs1: S1, imm: 8 }));
      if (v.kind === 'reg') code.push(asm(op, { rd: A2, rs1: A0, rs2: A1 }));
      else if (v.kind === 'imm') code.push(asm(op, { rd: A2, rs1: A0, imm: v.imm }));
      else {
        code.push(asm(Op.SD, { rs1: S3, rs2: A0, imm: 0 }), asm(op, { rd: A2, rs1: S3, rs2: A1 }),
          asm(v.op.endsWith('.w') ? Op.LW : Op.LD, { rd: A3, rs1: S3, imm: 0 }));
      }
      const n = v.kind === 'amo' ? 2 : 1;
      for (let i = 0; i < n; i++) code.push(asm(Op.SD, { rs1: S2, rs2: A2 + i, imm: 8 * i }));
      const used = v.kind === 'imm' ? [v.a] : [v.a, v.b];
      code.push(asm(Op.ADDI, { rd: S1, rs1: S1, imm: 8 * used.length }), asm(Op.ADDI, { rd: S2, rs1: S2, imm: 8 * n }));
      operands.push(...used);
    }
    code.push(ECALL);

    const m = new Machine(engine, 8 << 20);
    m.load(code);
    for (let va = OPERANDS_VA; va < OPERANDS_VA + operands.length * 8; va += 4096) m.map(va, RW);
    for (let va = RESULTS_VA; va < RESULTS_VA + expected.length * 8; va += 4096) m.map(va, RW);
    m.map(CELL_VA, RW);
    const table = new Uint8Array(operands.length * 8);
    operands.forEach((v, i) => new DataView(table.buffer).setBigUint64(8 * i, v, true));
    m.write(OPERANDS_VA, table);

    assert.equal(m.run(10_000_000), CAUSE_USER_ECALL);
    assert.equal(m.hart.instret, code.length);

    const got = m.read(RESULTS_VA, expected.length * 8);
    const view = new DataView(got.buffer);
    let k = 0;
    const failures: string[] = [];
    for (const v of vectors) {
      const n = v.kind === 'amo' ? 2 : 1;
      for (let i = 0; i < n; i++, k++) {
        const value = '0x' + view.getBigUint64(8 * k, true).toString(16);
        if (value !== expected[k] && failures.length < 20) {
          const args = v.kind === 'imm' ? `0x${v.a.toString(16)}, ${v.imm}` : `0x${v.a.toString(16)}, 0x${v.b.toString(16)}`;
          failures.push(`${v.op}(${args})${n === 2 ? (i === 0 ? ' rd' : ' mem') : ''}: got ${value}, qemu ${expected[k]}`);
        }
      }
    }
    assert.equal(k, expected.length);
    assert.deepEqual(failures, []);
  });
});
