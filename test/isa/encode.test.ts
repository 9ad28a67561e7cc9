import { strict as assert } from 'assert';
import { decode } from '../../src/isa/decode';
import { encode, Fields } from '../../src/isa/encode';
import { emptyInst, Op } from '../../src/isa/ops';
import { Fmt, INSTRS } from '../../src/isa/table';

/** A small deterministic generator (xorshift32) so failures reproduce. */
function rng(seed: number): (n: number) => number {
  let s = seed | 0 || 1;
  return (n: number): number => {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    return (s >>> 0) % n;
  };
}

/** Random fields that are valid for a format, with every field the format does not use at 0. */
function randomFields(fmt: Fmt, rnd: (n: number) => number): Required<Fields> {
  const f = { rd: 0, rs1: 0, rs2: 0, rs3: 0, rm: 0, imm: 0 };
  const reg = (): number => rnd(32);
  const signed = (bits: number): number => rnd(2 ** bits) - 2 ** (bits - 1);
  switch (fmt) {
    case Fmt.R: f.rd = reg(); f.rs1 = reg(); f.rs2 = reg(); break;
    case Fmt.RM: f.rd = reg(); f.rs1 = reg(); f.rs2 = reg(); f.rm = rnd(8); break;
    case Fmt.R2: f.rd = reg(); f.rs1 = reg(); break;
    case Fmt.R2M: f.rd = reg(); f.rs1 = reg(); f.rm = rnd(8); break;
    case Fmt.R4: f.rd = reg(); f.rs1 = reg(); f.rs2 = reg(); f.rs3 = reg(); f.rm = rnd(8); break;
    case Fmt.AMO: f.rd = reg(); f.rs1 = reg(); f.rs2 = reg(); f.rm = rnd(4); break;
    case Fmt.LR: f.rd = reg(); f.rs1 = reg(); f.rm = rnd(4); break;
    case Fmt.I: f.rd = reg(); f.rs1 = reg(); f.imm = signed(12); break;
    case Fmt.SH6: f.rd = reg(); f.rs1 = reg(); f.imm = rnd(64); break;
    case Fmt.SH5: f.rd = reg(); f.rs1 = reg(); f.imm = rnd(32); break;
    case Fmt.S: f.rs1 = reg(); f.rs2 = reg(); f.imm = signed(12); break;
    case Fmt.B: f.rs1 = reg(); f.rs2 = reg(); f.imm = signed(12) * 2; break;
    case Fmt.U: f.rd = reg(); f.imm = signed(20) * 4096; break;
    case Fmt.J: f.rd = reg(); f.imm = signed(20) * 2; break;
    case Fmt.CSR: case Fmt.FENCE: f.rd = reg(); f.rs1 = reg(); f.imm = rnd(4096); break;
    case Fmt.NONE: break;
  }
  return f;
}

describe('isa/encode', () => {
  it('round-trips random fields of every operation through decode', function () {
    this.timeout(30000);
    const rnd = rng(0x5eed);
    const inst = emptyInst();
    let n = 0;
    for (const d of INSTRS) {
      for (let k = 0; k < 200; k++) {
        const fields = randomFields(d.fmt, rnd);
        const word = encode(d.op, fields);
        decode(word, inst);
        const same = inst.op === d.op && inst.len === 4 && inst.rd === fields.rd && inst.rs1 === fields.rs1 &&
          inst.rs2 === fields.rs2 && inst.rs3 === fields.rs3 && inst.rm === fields.rm && inst.imm === fields.imm;
        // Build the readable comparison only for a failure: deepEqual on every word is slow.
        if (!same) {
          assert.deepEqual({ ...inst, op: Op[inst.op] }, { op: Op[d.op], ...fields, len: 4 }, `${d.name} word 0x${word.toString(16)}`);
        }
        n++;
      }
    }
    assert.equal(n, INSTRS.length * 200);
  });

  it('produces the words GNU as produces', () => {
    assert.equal(encode(Op.ADDI, { rd: 10, rs1: 11, imm: -2048 }), 0x80058513);
    assert.equal(encode(Op.SD, { rs1: 2, rs2: 1, imm: -8 }), 0xfe113c23);
    assert.equal(encode(Op.BGEU, { rs1: 27, rs2: 31, imm: 4094 }), 0x7ffdffe3);
    assert.equal(encode(Op.JAL, { rd: 1, imm: 0x7fffe }), 0x7ff7f0ef);
    assert.equal(encode(Op.LUI, { rd: 10, imm: 0x80000000 }), 0x80000537);
    assert.equal(encode(Op.LUI, { rd: 10, imm: -0x80000000 }), 0x80000537);
    assert.equal(encode(Op.SRAI, { rd: 5, rs1: 6, imm: 33 }), 0x42135293);
    assert.equal(encode(Op.LR_D, { rd: 10, rs1: 11, rm: 3 }), 0x1605b52f);
    assert.equal(encode(Op.FMADD_D, { rd: 10, rs1: 11, rs2: 12, rs3: 13, rm: 4 }), 0x6ac5c543);
    assert.equal(encode(Op.CSRRCI, { rd: 10, rs1: 31, imm: 0xfff }), 0xfffff573);
    assert.equal(encode(Op.FENCE, { imm: 0x833 }), 0x8330000f);
    assert.equal(encode(Op.ECALL), 0x00000073);
  });

  it('refuses fields that do not fit', () => {
    assert.throws(() => encode(Op.ADDI, { rd: 32 }), /rd = 32/);
    assert.throws(() => encode(Op.ADDI, { imm: 2048 }), /imm = 2048/);
    assert.throws(() => encode(Op.SLLI, { imm: 64 }), /imm = 64/);
    assert.throws(() => encode(Op.SLLIW, { imm: 32 }), /imm = 32/);
    assert.throws(() => encode(Op.BEQ, { imm: 3 }), /odd/);
    assert.throws(() => encode(Op.BEQ, { imm: 4096 }), /imm = 4096/);
    assert.throws(() => encode(Op.JAL, { imm: -0x100002 }), /imm/);
    assert.throws(() => encode(Op.LUI, { imm: 0x1234 }), /low 12 bits/);
    assert.throws(() => encode(Op.AMOADD_W, { rm: 4 }), /rm = 4/);
    assert.throws(() => encode(Op.FADD_D, { rm: 8 }), /rm = 8/);
    assert.throws(() => encode(Op.ILLEGAL), /no encoding/);
  });
});
