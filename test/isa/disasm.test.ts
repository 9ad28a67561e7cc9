import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { csrName, PrivSpec } from '../../src/isa/csr';
import { decode } from '../../src/isa/decode';
import { disassemble, DisasmContext } from '../../src/isa/disasm';
import { encode } from '../../src/isa/encode';
import { emptyInst, Op } from '../../src/isa/ops';
import { FIXTURES, formatMismatches, Line, replay, symbolsFrom } from './objdump';

/** Disassembles one word at `pc` (default 0x10000) with an optional context and symbols. */
function dis(word: number, pc = 0x10000, ctx?: DisasmContext, syms: Record<string, string> = {}): string {
  const inst = emptyInst();
  decode(word, inst);
  return disassemble(inst, pc, word, (_, a) => syms[a.toString(16)], ctx);
}

describe('isa/disasm: objdump spellings', () => {
  it('uses objdump 2.40 names for the immediate forms and the aliases', () => {
    assert.equal(dis(encode(Op.ADDI, { rd: 2, rs1: 2, imm: -32 })), 'add\tsp,sp,-32');
    assert.equal(dis(encode(Op.ADDI, { rd: 10, rs1: 0, imm: 7 })), 'li\ta0,7');
    assert.equal(dis(encode(Op.ADDI, { rd: 10, rs1: 11 })), 'mv\ta0,a1');
    assert.equal(dis(encode(Op.ADDI, {})), 'nop');
    assert.equal(dis(encode(Op.ANDI, { rd: 10, rs1: 10, imm: 255 })), 'zext.b\ta0,a0');
    assert.equal(dis(encode(Op.XORI, { rd: 10, rs1: 10, imm: -1 })), 'not\ta0,a0');
    assert.equal(dis(encode(Op.SLLI, { rd: 10, rs1: 10, imm: 3 })), 'sll\ta0,a0,0x3');
    assert.equal(dis(encode(Op.ADDIW, { rd: 15, rs1: 15 })), 'sext.w\ta5,a5');
    assert.equal(dis(encode(Op.SUBW, { rd: 10, rs2: 11 })), 'negw\ta0,a1');
    assert.equal(dis(encode(Op.SLT, { rd: 10, rs2: 11 })), 'sgtz\ta0,a1');
    assert.equal(dis(encode(Op.SLTU, { rd: 10, rs2: 11 })), 'snez\ta0,a1');
    assert.equal(dis(encode(Op.LUI, { rd: 10, imm: -4096 })), 'lui\ta0,0xfffff');
  });

  it('prints jumps and branches with their targets and symbols', () => {
    const syms = { '1043c': 'main+0x1c' };
    assert.equal(dis(encode(Op.JAL, { rd: 1, imm: 0x43c }), 0x10000, undefined, syms), 'jal\t1043c <main+0x1c>');
    assert.equal(dis(encode(Op.JAL, { rd: 0, imm: -8 })), 'j\tfff8');
    assert.equal(dis(encode(Op.JAL, { rd: 5, imm: 8 })), 'jal\tt0,10008');
    assert.equal(dis(encode(Op.BGE, { rs1: 0, rs2: 12, imm: 16 })), 'blez\ta2,10010');
    assert.equal(dis(encode(Op.BLTU, { rs1: 10, rs2: 11, imm: -2 })), 'bltu\ta0,a1,fffe');
    assert.equal(dis(encode(Op.JALR, { rs1: 1 })), 'ret');
    assert.equal(dis(encode(Op.JALR, { rs1: 15 })), 'jr\ta5');
    assert.equal(dis(encode(Op.JALR, { rd: 1, rs1: 15, imm: 8 })), 'jalr\t8(a5)');
    assert.equal(dis(encode(Op.JALR, { rd: 5, rs1: 15 })), 'jalr\tt0,a5');
  });

  it('prints rounding modes only when they are static, and aq/rl suffixes', () => {
    assert.equal(dis(encode(Op.FADD_D, { rd: 10, rs1: 11, rs2: 12, rm: 7 })), 'fadd.d\tfa0,fa1,fa2');
    assert.equal(dis(encode(Op.FCVT_W_D, { rd: 10, rs1: 10, rm: 1 })), 'fcvt.w.d\ta0,fa0,rtz');
    assert.equal(dis(encode(Op.FADD_S, { rm: 5 })), 'fadd.s\tft0,ft0,ft0,unknown');
    assert.equal(dis(encode(Op.FCVT_D_W, { rd: 10, rs1: 10, rm: 0 })), 'fcvt.d.w\tfa0,a0');
    assert.equal(dis(encode(Op.FCVT_D_W, { rd: 10, rs1: 10, rm: 1 })), '.4byte\t0xd2051553');
    assert.equal(dis(encode(Op.FSGNJX_D, { rd: 1, rs1: 2, rs2: 2 })), 'fabs.d\tft1,ft2');
    assert.equal(dis(encode(Op.SC_W, { rd: 13, rs1: 8, rs2: 14, rm: 2 })), 'sc.w.aq\ta3,a4,(s0)');
    assert.equal(dis(encode(Op.AMOMAXU_D, { rd: 5, rs1: 7, rs2: 6, rm: 3 })), 'amomaxu.d.aqrl\tt0,t1,(t2)');
  });

  it('prints CSR instructions with names and the floating-point CSR aliases', () => {
    assert.equal(dis(encode(Op.CSRRS, { rd: 10, imm: 1 })), 'frflags\ta0');
    assert.equal(dis(encode(Op.CSRRW, { rs1: 10, imm: 2 })), 'fsrm\ta0');
    assert.equal(dis(encode(Op.CSRRW, { rd: 11, rs1: 10, imm: 3 })), 'fscsr\ta1,a0');
    assert.equal(dis(encode(Op.CSRRS, { rd: 10, imm: 0xc01 })), 'rdtime\ta0');
    assert.equal(dis(encode(Op.CSRRS, { rd: 10, imm: 0x100 })), 'csrr\ta0,sstatus');
    assert.equal(dis(encode(Op.CSRRSI, { rs1: 4, imm: 0x300 })), 'csrs\tmstatus,4');
    assert.equal(dis(encode(Op.CSRRCI, { rd: 1, rs1: 4, imm: 0x7c0 })), 'csrrc\tra,0x7c0,4');
    assert.equal(dis(0xc0001073), 'unimp');
  });

  it('names CSRs by privileged-spec version', () => {
    const cases: [number, PrivSpec, string][] = [
      [0x180, '1.9.1', 'sptbr'], [0x180, '1.10', 'satp'], [0x000, '1.11', 'ustatus'], [0x000, '1.12', '0x0'],
      [0x320, '1.10', '0x320'], [0x320, '1.11', 'mcountinhibit'], [0x3a4, '1.11', '0x3a4'], [0x3a4, '1.12', 'pmpcfg4'],
    ];
    for (const [n, v, want] of cases) assert.equal(csrName(n, v), want, `0x${n.toString(16)} in ${v}`);
    assert.equal(csrName(0xc00), 'cycle');
    const ctx = new DisasmContext({ privSpec: '1.12' });
    assert.equal(dis(encode(Op.CSRRS, { rd: 10, imm: 0 }), 0, ctx), 'csrr\ta0,0x0');
  });

  it('prints fences, hints and privileged and unknown encodings as objdump does', () => {
    assert.equal(dis(0x0ff0000f), 'fence');
    assert.equal(dis(0x8330000f), 'fence.tso');
    assert.equal(dis(0x0310000f), 'fence\trw,w');
    assert.equal(dis(0x0100000f), 'fence\tw,unknown');
    assert.equal(dis(0x0005000f), '.4byte\t0x5000f');
    assert.equal(dis(0x10500073), 'wfi');
    assert.equal(dis(0x12b50073), 'sfence.vma\ta0,a1');
    assert.equal(dis(0xffffffff), '.4byte\t0xffffffff');
    assert.equal(dis(0x0000), 'unimp');
    assert.equal(dis(0x8002), '.2byte\t0x8002');
  });

  it('prints compressed instructions the way objdump does', () => {
    assert.equal(dis(0x7131), 'add\tsp,sp,-192'); // c.addi16sp
    assert.equal(dis(0x0501), 'add\ta0,a0,0'); // c.addi a0,0 (a hint)
    assert.equal(dis(0x84a2), 'mv\ts1,s0'); // c.mv
    assert.equal(dis(0x0005), 'c.nop\t1');
    assert.equal(dis(0x0082), 'c.slli64\tra');
    assert.equal(dis(0x4015), 'c.li\tzero,5');
    assert.equal(dis(0x802a), 'c.mv\tzero,a0');
    assert.equal(dis(0x8082), 'ret');
    assert.equal(dis(0x2501), 'sext.w\ta0,a0'); // c.addiw a0,0
    assert.equal(dis(0x6101), 'add\tsp,sp,0'); // reserved, yet decoded by objdump
  });

  it('comments addresses built by lui/auipc, and gp-, tp- and x0-relative ones', () => {
    const ctx = new DisasmContext({ gp: 0x77bc0n });
    const syms = { '76fe0': '_GLOBAL_OFFSET_TABLE_+0x60', '77d98': 'lock' };
    assert.equal(dis(0x00067717, 0x10442, ctx), 'auipc\ta4,0x67');
    assert.equal(dis(0xb9e73703, 0x10446, ctx, syms), 'ld\ta4,-1122(a4) # 76fe0 <_GLOBAL_OFFSET_TABLE_+0x60>');
    // The remembered value is used once.
    assert.equal(dis(0xb9e73703, 0x1044a, ctx, syms), 'ld\ta4,-1122(a4)');
    assert.equal(dis(0x1d818413, 0x1043c, ctx, syms), 'add\ts0,gp,472 # 77d98 <lock>');
    assert.equal(dis(0x8a020913, 0x10456, ctx), 'add\ts2,tp,-1888 # fffffffffffff8a0');
    // addiw sign-extends the 32-bit sum.
    assert.equal(dis(encode(Op.LUI, { rd: 13, imm: 0x80000000 }), 0, ctx), 'lui\ta3,0x80000');
    assert.equal(dis(encode(Op.ADDIW, { rd: 13, rs1: 13, imm: -1 }), 0, ctx), 'addw\ta3,a3,-1 # 7fffffff');
    // Without a context every call starts clean: no lui is remembered.
    dis(encode(Op.LUI, { rd: 13, imm: 0x1000 }));
    assert.equal(dis(encode(Op.LD, { rd: 10, rs1: 13, imm: 8 })), 'ld\ta0,8(a3)');
  });
});

/** The committed sample (scripts/isa-fixture.ts): objdump's text for ~4000 instructions. */
function readSample(): { title: string; gp?: bigint; priv: PrivSpec; lines: Line[] }[] {
  const listings: { title: string; gp?: bigint; priv: PrivSpec; lines: Line[] }[] = [];
  const text = fs.readFileSync(path.join(FIXTURES, 'objdump-sample.txt'), 'utf8');
  for (const row of text.split('\n')) {
    if (row === '' || row.startsWith('#')) continue;
    const head = /^@listing (\S+) gp=(\S+) priv=(\S+)$/.exec(row);
    if (head !== null) {
      listings.push({ title: head[1], gp: head[2] === '-' ? undefined : BigInt(`0x${head[2]}`), priv: head[3] as PrivSpec, lines: [] });
      continue;
    }
    const [pc, raw, ...rest] = row.split('\t');
    listings[listings.length - 1].lines.push({ pc: parseInt(pc, 16), word: parseInt(raw, 16), len: raw.length === 4 ? 2 : 4, text: rest.join('\t') });
  }
  return listings;
}

describe('isa/disasm: the committed objdump sample', () => {
  it('reproduces every line of objdump\'s text', () => {
    const listings = readSample();
    let n = 0;
    for (const l of listings) {
      const bad = replay(l.lines, symbolsFrom(l.lines), l.gp, l.priv);
      assert.equal(bad.length, 0, `${l.title}: ${bad.length} lines differ\n${formatMismatches(bad)}`);
      n += l.lines.length;
    }
    assert.ok(n > 3000, `the sample has only ${n} lines`);
  });
});
