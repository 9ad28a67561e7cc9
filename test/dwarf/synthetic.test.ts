import { strict as assert } from 'node:assert';
import {
  CallFrameInfo, DW_AT, DW_ATE, DW_FORM, DW_OP, DW_TAG, DW_UT, Dwarf, DwarfError, evaluateLocation, evaluateValue,
  fdeTable, parseLineProgram, typeName, typeSize, unwindStep,
} from '../../src/dwarf';
import type { CfiRow, Die, EvalContext, LineRow, RegisterRule } from '../../src/dwarf';
import { Bytes, buildInfo, sections } from './builder';
import type { DieSpec } from './builder';

const ALL_ONES = 0xffffffffffffffffn;

function findDie(dwarf: Dwarf, name: string): Die {
  for (const unit of dwarf.info.units) for (const die of unit.dies()) if (die.name === name) return die;
  throw new Error(`no DIE named ${name}`);
}

/**
 * A DWARF 3 line program with an unusual header: instructions are 2 bytes, opcode_base 10
 * (so opcodes 10–12 are special, not prologue_end/epilogue_begin/set_isa), and it uses every
 * other standard and extended opcode.
 */
function oldLineProgram(): Uint8Array {
  const b = new Bytes();
  b.u32(0).u16(3);
  const headerLengthAt = b.length;
  b.u32(0);
  const headerStart = b.length;
  b.u8(2, 1).u8(-3 & 0xff).u8(12, 10).u8(0, 1, 1, 1, 1, 0, 0, 0, 1);
  b.cstr('inc').u8(0);
  b.cstr('old.c').uleb(0).uleb(0).uleb(0).cstr('inc.h').uleb(1).uleb(0).uleb(0).u8(0);
  b.patch(headerLengthAt, b.length - headerStart, 4);
  b.u8(0, 9, 2).u64(0x1000); // set_address
  b.u8(3).sleb(9).u8(1); // advance_line +9, copy: 0x1000 line 10
  b.u8(5).uleb(5); // column 5
  b.u8((1 + 3) + 12 * 2 + 10); // special: +2 ops (4 bytes), +1 line: 0x1004 line 11
  b.u8(10); // special (opcode_base is 10): +0, -3 lines: 0x1004 line 8
  b.u8(6); // negate_stmt
  b.u8(2).uleb(3); // advance_pc 3 ops = 6 bytes: 0x100a
  b.u8(4).uleb(2).u8(1); // file 2 (inc.h), copy
  b.u8(8); // const_add_pc: (255-10)/12 = 20 ops = 40 bytes: 0x1032
  b.u8(9).u16(0x10); // fixed_advance_pc: 0x1042
  b.u8(7); // basic_block
  b.u8(0, 2, 4, 7); // discriminator 7
  b.u8(0, 10, 3).cstr('gen.c').uleb(1).uleb(0).uleb(0); // define_file 3
  b.u8(4).uleb(3).u8(1); // file 3, copy
  b.u8(0, 4, 0x80, 1, 2, 3); // unknown extended opcode, skipped by its length
  b.u8(2).uleb(1).u8(0, 1, 1); // advance 2 bytes, end_sequence at 0x1044
  b.patch(0, b.length - 4, 4);
  return b.done();
}

describe('dwarf: hand-built DWARF', function () {
  describe('a DWARF 2 unit with .debug_loc, .debug_ranges and old-style bitfields', function () {
    const uint: DieSpec = { tag: DW_TAG.base_type, label: 'uint', attrs: [[DW_AT.name, DW_FORM.string, 'unsigned int'], [DW_AT.byte_size, DW_FORM.data1, 4], [DW_AT.encoding, DW_FORM.data1, DW_ATE.unsigned]] };
    const int: DieSpec = { tag: DW_TAG.base_type, label: 'int', attrs: [[DW_AT.name, DW_FORM.string, 'int'], [DW_AT.byte_size, DW_FORM.data1, 4], [DW_AT.encoding, DW_FORM.data1, DW_ATE.signed]] };
    const plus = (n: number): Uint8Array => new Uint8Array([DW_OP.plus_uconst, n]);
    const root: DieSpec = {
      tag: DW_TAG.compile_unit,
      attrs: [[DW_AT.name, DW_FORM.string, 'old.c'], [DW_AT.comp_dir, DW_FORM.string, '/src'], [DW_AT.low_pc, DW_FORM.addr, 0x1000n],
        [DW_AT.high_pc, DW_FORM.addr, 0x1100n], [DW_AT.stmt_list, DW_FORM.data4, 0]],
      children: [
        uint, int,
        {
          tag: DW_TAG.structure_type, attrs: [[DW_AT.name, DW_FORM.string, 'bits'], [DW_AT.byte_size, DW_FORM.data1, 8]],
          children: [
            { tag: DW_TAG.member, attrs: [[DW_AT.name, DW_FORM.string, 'lo'], [DW_AT.type, DW_FORM.ref_addr, { ref: 'uint' }], [DW_AT.byte_size, DW_FORM.data1, 4], [DW_AT.bit_size, DW_FORM.data1, 3], [DW_AT.bit_offset, DW_FORM.data1, 29], [DW_AT.data_member_location, DW_FORM.block1, plus(0)]] },
            { tag: DW_TAG.member, attrs: [[DW_AT.name, DW_FORM.string, 'hi'], [DW_AT.type, DW_FORM.ref_addr, { ref: 'uint' }], [DW_AT.byte_size, DW_FORM.data1, 4], [DW_AT.bit_size, DW_FORM.data1, 5], [DW_AT.bit_offset, DW_FORM.data1, 24], [DW_AT.data_member_location, DW_FORM.block1, plus(0)]] },
            { tag: DW_TAG.member, attrs: [[DW_AT.name, DW_FORM.string, 'y'], [DW_AT.type, DW_FORM.ref4, { ref: 'int' }], [DW_AT.data_member_location, DW_FORM.block1, plus(4)]] },
          ],
        },
        {
          tag: DW_TAG.subprogram,
          attrs: [[DW_AT.name, DW_FORM.string, 'f'], [DW_AT.low_pc, DW_FORM.addr, 0x1000n], [DW_AT.high_pc, DW_FORM.addr, 0x1100n], [DW_AT.frame_base, DW_FORM.block1, new Uint8Array([DW_OP.reg0 + 8])]],
          children: [
            { tag: DW_TAG.variable, attrs: [[DW_AT.name, DW_FORM.string, 'v'], [DW_AT.type, DW_FORM.ref4, { ref: 'int' }], [DW_AT.location, DW_FORM.block1, new Uint8Array([DW_OP.fbreg, 0x6c])]] },
            { tag: DW_TAG.variable, attrs: [[DW_AT.name, DW_FORM.string, 'w'], [DW_AT.type, DW_FORM.ref4, { ref: 'int' }], [DW_AT.location, DW_FORM.data4, 0]] },
            { tag: DW_TAG.lexical_block, attrs: [[DW_AT.ranges, DW_FORM.data4, 0]], children: [
              { tag: DW_TAG.variable, attrs: [[DW_AT.name, DW_FORM.string, 'inner'], [DW_AT.type, DW_FORM.ref4, { ref: 'int' }], [DW_AT.const_value, DW_FORM.data1, 0xff]] },
            ] },
          ],
        },
      ],
    };
    const built = buildInfo([{ version: 2, root }]);
    const loc = new Bytes().u64(ALL_ONES).u64(0x1000).u64(0x10).u64(0x20).u16(1).u8(DW_OP.reg0 + 10)
      .u64(0x20).u64(0x30).u16(2).u8(DW_OP.breg0 + 2, 8).u64(0).u64(0).done();
    const ranges = new Bytes().u64(ALL_ONES).u64(0x1000).u64(0x40).u64(0x50).u64(0x60).u64(0x70).u64(0).u64(0).done();
    const dwarf = Dwarf.load(sections({
      '.debug_info': built.info, '.debug_abbrev': built.abbrev, '.debug_loc': loc, '.debug_ranges': ranges, '.debug_line': oldLineProgram(),
    }));

    it('reads DWARF 2 forms: address-sized ref_addr, blocks as expressions, data4 as section offsets', function () {
      const unit = dwarf.info.units[0];
      assert.equal(unit.version, 2);
      const v = findDie(dwarf, 'v');
      assert.equal(v.value(DW_AT.location)?.kind, 'exprloc');
      assert.deepEqual(findDie(dwarf, 'w').value(DW_AT.location), { kind: 'sectionOffset', value: 0 });
      assert.equal(findDie(dwarf, 'lo').ref(DW_AT.type)?.name, 'unsigned int');
      assert.equal(findDie(dwarf, 'inner').sint(DW_AT.const_value), -1n, 'dataN read as signed is sign-extended');
    });

    it('converts DW_AT_bit_offset bitfields and plus_uconst member locations', function () {
      const t = dwarf.types.type(findDie(dwarf, 'bits'));
      assert.ok(t.kind === 'struct');
      assert.deepEqual(t.members.map((m) => [m.name, m.offset, m.bitOffset, m.bitSize]), [['lo', 0, 0, 3], ['hi', 0, 3, 5], ['y', 4, undefined, undefined]]);
      assert.equal(typeName(t), 'struct bits');
      assert.equal(typeSize(t), 8);
    });

    it('follows base-address entries in .debug_loc and .debug_ranges', function () {
      const f = dwarf.functionAt(0x1045);
      assert.equal(f?.name, 'f');
      assert.deepEqual(dwarf.scopeChain(0x1045).map((s) => s.kind), ['block', 'function']);
      assert.deepEqual(dwarf.scopeChain(0x1055).map((s) => s.kind), ['function']);
      assert.deepEqual(dwarf.scopeChain(0x1065).map((s) => s.kind), ['block', 'function']);
      assert.deepEqual(dwarf.visibleVariables(0x1045).map((x) => x.name), ['inner', 'v', 'w']);
      const w = dwarf.visibleVariables(0x1015).find((x) => x.name === 'w');
      assert.ok(w?.location.kind === 'list');
      assert.deepEqual(w.location.list.entries.map((e) => [e.low, e.high, [...e.expr]]), [[0x1010, 0x1020, [DW_OP.reg0 + 10]], [0x1020, 0x1030, [DW_OP.breg0 + 2, 8]]]);
    });

    it('evaluates DW_OP_fbreg against a register frame base, and constant values', function () {
      const regs: (bigint | undefined)[] = new Array(64).fill(undefined);
      regs[8] = 0x8000n;
      regs[10] = 77n;
      const frames = [{ pc: 0x1015, regs, returnAddress: false }];
      const memory = (): Uint8Array | undefined => undefined;
      const vars = dwarf.visibleVariables(0x1045);
      assert.deepEqual(dwarf.locate(vars[1], frames, 0, memory), { kind: 'memory', address: 0x8000n - 20n });
      assert.deepEqual(dwarf.locate(vars[2], frames, 0, memory), { kind: 'register', reg: 10 });
      assert.deepEqual(dwarf.locate(vars[0], frames, 0, memory), { kind: 'value', value: 0xffn });
    });

    it('runs a DWARF 3 line program using every opcode, with define_file and a small opcode_base', function () {
      const program = dwarf.lineProgram(dwarf.info.units[0]);
      assert.ok(program);
      assert.deepEqual(program.files.map((f) => f.path), ['/src/old.c', '/src/old.c', '/src/inc/inc.h', '/src/inc/gen.c']);
      const pick = (r: LineRow): unknown[] => [r.address, r.file, r.line, r.column, r.isStmt, r.basicBlock, r.discriminator, r.endSequence];
      assert.deepEqual(program.rows.map(pick), [
        [0x1000, 1, 10, 0, true, false, 0, false],
        [0x1004, 1, 11, 5, true, false, 0, false],
        [0x1004, 1, 8, 5, true, false, 0, false],
        [0x100a, 2, 8, 5, false, false, 0, false],
        [0x1042, 3, 8, 5, false, true, 7, false],
        [0x1044, 3, 8, 5, false, false, 0, true],
      ]);
      assert.deepEqual(dwarf.lineAt(0x1005), { address: 0x1004, end: 0x100a, file: '/src/old.c', line: 8, column: 5, isStmt: true, discriminator: 0 });
      assert.equal(dwarf.lineAt(0x1044), undefined);
    });
  });

  it('runs DWARF 4 line programs with unknown standard opcodes and VLIW op indexes', function () {
    const b = new Bytes();
    const header = (maxOps: number, minInst: number): void => {
      b.u32(0).u16(4).u32(0);
      const start = b.length;
      b.u8(minInst, maxOps, 1, -5 & 0xff, 14, 14).u8(0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 2);
      b.u8(0).cstr('a.c').uleb(0).uleb(0).uleb(0).u8(0);
      b.patch(6, b.length - start, 4);
    };
    header(1, 1);
    b.u8(0, 9, 2).u64(0x2000);
    b.u8(10, 11).u8(12).uleb(3); // prologue_end, epilogue_begin, isa 3
    b.u8(13).uleb(300).uleb(5); // opcode 13: unknown, two ULEB operands per the header
    b.u8(1).u8(2).uleb(4).u8(0, 1, 1);
    b.patch(0, b.length - 4, 4);
    const first = b.length;
    const vliw = new Bytes();
    vliw.u32(0).u16(4).u32(0);
    const start = vliw.length;
    vliw.u8(4, 3, 1, -5 & 0xff, 14, 14).u8(0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 2).u8(0).cstr('v.c').uleb(0).uleb(0).uleb(0).u8(0);
    vliw.patch(6, vliw.length - start, 4);
    vliw.u8(0, 9, 2).u64(0x3000).u8(2).uleb(4).u8(1).u8(2).uleb(2).u8(1).u8(2).uleb(3).u8(0, 1, 1);
    vliw.patch(0, vliw.length - 4, 4);
    const line = new Uint8Array([...b.done(), ...vliw.done()]);
    const ctx = { sections: { line }, compDir: '/w', addressSize: 8 };
    const p1 = parseLineProgram(ctx, 0);
    assert.deepEqual(p1.rows.map((r) => [r.address, r.prologueEnd, r.epilogueBegin, r.isa, r.endSequence]), [[0x2000, true, true, 3, false], [0x2004, false, false, 3, true]]);
    assert.equal(p1.files[1].path, '/w/a.c');
    const p2 = parseLineProgram(ctx, first);
    // 3 operations per 4-byte instruction: advancing 4, then 2, then 3 operations.
    assert.deepEqual(p2.rows.map((r) => [r.address, r.opIndex]), [[0x3004, 1], [0x3008, 0], [0x300c, 0]]);
  });

  describe('a 64-bit DWARF 5 unit with unusual forms and a type unit', function () {
    const built = buildInfo([
      {
        version: 5, unitType: DW_UT.type, typeSignature: 0x1234n, typeLabel: 'tt',
        root: {
          tag: DW_TAG.type_unit, children: [
            { tag: DW_TAG.structure_type, label: 'tt', attrs: [[DW_AT.name, DW_FORM.string, 'remote'], [DW_AT.byte_size, DW_FORM.data1, 4]], children: [
              { tag: DW_TAG.member, attrs: [[DW_AT.name, DW_FORM.string, 'm'], [DW_AT.type, DW_FORM.ref4, { ref: 'ti' }], [DW_AT.data_member_location, DW_FORM.data1, 0]] },
            ] },
            { tag: DW_TAG.base_type, label: 'ti', attrs: [[DW_AT.name, DW_FORM.string, 'int'], [DW_AT.byte_size, DW_FORM.data1, 4], [DW_AT.encoding, DW_FORM.data1, DW_ATE.signed]] },
          ],
        },
      },
      {
        version: 5, offsetSize: 8,
        root: {
          tag: DW_TAG.compile_unit, attrs: [[DW_AT.name, DW_FORM.strp, 'wide.c'], [DW_AT.producer, DW_FORM.indirect, [DW_FORM.strp, 'hand']]],
          children: [
            { tag: DW_TAG.variable, attrs: [[DW_AT.name, DW_FORM.string, 'g'], [DW_AT.type, DW_FORM.ref_sig8, 0x1234n], [DW_AT.external, DW_FORM.flag_present],
              [DW_AT.decl_line, DW_FORM.implicit_const, 42n], [DW_AT.const_value, DW_FORM.data16, new Uint8Array(16).fill(7)]] },
            { tag: DW_TAG.variable, attrs: [[DW_AT.name, DW_FORM.string, 'h'], [DW_AT.decl_line, DW_FORM.indirect, [DW_FORM.udata, 300]],
              [DW_AT.const_value, DW_FORM.udata, 1n << 60n], [DW_AT.location, DW_FORM.sec_offset, 0x20]] },
            { tag: DW_TAG.variable, attrs: [[DW_AT.name, DW_FORM.string, 'k'], [DW_AT.const_value, DW_FORM.sdata, -5n], [DW_AT.declaration, DW_FORM.flag, 1]] },
          ],
        },
      },
    ]);
    const dwarf = Dwarf.load(sections({ '.debug_info': built.info, '.debug_abbrev': built.abbrev, '.debug_str': built.str }));

    it('reads 64-bit offsets, indirect forms, implicit_const, data16 and big udata', function () {
      const unit = dwarf.info.units[1];
      assert.equal(unit.header.offsetSize, 8);
      assert.equal(unit.name, 'wide.c');
      assert.equal(unit.root.string(DW_AT.producer), 'hand');
      const g = findDie(dwarf, 'g');
      assert.equal(g.uint(DW_AT.decl_line), 42);
      assert.deepEqual(g.value(DW_AT.const_value), { kind: 'block', bytes: new Uint8Array(16).fill(7) });
      const h = findDie(dwarf, 'h');
      assert.equal(h.uint(DW_AT.decl_line), 300);
      assert.deepEqual(h.value(DW_AT.const_value), { kind: 'constant', value: 1n << 60n, signed: false, size: 0 });
      assert.throws(() => h.uint(DW_AT.const_value), DwarfError);
      assert.deepEqual(h.value(DW_AT.location), { kind: 'sectionOffset', value: 0x20 });
      assert.equal(findDie(dwarf, 'k').sint(DW_AT.const_value), -5n);
    });

    it('resolves DW_FORM_ref_sig8 to the type unit', function () {
      const g = findDie(dwarf, 'g');
      assert.equal(g.ref(DW_AT.type)?.name, 'remote');
      const t = dwarf.types.typeOf(g);
      assert.equal(typeName(t), 'struct remote');
      assert.ok(t.kind === 'struct' && typeName(t.members[0].type) === 'int');
      assert.deepEqual(dwarf.info.compileUnits.map((u) => u.name), ['wide.c']);
      assert.deepEqual(dwarf.globals.map((v) => v.name), ['g', 'h'], 'declarations are not globals with storage');
    });
  });

  it('evaluates typed stack operations and DWARF procedures against their unit', function () {
    const built = buildInfo([{
      version: 5, root: {
        tag: DW_TAG.compile_unit, children: [
          { tag: DW_TAG.base_type, label: 'schar', attrs: [[DW_AT.name, DW_FORM.string, 'signed char'], [DW_AT.byte_size, DW_FORM.data1, 1], [DW_AT.encoding, DW_FORM.data1, DW_ATE.signed_char]] },
          { tag: DW_TAG.base_type, label: 'ushort', attrs: [[DW_AT.name, DW_FORM.string, 'unsigned short'], [DW_AT.byte_size, DW_FORM.data1, 2], [DW_AT.encoding, DW_FORM.data1, DW_ATE.unsigned]] },
          { tag: DW_TAG.base_type, label: 'float', attrs: [[DW_AT.name, DW_FORM.string, 'float'], [DW_AT.byte_size, DW_FORM.data1, 4], [DW_AT.encoding, DW_FORM.data1, DW_ATE.float]] },
          { tag: DW_TAG.dwarf_procedure, label: 'proc', attrs: [[DW_AT.location, DW_FORM.exprloc, new Uint8Array([DW_OP.lit0 + 2, DW_OP.plus])]] },
        ],
      },
    }]);
    const dwarf = Dwarf.load(sections({ '.debug_info': built.info, '.debug_abbrev': built.abbrev }));
    const unit = dwarf.info.units[0];
    const at = (name: string): number => findDie(dwarf, name).offset - unit.offset;
    const proc = [...unit.dies()].find((d) => d.tag === DW_TAG.dwarf_procedure) as Die;
    const ctx: EvalContext = { unit, readRegister: (r) => (r === 10 ? 0x12345n : undefined), readMemory: () => new Uint8Array([0xfe, 0xff]) };
    const run = (...bytes: number[]): bigint | undefined => evaluateValue(new Uint8Array(bytes), ctx);
    assert.equal(run(DW_OP.const_type, at('signed char'), 1, 0xff, DW_OP.convert, at('unsigned short'), DW_OP.stack_value), 0xffffn, '(unsigned short)(signed char)-1');
    assert.equal(run(DW_OP.regval_type, 10, at('unsigned short'), DW_OP.stack_value), 0x2345n);
    assert.equal(run(DW_OP.lit0, DW_OP.deref_type, 2, at('unsigned short'), (DW_OP.lit0 + 1), DW_OP.plus, DW_OP.stack_value), 0xffffn);
    assert.equal(run(DW_OP.const_type, at('signed char'), 1, 0xfe, DW_OP.convert, 0, DW_OP.stack_value), ALL_ONES - 1n, 'to the generic type, sign-extended');
    assert.equal(run((DW_OP.lit0 + 1), DW_OP.call2, proc.offset - unit.offset, 0, DW_OP.stack_value), 3n);
    assert.equal(evaluateLocation(new Uint8Array([DW_OP.const_type, at('float'), 4, 0, 0, 0x80, 0x3f, DW_OP.stack_value]), ctx).kind, 'unavailable');
  });

  describe('call frame information', function () {
    /** A .debug_frame with a version 4 CIE and one FDE using every CFA instruction. */
    function debugFrame(): Uint8Array {
      const b = new Bytes();
      b.u32(0).u32(0xffffffff).u8(4).cstr('').u8(8, 0).uleb(2).sleb(-8).uleb(1);
      b.u8(0x0c, 2, 0).u8(0x07, 5); // def_cfa sp+0; undefined t0
      b.patch(0, b.length - 4, 4);
      const fde = b.length;
      b.u32(0).u32(0).u64(0x2000).u64(0x100);
      b.u8(0x40 | 2); // advance 2 × code_align 2: 0x2004
      b.u8(0x0e, 32).u8(0x80 | 1, 1).u8(0x05, 8, 2); // cfa sp+32; ra at cfa-8; s0 at cfa-16
      b.u8(0x02, 4); // advance_loc1: 0x200c
      b.u8(0x0a); // remember_state
      b.u8(0x12, 8).sleb(-2); // def_cfa_sf s0, -2 × -8 = 16
      b.u8(0x14, 9, 1).u8(0x15, 18).sleb(-3); // s1 = cfa-8; s2 = cfa+24
      b.u8(0x09, 19, 10); // s3 in a0
      b.u8(0x10, 20, 2, DW_OP.lit0 + 16, DW_OP.minus); // s4 at cfa-16
      b.u8(0x16, 21, 2, (DW_OP.lit0 + 1), DW_OP.plus); // s5 = cfa+1
      b.u8(0x08, 22).u8(0x2e, 16); // s6 same value; args_size
      b.u8(0x03).u16(0x10); // advance_loc2: 0x202c
      b.u8(0x0b).u8(0x06, 8).u8(0xc0 | 1); // restore_state; restore s0; restore ra
      b.u8(0x04).u32(8); // advance_loc4: 0x203c
      b.u8(0x0f, 2, DW_OP.breg0 + 2, 64); // cfa = sp+64 as an expression
      b.u8(0x01).u64(0x2080).u8(0x0c, 2, 0).u8(0, 0); // set_loc 0x2080; def_cfa sp+0; nops
      b.patch(fde, b.length - fde - 4, 4);
      return b.done();
    }

    const text = (row: CfiRow): string[] => {
      const rule = (r: RegisterRule): string => (r.kind === 'offset' || r.kind === 'valOffset' ? `${r.kind}${r.offset}` : r.kind === 'register' ? `r${r.reg}` : r.kind);
      const cfa = row.cfa.kind === 'register' ? `r${row.cfa.reg}+${row.cfa.offset}` : 'expr';
      return [`${row.address.toString(16)}-${row.end.toString(16)} ${cfa}`, ...[...row.registers].sort((a, b) => a[0] - b[0]).map(([r, x]) => `${r}:${rule(x)}`)];
    };

    it('runs every CFA instruction, remember/restore_state included', function () {
      const cfi = new CallFrameInfo({ frame: debugFrame() });
      assert.equal(cfi.fdes.length, 1);
      assert.deepEqual(fdeTable(cfi.fdes[0]).map(text), [
        ['2000-2004 r2+0', '5:undefined'],
        ['2004-200c r2+32', '1:offset-8', '5:undefined', '8:offset-16'],
        ['200c-202c r8+16', '1:offset-8', '5:undefined', '8:offset-16', '9:valOffset-8', '18:valOffset24', '19:r10', '20:expression', '21:valExpression', '22:sameValue'],
        ['202c-203c r2+32', '5:undefined'],
        ['203c-2080 expr', '5:undefined'],
        ['2080-2100 r2+0', '5:undefined'],
      ]);
      assert.equal(cfi.rowAt(0x2100), undefined);
    });

    it('unwinds with every kind of register rule', function () {
      const cfi = new CallFrameInfo({ frame: debugFrame() });
      const regs: (bigint | undefined)[] = new Array(64).fill(undefined);
      regs[0] = 0n;
      regs[2] = 0x7000n;
      regs[8] = 0x7010n; // CFA = s0 + 16 = 0x7020
      for (const r of [10, 11, 22, 23]) regs[r] = BigInt(r * 1000);
      const memory = (address: bigint, size: number): Uint8Array | undefined => {
        const words: Record<string, bigint> = { '0x7018': 0x2222n, '0x7010': 0x8000n };
        const v = words[`0x${address.toString(16)}`];
        return v === undefined ? undefined : new Bytes().uN(v, size).done();
      };
      const caller = unwindStep(cfi, { pc: 0x2010, regs, returnAddress: false }, memory);
      assert.ok(caller);
      assert.equal(caller.pc, 0x2222);
      assert.equal(caller.cfa, 0x7020n);
      const r = caller.regs;
      assert.deepEqual([r[2], r[8], r[9], r[18], r[19], r[20], r[21], r[22], r[23], r[5], r[11]],
        [0x7020n, 0x8000n, 0x7018n, 0x7038n, 10000n, 0x8000n, 0x7021n, 22000n, 23000n, undefined, undefined]);
    });

    it('decodes .eh_frame augmentations and pointer encodings', function () {
      const b = new Bytes();
      // CIE "zPLR": personality indirect udata8, LSDA udata4, FDE pointers udata8.
      b.u32(0).u32(0).u8(1).cstr('zPLR').uleb(1).sleb(-8).u8(1).uleb(11).u8(0x84).u64(0x7777).u8(0x03, 0x04);
      b.u8(0x0c, 2, 0);
      b.patch(0, b.length - 4, 4);
      const fde = b.length;
      b.u32(0).u32(fde + 4).u64(0x3000).u64(0x10).uleb(4).u32(0x5000);
      b.patch(fde, b.length - fde - 4, 4);
      // CIE "zRS": a signal frame whose FDE pointers are pc-relative sdata4.
      const cie2 = b.length;
      b.u32(0).u32(0).u8(1).cstr('zRS').uleb(1).sleb(-8).u8(1).uleb(1).u8(0x1b);
      b.u8(0x0c, 2, 16).u8(0x80 | 1, 2); // cfa = sp+16, ra saved at cfa-16
      b.patch(cie2, b.length - cie2 - 4, 4);
      const fde2 = b.length;
      b.u32(0).u32(fde2 + 4 - cie2);
      const pcField = b.length;
      b.u32(0x4000 - (0x9000 + pcField)).u32(0x20).uleb(0);
      b.patch(fde2, b.length - fde2 - 4, 4);
      b.u32(0); // terminator
      const cfi = new CallFrameInfo({ ehFrame: b.done() }, { ehFrame: 0x9000 });
      assert.deepEqual(cfi.fdes.map((f) => [f.low, f.high, f.lsda, f.cie.augmentation, f.cie.signalFrame]), [
        [0x3000, 0x3010, 0x5000, 'zPLR', false],
        [0x4000, 0x4020, undefined, 'zRS', true],
      ]);
      assert.equal(cfi.fdes[0].cie.personality, 0x7777, 'an indirect pointer is the address of the pointer');
      // Unwinding out of a signal frame gives the interrupted pc, which is not a return address.
      const regs: (bigint | undefined)[] = new Array(64).fill(undefined);
      regs[2] = 0x7000n;
      const caller = unwindStep(cfi, { pc: 0x4004, regs, returnAddress: false }, (a, size) => (a === 0x7000n ? new Bytes().uN(0x1234, size).done() : undefined));
      assert.deepEqual([caller?.pc, caller?.returnAddress, caller?.regs[2]], [0x1234, false, 0x7010n]);
      assert.throws(() => new CallFrameInfo({ ehFrame: b.done() }), DwarfError, 'pc-relative pointers need the section address');
      const warnings: string[] = [];
      assert.equal(new CallFrameInfo({ ehFrame: b.done() }, {}, (m) => warnings.push(m)).fdes.length, 1, 'the FDE whose CIE is readable is kept');
      assert.equal(warnings.length, 1);
    });
  });
});
